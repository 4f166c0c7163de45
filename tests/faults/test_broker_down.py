"""Redis down on a Friday: the reporter still saves and submits, and no email is lost or doubled.

The submission notifies the unit's two heads (the year needs a head's confirmation); their
email task waits in the outbox while Redis is stopped, is published by the flush once Redis
is back, and a real worker mails each head exactly once — even when the row is delivered twice.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Notification, OutboxTask
from accounts.roles import Role
from campaigns.models import WeeklyLedger
from jiaozhang.tasking import flush_outbox, publish_outbox_row, task_named
from tests.faults.services import redis_stopped
from tests.faults.weeks import build_open_week
from tests.helpers import make_user

pytestmark = [
    pytest.mark.faults,
    pytest.mark.real_clock(reason="stops the shared Redis and runs a real worker"),
]


def test_submission_while_redis_is_down_mails_each_head_once_when_it_is_back(
    client, transactional_db, settings, fault_workers
):
    # This week, whatever the real date (a fault test is never moved in time): open, its
    # deadline ahead.
    small, week = build_open_week(requires_head_confirmation=True)
    unit = small.reporter.unit
    heads = [small.head, make_user("h2", Role.UNIT_HEAD, unit=unit, email="h2@example.cn")]
    type(small.head).objects.filter(pk=small.head.pk).update(email="h1@example.cn")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    url = reverse("ledger-week", args=[week.pk])
    form = {
        f"e{small.investment.pk}-value": "3.5",
        f"e{small.investment.pk}-progress": "主体完工",
        f"e{small.investment.pk}-problem_category": "land",
        f"e{small.cases.pk}-value": "4",
        f"e{small.flood.pk}-done_on": "",
    }
    client.force_login(small.reporter)

    with redis_stopped():
        saved = client.post(url, {"action": "save", **form})
        submitted = client.post(url, {"action": "submit", **form}, follow=True)
        assert saved.status_code == 302
        assert submitted.status_code == 200
        assert "已提交" in submitted.content.decode() or "待" in submitted.content.decode()
        ledger = WeeklyLedger.objects.get(unit=unit, period=week)
        assert ledger.status == WeeklyLedger.Status.AWAITING_CONFIRMATION
        pending = OutboxTask.objects.get(sent_at__isnull=True)
        assert pending.attempts == 1 and pending.last_error
        assert Notification.objects.filter(recipient__in=heads, emailed_at=None).count() == 2

    # The workers start only now, Redis back (none lives through the outage); the pool's
    # second one starts beside this one for test_worker_killed.py.
    queue = fault_workers.alive()[0]
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    assert flush_outbox(older_than=timedelta(0)) == 1
    row = OutboxTask.objects.get()
    assert row.sent_at and row.task_id
    task = task_named(row.name)
    assert task.AsyncResult(row.task_id).get(timeout=60) == 2
    # Delivered again (published, then the database failed before marking it sent): the task
    # claims each notice, so nobody is mailed twice.
    assert publish_outbox_row(row)
    again = OutboxTask.objects.get().task_id
    assert task.AsyncResult(again).get(timeout=30) == 0
    # Both tasks are done, so their mails are in the log (the console backend flushes each).
    mailed = fault_workers.log(queue).read_text(errors="replace")
    assert sorted(re.findall(r"^To: (\S+)", mailed, re.M)) == ["h1@example.cn", "h2@example.cn"]
    assert not Notification.objects.filter(recipient__in=heads, emailed_at=None).exists()
    assert flush_outbox(older_than=timedelta(0)) == 0
