"""Periods: one per ISO week, in the quarter of its Thursday, with the year's deadline rule."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from campaigns.errors import LedgerError
from campaigns.models import AssessmentYear, Period, WeeklyLedger
from campaigns.selectors import period_containing
from campaigns.services.years import generate_periods
from tests.campaigns.builders import BEFORE_2026

SHANGHAI = ZoneInfo("Asia/Shanghai")


def week(year, number):
    return Period.objects.get(year=year, iso_week=number)


def test_2026_has_53_periods(year_2026):
    """28 Dec 2026 is in ISO week 53, so ISO year 2026 has 53 weeks."""
    assert year_2026.periods.count() == 53


def test_week_1_of_2026_starts_in_2025_and_is_q1(year_2026):
    """Week 1 = Mon 2025-12-29 .. Sun 2026-01-04; its Thursday 2026-01-01 is in Q1."""
    first = week(year_2026, 1)
    assert (first.starts_on, first.ends_on, first.quarter) == (
        date(2025, 12, 29),
        date(2026, 1, 4),
        1,
    )


def test_week_53_of_2026_is_q4(year_2026):
    """Week 53 = Mon 2026-12-28 .. Sun 2027-01-03; Thursday 2026-12-31 → Q4."""
    last = week(year_2026, 53)
    assert (last.starts_on, last.ends_on, last.quarter) == (
        date(2026, 12, 28),
        date(2027, 1, 3),
        4,
    )


def test_weeks_13_and_14_straddle_the_quarter_boundary(year_2026):
    """Week 13: Mon 03-23, Thu 03-26 → Q1. Week 14: Mon 03-30 .. Sun 04-05, Thu 04-02 → Q2
    (though it starts in March)."""
    assert (week(year_2026, 13).starts_on, week(year_2026, 13).quarter) == (date(2026, 3, 23), 1)
    assert (week(year_2026, 14).starts_on, week(year_2026, 14).quarter) == (date(2026, 3, 30), 2)


def test_quarters_hold_13_13_13_14_weeks(year_2026):
    """Thursdays: Q1 weeks 1–13, Q2 14–26, Q3 27–39 (Thu 09-24), Q4 40–53 (14 weeks)."""
    counts = [year_2026.periods.filter(quarter=q).count() for q in (1, 2, 3, 4)]
    assert counts == [13, 13, 13, 14]


def test_deadline_is_friday_18_00_shanghai_and_locks_3_days_later(year_2026):
    """Week 2: Friday 2026-01-09 18:00 +08:00 = 10:00 UTC; locks Monday 2026-01-12 18:00.
    (Week 1's Friday is New Year's holiday: see test_calendar.py.)"""
    second = week(year_2026, 2)
    assert second.deadline == datetime(2026, 1, 9, 18, 0, tzinfo=SHANGHAI)
    assert second.deadline.utcoffset() is not None
    assert second.deadline == datetime(2026, 1, 9, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert second.locks_at == datetime(2026, 1, 12, 18, 0, tzinfo=SHANGHAI)


def test_2027_has_52_weeks(county):
    """ISO 2027: week 1 starts Mon 2027-01-04, week 52 ends Sun 2028-01-02."""
    periods = generate_periods(year=AssessmentYear.objects.create(year=2027))
    assert len(periods) == 52
    assert (periods[0].starts_on, periods[-1].ends_on) == (date(2027, 1, 4), date(2028, 1, 2))


def test_rerun_changes_nothing(year_2026):
    before = list(Period.objects.values_list("id", "deadline", "locks_at"))
    assert len(generate_periods(year=year_2026, now=BEFORE_2026)) == 53
    assert list(Period.objects.values_list("id", "deadline", "locks_at")) == before


def test_rerun_applies_a_new_rule_and_fills_gaps(year_2026):
    """Rule changed to Thursday 17:30, lock after 1 day: week 2's deadline is Thu 2026-01-08
    17:30, lock Fri 2026-01-09 17:30. A deleted week 5 comes back; ids of the rest stay."""
    week(year_2026, 5).delete()
    ids = set(Period.objects.values_list("id", flat=True))
    year_2026.deadline_weekday, year_2026.deadline_time = 3, time(17, 30)
    year_2026.lock_after_days = 1
    year_2026.save()
    generate_periods(year=year_2026, now=BEFORE_2026)
    assert year_2026.periods.count() == 53
    assert ids <= set(Period.objects.values_list("id", flat=True))
    second = week(year_2026, 2)
    assert second.deadline == datetime(2026, 1, 8, 17, 30, tzinfo=SHANGHAI)
    assert second.locks_at == datetime(2026, 1, 9, 17, 30, tzinfo=SHANGHAI)


def test_a_period_with_ledgers_is_never_deleted(year_2026, county):
    """Year number changed 2026 → 2027 (52 weeks): week 53 has a ledger, so the call fails."""
    WeeklyLedger.objects.create(unit=county.units[0], period=week(year_2026, 53))
    year_2026.year = 2027
    year_2026.save()
    with pytest.raises(LedgerError, match="已有周帐"):
        generate_periods(year=year_2026)
    assert Period.objects.filter(iso_week=53).exists()


def test_current_period_uses_the_local_date(year_2026):
    """Sun 2026-01-04 23:30 Shanghai is 15:30 UTC: still week 1; Monday 00:30 is week 2."""
    sunday_night = datetime(2026, 1, 4, 15, 30, tzinfo=ZoneInfo("UTC"))
    monday = datetime(2026, 1, 5, 0, 30, tzinfo=SHANGHAI)
    # The selector the pages use (years.current_period, its unused twin, is gone: issue 11).
    assert period_containing(year_2026, sunday_night).iso_week == 1
    assert period_containing(year_2026, monday).iso_week == 2
    assert period_containing(year_2026, datetime(2027, 6, 1, tzinfo=SHANGHAI)) is None
