"""Read a quarter from the database into the engine's plain inputs, with a trace of sources.

The trace keeps, for every (unit, indicator), the ledger entry whose verified figure became
the actual, so a computed version can link each score to the entry behind it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.models import Unit
from campaigns import verified_figures
from campaigns.models import (
    AssessmentYear,
    Milestone,
    Period,
    Target,
    WeeklyLedger,
)
from campaigns.verified_figures import VerifiedFigure

from .. import engine
from ..models import Adjustment, FileEntry, Veto

HANDED_IN = WeeklyLedger.HANDED_IN


# The verified entry an actual came from (campaigns.verified_figures: one definition of rule 1).
Source = VerifiedFigure


@dataclass
class QuarterInputs:
    units: list[engine.UnitInput]
    quarter_end: object
    sources: dict[tuple[int, int], Source] = field(default_factory=dict)
    targets: dict[tuple[int, int], Target] = field(default_factory=dict)
    open_periods: int = 0
    # The approved adjustments and vetoes used, as stored with a version (decision_snapshot).
    adjustments: list[dict] = field(default_factory=list)
    vetoes: list[dict] = field(default_factory=list)
    # Rule 11: per unit, the overdue follow-ups already in its file for this quarter.
    overdue_follow_ups: dict[int, int] = field(default_factory=dict)


def latest_verified(year: AssessmentYear, quarter: int) -> dict[tuple[int, int], Source]:
    """Rule 1: per (unit, indicator) the latest verified entry in or before the quarter."""
    return verified_figures.latest_verified(year, through_quarter=quarter)


def milestone_completions(year: AssessmentYear, quarter: int) -> dict[tuple[int, int], object]:
    """Rule 3: per (unit, milestone indicator) the earliest verified completion date by the
    quarter end."""
    return verified_figures.verified_completions(year, by=engine.quarter_end(year.year, quarter))


def timeliness_counts(year, quarter, unit_ids, now) -> tuple[dict, dict, int]:
    """Rule 6: late and missing ledgers per unit over the quarter's locked periods."""
    late, missing, still_open = timeliness_weeks(year, quarter, unit_ids, now)
    return (
        defaultdict(int, {unit_id: len(weeks) for unit_id, weeks in late.items()}),
        defaultdict(int, {unit_id: len(weeks) for unit_id, weeks in missing.items()}),
        still_open,
    )


def timeliness_weeks(year, quarter, unit_ids, now) -> tuple[dict, dict, int]:
    """Rule 6 by week: the periods each unit handed in late or not at all (in week order),
    and how many of the quarter's periods are still open. The file names these weeks."""
    periods = list(Period.objects.filter(year=year, quarter=quarter).order_by("iso_week"))
    locked = [p for p in periods if p.locks_at <= now]
    handed = {
        (unit_id, period_id): submitted_at
        for unit_id, period_id, submitted_at in WeeklyLedger.objects.filter(
            period__in=periods, status__in=HANDED_IN, submitted_at__isnull=False
        ).values_list("unit_id", "period_id", "submitted_at")
    }
    late, missing = defaultdict(list), defaultdict(list)
    for unit_id in unit_ids:
        for period in periods:
            state = period.punctuality(handed.get((unit_id, period.pk)))
            # An open period is not missing yet: its ledger may still come.
            if state == Period.MISSING and period in locked:
                missing[unit_id].append(period)
            elif state == Period.LATE:
                late[unit_id].append(period)
    return late, missing, len(periods) - len(locked)


def overdue_follow_up_counts(year: AssessmentYear, quarter: int) -> dict[int, int]:
    """Rule 11: per unit, the overdue-follow-up faults the escalation (黄牌) wrote into its
    file for this year and quarter. Counted, never written again at publication."""
    rows = (
        FileEntry.objects.filter(year=year, quarter=quarter, source=FileEntry.Source.FOLLOW_UP)
        .order_by()  # the model's ordering would split the groups
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return dict(rows)


def decision_snapshot(year: AssessmentYear, quarter: int) -> dict[str, list[dict]]:
    """The quarter's approved adjustments and vetoes as plain JSON-ready rows, in a fixed order.

    A version stores this with its scores; publication compares it with a fresh snapshot, so
    an item added, removed, re-valued or (un)approved after computing is caught.
    """
    adjustments = Adjustment.objects.filter(year=year, quarter=quarter, approved_by__isnull=False)
    vetoes = Veto.objects.filter(year=year, quarter=quarter, approved_by__isnull=False)
    return {
        "adjustments": [
            {"id": pk, "unit_id": unit_id, "kind": kind, "points": str(points),
             "approved_by": approved_by}
            for pk, unit_id, kind, points, approved_by in adjustments.order_by("pk").values_list(
                "pk", "unit_id", "kind", "points", "approved_by_id"
            )
        ],
        "vetoes": [
            {"id": pk, "unit_id": unit_id, "kind": kind, "approved_by": approved_by}
            for pk, unit_id, kind, approved_by in vetoes.order_by("pk").values_list(
                "pk", "unit_id", "kind", "approved_by_id"
            )
        ],
    }  # fmt: skip


def load_quarter(
    *, year: AssessmentYear, quarter: int, now: datetime | None = None
) -> QuarterInputs:
    """Everything `engine.evaluate_quarter` needs for one quarter, in a fixed number of queries."""
    now = now or timezone.now()
    end = engine.quarter_end(year.year, quarter)
    targets = list(
        Target.objects.filter(indicator__campaign__year=year, unit__active=True).select_related(
            "indicator"
        )
    )
    # Plain tuples rather than prefetch_related("milestones"): building ~4 model instances per
    # target was 40 % of a county quarter's compute time (bench/quarter_compute.py).
    milestones: dict[int, list[engine.Milestone]] = defaultdict(list)
    for target_id, due_date, fraction in Milestone.objects.filter(
        target__indicator__campaign__year=year, target__unit__active=True
    ).values_list("target_id", "due_date", "fraction"):
        milestones[target_id].append(engine.Milestone(due_date, fraction))
    by_unit: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        by_unit[target.unit_id].append(target)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=by_unit)}
    sources = latest_verified(year, quarter)
    completions = milestone_completions(year, quarter)
    late, missing, open_periods = timeliness_counts(year, quarter, list(units), now)
    decisions = decision_snapshot(year, quarter)
    adjustments = defaultdict(list)
    for item in decisions["adjustments"]:
        adjustments[item["unit_id"]].append(Decimal(item["points"]))
    flags = {(item["unit_id"], item["kind"]) for item in decisions["vetoes"]}

    inputs = QuarterInputs(
        units=[], quarter_end=end, sources=sources, open_periods=open_periods, **decisions
    )
    inputs.overdue_follow_ups = overdue_follow_up_counts(year, quarter)
    for unit_id, unit_targets in by_unit.items():
        unit = units[unit_id]
        indicators = []
        for target in unit_targets:
            indicator = target.indicator
            key = (unit_id, indicator.pk)
            inputs.targets[key] = target
            milestone = indicator.direction == indicator.Direction.MILESTONE
            source = sources.get(key)
            indicators.append(
                engine.IndicatorInput(
                    indicator_id=indicator.pk,
                    points=indicator.points,
                    method=indicator.method,
                    direction=indicator.direction,
                    annual_target=1 if milestone else target.annual_value,
                    milestones=milestones[target.pk],
                    actual=None if milestone or source is None else source.verified,
                    done_on=completions.get(key) if milestone else None,
                )
            )
        inputs.units.append(
            engine.UnitInput(
                unit_id=unit_id,
                group_id=unit.group_id,
                sort_order=unit.sort_order,
                indicators=indicators,
                late_ledgers=late[unit_id],
                missing_ledgers=missing[unit_id],
                adjustments=adjustments[unit_id],
                vetoed=(unit_id, Veto.Kind.VETO) in flags,
                no_excellence=(unit_id, Veto.Kind.NO_EXCELLENCE) in flags,
            )
        )
    return inputs
