"""A real Celery worker, started here, runs a task through the real Redis broker."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import purge_expired_sign_in_records

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="需要 REDIS_URL（真实 Redis）"),
]


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


def test_worker_sends_each_missing_unit_exactly_one_reminder(worker):
    """Three townships carry indicators, one handed in: two reminders, and none on a rerun."""
    from accounts.models import Notification
    from campaigns.models import ReminderLog
    from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
    from campaigns.tasks import send_ledger_reminders
    from tests.campaigns.builders import build_small_year

    small = build_small_year()
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(30))
    changes = {
        small.investment.pk: EntryInput(value=1),
        small.cases.pk: EntryInput(value=1),
        small.flood.pk: EntryInput(),
    }
    save_entries(ledger=ledger, user=small.reporter, changes=changes, now=small.during(30))
    submit_ledger(ledger=ledger, user=small.reporter, now=small.during(30))
    day_before = (small.period(30).deadline - timedelta(days=1)).isoformat()

    assert send_ledger_reminders.apply_async(args=[day_before], queue=worker).get(timeout=60) == 2
    assert send_ledger_reminders.apply_async(args=[day_before], queue=worker).get(timeout=60) == 0
    assert ReminderLog.objects.count() == 2
    assert Notification.objects.filter(recipient=small.other_reporter, kind="reminder").count() == 1
    assert not Notification.objects.filter(recipient=small.reporter).exists()
