"""The reviewer's flags on an entry (DESIGN §8 "Honest ledgers"): pure functions on plain data.

Each returns a Flag or None. A flag is a prompt to look closer, not a verdict: the unit may
have a good reason, which the reviewer weighs. campaigns.flag_data loads the data for many
entries at once and applies these.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from statistics import median

from django.utils import timezone

UNCHANGED_WEEKS = 3  # the latest figure and the two before it
INCREMENT_FACTOR = 3
MIN_INCREMENTS = 3


@dataclass(frozen=True)
class Flag:
    code: str
    label: str


@dataclass(frozen=True)
class PhotoMatch:
    """The same photo (by sha256) on an entry of another ledger."""

    year: int
    iso_week: int
    unit_id: int
    unit_name: str


def unchanged_for_weeks(values: Sequence[Decimal | None]) -> Flag | None:
    """Weekly figures, oldest first, this week last; a missing week (None) breaks the run."""
    if not values or values[-1] is None:
        return None
    weeks = 0
    for value in reversed(values):
        if value != values[-1]:
            break
        weeks += 1
    if weeks < UNCHANGED_WEEKS:
        return None
    return Flag("unchanged", f"连续{weeks}周未变化")


def decreased(previous: Decimal | None, current: Decimal | None, cumulative: bool) -> Flag | None:
    """A cumulative figure below last week's (a level such as a rate may go down)."""
    if not cumulative or previous is None or current is None or current >= previous:
        return None
    return Flag("decreased", "累计数下降")


def unusual_increment(history: Sequence[Decimal | None], current: Decimal | None) -> Flag | None:
    """This week's increment above 3× the median of the previous positive weekly increments.

    `history` is the cumulative figures of the previous weeks, oldest first (None: no figure
    that week). Increments are taken only between adjacent weeks that both have a figure, and
    this week's only against last week's, so a two-week jump is never read as one week's.
    """
    if current is None or not history or history[-1] is None:
        return None
    increments = [
        later - earlier
        for earlier, later in pairwise(history)
        if earlier is not None and later is not None and later > earlier
    ]
    if len(increments) < MIN_INCREMENTS:
        return None
    usual = median(increments)
    increment = current - history[-1]
    if increment <= INCREMENT_FACTOR * usual:
        return None
    return Flag("unusual_increment", f"本周增量异常（为往常的{_times(increment / usual)}倍）")


def _times(ratio: Decimal) -> str:
    text = f"{ratio:.1f}"
    return text[:-2] if text.endswith(".0") else text


def reused_photo(matches: Sequence[PhotoMatch], *, unit_id: int, year: int) -> Flag | None:
    """An evidence photo of this entry also attached to another week's or another unit's entry."""
    if not matches:
        return None
    weeks = sorted({(m.year, m.iso_week) for m in matches if m.unit_id == unit_id})
    others = sorted({m.unit_name for m in matches if m.unit_id != unit_id})
    this_year = [str(w) for y, w in weeks if y == year]
    earlier = [f"{y}年第{w}周" for y, w in weeks if y != year]
    parts = ["、".join(earlier + ([f"第{'、'.join(this_year)}周"] if this_year else []))]
    if others:
        named = "、".join(others[:3]) + ("等" if len(others) > 3 else "")
        parts.append(f"其他单位（{named}）")
    return Flag("reused_photo", f"佐证照片与{'及'.join(p for p in parts if p)}重复")


def old_photo(captured_at: datetime | None, period_starts_on: date) -> Flag | None:
    """A photo taken (by its EXIF time, in local time) before the period it is evidence for."""
    if captured_at is None:
        return None
    taken_on = timezone.localtime(captured_at).date()
    if taken_on >= period_starts_on:
        return None
    return Flag("old_photo", f"照片拍摄于帐期之前（{taken_on:%Y-%m-%d}）")
