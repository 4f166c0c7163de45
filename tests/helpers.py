"""Small helpers that keep tests short: users with roles, query counting."""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group
from django.db import connection
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
