"""Rule 1's read (campaigns.verified_figures.latest_verified): the latest verified entry per
(unit, indicator) within a quarter or week bound, through every way an entry's review moves.

2026 (the ISO rule: a week belongs to the quarter of its Thursday): week 13 (Thu 03-26) is the
last of Q1, week 14 (Thu 04-02) the first of Q2. 城关镇 (A) and 青山镇 (B) report 固定资产投资
完成额 (cumulative, 亿元) and 防汛物资到位 (a milestone: no figure, a completion date);
发改委 verifies both.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import LedgerEntry
from campaigns.services.ledger import (
    EntryInput,
    open_ledger,
    reopen_ledger,
    save_entries,
    submit_ledger,
)
from campaigns.services.review import return_entry, verify_entries
from campaigns.verified_figures import latest_verified, verified_completions
from tests.campaigns.builders import build_small_year, hand_in

# Q1 2026 is over and locked; Q2 is running.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal


@pytest.fixture
def small(db):
    return build_small_year(year=2026)


def entry(small, unit, week, indicator=None) -> LedgerEntry:
    return LedgerEntry.objects.get(
        ledger__unit=unit,
        ledger__period=small.period(week),
        indicator=indicator or small.investment,
    )


def verify(small, unit, *weeks, indicator=None):
    ids = [entry(small, unit, week, indicator).pk for week in weeks]
    verify_entries(entry_ids=ids, user=small.reviewer)


def figure(small, unit, indicator=None, **bound):
    """(week, verified, reported) of the pair's latest verified entry, or None."""
    found = latest_verified(small.year, **bound).get((unit.pk, (indicator or small.investment).pk))
    return found and (found.iso_week, found.verified, found.reported)


def test_the_bound_decides_and_unverified_weeks_are_passed_over(small):
    """A: week 11 2.1, 12 2.4, 13 2.7 (left pending), 14 3.3, all but week 13 verified.
    Through Q1 (weeks ≤ 13) and through week 13: week 12's 2.4 — week 13 is not verified.
    Through Q2: week 14's 3.3. Through week 11: 2.1. Through week 10: nothing; week 0: {}."""
    a = small.reporter.unit
    for week, investment in ((11, "2.1"), (12, "2.4"), (13, "2.7"), (14, "3.3")):
        hand_in(small, week=week, investment=investment)
    verify(small, a, 11, 12, 14)

    assert figure(small, a, through_quarter=1) == (12, D("2.4"), D("2.4"))
    assert figure(small, a, through_week=13) == (12, D("2.4"), D("2.4"))
    assert figure(small, a, through_quarter=2) == (14, D("3.3"), D("3.3"))
    assert figure(small, a, through_quarter=2, through_week=13) == (12, D("2.4"), D("2.4"))
    assert figure(small, a, through_week=11) == (11, D("2.1"), D("2.1"))
    assert figure(small, a, through_week=10) is None
    assert latest_verified(small.year, through_week=0) == {}


def test_a_ledger_handed_in_late_counts_by_its_week_not_by_when_it_came(small):
    """B hands in weeks 9 (1.5) and 11 (2.0) on time but misses week 10; the office reopens
    it after the quarter and B hands it in (1.8): its entry is the newest row. Through Q1 the
    latest is still week 11's 2.0; through week 10 it is the late week 10's 1.8."""
    b = small.other_reporter.unit
    for week, investment in ((9, "1.5"), (11, "2.0")):
        hand_in(small, b, week=week, investment=investment, reporter=small.other_reporter)
    now = timezone.now()
    reopen_ledger(
        unit=b,
        period=small.period(10),
        user=small.office,
        until=now + timedelta(days=2),
        reason="系统账号交接延误",
    )
    hand_in(small, b, week=10, investment="1.8", reporter=small.other_reporter, now=now)
    verify(small, b, 9, 11, 10)
    assert entry(small, b, 10).pk > entry(small, b, 11).pk

    assert figure(small, b, through_quarter=1) == (11, D("2.0"), D("2.0"))
    assert figure(small, b, through_week=10) == (10, D("1.8"), D("1.8"))


def test_a_returned_figure_falls_back_until_it_is_verified_again(small):
    """A: week 11 2.1 and week 12 2.4, both verified. The reviewer returns week 12: the latest
    is week 11's 2.1. A corrects it to 2.5 and hands it back; verified at 2.2 (核减): week 12
    again, counting 2.2 with 2.5 kept as reported."""
    a = small.reporter.unit
    for week, investment in ((11, "2.1"), (12, "2.4")):
        hand_in(small, week=week, investment=investment)
    verify(small, a, 11, 12)
    assert figure(small, a, through_quarter=1) == (12, D("2.4"), D("2.4"))

    return_entry(entry=entry(small, a, 12), user=small.reviewer, comment="请附统计报表")
    assert figure(small, a, through_quarter=1) == (11, D("2.1"), D("2.1"))

    ledger = entry(small, a, 12).ledger
    save_entries(
        ledger=ledger,
        user=small.reporter,
        changes={small.investment.pk: EntryInput(value=D("2.5"))},
        now=timezone.now(),
    )
    submit_ledger(ledger=ledger, user=small.reporter)
    assert figure(small, a, through_quarter=1) == (11, D("2.1"), D("2.1"))  # pending again

    week_12 = entry(small, a, 12).pk
    verify_entries(
        entry_ids=[week_12], user=small.reviewer, corrections={week_12: D("2.2")}, comment="核减"
    )
    assert figure(small, a, through_quarter=1) == (12, D("2.2"), D("2.5"))


def test_the_latest_figure_counts_even_when_lower(small):
    """Rule 1 takes the latest figure, not the largest: A reports 3.0 in week 11 and 2.6 in
    week 12 (a statistical revision, with its reason); both verified → 2.6."""
    a = small.reporter.unit
    hand_in(small, week=11, investment="3.0")
    hand_in(small, week=12, investment="2.6", decrease_reason="统计口径调整")
    verify(small, a, 11, 12)
    assert figure(small, a, through_quarter=1) == (12, D("2.6"), D("2.6"))


def report_milestone(small, week, done_on):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(week))
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=small.during(week),
        changes={
            small.investment.pk: EntryInput(value=D("2")),
            small.cases.pk: EntryInput(value=D("1")),
            small.flood.pk: EntryInput(done_on=done_on),
        },
    )
    submit_ledger(ledger=ledger, user=small.reporter, now=small.during(week))


def test_a_milestone_entry_is_verified_with_no_figure(small):
    """A's 防汛物资到位: reported done on 03-18 in week 12, and week 13's entry left empty;
    both verified. The latest verified entry is week 13's, with no figure and no date; the
    completion date rule 3 reads is 03-18, from verified_completions."""
    a = small.reporter.unit
    report_milestone(small, 12, date(2026, 3, 18))
    report_milestone(small, 13, None)
    verify(small, a, 12, 13, indicator=small.flood)

    found = latest_verified(small.year, through_quarter=1)[(a.pk, small.flood.pk)]
    assert (found.iso_week, found.verified, found.reported, found.done_on) == (13, None, None, None)
    through_12 = latest_verified(small.year, through_week=12)[(a.pk, small.flood.pk)]
    assert (through_12.verified, through_12.done_on) == (None, date(2026, 3, 18))
    completions = verified_completions(small.year, by=date(2026, 3, 31))
    assert completions[(a.pk, small.flood.pk)] == date(2026, 3, 18)


def test_filters_narrow_the_pairs_without_changing_their_answer(small):
    """A (weeks 11, 12) and B (week 11) verified on 投资 and 防汛 (empty): four pairs. Filtered
    by indicator or by unit, each answer is the unfiltered one for the pairs kept."""
    a, b = small.reporter.unit, small.other_reporter.unit
    hand_in(small, week=11, investment="2.1")
    hand_in(small, week=12, investment="2.4")
    hand_in(small, b, week=11, investment="1.9", reporter=small.other_reporter)
    verify(small, a, 11, 12)
    verify(small, a, 11, 12, indicator=small.flood)
    verify(small, b, 11)
    verify(small, b, 11, indicator=small.flood)

    every = latest_verified(small.year, through_quarter=1)
    assert set(every) == {(u.pk, i.pk) for u in (a, b) for i in (small.investment, small.flood)}
    by_indicator = latest_verified(small.year, through_quarter=1, indicator=small.investment)
    assert by_indicator == {
        (u.pk, small.investment.pk): every[(u.pk, small.investment.pk)] for u in (a, b)
    }
    by_unit = latest_verified(small.year, through_quarter=1, ledger__unit_id=b.pk)
    assert by_unit == {key: found for key, found in every.items() if key[0] == b.pk}
    assert every[(a.pk, small.investment.pk)].verified == D("2.4")
