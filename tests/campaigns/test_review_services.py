"""The lead department's services: verify, correct, return, segregation, inspections."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Notification
from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import Inspection
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import record_inspection, return_entry, verify_entries
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user


@pytest.fixture
def small(db):
    return build_small_year()


def submitted(small, unit=None, week=10, investment="3"):
    unit = unit or small.reporter.unit
    reporter = (
        small.reporter
        if unit == small.reporter.unit
        else make_user(f"r{unit.pk}", Role.REPORTER, unit=unit)
    )
    ledger = open_ledger(unit=unit, period=small.period(week))
    save_entries(
        ledger=ledger,
        user=reporter,
        now=small.during(week),
        changes={
            small.investment.pk: EntryInput(value=Decimal(investment)),
            small.cases.pk: EntryInput(value=Decimal("2")),
            small.flood.pk: EntryInput(),
        },
    )
    submit_ledger(ledger=ledger, user=reporter, now=small.during(week))
    return ledger


def test_verify_keeps_the_reported_figure(small):
    entry = submitted(small).entries.get(indicator=small.investment)
    verify_entries(entry_ids=[entry.pk], user=small.reviewer)
    entry.refresh_from_db()
    assert (entry.review_status, entry.verified_value, entry.reviewer) == (
        "verified",
        Decimal("3"),
        small.reviewer,
    )
    assert not entry.corrected


def test_correction_keeps_reported_beside_verified_and_needs_a_reason(small):
    entry = submitted(small).entries.get(indicator=small.investment)
    with pytest.raises(LedgerError, match="须写明理由"):
        verify_entries(entry_ids=[entry.pk], user=small.reviewer, corrections={entry.pk: 2})
    verify_entries(
        entry_ids=[entry.pk],
        user=small.reviewer,
        corrections={entry.pk: Decimal("2.4")},
        comment="0.6亿元为土地款，不计入固投",
    )
    entry.refresh_from_db()
    assert (entry.value, entry.verified_value, entry.corrected) == (
        Decimal("3"),
        Decimal("2.4"),
        True,
    )


def test_reviewer_cannot_verify_indicators_it_does_not_lead(small):
    entry = submitted(small).entries.get(indicator=small.cases)  # led by 政法委
    with pytest.raises(LedgerError, match="不是本单位牵头的指标"):
        verify_entries(entry_ids=[entry.pk], user=small.reviewer)


def test_reviewer_cannot_verify_its_own_units_entries(small):
    fgw = small.reviewer.unit
    from campaigns.services.years import set_target

    set_target(indicator=small.investment, unit=fgw, annual_value=Decimal("1"))
    ledger = open_ledger(unit=fgw, period=small.period(10))
    clerk = make_user("fgw-clerk", Role.REPORTER, unit=fgw)
    save_entries(
        ledger=ledger,
        user=clerk,
        now=small.during(10),
        changes={small.investment.pk: EntryInput(value=Decimal("0.3"))},
    )
    submit_ledger(ledger=ledger, user=clerk, now=small.during(10))
    entry = ledger.entries.get()
    with pytest.raises(LedgerError, match="审核与填报须分离"):
        verify_entries(entry_ids=[entry.pk], user=small.reviewer)


def test_bulk_verify_is_all_or_nothing(small):
    ledger = submitted(small)
    ours = ledger.entries.get(indicator=small.investment)
    theirs = ledger.entries.get(indicator=small.cases)
    with pytest.raises(LedgerError):
        verify_entries(entry_ids=[ours.pk, theirs.pk], user=small.reviewer)
    ours.refresh_from_db()
    assert ours.review_status == "pending"


def test_draft_cannot_be_verified(small):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(10))
    entry = ledger.entries.get(indicator=small.investment)
    with pytest.raises(LedgerError, match="尚未提交"):
        verify_entries(entry_ids=[entry.pk], user=small.reviewer)


def test_return_needs_a_reason_and_notifies_the_unit(small, django_capture_on_commit_callbacks):
    entry = submitted(small).entries.get(indicator=small.investment)
    with pytest.raises(LedgerError, match="退回理由"):
        return_entry(entry=entry, user=small.reviewer, comment="")
    return_entry(entry=entry, user=small.reviewer, comment="请补充开工照片")
    note = Notification.objects.get(recipient=small.reporter, kind="returned")
    assert "请补充开工照片" in note.body
    with pytest.raises(LedgerError, match="待其重新提交"):
        verify_entries(entry_ids=[entry.pk], user=small.reviewer)


def test_all_entries_verified_makes_the_ledger_verified(small):
    ledger = submitted(small)
    zfw_reviewer = make_user("zfw", Role.REVIEWER, unit=small.cases.lead_unit)
    ids = list(
        ledger.entries.filter(indicator__lead_unit=small.reviewer.unit).values_list("pk", flat=True)
    )
    verify_entries(entry_ids=ids, user=small.reviewer)
    verify_entries(entry_ids=[ledger.entries.get(indicator=small.cases).pk], user=zfw_reviewer)
    ledger.refresh_from_db()
    assert ledger.status == "verified"


def test_inspection_marks_the_entry_checked_on_site(small):
    entry = submitted(small).entries.get(indicator=small.investment)
    record_inspection(
        user=small.reviewer,
        entry=entry,
        visited_on=date.today() - timedelta(days=1),
        place="城关镇工业园区3号地块",
        findings="主体结构已封顶，与填报一致",
    )
    entry.refresh_from_db()
    assert entry.checked_on_site
    assert Inspection.objects.get().unit == small.reporter.unit
    with pytest.raises(LedgerError, match="查看情况"):
        record_inspection(
            user=small.reviewer, entry=entry, visited_on=date.today(), place="x", findings=""
        )
