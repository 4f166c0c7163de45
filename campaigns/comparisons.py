"""用好帐's comparison view: a unit against its own weeks (前后比) and against its group (左右比).

Per indicator and unit, as of a week W (campaigns/analysis_data.py says which figures count):

- The curve: the unit's verified year-to-date figure of each week 1..W, the last verified figure
  carried forward through weeks without one (None before the first).
- The target line: annual target × the fraction of the last milestone due on or before the
  week's Sunday — rule 2's target to date (campaigns/progress_rules.py), drawn as a **step**.
  A straight line between milestones would show a unit "behind" in weeks where the rules, the
  quarterly score and the weak-items list all say it is not; the step is the line it is
  measured against, so the chart and the lists never disagree.
- 左右比: the best and the average figure as of W of the units of the same ranking group that
  carry a target on the indicator and have a verified figure by then (a unit without one is
  left out, not counted as 0: for a lower-better indicator 0 would be the "best"). Lower-better
  indicators: the best is the lowest. Other units are named only to users who may read them.
- Gaps, positive when the unit is behind: higher-better X − A, lower-better A − X, for X the
  target to date, the best and the average (A: the unit's figure as of W, 0 without one, as
  rule 1 scores it). In weeks of progress: gap ÷ the unit's pace, its average weekly progress
  over the last 4 weeks ((A_W − A_W−4) / 4, the sign turned for lower-better; weeks before the
  first verified figure count as 0 for cumulative indicators). A pace of 0 or less cannot close
  a gap: the page says "近4周无进展" instead of a number of weeks.
- Milestone (done / not done) indicators have no curve: the done date a reviewer verified and
  the due date, and in the group how many are done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Unit

from .analysis_data import (
    AnalysisScope,
    analysis_scope,
    carried,
    current_week,
    done_dates,
    latest_figures,
    percent,
    periods_of,
    shown,
    target_rows,
    weekly_figures,
)
from .models import AssessmentYear, Campaign, Indicator
from .progress_rules import (
    milestone_due_by,
    rate_higher_better,
    rate_lower_better,
    target_to_date,
)

PACE_WEEKS = 4
LOWER = Indicator.Direction.LOWER_BETTER


@dataclass
class Gap:
    """How far a unit is behind a figure: positive behind, 0 or negative at or ahead of it."""

    figure: Decimal | None
    weeks: Decimal | None = None  # gap ÷ pace; None when it cannot be said

    @property
    def text(self) -> str:
        if self.figure is None:
            return ""
        if self.figure <= 0:
            return f"领先 {shown(-self.figure)}" if self.figure < 0 else "持平"
        return f"差 {shown(self.figure)}"

    @property
    def weeks_text(self) -> str:
        if self.figure is None or self.figure <= 0:
            return ""
        if self.weeks is None:
            return "近4周无进展"
        return f"约{max(1, int(self.weeks.to_integral_value(rounding=ROUND_HALF_UP)))}周"


@dataclass
class ComparisonRow:
    unit: Unit
    indicator: Indicator
    annual: Decimal | None
    target: Decimal | None  # rule 2's T as of the week (None: no milestone due yet)
    due: date | None  # the milestone T is measured against
    actual: Decimal | None  # the verified figure as of the week (None: none yet)
    actual_week: int | None
    rate: Decimal | None
    pace: Decimal | None  # average weekly progress over the last 4 weeks
    best: Decimal | None = None
    best_unit: str = ""  # "" when the user may not read the other units' names
    average: Decimal | None = None
    counted: int = 0  # units of the group with a verified figure (milestones: done)
    carrying: int = 0  # units of the group carrying a target on the indicator
    done_on: date | None = None  # milestone indicators
    milestones: tuple = ()  # the target's milestones (progress_rules.Milestone)
    gap_target: Gap = field(default_factory=lambda: Gap(None))
    gap_best: Gap = field(default_factory=lambda: Gap(None))
    gap_average: Gap = field(default_factory=lambda: Gap(None))

    @property
    def milestone(self) -> bool:
        return self.indicator.is_milestone

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def best_text(self) -> str:
        return shown(self.best) or "—"

    @property
    def average_text(self) -> str:
        return shown(self.average) or "—"


@dataclass
class Comparison:
    year: AssessmentYear
    week: int
    weeks: list[int]
    week_end: date | None
    rows: list[ComparisonRow]
    indicator: Indicator | None  # the indicator the table is about (None: one unit's indicators)
    chart: dict | None
    campaigns: list[Campaign]
    indicators: list[Indicator]
    units: list[Unit]
    filters: dict
    all_weeks: list[int] = field(default_factory=list)


def _progress(indicator: Indicator, now: Decimal | None, before: Decimal | None, weeks: int):
    """Average weekly progress over `weeks` weeks (good direction positive), or None."""
    if now is None or weeks <= 0:
        return None
    if before is None:
        if not indicator.cumulative:
            return None
        before = Decimal(0)
    change = before - now if indicator.direction == LOWER else now - before
    return change / weeks


def _gap(indicator: Indicator, actual: Decimal, other: Decimal | None, pace) -> Gap:
    if other is None:
        return Gap(None)
    figure = actual - other if indicator.direction == LOWER else other - actual
    weeks = figure / pace if figure > 0 and pace is not None and pace > 0 else None
    return Gap(figure, weeks)


def _rate(indicator: Indicator, actual: Decimal, target: Decimal | None) -> Decimal | None:
    if target is None:
        return None
    if indicator.direction == LOWER:
        return rate_lower_better(actual, target) if target >= 0 else None
    return rate_higher_better(actual, target) if target > 0 else None


def comparison_visible_to(user, year: AssessmentYear, **filters) -> Comparison | None:
    """The comparison page for `user` (None: the user may not compare)."""
    scope = analysis_scope(user)
    if scope is None:
        return None
    return comparison(scope, year, **filters)


def comparison(
    scope: AnalysisScope,
    year: AssessmentYear,
    *,
    campaign_id: int | None = None,
    group_id: int | None = None,
    week: int | None = None,
    indicator_id: int | None = None,
    unit_id: int | None = None,
    today: date | None = None,
) -> Comparison:
    """The rows (and the chart of the first or chosen row) for a scope and filters.

    With an indicator (the default: the first one in view) the rows are the units carrying it;
    with a unit and no indicator, that unit's indicators. Queries do not grow with the units.
    """
    periods = periods_of(year)
    by_week = {p.iso_week: p for p in periods}
    if week not in by_week:
        week = current_week(periods, today or date.today())
    week_end = by_week[week].ends_on if week in by_week else None
    weeks = [p.iso_week for p in periods if p.iso_week <= week]

    indicators = list(
        Indicator.objects.filter(campaign__year=year)
        .filter(scope.indicator_filter())
        .select_related("campaign")
        .distinct()
        .order_by("campaign__sort_order", "sort_order", "pk")
    )
    campaigns = list({i.campaign_id: i.campaign for i in indicators}.values())
    if campaign_id:
        indicators = [i for i in indicators if i.campaign_id == campaign_id]
    if scope.own_unit_id and not scope.all_units and not scope.lead_unit_id:
        unit_id = scope.own_unit_id  # a unit compares itself, never another unit
    by_id = {i.pk: i for i in indicators}
    if indicator_id not in by_id:
        indicator_id = None if unit_id else next(iter(by_id), None)
    chosen = [by_id[indicator_id]] if indicator_id else indicators

    unit_filter = {}
    if unit_id:
        group_of_unit = Unit.objects.filter(pk=unit_id).values_list("group_id", flat=True).first()
        unit_filter["unit__group_id"] = group_of_unit
    elif group_id:
        unit_filter["unit__group_id"] = group_id
    targets = target_rows(year, indicator_id__in=[i.pk for i in chosen], **unit_filter)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={t.unit_id for t in targets})}
    units_in_view = sorted(
        (units[t.unit_id] for t in targets if scope.sees_row(t.unit_id, by_id[t.indicator_id])),
        key=lambda u: (u.sort_order, u.pk),
    )
    unit_choices = list({u.pk: u for u in units_in_view}.values())

    figure_filter = {"indicator_id__in": [i.pk for i in chosen]}
    if unit_filter:
        figure_filter["ledger__unit__group_id"] = unit_filter["unit__group_id"]
    latest = latest_figures(year, up_to_week=week, **figure_filter)
    pace_from = max(0, week - PACE_WEEKS)
    earlier = latest_figures(year, up_to_week=pace_from, **figure_filter)
    milestone_ids = [i.pk for i in chosen if i.is_milestone]
    done = (
        done_dates(year, as_of=week_end, indicator_id__in=milestone_ids, **_ledger(unit_filter))
        if milestone_ids and week_end
        else {}
    )

    # 左右比: per (group, indicator) the figures of the units carrying it
    peers: dict[tuple[int, int], list[tuple[Decimal, Unit]]] = {}
    done_count: dict[tuple[int, int], int] = {}
    carrying: dict[tuple[int, int], int] = {}
    for t in targets:
        unit = units[t.unit_id]
        key = (unit.group_id, t.indicator_id)
        carrying[key] = carrying.get(key, 0) + 1
        peers.setdefault(key, [])
        figure = latest.get((t.unit_id, t.indicator_id))
        if figure is not None:
            peers[key].append((figure[1], unit))
        if (t.unit_id, t.indicator_id) in done:
            done_count[key] = done_count.get(key, 0) + 1

    rows = []
    for t in targets:
        indicator = by_id[t.indicator_id]
        if not scope.sees_row(t.unit_id, indicator) or (unit_id and t.unit_id != unit_id):
            continue
        unit = units[t.unit_id]
        key = (unit.group_id, indicator.pk)
        rows.append(
            _row(scope, indicator, unit, t, week, week_end, latest, earlier, pace_from, done,
                 peers[key], carrying[key], done_count.get(key, 0))
        )  # fmt: skip
    order = {i.pk: n for n, i in enumerate(indicators)}
    rows.sort(key=lambda r: (order[r.indicator.pk], r.unit.group_id, r.unit.sort_order, r.unit.pk))

    chart = None
    if rows:
        focus = rows[0]
        group_of_focus = focus.unit.group_id
        peers_units = [
            t.unit_id
            for t in targets
            if t.indicator_id == focus.indicator.pk and units[t.unit_id].group_id == group_of_focus
        ]
        chart = _chart(scope, year, focus, weeks, by_week, peers_units=peers_units)
    return Comparison(
        year=year,
        week=week,
        weeks=weeks,
        week_end=week_end,
        rows=rows,
        indicator=by_id.get(indicator_id) if indicator_id else None,
        chart=chart,
        campaigns=campaigns,
        indicators=indicators,
        units=unit_choices,
        filters={
            "campaign": campaign_id,
            "group": group_id,
            "week": week,
            "indicator": indicator_id,
            "unit": unit_id,
        },
        all_weeks=[p.iso_week for p in periods],
    )


def _ledger(unit_filter: dict) -> dict:
    return {f"ledger__{k}": v for k, v in unit_filter.items()}


def _row(scope, indicator, unit, t, week, week_end, latest, earlier, pace_from, done, peer_figures,
         carrying, done_count) -> ComparisonRow:  # fmt: skip
    key = (unit.pk, indicator.pk)
    milestone = milestone_due_by(t.milestones, week_end) if week_end else None
    if indicator.is_milestone:
        return ComparisonRow(
            unit=unit, indicator=indicator, annual=None, target=None,
            due=milestone.due if milestone else None, actual=None, actual_week=None,
            rate=None, pace=None, counted=done_count, carrying=carrying,
            done_on=done.get(key), milestones=t.milestones,
        )  # fmt: skip
    target = target_to_date(t.annual, t.milestones, week_end) if t.annual is not None else None
    found = latest.get(key)
    actual = found[1] if found else None
    before = earlier.get(key)
    pace = _progress(
        indicator, actual, before[1] if before else None, min(PACE_WEEKS, week - pace_from)
    )
    a = actual if actual is not None else Decimal(0)  # rule 1: no verified figure counts 0
    row = ComparisonRow(
        unit=unit,
        indicator=indicator,
        annual=t.annual,
        target=target,
        due=milestone.due if milestone else None,
        actual=actual,
        actual_week=found[0] if found else None,
        rate=_rate(indicator, a, target),
        pace=pace,
        counted=len(peer_figures),
        carrying=carrying,
        milestones=t.milestones,
    )
    if peer_figures:
        pick = min if indicator.direction == LOWER else max
        # ties: the first unit in sort order is named (min/max keep the first of equals)
        ordered = sorted(peer_figures, key=lambda p: (p[1].sort_order, p[1].pk))
        best_figure, best_unit = pick(ordered, key=lambda p: p[0])
        row.best = best_figure
        row.best_unit = best_unit.short_name if scope.names_peers(indicator) else ""
        row.average = sum(f for f, _ in peer_figures) / len(peer_figures)
    row.gap_target = _gap(indicator, a, target, pace)
    row.gap_best = _gap(indicator, a, row.best, pace)
    row.gap_average = _gap(indicator, a, row.average, pace)
    return row


def _chart(scope, year, row: ComparisonRow, weeks, by_week, *, peers_units) -> dict:
    """The focus row's series for static/js/comparison.js: geometry as floats, labels as the
    server's rounded text (the script prints labels, never reformats numbers)."""
    indicator, unit = row.indicator, row.unit
    base = {
        "unit": unit.short_name,
        "indicator": indicator.name,
        "measure": indicator.measure,
        "milestone": indicator.is_milestone,
        "lower_better": indicator.direction == LOWER,
        "weeks": [f"第{w}周" for w in weeks],
    }
    if indicator.is_milestone:
        return base
    series = weekly_figures(
        year,
        up_to_week=weeks[-1] if weeks else 0,
        indicator_id=indicator.pk,
        ledger__unit_id__in=peers_units,
    )
    own = carried(series.get((unit.pk, indicator.pk), {}), weeks)
    others = [carried(series.get((u, indicator.pk), {}), weeks) for u in peers_units]
    pick = min if indicator.direction == LOWER else max
    best, average, target = [], [], []
    milestones = row.milestones
    for index, week in enumerate(weeks):
        figures = [s[index] for s in others if s[index] is not None]
        best.append(pick(figures) if figures else None)
        average.append(sum(figures) / len(figures) if figures else None)
        end = by_week[week].ends_on
        target.append(
            target_to_date(row.annual, milestones, end) if row.annual is not None else None
        )

    def pair(values):
        return {
            "values": [None if v is None else float(v) for v in values],
            "labels": [shown(v) for v in values],
        }

    names = scope.names_peers(indicator)
    # Before the first milestone falls due nothing is required yet (rule 2): the step starts at 0
    steps = pair([Decimal(0) if t is None else t for t in target])
    steps["labels"] = [label if t is not None else "尚无到期节点" for t, label in zip(
        target, steps["labels"], strict=True)]  # fmt: skip
    return {
        **base,
        "own": pair(own),
        "target": steps,
        "best": pair(best),
        "average": pair(average),
        "best_name": "组内最好" if not names else "组内最好（逐周）",
    }
