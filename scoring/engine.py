"""The scoring rules of DESIGN §4 as pure functions: frozen dataclasses in, dataclasses out.

Nothing here touches Django or the database. `scoring/services/` loads a quarter (or a year)
into the input dataclasses below, calls `evaluate_quarter` (or `evaluate_year`) and stores what
comes back. Every rule of §4 is one function whose docstring starts with its number, so a score
can be explained — and tested — rule by rule.

Numbers are `decimal.Decimal` throughout, never float:
- Rule 9 ranks at full precision. Binary floats make that arbitrary: 0.1 + 0.2 != 0.3, so
  equal totals reached through different items can fail to tie.
- Rule 10 takes `ceil(share × n)`; should the office set the top share to 0.28, in floats
  0.28 × 25 is 7.000000000000001 and ceil gives 8 — one 先进 too many.
- The figures come from `DecimalField`s, so no conversion is lost on the way in.
Input dataclasses accept `int`, `str`, `float` or `Decimal` and convert on construction (a float
through its shortest repr, so 0.1 becomes Decimal("0.1")). The top-level `evaluate_*` functions
compute in `ENGINE_CONTEXT` (28 significant digits, the decimal default); the single-rule
functions compute in the caller's current context, which is the same unless someone changed it.
Only rule 8's display rounding ever rounds to 2 decimals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum

from campaigns import quarters  # pure, like this module
from campaigns.progress_rules import (  # rules 2 and 3, shared with campaigns' weak items
    MILESTONE_LATE_RATE,
    ONE,
    ZERO,
    Milestone,
    milestone_due_by,
    rate_higher_better,
    rate_lower_better,
    rate_milestone,
    target_to_date,  # noqa: F401  (re-exported: the engine's API keeps its names)
    to_decimal,
)

ENGINE_CONTEXT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)

HUNDRED = Decimal(100)

UnitId = Hashable
IndicatorId = Hashable
GroupId = Hashable


def _coerce(instance: object, *names: str) -> None:
    """Convert the named number fields of a frozen dataclass in place (used by __post_init__)."""
    for name in names:
        value = getattr(instance, name)
        if value is not None:
            object.__setattr__(instance, name, to_decimal(value))


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------


class Direction(StrEnum):
    """Which way an indicator is good."""

    HIGHER_BETTER = "higher"
    LOWER_BETTER = "lower"
    MILESTONE = "milestone"  # done / not done by a due date


class Method(StrEnum):
    """How an indicator's rate becomes points (rule 4)."""

    COMPLETION = "completion"
    RANK = "rank"


class Tier(StrEnum):
    """Quarterly result of a unit within its group (rule 10)."""

    ADVANCED = "advanced"
    STANDARD = "standard"
    LAGGING = "lagging"

    @property
    def label(self) -> str:
        return {"advanced": "先进", "standard": "达标", "lagging": "后进"}[self.value]


class Grade(StrEnum):
    """Annual grade of a unit (rule 12)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"

    @property
    def label(self) -> str:
        return {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}[self.value]


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rules:
    """Every parameter of DESIGN §4, with its defaults; the office may change each per year."""

    # rule 3: a milestone done after its due date but by the quarter end
    milestone_late_rate: Decimal = MILESTONE_LATE_RATE
    # rule 4
    rate_cap: Decimal = Decimal("1.2")
    rank_step: Decimal = Decimal("0.4")
    # rule 6
    late_deduction: Decimal = Decimal("0.5")
    missing_deduction: Decimal = Decimal("1")
    timeliness_cap: Decimal = Decimal("5")
    # rule 7: each side separately
    bonus_cap: Decimal = Decimal("5")
    penalty_cap: Decimal = Decimal("5")
    # rule 10
    top_share: Decimal = Decimal("0.3")
    bottom_share: Decimal = Decimal("0.1")
    bottom_min_group: int = 5
    lagging_below: Decimal = Decimal("60")  # total < this → 后进
    advanced_from: Decimal = Decimal("85")  # total >= this is needed for 先进
    # rule 12
    quarter_weights: tuple[Decimal, Decimal, Decimal, Decimal] = (
        Decimal("0.2"),
        Decimal("0.25"),
        Decimal("0.25"),
        Decimal("0.3"),
    )
    excellent_share: Decimal = Decimal("0.2")
    excellent_from: Decimal = Decimal("85")  # annual score >= this is needed for 优秀
    fair_below: Decimal = Decimal("70")  # annual score < this → 一般
    poor_share: Decimal = Decimal("0.1")
    poor_min_group: int = 5

    def __post_init__(self) -> None:
        # a ScoringRules row or a what-if form may hand in ints, strings or floats
        # (annotations are strings here, under `from __future__ import annotations`)
        _coerce(self, *(field.name for field in fields(self) if field.type == "Decimal"))
        object.__setattr__(self, "quarter_weights", tuple(map(to_decimal, self.quarter_weights)))

    def validate(self) -> list[str]:
        """Return what is wrong with these rules, in Chinese for the office; empty when sane."""
        errors: list[str] = []
        shares = {
            "先进比例": self.top_share,
            "后进比例": self.bottom_share,
            "年度优秀比例": self.excellent_share,
            "年度较差比例": self.poor_share,
        }
        for name, share in shares.items():
            if not ZERO <= share <= ONE:
                errors.append(f"{name}须在0到1之间（当前为{share}）。")
        if len(self.quarter_weights) != 4:
            errors.append("季度权重须为4个。")
        else:
            if any(weight < 0 for weight in self.quarter_weights):
                errors.append("季度权重不得为负。")
            if abs(sum(self.quarter_weights) - ONE) > Decimal("1e-9"):
                errors.append(f"季度权重之和须为1（当前为{sum(self.quarter_weights)}）。")
        non_negative = {
            "逾期扣分": self.late_deduction,
            "未报扣分": self.missing_deduction,
            "及时性扣分上限": self.timeliness_cap,
            "加分上限": self.bonus_cap,
            "减分上限": self.penalty_cap,
            "先进分数线": self.advanced_from,
            "后进分数线": self.lagging_below,
            "年度优秀分数线": self.excellent_from,
            "年度一般分数线": self.fair_below,
        }
        for name, value in non_negative.items():
            if value < 0:
                errors.append(f"{name}不得为负（当前为{value}）。")
        if self.rate_cap < ONE:
            errors.append(
                f"完成率封顶值不得小于1，否则完成目标也得不到满分（当前为{self.rate_cap}）。"
            )
        if not ZERO <= self.rank_step <= ONE:
            errors.append(f"排名法级差须在0到1之间（当前为{self.rank_step}）。")
        if not ZERO <= self.milestone_late_rate <= ONE:
            errors.append(f"节点逾期完成得分率须在0到1之间（当前为{self.milestone_late_rate}）。")
        if self.lagging_below > self.advanced_from:
            errors.append("后进分数线不得高于先进分数线。")
        if self.fair_below > self.excellent_from:
            errors.append("年度一般分数线不得高于年度优秀分数线。")
        for name, size in {
            "后进比例": self.bottom_min_group,
            "年度较差比例": self.poor_min_group,
        }.items():
            if size < 1:
                errors.append(f"{name}适用的最小组规模须至少为1（当前为{size}）。")
        return errors


DEFAULT_RULES = Rules()


def _check(rules: Rules) -> None:
    errors = rules.validate()
    if errors:
        raise ValueError("考核规则有误：" + "".join(errors))


# --------------------------------------------------------------------------------------------
# Calendar helpers
# --------------------------------------------------------------------------------------------


# The last day of a quarter (the day rules 1–3 measure at): campaigns/quarters.py holds the one
# definition, which the year's set-up reads too.
quarter_end = quarters.quarter_end


def quarterly_milestones(year: int) -> tuple[Milestone, ...]:
    """The default milestones of a target (DESIGN §3): 25/50/75/100 % at the quarter ends."""
    defaults = quarters.default_milestones(year=year)
    return tuple(Milestone(due, fraction) for due, fraction in defaults)


# --------------------------------------------------------------------------------------------
# Rule 1: the actual
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerFigure:
    """One period's year-to-date figure of one unit on one indicator."""

    period_thursday: date  # a period belongs to the quarter of its Thursday (DESIGN §3)
    value: Decimal
    verified: bool

    def __post_init__(self) -> None:
        _coerce(self, "value")


def actual_at_quarter_end(figures: Iterable[LedgerFigure], quarter_end: date) -> Decimal | None:
    """Rule 1: the verified figure of the latest period in or before the quarter.

    Figures are year-to-date, so only the latest one matters. Whether an entry is verified is
    read when the quarter is computed, so weeks verified in the first days of the next quarter
    still count. None means no verified figure; the indicator then scores A = 0
    (`evaluate_quarter` records that in the indicator's reason).
    """
    latest: LedgerFigure | None = None
    for figure in figures:
        if not figure.verified or figure.period_thursday > quarter_end:
            continue
        if latest is None or figure.period_thursday > latest.period_thursday:
            latest = figure
    return None if latest is None else latest.value


# --------------------------------------------------------------------------------------------
# Rule 2: target to date
# --------------------------------------------------------------------------------------------


def unscored_reason(direction: Direction, target: Decimal | None) -> str | None:
    """Rule 2: why an indicator is left out of this quarter's score, or None when it is scored.

    §4 names a higher-better T <= 0. A negative lower-better T (a ceiling below zero) cannot be
    met or missed meaningfully either, so it is left out the same way; T = 0 lower-better is the
    "zero accidents" case of rule 3 and is scored.
    """
    if target is None:
        return "本季度末前无到期节点，本季度不计分"
    if direction is Direction.HIGHER_BETTER and target <= 0:
        return "目标值不大于0，本季度不计分"
    if direction is Direction.LOWER_BETTER and target < 0:
        return "目标值为负，本季度不计分"
    return None


# --------------------------------------------------------------------------------------------
# Rule 4: indicator score
# --------------------------------------------------------------------------------------------


def completion_score(points: Decimal, rate: Decimal, rules: Rules = DEFAULT_RULES) -> Decimal:
    """Rule 4 (completion method): points × min(r, 1.2).

    A negative rate (a higher-better level indicator below zero) scores 0, not negative
    points: no indicator may cost more than its own points, as lower-better rates floor at 0.
    """
    return points * min(max(rate, ZERO), rules.rate_cap)


def competition_ranks(values: Sequence[Decimal]) -> list[int]:
    """Rank of each value, highest first, ties sharing the better rank: 1, 2, 2, 4.

    Values are compared exactly, so Decimal("1.0") and Decimal("1") tie and nothing else does.
    """
    first_position: dict[Decimal, int] = {}
    for position, value in enumerate(sorted(values, reverse=True), start=1):
        first_position.setdefault(value, position)
    return [first_position[value] for value in values]


def rank_score(points: Decimal, rank: int, n: int, rules: Rules = DEFAULT_RULES) -> Decimal:
    """Rule 4 (rank method): points × (1 - 0.4 × (rank - 1) / (n - 1)); n = 1 → full points."""
    if not 1 <= rank <= n:
        raise ValueError(f"rank {rank} is outside 1..{n}")
    if n == 1:
        return points
    # points × ((n - 1) - step × (rank - 1)) / (n - 1): one division instead of two, so one
    # rounding at most, and none whenever the quotient terminates
    return points * ((n - 1) - rules.rank_step * (rank - 1)) / (n - 1)


# --------------------------------------------------------------------------------------------
# Rules 5–8: the unit's quarter total
# --------------------------------------------------------------------------------------------


def base_score(scored: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Rule 5: 100 × Σ indicator scores / Σ points, over the unit's scored indicators.

    `scored` holds (points, score) pairs. None when nothing is scored: a unit with no scored
    indicator this quarter (all its milestones fall later) has nothing to be measured on, so
    `evaluate_quarter` treats it as not evaluated — no total, rank or tier, and not counted in
    its group's n; rule 12 then drops the quarter from its annual score. A base of 0 instead
    would make it 后进 for tasks that were not yet due.
    """
    points_sum = ZERO
    score_sum = ZERO
    for points, score in scored:
        points_sum += points
        score_sum += score
    if points_sum <= 0:
        return None
    return HUNDRED * score_sum / points_sum


def timeliness_deduction(late: int, missing: int, rules: Rules = DEFAULT_RULES) -> Decimal:
    """Rule 6: -0.5 per late ledger, -1 per missing ledger, at most -5 a quarter (returns <= 0)."""
    if late < 0 or missing < 0:
        raise ValueError("ledger counts cannot be negative")
    raw = rules.late_deduction * late + rules.missing_deduction * missing
    return -min(raw, rules.timeliness_cap)


@dataclass(frozen=True, slots=True)
class AdjustmentTotal:
    """Rule 7's result: the capped bonus, the capped penalty (both >= 0) and their net."""

    bonus: Decimal
    penalty: Decimal

    @property
    def net(self) -> Decimal:
        return self.bonus - self.penalty


def capped_adjustments(points: Iterable[Decimal], rules: Rules = DEFAULT_RULES) -> AdjustmentTotal:
    """Rule 7: approved bonus (positive) and penalty (negative) points, each side capped at 5.

    The sides are capped before they are netted: +7 and -3 give +5 - 3 = +2, not +4.
    """
    bonus = ZERO
    penalty = ZERO
    for item in points:
        if item > 0:
            bonus += item
        else:
            penalty -= item
    return AdjustmentTotal(min(bonus, rules.bonus_cap), min(penalty, rules.penalty_cap))


def total_score(base: Decimal, timeliness: Decimal, adjustment: Decimal) -> Decimal:
    """Rule 8: total = base + timeliness + adjustments, kept at full precision."""
    return base + timeliness + adjustment


def display_points(value: Decimal, places: int = 2) -> Decimal:
    """Rule 8: a score rounded to 2 decimals, for display only (half up, as people round).

    `places` serves the other figures shown beside scores (a percentage to 1 place): the one
    rounding every page, chart, PDF and workbook uses, through scoring/display.py.
    """
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Rule 9: rank within the group
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contender:
    """A unit to be ranked: its total and whether it has a veto."""

    unit_id: UnitId
    sort_order: int
    total: Decimal
    vetoed: bool = False

    def __post_init__(self) -> None:
        _coerce(self, "total")


@dataclass(frozen=True, slots=True)
class Placing:
    """Where a unit landed: rank (1, 2, 2, 4), position in the list, units ranked below it."""

    unit_id: UnitId
    rank: int
    position: int
    units_below: int  # units with a strictly worse rank; vetoed units count (rules 10, 12)


def rank_group(contenders: Sequence[Contender]) -> list[Placing]:
    """Rule 9: competition ranking by total, vetoed units after all others; in listing order.

    Totals are compared exactly. Ties share the better rank and are listed by sort order (then
    by input order). Units with a veto come after every unit without one and rank among
    themselves by total, so in a group of 4 with one veto ranks run 1, 2, 2 and 4.
    """
    ordered = sorted(contenders, key=lambda c: (c.vetoed, -c.total, c.sort_order))
    n = len(ordered)
    ranks: list[int] = []
    for index, contender in enumerate(ordered):
        previous = ordered[index - 1]
        tied = index > 0 and (previous.vetoed, previous.total) == (
            contender.vetoed,
            contender.total,
        )
        ranks.append(ranks[-1] if tied else index + 1)
    # units below = n - position of the last unit sharing this rank; walk from the end
    below = [0] * n
    block_end = n
    for index in range(n - 1, -1, -1):
        if index < n - 1 and ranks[index] != ranks[index + 1]:
            block_end = index + 1
        below[index] = n - block_end
    return [Placing(c.unit_id, ranks[i], i + 1, below[i]) for i, c in enumerate(ordered)]


# --------------------------------------------------------------------------------------------
# Rule 10: tiers
# --------------------------------------------------------------------------------------------


def tier_sizes(n: int, rules: Rules = DEFAULT_RULES) -> tuple[int, int]:
    """Rule 10: (k_top, k_bottom) = (max(1, ceil(0.3 n)), max(1, ceil(0.1 n)))."""
    return max(1, math.ceil(rules.top_share * n)), max(1, math.ceil(rules.bottom_share * n))


def in_bottom_share(rank: int, units_below: int, n: int, k_bottom: int, min_group: int) -> bool:
    """Rule 10 (and 12): the bottom-share boundary test.

    In groups of `min_group` (5) or more, a unit with rank > 1 and fewer than k_bottom units
    ranked strictly below it. Ties at the boundary all pass (they have the same units below);
    rank 1 never does, so a group that ties throughout has no bottom share.
    """
    return n >= min_group and rank > 1 and units_below < k_bottom


def quarter_tier(
    *,
    rank: int,
    units_below: int,
    group_size: int,
    total: Decimal,
    vetoed: bool,
    no_excellence: bool = False,
    rules: Rules = DEFAULT_RULES,
) -> Tier:
    """Rule 10: 后进, 先进 or 达标 for one unit of a group of `group_size` ranked units.

    后进: a veto; a total < 60; or the bottom share. 先进: not 后进, no veto nor 一票否优,
    rank <= k_top (ties all in) and total >= 85. The rest 达标.
    """
    k_top, k_bottom = tier_sizes(group_size, rules)
    if (
        vetoed
        or total < rules.lagging_below
        or in_bottom_share(rank, units_below, group_size, k_bottom, rules.bottom_min_group)
    ):
        return Tier.LAGGING
    if not no_excellence and rank <= k_top and total >= rules.advanced_from:
        return Tier.ADVANCED
    return Tier.STANDARD


# --------------------------------------------------------------------------------------------
# Rule 11: what publication writes to the file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileEntryDraft:
    """A 绩误档案 entry publication should write; services add unit, date, source, evidence.

    `points` shows what the event did in its quarter (a late ledger -0.5 before the cap, an
    adjustment its own points, a tier 0). None of these count again in the annual score:
    rule 12 adds only entries the office entered by hand.
    """

    merit: bool  # True 绩, False 误
    kind: str
    description: str
    points: Decimal


def quarter_file_entries(
    quarter: int,
    tier: Tier | None,
    *,
    late: int = 0,
    missing: int = 0,
    overdue_followups: int = 0,
    vetoes: int = 0,
    adjustments: Sequence[Decimal] = (),
    rules: Rules = DEFAULT_RULES,
) -> tuple[FileEntryDraft, ...]:
    """Rule 11: the file entries publishing quarter `quarter` writes for one unit.

    先进 → merit "第N季度交帐亮相先进"; 后进 → fault "第N季度交帐亮相后进，责令检讨"; one fault
    per late or missing ledger and veto; one entry per adjustment (a merit unless negative). A
    unit not evaluated (tier None) still gets the ledger, veto and adjustment entries.

    Overdue follow-ups are already in the file: the escalation (scoring/services/escalation.py)
    writes one fault per follow-up at its 黄牌, and the quarter only counts them
    (UnitScore.overdue_follow_ups). Publication therefore passes `overdue_followups=0` (the
    default); the parameter stays for a caller that keeps no file of its own, e.g. a what-if.
    """
    entries: list[FileEntryDraft] = []
    name = quarters.quarter_name(quarter)
    if tier is Tier.ADVANCED:
        entries.append(FileEntryDraft(True, "tier", f"{name}交帐亮相先进", ZERO))
    elif tier is Tier.LAGGING:
        entries.append(FileEntryDraft(False, "tier", f"{name}交帐亮相后进，责令检讨", ZERO))
    faults = (
        (late, "late_ledger", f"{name}周帐逾期提交", -rules.late_deduction),
        (missing, "missing_ledger", f"{name}周帐未报", -rules.missing_deduction),
        (overdue_followups, "overdue_followup", f"{name}交办事项逾期未办结", ZERO),
        (vetoes, "veto", f"{name}被一票否决", ZERO),
    )
    for count, kind, description, points in faults:
        entries.extend(FileEntryDraft(False, kind, description, points) for _ in range(count))
    for item in map(to_decimal, adjustments):
        label = "加分" if item >= 0 else "减分"
        entries.append(FileEntryDraft(item >= 0, "adjustment", f"{name}{label}{abs(item)}分", item))
    return tuple(entries)


# --------------------------------------------------------------------------------------------
# Rule 12: the year
# --------------------------------------------------------------------------------------------


def annual_score(
    quarter_totals: Sequence[Decimal | None],
    file_points: Iterable[Decimal] = (),
    rules: Rules = DEFAULT_RULES,
) -> Decimal | None:
    """Rule 12: 0.2·Q1 + 0.25·Q2 + 0.25·Q3 + 0.3·Q4 + hand-entered file points.

    `quarter_totals` are the four published totals, None for a quarter the unit was not
    evaluated in; the remaining weights are scaled to sum to 1. None when the unit was not
    evaluated in any quarter: file points alone are no annual result.
    """
    if len(quarter_totals) != 4:
        raise ValueError("expected four quarter totals (None for a quarter not evaluated)")
    weighted = ZERO
    weight_sum = ZERO
    for weight, total in zip(rules.quarter_weights, quarter_totals, strict=True):
        if total is not None:
            weighted += weight * total
            weight_sum += weight
    if weight_sum == 0:
        return None
    # dividing once by the weights present rescales them to 1 (no-op with all four quarters)
    return weighted / weight_sum + sum(file_points, ZERO)


def annual_grade(
    *,
    rank: int,
    units_below: int,
    group_size: int,
    score: Decimal,
    vetoed: bool,
    no_excellence: bool = False,
    rules: Rules = DEFAULT_RULES,
) -> Grade:
    """Rule 12: first match of 较差, 优秀, 一般, else 良好.

    较差: a veto in the year, or (groups of 5 or more) the bottom 10 % by rule 10's boundary
    test. 优秀: rank <= max(1, ceil(0.2 n)), score >= 85, no 一票否优. 一般: score < 70.
    """
    k_poor = max(1, math.ceil(rules.poor_share * group_size))
    if vetoed or in_bottom_share(rank, units_below, group_size, k_poor, rules.poor_min_group):
        return Grade.POOR
    k_excellent = max(1, math.ceil(rules.excellent_share * group_size))
    if not no_excellence and rank <= k_excellent and score >= rules.excellent_from:
        return Grade.EXCELLENT
    if score < rules.fair_below:
        return Grade.FAIR
    return Grade.GOOD


# --------------------------------------------------------------------------------------------
# A whole quarter
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorInput:
    """One indicator of one unit for the quarter, with the unit's target and verified actual."""

    indicator_id: IndicatorId
    points: Decimal
    method: Method
    direction: Direction
    annual_target: Decimal  # milestone indicators: conventionally 1 (done)
    milestones: tuple[Milestone, ...]
    actual: Decimal | None = None  # rule 1's verified actual; None: no verified figure → 0
    done_on: date | None = None  # milestone indicators: completion date of a verified entry

    def __post_init__(self) -> None:
        _coerce(self, "points", "annual_target", "actual")
        object.__setattr__(self, "method", Method(self.method))
        object.__setattr__(self, "direction", Direction(self.direction))
        object.__setattr__(self, "milestones", tuple(self.milestones))
        if self.points <= 0:
            raise ValueError(f"indicator {self.indicator_id!r}: points must be positive")


@dataclass(frozen=True, slots=True)
class UnitInput:
    """One unit's quarter: its indicators, ledger punctuality, adjustments and flags."""

    unit_id: UnitId
    group_id: GroupId
    sort_order: int
    indicators: tuple[IndicatorInput, ...]
    late_ledgers: int = 0
    missing_ledgers: int = 0
    adjustments: tuple[Decimal, ...] = ()  # approved items: bonus > 0, penalty < 0
    vetoed: bool = False  # 一票否决 in the quarter
    no_excellence: bool = False  # 一票否优 in the quarter

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "adjustments", tuple(map(to_decimal, self.adjustments)))


@dataclass(slots=True)
class IndicatorResult:
    """How one indicator scored: every figure the score page shows.

    Unlike the other results this one is not frozen, and it keeps its input (`indicator`)
    rather than copying its fields: a county quarter builds 5,400 of them, a frozen dataclass
    takes 2.5 times as long to construct (2.2 µs against 0.9 µs here), and a rank-method score
    is only known once the whole group is rated, so `evaluate_quarter` fills it in place.
    Treat it as read-only once returned.
    """

    indicator: IndicatorInput  # points, method, direction, target, milestones, done_on
    target_to_date: Decimal | None  # rule 2's T
    due: date | None  # the milestone T (and a milestone's rate) is measured against
    actual: Decimal | None  # rule 1's A as used (0 when nothing verified); None for milestones
    rate: Decimal | None  # rule 3's r; None when not scored
    score: Decimal | None  # rule 4's points earned; None when not scored
    reason: str  # why not scored, or a note on how it was scored ("" when plain)
    rank: int | None = None  # rank method: rank by r among `rank_of` units of the group
    rank_of: int | None = None

    @property
    def indicator_id(self) -> IndicatorId:
        return self.indicator.indicator_id

    @property
    def points(self) -> Decimal:
        return self.indicator.points

    @property
    def scored(self) -> bool:
        return self.rate is not None


@dataclass(frozen=True, slots=True)
class UnitResult:
    """One unit's quarter: indicators, base, timeliness, adjustments, total, rank and tier."""

    unit_id: UnitId
    group_id: GroupId
    sort_order: int
    indicators: tuple[IndicatorResult, ...]
    scored_points: Decimal  # Σ points of scored indicators (rule 5's denominator)
    earned_points: Decimal  # Σ indicator scores
    base: Decimal | None  # None: no scored indicator, the unit is not evaluated
    timeliness: Decimal
    adjustment: AdjustmentTotal
    total: Decimal | None
    vetoed: bool
    no_excellence: bool
    group_size: int = 0  # evaluated units in the group (rule 10's n)
    rank: int | None = None
    position: int | None = None  # place in the published list (ties by sort order)
    units_below: int | None = None
    tier: Tier | None = None

    @property
    def evaluated(self) -> bool:
        return self.base is not None


@dataclass(frozen=True, slots=True)
class QuarterResult:
    """All units of a quarter: groups in order of first appearance, each in published order
    (rule 9), then the group's units not evaluated, by sort order."""

    quarter_end: date
    units: tuple[UnitResult, ...]

    def by_unit(self) -> dict[UnitId, UnitResult]:
        return {result.unit_id: result for result in self.units}

    def group(self, group_id: GroupId) -> tuple[UnitResult, ...]:
        return tuple(result for result in self.units if result.group_id == group_id)


def _rate_indicator(spec: IndicatorInput, end: date, rules: Rules) -> IndicatorResult:
    """Rules 2–4 for one indicator of one unit; a rank-method score waits for its group."""
    if spec.direction is Direction.MILESTONE:
        actual, note = None, ""
    elif spec.actual is None:
        actual, note = ZERO, "无已核实数据，按0计"
    else:
        actual, note = spec.actual, ""
    milestone = milestone_due_by(spec.milestones, end)
    if milestone is None:
        return IndicatorResult(
            spec, None, None, actual, None, None, unscored_reason(spec.direction, None)
        )
    target = spec.annual_target * milestone.fraction
    reason = unscored_reason(spec.direction, target)
    if reason is not None:
        return IndicatorResult(spec, target, milestone.due, actual, None, None, reason)
    if spec.direction is Direction.HIGHER_BETTER:
        rate = rate_higher_better(actual, target)
    elif spec.direction is Direction.LOWER_BETTER:
        rate = rate_lower_better(actual, target)
    else:
        rate = rate_milestone(spec.done_on, milestone.due, end, rules)
    score = completion_score(spec.points, rate, rules) if spec.method is Method.COMPLETION else None
    return IndicatorResult(spec, target, milestone.due, actual, rate, score, note)


def _score_rank_pool(pool: list[IndicatorResult], rules: Rules) -> None:
    """Rule 4 (rank method) for all units of one group scored on one indicator."""
    n = len(pool)
    for result, rank in zip(pool, competition_ranks([r.rate for r in pool]), strict=True):
        result.rank = rank
        result.rank_of = n
        result.score = rank_score(result.points, rank, n, rules)


def _check_inputs(units: Sequence[UnitInput]) -> None:
    """Fail loudly on input the rules cannot mean: a unit or indicator twice, mixed methods."""
    if len({unit.unit_id for unit in units}) != len(units):
        raise ValueError("a unit appears twice")
    methods: dict[tuple[GroupId, IndicatorId], Method] = {}
    for unit in units:
        if len({spec.indicator_id for spec in unit.indicators}) != len(unit.indicators):
            raise ValueError(f"unit {unit.unit_id!r} has an indicator twice")
        for spec in unit.indicators:
            key = (unit.group_id, spec.indicator_id)
            if methods.setdefault(key, spec.method) is not spec.method:
                raise ValueError(
                    f"indicator {spec.indicator_id!r} mixes scoring methods in group "
                    f"{unit.group_id!r}"
                )


def evaluate_quarter(
    units: Iterable[UnitInput], *, quarter_end: date, rules: Rules = DEFAULT_RULES
) -> QuarterResult:
    """Rules 2–10 for every unit of a quarter, group by group.

    Rule 1 is applied by the caller (`actual_at_quarter_end`) when it fills
    `IndicatorInput.actual`; rule 11 runs at publication (`quarter_file_entries`). Runs in
    O(units × indicators) plus a sort per group and per rank-method indicator.
    """
    _check(rules)
    units = list(units)
    _check_inputs(units)
    with localcontext(ENGINE_CONTEXT):
        # rules 2–4 per indicator; rank-method points wait for the whole group (rule 4)
        rows: list[list[IndicatorResult]] = []
        rank_pools: dict[tuple[GroupId, IndicatorId], list[IndicatorResult]] = defaultdict(list)
        for unit in units:
            row = [_rate_indicator(spec, quarter_end, rules) for spec in unit.indicators]
            for result in row:
                if result.scored and result.indicator.method is Method.RANK:
                    rank_pools[unit.group_id, result.indicator_id].append(result)
            rows.append(row)
        for pool in rank_pools.values():
            _score_rank_pool(pool, rules)

        # rules 5–8 per unit
        totals = [_unit_totals(unit, row, rules) for unit, row in zip(units, rows, strict=True)]

        # rules 9–10 per group
        groups: dict[GroupId, list[UnitResult]] = defaultdict(list)
        for result in totals:
            groups[result.group_id].append(result)
        ranked = [
            result for members in groups.values() for result in _rank_and_tier(members, rules)
        ]
    return QuarterResult(quarter_end, tuple(ranked))


def _unit_totals(unit: UnitInput, row: list[IndicatorResult], rules: Rules) -> UnitResult:
    """Rules 5–8 for one unit; rank and tier are filled in by `_rank_and_tier`."""
    scored = [(result.points, result.score) for result in row if result.scored]
    base = base_score(scored)
    timeliness = timeliness_deduction(unit.late_ledgers, unit.missing_ledgers, rules)
    adjustment = capped_adjustments(unit.adjustments, rules)
    return UnitResult(
        unit_id=unit.unit_id,
        group_id=unit.group_id,
        sort_order=unit.sort_order,
        indicators=tuple(row),
        scored_points=sum((points for points, _ in scored), ZERO),
        earned_points=sum((score for _, score in scored), ZERO),
        base=base,
        timeliness=timeliness,
        adjustment=adjustment,
        total=None if base is None else total_score(base, timeliness, adjustment.net),
        vetoed=unit.vetoed,
        no_excellence=unit.no_excellence,
    )


def _rank_and_tier(members: list[UnitResult], rules: Rules) -> list[UnitResult]:
    """Rules 9–10 for one group; units not evaluated follow, unranked, by sort order."""
    evaluated = {result.unit_id: result for result in members if result.evaluated}
    n = len(evaluated)
    contenders = [Contender(r.unit_id, r.sort_order, r.total, r.vetoed) for r in evaluated.values()]
    ranked: list[UnitResult] = []
    for placing in rank_group(contenders):
        result = evaluated[placing.unit_id]
        tier = quarter_tier(
            rank=placing.rank,
            units_below=placing.units_below,
            group_size=n,
            total=result.total,
            vetoed=result.vetoed,
            no_excellence=result.no_excellence,
            rules=rules,
        )
        ranked.append(
            replace(
                result,
                group_size=n,
                rank=placing.rank,
                position=placing.position,
                units_below=placing.units_below,
                tier=tier,
            )
        )
    not_evaluated = sorted((r for r in members if not r.evaluated), key=lambda r: r.sort_order)
    ranked.extend(replace(result, group_size=n) for result in not_evaluated)
    return ranked


# --------------------------------------------------------------------------------------------
# A whole year
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnualUnitInput:
    """One unit's year: its four published quarter totals, hand-entered file points, flags."""

    unit_id: UnitId
    group_id: GroupId
    sort_order: int
    quarter_totals: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]
    file_points: tuple[Decimal, ...] = ()  # entries the office entered as counting for the year
    vetoed: bool = False  # a veto in any quarter of the year
    no_excellence: bool = False  # 一票否优 in the year

    def __post_init__(self) -> None:
        totals = tuple(None if t is None else to_decimal(t) for t in self.quarter_totals)
        if len(totals) != 4:
            raise ValueError(f"unit {self.unit_id!r}: expected four quarter totals")
        object.__setattr__(self, "quarter_totals", totals)
        object.__setattr__(self, "file_points", tuple(map(to_decimal, self.file_points)))


@dataclass(frozen=True, slots=True)
class AnnualUnitResult:
    """One unit's year: annual score, rank in group and grade (None when not evaluated)."""

    unit_id: UnitId
    group_id: GroupId
    sort_order: int
    score: Decimal | None
    vetoed: bool
    no_excellence: bool
    group_size: int = 0  # units with an annual score in the group (rule 12's n)
    rank: int | None = None
    position: int | None = None
    units_below: int | None = None
    grade: Grade | None = None


@dataclass(frozen=True, slots=True)
class YearResult:
    """All units of a year, ordered like `QuarterResult.units`."""

    units: tuple[AnnualUnitResult, ...]

    def by_unit(self) -> dict[UnitId, AnnualUnitResult]:
        return {result.unit_id: result for result in self.units}

    def group(self, group_id: GroupId) -> tuple[AnnualUnitResult, ...]:
        return tuple(result for result in self.units if result.group_id == group_id)


def evaluate_year(units: Iterable[AnnualUnitInput], *, rules: Rules = DEFAULT_RULES) -> YearResult:
    """Rule 12 for every unit: annual score, rank in its group as in rule 9, grade."""
    _check(rules)
    units = list(units)
    if len({unit.unit_id for unit in units}) != len(units):
        raise ValueError("a unit appears twice")
    with localcontext(ENGINE_CONTEXT):
        groups: dict[GroupId, list[AnnualUnitResult]] = defaultdict(list)
        for unit in units:
            groups[unit.group_id].append(
                AnnualUnitResult(
                    unit_id=unit.unit_id,
                    group_id=unit.group_id,
                    sort_order=unit.sort_order,
                    score=annual_score(unit.quarter_totals, unit.file_points, rules),
                    vetoed=unit.vetoed,
                    no_excellence=unit.no_excellence,
                )
            )
        ranked = [result for members in groups.values() for result in _grade_group(members, rules)]
    return YearResult(tuple(ranked))


def _grade_group(members: list[AnnualUnitResult], rules: Rules) -> list[AnnualUnitResult]:
    """Rule 12's rank and grade for one group; units not evaluated follow, by sort order."""
    evaluated = {result.unit_id: result for result in members if result.score is not None}
    n = len(evaluated)
    contenders = [Contender(r.unit_id, r.sort_order, r.score, r.vetoed) for r in evaluated.values()]
    ranked: list[AnnualUnitResult] = []
    for placing in rank_group(contenders):
        result = evaluated[placing.unit_id]
        grade = annual_grade(
            rank=placing.rank,
            units_below=placing.units_below,
            group_size=n,
            score=result.score,
            vetoed=result.vetoed,
            no_excellence=result.no_excellence,
            rules=rules,
        )
        ranked.append(
            replace(
                result,
                group_size=n,
                rank=placing.rank,
                position=placing.position,
                units_below=placing.units_below,
                grade=grade,
            )
        )
    not_evaluated = sorted((r for r in members if r.score is None), key=lambda r: r.sort_order)
    ranked.extend(replace(result, group_size=n) for result in not_evaluated)
    return ranked
