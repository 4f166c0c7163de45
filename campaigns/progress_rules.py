"""DESIGN §4 rules 2 and 3 as pure functions: a target to date and a unit's rate against it.

The one definition both apps use: scoring/engine.py imports these under the same names to score
a quarter, and campaigns reads them to find weak items and draw target lines (campaigns may not
import scoring, so the rules live below both). Standard library only, like campaigns/quarters.py;
numbers are `decimal.Decimal`, never float (engine.py's docstring says why).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)

# Rule 3: the rate of a milestone done after its due date but by the quarter end. The engine's
# `Rules.milestone_late_rate` defaults to this; the office may change it per year.
MILESTONE_LATE_RATE = Decimal("0.5")


def to_decimal(value: Decimal | int | str | float) -> Decimal:
    """Convert one input number to a finite Decimal (floats through their shortest repr)."""
    if isinstance(value, bool):  # bool is an int; a flag passed as a number is a caller bug
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        raise TypeError(f"expected a number, got {value!r}")
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class Milestone:
    """A target's milestone: by `due`, `fraction` of the annual target (cumulative)."""

    due: date
    fraction: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "fraction", to_decimal(self.fraction))


# --------------------------------------------------------------------------------------------
# Rule 2: target to date
# --------------------------------------------------------------------------------------------


def milestone_due_by(milestones: Iterable[Milestone], quarter_end: date) -> Milestone | None:
    """Rule 2: the last milestone due on or before the quarter end (None: nothing due yet).

    Two milestones on the same day: the larger fraction wins, so the order they are stored in
    never changes a score.
    """
    last: Milestone | None = None
    for milestone in milestones:
        due = milestone.due
        if due <= quarter_end and (
            last is None
            or due > last.due
            or (due == last.due and milestone.fraction > last.fraction)
        ):
            last = milestone
    return last


def target_to_date(
    annual_target: Decimal, milestones: Iterable[Milestone], quarter_end: date
) -> Decimal | None:
    """Rule 2: T = annual target × fraction of the last milestone due by the quarter end.

    None when no milestone is due yet: the indicator is not scored this quarter.
    """
    milestone = milestone_due_by(milestones, quarter_end)
    return None if milestone is None else annual_target * milestone.fraction


# --------------------------------------------------------------------------------------------
# Rule 3: rates
# --------------------------------------------------------------------------------------------


def rate_higher_better(actual: Decimal, target: Decimal) -> Decimal:
    """Rule 3 (higher-better): r = A / T, for T > 0 (rule 2 leaves T <= 0 unscored).

    Not capped or floored here: the rank method ranks the raw rate; rule 4's completion score
    applies the cap (and the floor at 0 for a negative A such as a falling growth rate).
    """
    if target <= 0:
        raise ValueError("a higher-better rate needs T > 0 (rule 2 leaves T <= 0 unscored)")
    return actual / target


def rate_lower_better(actual: Decimal, target: Decimal) -> Decimal:
    """Rule 3 (lower-better): r = 1 if A <= T else max(0, 1 - (A - T) / T); T = 0 → 1 iff A = 0."""
    if target < 0:
        raise ValueError("a lower-better rate needs T >= 0 (rule 2 leaves T < 0 unscored)")
    if actual <= target:
        return ONE  # includes T = 0 with A = 0: "zero accidents" met
    if target == 0:
        return ZERO
    # (2T - A) / T is 1 - (A - T) / T with one rounding instead of two
    return max(ZERO, (2 * target - actual) / target)


def rate_milestone(done_on: date | None, due: date, quarter_end: date, rules=None) -> Decimal:
    """Rule 3 (milestone): 1 if done by its due date, 0.5 if done late but by the quarter end.

    `done_on` is the completion date of a verified entry. Like rule 1, a verification that
    lands after the due date does not make the milestone late; the completion date decides.
    `rules` is the engine's `Rules` (anything with a `milestone_late_rate`); None → the default.
    """
    if done_on is None or done_on > quarter_end:
        return ZERO
    if done_on <= due:
        return ONE
    return MILESTONE_LATE_RATE if rules is None else rules.milestone_late_rate


# --------------------------------------------------------------------------------------------
# Rules 2–3 together: where one target stands on a date (weak items, dashboards, 周通报)
# --------------------------------------------------------------------------------------------

HIGHER, LOWER, MILESTONE = "higher", "lower", "milestone"  # Indicator.Direction values


@dataclass(frozen=True, slots=True)
class Standing:
    """One target as of a date: T, A (milestones: 1 and 1 if done, else 0), rule 3's rate,
    and the due date of the milestone T is measured against."""

    target: Decimal
    actual: Decimal
    rate: Decimal
    due: date
    milestone: bool = False

    @property
    def behind(self) -> bool:
        """Behind its milestone: a milestone not done (done late counts as done), any other
        target at a rate under 1."""
        return self.rate == ZERO if self.milestone else self.rate < ONE


def standing(
    *,
    direction: str,
    annual: Decimal | None,
    milestones: Iterable[Milestone],
    actual: Decimal | None,
    done_on: date | None,
    as_of: date,
) -> Standing | None:
    """Rules 2 and 3 for one target as of `as_of`; None when it is not measured then (no
    milestone due yet, no annual value, or a T the quarter would leave unscored). A missing
    verified figure counts as 0, as rule 1 counts it."""
    due = milestone_due_by(milestones, as_of)
    if due is None:
        return None
    if direction == MILESTONE:
        rate = rate_milestone(done_on, due.due, as_of)
        return Standing(ONE, ONE if rate > ZERO else ZERO, rate, due.due, milestone=True)
    if annual is None:
        return None
    target = annual * due.fraction
    figure = actual if actual is not None else ZERO
    if direction == LOWER:
        return (
            Standing(target, figure, rate_lower_better(figure, target), due.due)
            if target >= 0
            else None
        )
    return (
        Standing(target, figure, rate_higher_better(figure, target), due.due)
        if target > 0
        else None
    )
