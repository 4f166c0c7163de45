"""A real Celery worker, started here, runs a task through the real Redis broker."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from accounts.tasks import purge_expired_sign_in_records

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="需要 REDIS_URL（真实 Redis）"),
]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("worker shares the test database only on PostgreSQL")
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ, DATABASE_URL=_database_url(), DJANGO_SETTINGS_MODULE="jiaozhang.settings"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jiaozhang", "worker", "-P", "solo",
         "-Q", queue, "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_worker_purges_expired_sign_in_records(worker):
    from axes.models import AccessAttempt

    past = timezone.now() - timedelta(days=1)
    Session.objects.create(session_key="expired" + "x" * 25, session_data="", expire_date=past)
    Session.objects.create(
        session_key="alive" + "y" * 27,
        session_data="",
        expire_date=timezone.now() + timedelta(hours=1),
    )
    attempt = AccessAttempt.objects.create(
        username="r1", ip_address="10.0.0.1", user_agent="t", failures_since_start=6
    )
    # attempt_time is set on creation; age it past the cool-off afterwards.
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=past)
    assert settings.CELERY_TASK_ALWAYS_EAGER is False

    result = purge_expired_sign_in_records.apply_async(queue=worker)
    assert result.get(timeout=60) == {"sessions": 1, "attempts": 1}
    assert list(Session.objects.values_list("session_key", flat=True)) == ["alive" + "y" * 27]
    # Idempotent: a second run finds nothing more to delete.
    again = purge_expired_sign_in_records.apply_async(queue=worker)
    assert again.get(timeout=30) == {"sessions": 0, "attempts": 0}
