"""Small helpers that keep tests short: users with roles, query counting."""

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role

PASSWORD = "correct-horse-battery"


def make_user(username: str, *roles: Role, unit=None, password: str = PASSWORD, **fields) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        full_name=fields.pop("full_name", f"测试{username}"),
        unit=unit,
        **fields,
    )
    user.groups.set(Group.objects.filter(name__in=[role.group_name for role in roles]))
    return user


@contextmanager
def count_queries():
    """Yields a context whose len() is the number of queries run inside the block."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


@contextmanager
def celery_worker(*, name: str = "test", env: dict | None = None):
    """A real Celery worker process on a queue of its own, sharing the test database.

    Yields the queue's name; send tasks there. Skips without Redis, and on SQLite (a test
    database another process cannot open).
    """
    if not os.environ.get("REDIS_URL"):
        pytest.skip("需要 REDIS_URL（真实 Redis）")
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("worker shares the test database only on PostgreSQL")
    queue = f"{name}-{uuid.uuid4().hex[:8]}"
    process = start_worker(queue, env=env)
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def start_worker(
    queue: str, *, env: dict | None = None, stdout=subprocess.DEVNULL, app: str = "jiaozhang"
):
    """A solo Celery worker process of `app` consuming `queue`, on the test database (Popen)."""
    from django.conf import settings

    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    process_env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{host}/{db['NAME']}",
        DJANGO_SETTINGS_MODULE="jiaozhang.settings",
        **(env or {}),
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=process_env,
        stdout=stdout,
        stderr=subprocess.DEVNULL if stdout is subprocess.DEVNULL else subprocess.STDOUT,
    )


def pdf_bytes() -> bytes:
    """A real one-page PDF (uploads are checked by content: `%PDF-1.4` alone is refused)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def built_for_module(django_db_blocker, *, now: str, media, build: Callable):
    """What `build()` makes, built once at `now` (Asia/Shanghai) for a module-scoped fixture
    (`yield from built_for_module(...)`), inside a transaction rolled back when the module is
    done. Each test's `db` then runs in a savepoint of it, so what one test changes the next
    never sees; keep the module's tests on one xdist worker (`xdist_group`)."""
    moment = datetime.fromisoformat(now).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with time_machine.travel(moment, tick=False), override_settings(MEDIA_ROOT=media):
                built = build()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
