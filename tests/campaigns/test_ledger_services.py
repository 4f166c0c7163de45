"""The reporter's services: open, save, submit, confirm, late and locked weeks, reopening."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Notification
from campaigns.errors import LedgerError
from campaigns.figures import parse_figure
from campaigns.models import LedgerEntry, LedgerReopening, WeeklyLedger
from campaigns.services.ledger import (
    EntryInput,
    confirm_ledger,
    open_ledger,
    reopen_ledger,
    save_entries,
    submit_ledger,
)
from campaigns.services.review import return_entry, verify_entries
from tests.campaigns.builders import build_small_year

Status = WeeklyLedger.Status
VALUE = LedgerEntry._meta.get_field("value")


@pytest.fixture
def small(db):
    return build_small_year()


def fill(small, week, *, investment="3", cases="5", flood=None, user=None, now=None, **extra):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(week))
    changes = {
        small.investment.pk: EntryInput(value=parse_figure(investment, VALUE), **extra),
        small.cases.pk: EntryInput(value=parse_figure(cases, VALUE)),
        small.flood.pk: EntryInput(done_on=flood),
    }
    now = now or small.during(week)
    return save_entries(ledger=ledger, user=user or small.reporter, changes=changes, now=now)


def test_open_ledger_creates_one_entry_per_carried_indicator(small):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(10))
    assert ledger.status == Status.DRAFT
    assert ledger.entries.count() == 3
    assert open_ledger(unit=small.reporter.unit, period=small.period(10)) == ledger


def test_save_then_submit_on_time(small):
    ledger = fill(small, 10)
    submit_ledger(ledger=ledger, user=small.reporter, now=small.during(10))
    ledger.refresh_from_db()
    assert ledger.status == Status.SUBMITTED
    assert ledger.submitted_by == small.reporter
    assert not ledger.is_late
    assert ledger.entries.get(indicator=small.investment).value == Decimal("3")


def test_submission_after_deadline_is_late(small):
    ledger = fill(small, 10)
    after = small.period(10).deadline + timedelta(hours=2)
    submit_ledger(ledger=ledger, user=small.reporter, now=after)
    ledger.refresh_from_db()
    assert ledger.is_late


def test_locked_period_refuses_submission_until_reopened(small):
    ledger = fill(small, 10)
    locked = small.period(10).locks_at + timedelta(minutes=1)
    with pytest.raises(LedgerError, match="已锁定"):
        submit_ledger(ledger=ledger, user=small.reporter, now=locked)
    with pytest.raises(LedgerError, match="当前不可修改"):
        fill(small, 10, investment="4", now=locked)
    assert ledger.entries.get(indicator=small.investment).value == Decimal("3")


def test_office_reopens_with_a_recorded_reason(small, django_capture_on_commit_callbacks):
    from django.utils import timezone

    fill(small, 2)
    until = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        ledger = reopen_ledger(
            unit=small.reporter.unit,
            period=small.period(2),
            user=small.office,
            until=until,
            reason="乡镇换届，系统账号交接延误",
        )
    record = LedgerReopening.objects.get(ledger=ledger)
    assert (record.reopened_by, record.reason) == (small.office, "乡镇换届，系统账号交接延误")
    submit_ledger(ledger=ledger, user=small.reporter)
    ledger.refresh_from_db()
    assert ledger.status == Status.SUBMITTED and ledger.is_late
    assert Notification.objects.filter(recipient=small.reporter, kind="reopened").exists()


def test_only_the_office_reopens_and_a_reason_is_required(small):
    from django.utils import timezone

    until = timezone.now() + timedelta(days=1)
    with pytest.raises(LedgerError, match="只有考核办"):
        reopen_ledger(
            unit=small.reporter.unit,
            period=small.period(2),
            user=small.reporter,
            until=until,
            reason="x",
        )
    with pytest.raises(LedgerError, match="原因"):
        reopen_ledger(
            unit=small.reporter.unit,
            period=small.period(2),
            user=small.office,
            until=until,
            reason=" ",
        )
    assert not LedgerReopening.objects.exists()


def test_incomplete_ledger_cannot_be_submitted(small):
    ledger = fill(small, 10, investment="")
    with pytest.raises(LedgerError, match="尚未填写累计数"):
        submit_ledger(ledger=ledger, user=small.reporter, now=small.during(10))
    ledger.refresh_from_db()
    assert ledger.status == Status.DRAFT


def test_decrease_needs_an_explanation(small):
    submit_ledger(ledger=fill(small, 10, investment="5"), user=small.reporter, now=small.during(10))
    with pytest.raises(LedgerError, match="比上周（5）减少，须填写下降原因"):
        fill(small, 11, investment="4.5")
    ledger = fill(small, 11, investment="4.5", decrease_reason="项目统计口径调整，核减重复入库")
    assert ledger.entries.get(indicator=small.investment).value == Decimal("4.5")


def test_negative_figure_and_wrong_milestone_date_are_refused_and_nothing_saved(small):
    with pytest.raises(LedgerError) as refused:
        fill(small, 10, investment="-1", flood=small.period(10).ends_on + timedelta(days=30))
    text = " ".join(refused.value.messages)
    assert "不能为负数" in text and "完成日期不能晚于本帐期最后一天" in text
    assert not LedgerEntry.objects.filter(value__isnull=False).exists()


def test_another_units_reporter_cannot_save_or_submit(small):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(10))
    with pytest.raises(LedgerError, match="只能填报本单位"):
        save_entries(ledger=ledger, user=small.other_reporter, changes={})
    with pytest.raises(LedgerError, match="只能提交本单位"):
        submit_ledger(ledger=ledger, user=small.other_reporter)


def test_indicator_not_carried_is_refused(small):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(10))
    with pytest.raises(LedgerError, match="没有承担该指标"):
        save_entries(
            ledger=ledger, user=small.reporter, changes={99999: EntryInput(value=Decimal(1))}
        )


def test_head_confirmation_when_the_year_requires_it(small, django_capture_on_commit_callbacks):
    small.year.requires_head_confirmation = True
    small.year.save()
    ledger = fill(small, 10)
    submit_ledger(ledger=ledger, user=small.reporter, now=small.during(10, hours_before_deadline=2))
    ledger.refresh_from_db()
    assert ledger.status == Status.AWAITING_CONFIRMATION and ledger.submitted_at is None
    assert Notification.objects.filter(recipient=small.head, kind="confirm").exists()
    with pytest.raises(LedgerError, match="只有本单位负责人"):
        confirm_ledger(ledger=ledger, user=small.reporter)
    # Confirmed after the deadline: the hand-in time is the confirmation, so it is late.
    confirm_ledger(ledger=ledger, user=small.head, now=small.period(10).deadline + timedelta(1))
    ledger.refresh_from_db()
    assert ledger.status == Status.SUBMITTED and ledger.confirmed_by == small.head
    assert ledger.is_late


def test_returned_entry_is_corrected_and_resubmitted(small):
    ledger = fill(small, 10)
    submit_ledger(ledger=ledger, user=small.reporter, now=small.during(10))
    entry = ledger.entries.get(indicator=small.investment)
    return_entry(entry=entry, user=small.reviewer, comment="附件与填报数不符")
    ledger.refresh_from_db()
    assert ledger.status == Status.RETURNED
    later = small.period(10).locks_at + timedelta(days=3)  # returned entries stay correctable
    with pytest.raises(LedgerError, match="当前不可修改"):
        fill(small, 10, investment="2.5", cases="6", now=later)
    fill(small, 10, investment="2.5", now=later)
    submit_ledger(ledger=ledger, user=small.reporter, now=later)
    ledger.refresh_from_db()
    entry.refresh_from_db()
    assert entry.value == Decimal("2.5") and entry.review_status == "pending"
    assert ledger.status == Status.SUBMITTED and not ledger.is_late
    verify_entries(entry_ids=[entry.pk], user=small.reviewer)
    ledger.refresh_from_db()
    assert ledger.status == Status.PARTLY_VERIFIED


def test_history_records_every_change_after_submission(small):
    ledger = fill(small, 10)
    submit_ledger(ledger=ledger, user=small.reporter, now=small.during(10))
    entry = ledger.entries.get(indicator=small.investment)
    verify_entries(
        entry_ids=[entry.pk],
        user=small.reviewer,
        corrections={entry.pk: Decimal("2.8")},
        comment="实地核查，0.2亿元为预付款，不计入",
    )
    latest = entry.history.first()
    assert latest.history_user is None or latest.history_user == small.reviewer
    delta = latest.diff_against(latest.prev_record)
    assert {c.field for c in delta.changes} >= {"verified_value", "review_status"}
