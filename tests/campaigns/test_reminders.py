"""Reminders the day before and on the deadline day, and 缺报 notices once a period locks."""

from datetime import timedelta

import pytest

from accounts.models import Notification
from campaigns.models import ReminderLog
from campaigns.services.reminders import mark_missing_ledgers, send_deadline_reminders
from tests.campaigns import builders
from tests.campaigns.builders import build_small_year


@pytest.fixture
def small(db):
    return build_small_year()


def hand_in(small, week):
    builders.hand_in(small, week=week, investment="1", cases="1")


def test_day_before_reminds_only_units_that_have_not_handed_in(small):
    """Three townships carry indicators; 城关镇 handed in: two units are reminded."""
    hand_in(small, 30)
    day_before = small.period(30).deadline - timedelta(days=1)
    assert send_deadline_reminders(now=day_before) == 2
    reminded = set(ReminderLog.objects.values_list("unit__name", flat=True))
    assert small.reporter.unit.name not in reminded and len(reminded) == 2
    assert Notification.objects.filter(recipient=small.other_reporter, kind="reminder").count() == 1


def test_running_twice_sends_nothing_twice(small):
    moment = small.period(30).deadline - timedelta(hours=3)  # the deadline day
    first = send_deadline_reminders(now=moment)
    again = send_deadline_reminders(now=moment + timedelta(hours=1))
    assert (first, again) == (3, 0)
    assert Notification.objects.filter(recipient=small.other_reporter).count() == 1


def test_no_reminder_two_days_before_or_after_the_deadline(small):
    period = small.period(30)
    assert send_deadline_reminders(now=period.deadline - timedelta(days=2, hours=1)) == 0
    assert send_deadline_reminders(now=period.deadline + timedelta(hours=1)) == 0


def test_missing_is_marked_once_after_the_lock(small):
    hand_in(small, 30)
    after_lock = small.period(30).locks_at + timedelta(minutes=5)
    # Earlier weeks also locked within the 14-day window are marked too: weeks 29 and 30.
    marked = mark_missing_ledgers(now=after_lock)
    assert ReminderLog.objects.filter(kind="missing", period=small.period(30)).count() == 2
    assert mark_missing_ledgers(now=after_lock + timedelta(hours=1)) == 0
    assert marked == ReminderLog.objects.filter(kind="missing").count()
