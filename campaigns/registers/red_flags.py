"""The one rule for a red register row (issue 13's 分包 view and the leader dashboard's flags).

Pure functions on plain values, so the 分包 view, the dashboard flags and the tests read one rule.

A key project is red when
- 逾期未开工: its latest verified status is 未开工 and today is past its planned start;
- 停建: its latest verified status is 停建;
- 连续4周无进展: it is 在建 and its verified investment did not rise over its last 4 weekly
  reports — exactly: among its verified reports (one per week, oldest first), the latest is not
  above the one 4 reports before it (so 5 verified reports are needed: the baseline and 4 weeks
  after it). A project with fewer verified reports is too new to call stalled;
- 超过30天未实地查看: no on-site check for more than 30 days (checks.unchecked_too_long, a row
  never checked counted from the later of its registration and the year's start).

A pilot village is red when
- 连续4周无进展: its average verified task completion is under 100 % and did not rise over its
  last 4 verified weekly reports (the same 5-report rule);
- 超过30天未实地查看: as for projects.
"""

from datetime import date
from decimal import Decimal

from .checks import unchecked_too_long

NOT_STARTED_LATE = "逾期未开工"
SUSPENDED = "停建"
STALLED = "连续4周无进展"
UNCHECKED = "超过30天未实地查看"

# Filter keys of the 分包 view (?red=…) and the dashboard flags: which reasons each one counts.
KINDS = {
    "not_started": (NOT_STARTED_LATE,),
    "stalled": (SUSPENDED, STALLED),
    "unchecked": (UNCHECKED,),
}

STALL_WEEKS = 4
# The stall rule reads a series' latest value and the one STALL_WEEKS reports before it, so a
# caller may read only this many latest values of each row (a city has ~2,000 projects).
SERIES_READ = STALL_WEEKS + 1

# KeyProject.Status values (plain strings: this module reads no models).
_NOT_STARTED, _BUILDING, _SUSPENDED = "not_started", "building", "suspended"


def no_rise(series: list[Decimal]) -> bool:
    """Whether a weekly verified series (oldest first) did not rise over its last 4 weeks: the
    latest value is not above the value 4 reports before it. Too short a series: False."""
    if len(series) <= STALL_WEEKS:
        return False
    return series[-1] <= series[-1 - STALL_WEEKS]


def starts_late(*, status: str, planned_start: date | None, today: date) -> bool:
    """逾期未开工: still 未开工 (latest verified) and today is past its planned start."""
    return status == _NOT_STARTED and planned_start is not None and today > planned_start


def project_reasons(
    *,
    status: str,
    planned_start: date | None,
    investments: list[Decimal],
    last_check: date | None,
    since: date,
    today: date,
) -> list[str]:
    """The red reasons of a key project, in Chinese (empty: not red). `status` is its latest
    verified status, `investments` its verified cumulative investment per verified report,
    oldest first, `since` the day it is counted unchecked from."""
    reasons = []
    if starts_late(status=status, planned_start=planned_start, today=today):
        reasons.append(NOT_STARTED_LATE)
    if status == _SUSPENDED:
        reasons.append(SUSPENDED)
    elif status == _BUILDING and no_rise(investments):
        reasons.append(STALLED)
    if unchecked_too_long(last_check, today=today, since=since):
        reasons.append(UNCHECKED)
    return reasons


def village_reasons(
    *,
    completions: list[Decimal],
    last_check: date | None,
    since: date,
    today: date,
) -> list[str]:
    """The red reasons of a pilot village: `completions` its average verified task completion
    per verified report, oldest first."""
    reasons = []
    if completions and completions[-1] < 100 and no_rise(completions):
        reasons.append(STALLED)
    if unchecked_too_long(last_check, today=today, since=since):
        reasons.append(UNCHECKED)
    return reasons


def counted_since(*, registered: date, year: int) -> date:
    """The day a never-checked row is counted unchecked from: its registration or 1 January
    of its year, whichever is later."""
    return max(registered, date(year, 1, 1))


def matches(reasons: list[str], kind: str | None) -> bool:
    """Whether a row with `reasons` belongs under the filter `kind` (None: every red row)."""
    if kind is None:
        return bool(reasons)
    return any(reason in KINDS[kind] for reason in reasons)
