"""A milestone done on a quarter's last days counts for that quarter (DESIGN §4.3, issue 9).

The verified completion *date* decides, not the week it was reported in. In 2026 each quarter
ends inside an ISO week whose Thursday lies in the next quarter, so that week is a period of
the next quarter:
- Q1 ends Tue 31 March; week 14 runs Mon 30 March – Sun 5 April, Thursday 2 April → Q2.
- Q2 ends Tue 30 June; week 27 runs Mon 29 June – Sun 5 July, Thursday 2 July → Q3.
- Q3 ends Wed 30 September; week 40 runs Mon 28 September – Sun 4 October, Thursday 1 October
  → Q4.
Each township reports the milestone 防汛物资到位 (2 points, one milestone at 100 %) in that
next-quarter week, and a reviewer verifies it there (after the quarter ended):
- 城关镇: due on the quarter's last day, done on it → r = 1 → 2 points.
- 青山镇: due the day before the last day, done on the last day (one day late, by the quarter
  end) → r = 0.5 → 1 point.
- 白沙镇: due on the last day, done the day after (in the next quarter) → r = 0 → 0 points.
Before the fix the loader read completions only from the quarter's own periods: 城关镇 and
青山镇 scored 0.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from campaigns.models import LedgerEntry
from campaigns.services.ledger import (
    EntryInput,
    check_entry,
    open_ledger,
    save_entries,
    submit_ledger,
)
from campaigns.services.review import verify_entries
from campaigns.services.years import set_target
from scoring.models import IndicatorScore
from scoring.services.evaluations import compute_quarter, open_evaluation
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")

BOUNDARIES = [
    # quarter, its last day, the next-quarter ISO week holding that day
    (1, date(2026, 3, 31), 14),
    (2, date(2026, 6, 30), 27),
    (3, date(2026, 9, 30), 40),
]


@pytest.mark.parametrize(("quarter", "last_day", "week"), BOUNDARIES)
def test_a_milestone_done_on_the_quarters_last_day_counts_for_it(db, quarter, last_day, week):
    later = datetime.combine(last_day + timedelta(days=20), datetime.min.time(), SHANGHAI)
    with time_machine.travel(later.replace(hour=10), tick=False):
        small = build_small_year()
        a, b, c = small.county.units[:3]
        period = small.period(week)
        assert period.quarter == quarter + 1 and period.starts_on <= last_day <= period.ends_on
        reporters = {a: small.reporter, b: small.other_reporter,
                     c: make_user("rc", Role.REPORTER, unit=c)}  # fmt: skip
        one_day = timedelta(days=1)
        # (due, done) per township
        plan = {a: (last_day, last_day), b: (last_day - one_day, last_day),
                c: (last_day, last_day + one_day)}  # fmt: skip
        moment = period.deadline - timedelta(hours=2)
        for unit, (due, done) in plan.items():
            set_target(
                indicator=small.flood, unit=unit, annual_value=None, milestones=[(due, D(1))]
            )
            ledger = open_ledger(unit=unit, period=period)
            save_entries(
                ledger=ledger,
                user=reporters[unit],
                now=moment,
                changes={
                    small.investment.pk: EntryInput(value=D(1)),
                    small.cases.pk: EntryInput(value=D(1)),
                    small.flood.pk: EntryInput(done_on=done),
                },
            )
            submit_ledger(ledger=ledger, user=reporters[unit], now=moment)
        flood = LedgerEntry.objects.filter(indicator=small.flood, ledger__period=period)
        verify_entries(
            entry_ids=list(flood.values_list("pk", flat=True)),
            user=small.reviewer,
            now=period.deadline + timedelta(days=1),
        )

        evaluation = open_evaluation(year=small.year, quarter=quarter)
        version = compute_quarter(
            evaluation=evaluation, user=small.office, confirm_open_periods=True, now=later
        )
        got = {
            item.unit_score.unit_id: item
            for item in IndicatorScore.objects.filter(
                unit_score__version=version, indicator=small.flood
            ).select_related("unit_score")
        }
        assert [(got[u.pk].rate, got[u.pk].score) for u in (a, b, c)] == [
            (D(1), D(2)), (D("0.5"), D(1)), (D(0), D(0)),
        ]  # fmt: skip
        assert got[a.pk].done_on == last_day and got[c.pk].done_on is None


def test_the_ledger_takes_any_completion_date_of_the_year_up_to_the_periods_end(db):
    """Week 28 of 2026 (6–12 July) accepts 30 June (done earlier, reported later) and refuses
    13 July. Week 1 (Mon 29 December 2025 – Sun 4 January 2026) accepts 29 December 2025, the
    first day of the ISO year, and refuses 28 December 2025 (before the year; the old bound let
    any day of 2024 and 2025 through)."""
    with time_machine.travel(datetime(2026, 7, 8, 10, tzinfo=SHANGHAI), tick=False):
        small = build_small_year()

    def errors(week, done_on):
        return check_entry(
            small.flood, EntryInput(done_on=done_on), previous=None, period=small.period(week)
        )

    assert errors(28, date(2026, 6, 30)) == []
    assert errors(27, date(2026, 6, 30)) == []
    assert "不能晚于本帐期最后一天" in errors(28, date(2026, 7, 13))[0]
    assert errors(1, date(2025, 12, 29)) == []
    assert "不在考核年度内" in errors(1, date(2025, 12, 28))[0]
    assert "不在考核年度内" in errors(28, date(2025, 12, 28))[0]
