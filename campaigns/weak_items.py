"""Weak items (工作弱项): unit × indicator behind its milestone as of a date, sorted by gap.

The rules are DESIGN §4's, read from campaigns/progress_rules.py (the engine scores with the
same functions), on the figures campaigns/analysis_data.py says count:

- T = annual target × the fraction of the last milestone due on or before `as_of` (rule 2);
  nothing due yet, or a higher-better T <= 0 (a lower-better T < 0) → not measured, not weak.
- A = the latest verified figure of a week whose Thursday is on or before `as_of` (rule 1);
  none → 0.
- r by rule 3. Weak when r < 1: higher-better A < T, lower-better A > T. A milestone (done /
  not done) indicator is weak while a milestone is due and no verified completion date is on or
  before `as_of` (a milestone done late is done: there is nothing left to 交办).
- gap = T − A (lower-better A − T); the list is sorted by gap relative to T, the largest first
  (a lower-better T = 0 — "zero accidents" — missed comes first; a milestone counts 100 %).
- At the half-year (as_of on or after 30 June) the list also holds every item under 50 % of its
  half-year target H (T as of 30 June): rate against H below 0.5 — "连过半的任务都没有完成" —
  each marked `below_half`. `half_year_weak_items` (engineer C's automatic drafts) is that part
  alone, for every unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import Unit

from .analysis_data import (
    AnalysisScope,
    analysis_scope,
    current_week,
    done_dates,
    latest_figures,
    percent,
    periods_of,
    shown,
    target_rows,
    week_as_of,
)
from .models import AssessmentYear, FollowUp, Indicator
from .progress_rules import Standing, standing

HALF = Decimal("0.5")
ONE = Decimal(1)
LOWER = Indicator.Direction.LOWER_BETTER
# A follow-up still in hand: the weak item needs no second one.
OPEN_FOLLOW_UP = (
    FollowUp.Status.DRAFT,
    FollowUp.Status.ISSUED,
    FollowUp.Status.ACKNOWLEDGED,
    FollowUp.Status.CLOSING,
)


def half_year_end(year_number: int) -> date:
    return date(year_number, 6, 30)


@dataclass
class WeakItem:
    unit: Unit
    indicator: Indicator
    target_to_date: Decimal  # T (milestones: 1, done)
    actual: Decimal  # A (milestones: 1 if done by as_of, else 0)
    rate: Decimal  # r, rule 3
    gap: Decimal  # T − A (lower-better A − T), > 0
    half_year_target: Decimal | None  # H, T as of 30 June (None before the half-year)
    due: date | None = None  # the milestone T is measured against
    behind: bool = True  # behind its milestone as of the date
    below_half: bool = False  # under 50 % of the half-year target
    shortfall: Decimal | None = None  # gap ÷ T (None: T = 0, missed outright)
    has_figure: bool = True  # False: no verified figure, A counted 0
    follow_up: str = ""  # an open follow-up on this unit × indicator: its serial, or 草稿

    @property
    def milestone(self) -> bool:
        return self.indicator.is_milestone

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def gap_text(self) -> str:
        return "未完成" if self.milestone else shown(self.gap)

    @property
    def shortfall_text(self) -> str:
        return "" if self.shortfall is None else percent(self.shortfall)


def _standing(indicator: Indicator, target, as_of: date, actual, done_on) -> Standing | None:
    return standing(
        direction=indicator.direction,
        annual=target.annual,
        milestones=target.milestones,
        actual=actual,
        done_on=done_on,
        as_of=as_of,
    )


def weak_items(
    scope: AnalysisScope | None,
    year: AssessmentYear,
    *,
    as_of: date,
    campaign_id: int | None = None,
    group_id: int | None = None,
    only_below_half: bool = False,
) -> list[WeakItem]:
    """The weak items `scope` may see (None: every unit, no scoping), largest shortfall first."""
    filters = {}
    if campaign_id:
        filters["indicator__campaign_id"] = campaign_id
    if group_id:
        filters["unit__group_id"] = group_id
    if scope is not None and not scope.all_units and not scope.lead_unit_id:
        filters["unit_id"] = scope.own_unit_id
    elif scope is not None and not scope.all_units and not scope.own_unit_id:
        filters["indicator__lead_unit_id"] = scope.lead_unit_id
    targets = target_rows(year, **filters)
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(pk__in={t.indicator_id for t in targets}).select_related(
            "campaign"
        )
    }
    if scope is not None:
        targets = [t for t in targets if scope.sees_row(t.unit_id, indicators[t.indicator_id])]
    week = week_as_of(periods_of(year), as_of)
    figure_filter = {f"ledger__{k}": v for k, v in filters.items() if k.startswith("unit")}
    figure_filter.update({k: v for k, v in filters.items() if k.startswith("indicator")})
    latest = latest_figures(year, up_to_week=week, **figure_filter)
    done = done_dates(year, as_of=as_of, **figure_filter)
    half_end = half_year_end(year.year)
    at_half_year = as_of >= half_end

    items = []
    for target in targets:
        indicator = indicators[target.indicator_id]
        key = (target.unit_id, target.indicator_id)
        found = latest.get(key)
        actual = found[1] if found else None
        now = _standing(indicator, target, as_of, actual, done.get(key))
        if now is None:
            continue
        t, a, rate, due, behind = now.target, now.actual, now.rate, now.due, now.behind
        half = (
            _standing(indicator, target, half_end, actual, done.get(key)) if at_half_year else None
        )
        h, half_rate = (half.target, half.rate) if half else (None, None)
        below_half = half_rate is not None and half_rate < HALF
        if not (below_half if only_below_half else behind or below_half):
            continue
        if indicator.is_milestone:
            gap, shortfall = ONE, ONE
        else:
            gap = a - t if indicator.direction == LOWER else t - a
            shortfall = gap / t if t > 0 else None
        items.append(
            WeakItem(
                unit=None,  # filled below from one query
                indicator=indicator,
                target_to_date=t,
                actual=a,
                rate=rate,
                gap=gap,
                half_year_target=h,
                due=due,
                behind=behind,
                below_half=below_half,
                shortfall=shortfall,
                has_figure=found is not None or indicator.is_milestone,
            )
        )
        items[-1].unit = target.unit_id
    units = Unit.objects.filter(pk__in={item.unit for item in items}).select_related("group")
    units = {u.pk: u for u in units}
    for item in items:
        item.unit = units[item.unit]
    # a unit does not see drafts addressed to it (nor does A's follow_ups_visible_to show them)
    unit_only = scope is not None and not scope.all_units and not scope.lead_unit_id
    _mark_follow_ups(year, items, drafts=not unit_only)
    # shortfall None (T = 0 missed) ranks first; then the largest shortfall, then unit order
    items.sort(
        key=lambda i: (
            i.shortfall is not None,
            -(i.shortfall or 0),
            i.unit.sort_order,
            i.indicator.campaign.sort_order,
            i.indicator.sort_order,
        )
    )
    return items


def _mark_follow_ups(year: AssessmentYear, items: list[WeakItem], *, drafts: bool) -> None:
    """Mark items with an open follow-up on the same unit × indicator (one query).

    Reads FollowUp directly, narrowed to the listed (visible) units and indicators, whoever
    issued it: the mark exists so that nobody tasks the same weak item twice (the automatic
    half-year drafts included), and it shows only the serial. (Engineer A's
    campaigns/follow_up_selectors.py scopes by issuer, which would hide the office's 交办 from
    the lead department about to issue a second one.)
    """
    if not items:
        return
    statuses = OPEN_FOLLOW_UP if drafts else OPEN_FOLLOW_UP[1:]
    open_ones = FollowUp.objects.filter(
        year=year,
        status__in=statuses,
        unit_id__in={i.unit.pk for i in items},
        indicator_id__in={i.indicator.pk for i in items},
    ).values_list("unit_id", "indicator_id", "number", "status")
    marks = {}
    for unit_id, indicator_id, number, status in open_ones:
        text = "草稿" if status == FollowUp.Status.DRAFT else f"督办〔{year.year}〕{number}号"
        if marks.get((unit_id, indicator_id), "草稿") == "草稿":
            marks[(unit_id, indicator_id)] = text
    for item in items:
        item.follow_up = marks.get((item.unit.pk, item.indicator.pk), "")


def weak_items_visible_to(
    user, year: AssessmentYear, *, as_of: date, campaign_id=None, group_id=None
) -> list[WeakItem] | None:
    """The weak items `user` may see: a reviewer its indicators', the office and leaders all,
    a unit its own. None: the user may not see weak items at all."""
    scope = analysis_scope(user)
    if scope is None:
        return None
    return weak_items(scope, year, as_of=as_of, campaign_id=campaign_id, group_id=group_id)


def half_year_weak_items(
    year: AssessmentYear | int, *, as_of: date | None = None
) -> list[WeakItem]:
    """Every unit's items under 50 % of the half-year target as of `as_of` (default 30 June of
    the year; an earlier date is refused), no user scoping — for the automatic drafts."""
    if isinstance(year, int):
        year = AssessmentYear.objects.get(year=year)
    as_of = as_of or half_year_end(year.year)
    if as_of < half_year_end(year.year):
        raise ValueError("半年未过半的弱项须在6月30日以后判断。")
    return weak_items(None, year, as_of=as_of, only_below_half=True)


@dataclass
class WeakItemsPage:
    year: AssessmentYear
    week: int
    as_of: date
    weeks: list[int]
    items: list[WeakItem]
    at_half_year: bool


def as_of_week(year: AssessmentYear, week: int | None, *, today: date | None = None):
    """(week, as-of date) of a page: week `week` (default the week of `today`) and its Sunday."""
    periods = periods_of(year)
    by_week = {p.iso_week: p for p in periods}
    if week not in by_week:
        week = current_week(periods, today or date.today())
    return week, by_week[week].ends_on if week in by_week else date(year.year, 12, 31)


def iso_weeks(year: AssessmentYear) -> int:
    return date(year.year, 12, 28).isocalendar().week


def weak_items_page(
    user, year: AssessmentYear, *, week=None, campaign_id=None, group_id=None, today=None
) -> WeakItemsPage | None:
    """The weak-items page as of week `week` (its Sunday; default this week)."""
    scope = analysis_scope(user)
    if scope is None:
        return None
    week, as_of = as_of_week(year, week, today=today)
    items = weak_items(scope, year, as_of=as_of, campaign_id=campaign_id, group_id=group_id)
    return WeakItemsPage(
        year=year,
        week=week,
        as_of=as_of,
        weeks=list(range(1, iso_weeks(year) + 1)),
        items=items,
        at_half_year=as_of >= half_year_end(year.year),
    )
