"""The lead department's services: verify, correct, return, segregation, inspections."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Notification
from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import Inspection
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import (
    record_inspection,
    return_entry,
    verify_entries,
    verify_selected,
)
from tests.campaigns.builders import build_small_year, hand_in
from tests.helpers import make_user


@pytest.fixture
def small(db):
    return build_small_year()


def submitted(small, unit=None, week=10, investment="3", **written):
    return hand_in(small, unit, week=week, investment=investment, **written)


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


# --- 核实所选: flagged entries only with the reviewer's acknowledgement ------------------------


def _flag_implausible(entry, note="年度目标录入有误，实际批复投资额更大"):
    """Mark the entry as campaigns.plausibility leaves a confirmed implausible figure."""
    type(entry).objects.filter(pk=entry.pk).update(
        plausibility_flagged=True, plausibility_note=note
    )


def test_verify_selected_skips_flagged_entries_without_acknowledgement(small):
    """城关镇 (flagged 数值异常) and 青山镇 (no flag) chosen together, nothing acknowledged:
    青山镇 is verified at its 2, 城关镇 stays pending and is named; acknowledged, it is verified."""
    ours = submitted(small).entries.get(indicator=small.investment)
    theirs = submitted(small, unit=small.other_reporter.unit, investment="2").entries.get(
        indicator=small.investment
    )
    _flag_implausible(ours)
    done = verify_selected(entry_ids=[ours.pk, theirs.pk], user=small.reviewer)
    assert [e.pk for e in done.verified] == [theirs.pk]
    assert [e.pk for e in done.unacknowledged] == [ours.pk]
    assert [f.label for f in done.flags[ours.pk]] == ["数值异常"]
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.review_status, theirs.review_status) == ("pending", "verified")
    assert theirs.verified_value == Decimal("2")

    again = verify_selected(entry_ids=[ours.pk], user=small.reviewer, acknowledged=[ours.pk])
    assert [e.pk for e in again.verified] == [ours.pk] and not again.unacknowledged
    ours.refresh_from_db()
    assert (ours.review_status, ours.verified_value) == ("verified", Decimal("3"))


def test_acknowledging_one_flagged_entry_does_not_cover_another(small):
    """Two flagged entries, only the first acknowledged: the second is skipped."""
    first = submitted(small).entries.get(indicator=small.investment)
    second = submitted(small, unit=small.other_reporter.unit).entries.get(
        indicator=small.investment
    )
    _flag_implausible(first)
    _flag_implausible(second)
    done = verify_selected(
        entry_ids=[first.pk, second.pk], user=small.reviewer, acknowledged=[first.pk]
    )
    assert [e.pk for e in done.verified] == [first.pk]
    assert [e.pk for e in done.unacknowledged] == [second.pk]


def test_a_flag_from_the_figures_history_also_needs_acknowledgement(small):
    """Week 9 reported 5, week 10 reports 4 (cumulative): flags.decreased gives 累计数下降."""
    submitted(small, week=9, investment="5")
    ledger = submitted(small, week=10, investment="4", decrease_reason="一个项目退库0.8亿元")
    entry = ledger.entries.get(indicator=small.investment)
    done = verify_selected(entry_ids=[entry.pk], user=small.reviewer)
    assert not done.verified
    assert [f.label for f in done.flags[entry.pk]] == ["累计数下降"]
    entry.refresh_from_db()
    assert entry.review_status == "pending"


def test_verify_selected_refuses_the_whole_batch_for_another_departments_entry(small):
    ledger = submitted(small)
    ours = ledger.entries.get(indicator=small.investment)
    theirs = ledger.entries.get(indicator=small.cases)  # led by 政法委
    with pytest.raises(LedgerError, match="不是本单位牵头的指标"):
        verify_selected(entry_ids=[ours.pk, theirs.pk], user=small.reviewer)
    ours.refresh_from_db()
    assert ours.review_status == "pending"


def test_verify_selected_leaves_a_corrected_entry_as_it_is(small):
    """Corrected to 2.4 (reported 3) by one tab; 核实所选 from a stale page must not reset it."""
    entry = submitted(small).entries.get(indicator=small.investment)
    verify_entries(
        entry_ids=[entry.pk],
        user=small.reviewer,
        corrections={entry.pk: Decimal("2.4")},
        comment="0.6亿元为土地款",
    )
    done = verify_selected(entry_ids=[entry.pk], user=small.reviewer)
    assert not done.verified and [e.pk for e in done.not_pending] == [entry.pk]
    entry.refresh_from_db()
    assert entry.verified_value == Decimal("2.4")


def test_correction_without_a_reason_is_an_error_on_the_reason(small):
    entry = submitted(small).entries.get(indicator=small.investment)
    with pytest.raises(LedgerError) as refused:
        verify_entries(entry_ids=[entry.pk], user=small.reviewer, corrections={entry.pk: 2})
    assert list(refused.value.message_dict) == ["comment"]
    assert "核减理由" in refused.value.message_dict["comment"][0]
    assert small.investment.name not in refused.value.message_dict["comment"][0]


def test_an_unexplained_implausible_figure_says_so(small):
    """A workbook upload stores an implausible figure flagged with an empty note."""
    entry = submitted(small).entries.get(indicator=small.investment)
    _flag_implausible(entry, note="")
    done = verify_selected(entry_ids=[entry.pk], user=small.reviewer)
    assert [f.label for f in done.flags[entry.pk]] == ["数值异常（单位未说明）"]
