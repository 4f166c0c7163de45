"""The bell's count drops when a notice is read or its work is done.

- Opening a notice (/notifications/<id>/open/) marks it read and follows its link.
- A ledger's notices (reminder, missing, reopened, confirm: "hand it in"; returned: "hand the
  corrections back") are marked read for the unit's people once the ledger is handed in; a
  return stays unread until the corrected entries are handed back.
And the lockout page says its cool-off in 分钟/小时, not "PT30M".
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Notification
from accounts.services import notify
from accounts.templatetags.durations import duration_zh
from campaigns.services.ledger import (
    EntryInput,
    confirm_ledger,
    open_ledger,
    save_entries,
    submit_ledger,
)
from campaigns.services.review import return_entry
from tests.campaigns.builders import build_small_year

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-04-15 10:00")]


def _unread(user) -> list[str]:
    return sorted(user.notifications.filter(read_at__isnull=True).values_list("kind", flat=True))


def _fill(small, week):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(week))
    save_entries(
        ledger=ledger,
        user=small.reporter,
        changes={
            small.investment.pk: EntryInput(value=Decimal("3")),
            small.cases.pk: EntryInput(value=Decimal("2")),
            small.flood.pk: EntryInput(),
        },
    )
    return ledger


def test_opening_a_notice_marks_it_read_and_follows_its_link(client):
    small = build_small_year()
    week = reverse("ledger-week", args=[small.period(16).pk])
    notify(recipients=[small.reporter], kind="reminder", title="提醒", url=week)
    notice = small.reporter.notifications.get()
    client.force_login(small.reporter)
    assert (
        client.get(reverse("notifications"))
        .content.decode()
        .count(reverse("notification-open", args=[notice.pk]))
    )
    response = client.get(reverse("notification-open", args=[notice.pk]))
    assert (response.status_code, response.url) == (302, week)
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_elses_notice_is_not_touched(client):
    small = build_small_year()
    notify(recipients=[small.other_reporter], kind="reminder", title="提醒", url="/ledger/")
    notice = small.other_reporter.notifications.get()
    client.force_login(small.reporter)
    response = client.get(reverse("notification-open", args=[notice.pk]))
    assert response.url == reverse("notifications")
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_link_off_the_site_is_not_followed(client):
    small = build_small_year()
    notify(recipients=[small.reporter], kind="reminder", title="提醒", url="https://evil.example/")
    notice = small.reporter.notifications.get()
    client.force_login(small.reporter)
    assert client.get(reverse("notification-open", args=[notice.pk])).url == reverse(
        "notifications"
    )


def test_handing_in_the_ledger_clears_its_reminders_for_the_unit():
    """Two reminders about week 16 (one each to the reporter and the head) and one about week
    15: handing in week 16 marks the two read and leaves week 15's, and another unit's."""
    small = build_small_year()
    week16 = reverse("ledger-week", args=[small.period(16).pk])
    week15 = reverse("ledger-week", args=[small.period(15).pk])
    notify(recipients=[small.reporter, small.head], kind="reminder", title="周五截止", url=week16)
    notify(recipients=[small.reporter], kind="missing", title="第15周缺报", url=week15)
    notify(recipients=[small.other_reporter], kind="reminder", title="周五截止", url=week16)
    submit_ledger(ledger=_fill(small, 16), user=small.reporter)
    assert _unread(small.reporter) == ["missing"]
    assert _unread(small.head) == []
    assert _unread(small.other_reporter) == ["reminder"]


def test_a_return_stays_unread_until_the_corrections_are_handed_back():
    small = build_small_year()
    ledger = _fill(small, 16)
    submit_ledger(ledger=ledger, user=small.reporter)
    return_entry(
        entry=ledger.entries.get(indicator=small.investment), user=small.reviewer, comment="补证"
    )
    assert _unread(small.reporter) == ["returned"]
    ledger.refresh_from_db()
    submit_ledger(ledger=ledger, user=small.reporter)  # the corrected entry handed back
    assert _unread(small.reporter) == []


def test_the_heads_confirmation_request_clears_when_confirmed():
    small = build_small_year(requires_head_confirmation=True)
    ledger = _fill(small, 16)
    submit_ledger(ledger=ledger, user=small.reporter)
    assert _unread(small.head) == ["confirm"]
    confirm_ledger(ledger=ledger, user=small.head)
    assert _unread(small.head) == []
    assert Notification.objects.filter(kind="confirm", read_at__isnull=False).count() == 1


def test_durations_in_chinese():
    """90 minutes: 1小时30分钟; 1500 minutes = 25 hours: 1天1小时; 30 minutes: 30分钟."""
    assert duration_zh(timedelta(minutes=90)) == "1小时30分钟"
    assert duration_zh(timedelta(minutes=1500)) == "1天1小时"
    assert duration_zh(timedelta(hours=2)) == "2小时"
    assert duration_zh(30) == "30分钟"


def test_the_lockout_page_says_minutes_not_an_iso_duration(client):
    small = build_small_year()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"), {"username": small.reporter.username, "password": "wrong-password"}
        )
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f'请 <span data-testid="cooloff">{duration_zh(minutes)}</span> 后再试' in page
    assert "PT" not in page
