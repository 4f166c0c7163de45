"""The year's cycle (DESIGN §4.12): compute, review, publish the annual evaluation; hand entries
of the merit-and-fault file (绩误档案).

What goes into a unit's year, and why:
- Quarter totals come from the current version of each *published* quarter only: a quarter
  still in its appeal window may change, and the annual result must be explainable from what
  units have already seen. So the year is computed only once every quarter is published or
  recorded by the office as not evaluated (SkippedQuarter, with its reason). A unit absent
  from a published quarter (or not scored in it) has None there, and rule 12 rescales the
  remaining weights.
- File points: only entries with counts_for_year (the office's hand entries; the model refuses
  the flag on every other source, since quarterly adjustments and timeliness are already inside
  the quarter totals).
- Vetoes: any approved 一票否决 (or 一票否优) of the year, whether or not its quarter has been
  published yet — an event the office approved is a fact of the year.
- Group: a unit's current ranking group (a unit moved mid-year is ranked where it now sits).

A computation replaces the results while the evaluation is not published; publication freezes
them, like a quarter's. Loading is a fixed number of queries whatever the number of units.
"""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit, User
from accounts.roles import Role
from accounts.services import notify
from campaigns.figures import FigureError, parse_figure
from campaigns.models import AssessmentYear, Period
from campaigns.quarters import quarter_name

from .. import engine
from ..errors import ScoringError
from ..models import (
    AnnualEvaluation,
    AnnualResult,
    FileEntry,
    QuarterlyEvaluation,
    UnitScore,
    Veto,
)
from .evaluations import require_office, rules_for, unsettled_quarters
from .uploads import evidence_refusals

Status = AnnualEvaluation.Status
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def open_year(*, year: AssessmentYear) -> AnnualEvaluation:
    annual, _ = AnnualEvaluation.objects.get_or_create(year=year)
    return annual


def annual_inputs(year: AssessmentYear) -> list[engine.AnnualUnitInput]:
    """Every unit's year as the engine takes it, in six queries."""
    published = dict(
        QuarterlyEvaluation.objects.filter(
            year=year, status=QuarterlyEvaluation.Status.PUBLISHED, current_version__isnull=False
        ).values_list("current_version_id", "quarter")
    )
    totals: dict[int, list] = defaultdict(lambda: [None, None, None, None])
    for unit_id, version_id, total in UnitScore.objects.filter(
        version_id__in=list(published)
    ).values_list("unit_id", "version_id", "total"):
        totals[unit_id][published[version_id] - 1] = total
    file_points: dict[int, list[Decimal]] = defaultdict(list)
    for unit_id, points in FileEntry.objects.filter(year=year, counts_for_year=True).values_list(
        "unit_id", "points"
    ):
        file_points[unit_id].append(points)
    flags = set(
        Veto.objects.filter(year=year, approved_by__isnull=False).values_list("unit_id", "kind")
    )
    units = Unit.objects.filter(Q(active=True) | Q(pk__in=list(totals))).values_list(
        "pk", "group_id", "sort_order"
    )
    return [
        engine.AnnualUnitInput(
            unit_id=unit_id,
            group_id=group_id,
            sort_order=sort_order,
            quarter_totals=tuple(totals[unit_id]) if unit_id in totals else (None,) * 4,
            file_points=tuple(file_points.get(unit_id, ())),
            vetoed=(unit_id, Veto.Kind.VETO) in flags,
            no_excellence=(unit_id, Veto.Kind.NO_EXCELLENCE) in flags,
        )
        for unit_id, group_id, sort_order in units
    ]


@transaction.atomic
def compute_year(*, year: AssessmentYear, user, now: datetime | None = None) -> AnnualEvaluation:
    """Score the year from its published quarters and file, replacing earlier results."""
    require_office(user)
    now = now or timezone.now()
    open_year(year=year)
    annual = AnnualEvaluation.objects.select_for_update().get(year=year)
    if annual.status == Status.PUBLISHED:
        raise ScoringError("年度实绩评定已发布，结果已冻结，不能重新计算。")
    unsettled = unsettled_quarters(year, (1, 2, 3, 4))
    if unsettled:
        names = "、".join(quarter_name(q) for q in unsettled)
        raise ScoringError(
            f"{names}考评尚未发布，也未登记为不考评，不能进行年度实绩评定。"
            "请先发布各季度考评，或由考核办登记不考评的季度及原因。"
        )
    inputs = annual_inputs(year)
    by_unit = {unit.unit_id: unit for unit in inputs}
    result = engine.evaluate_year(inputs, rules=rules_for(year).as_engine_rules())
    AnnualResult.objects.filter(evaluation=annual).delete()
    rows = []
    for r in result.units:
        q1, q2, q3, q4 = by_unit[r.unit_id].quarter_totals
        rows.append(
            AnnualResult(
                evaluation=annual,
                unit_id=r.unit_id,
                group_id=r.group_id,
                sort_order=r.sort_order,
                q1=q1,
                q2=q2,
                q3=q3,
                q4=q4,
                file_points=sum(by_unit[r.unit_id].file_points, Decimal(0)),
                score=r.score,
                vetoed=r.vetoed,
                no_excellence=r.no_excellence,
                group_size=r.group_size,
                rank=r.rank,
                position=r.position,
                grade=r.grade.value if r.grade else "",
            )
        )
    AnnualResult.objects.bulk_create(rows, batch_size=2000)
    annual.status = Status.COMPUTED
    annual.computed_at, annual.computed_by = now, user
    annual.reviewed_by = None
    annual.save()
    return annual


@transaction.atomic
def review_year(*, year: AssessmentYear, user) -> AnnualEvaluation:
    """The office confirms the computed result; it may still be recomputed before publication."""
    require_office(user)
    annual = AnnualEvaluation.objects.select_for_update().filter(year=year).first()
    if annual is None or annual.status != Status.COMPUTED:
        shown = annual.get_status_display() if annual else Status.DRAFT.label
        raise ScoringError(f"只有已计算的年度评定可以审定（当前：{shown}）。")
    annual.status = Status.REVIEWED
    annual.reviewed_by = user
    annual.save()
    return annual


@transaction.atomic
def publish_year(
    *, year: AssessmentYear, user, now: datetime | None = None, document_number: str = ""
) -> AnnualEvaluation:
    """Freeze the reviewed result and tell the units and leaders.

    The annual 通报 has its own 文号 series: the number typed, else settings'
    ANNUAL_NOTICE_NUMBER for the year (one annual 通报 a year)."""
    require_office(user)
    now = now or timezone.now()
    # The row lock makes a second, concurrent publish wait here and then see PUBLISHED.
    annual = (
        AnnualEvaluation.objects.select_for_update(of=("self",))
        .select_related("year")
        .filter(year=year)
        .first()
    )
    if annual is not None and annual.status == Status.PUBLISHED:
        raise ScoringError("年度实绩评定已经发布，不能重复发布。")
    if annual is None or annual.status != Status.REVIEWED:
        raise ScoringError("年度实绩评定须先计算并审定才能发布。")
    annual.status = Status.PUBLISHED
    annual.published_by, annual.published_at = user, now
    annual.document_number = document_number.strip() or settings.ANNUAL_NOTICE_NUMBER.format(
        year=year.year
    )
    annual.save()
    people = User.objects.filter(is_active=True).filter(
        unit__in=annual.results.values("unit_id")
    ) | User.objects.filter(is_active=True, groups__name=Role.LEADER.group_name)
    notify(
        recipients=people.distinct(),
        kind="published",
        title=f"{year.year}年度实绩评定结果已发布",
        body="请登录查看本组年度得分、排名和等次。",
        url=reverse("annual-evaluation", args=[year.pk]),
    )
    return annual


def _quarter_of(year: AssessmentYear, day: date) -> int | None:
    """The quarter of the period containing `day` (ISO weeks, DESIGN §3), None outside."""
    return (
        Period.objects.filter(year=year, starts_on__lte=day, ends_on__gte=day)
        .values_list("quarter", flat=True)
        .first()
    )


@transaction.atomic
def add_file_entry(
    *,
    unit: Unit,
    year: AssessmentYear,
    user,
    merit: bool,
    kind: str,
    description: str,
    points=0,
    counts_for_year: bool = False,
    recorded_on: date,
    person=None,
    evidence=None,
) -> FileEntry:
    """The office writes a merit or fault into a unit's (or one of its people's) file.

    Points carry the entry's sign (a merit adds, a fault subtracts) and change the annual
    score only with counts_for_year; once the year is published nothing more can count.
    """
    require_office(user)
    errors = []
    kind, description = (kind or "").strip(), (description or "").strip()
    if not kind:
        errors.append("请填写类别。")
    if not description:
        errors.append("请填写事项说明。")
    try:
        points = parse_figure(points, FileEntry._meta.get_field("points")) or Decimal(0)
    except FigureError as error:
        errors.append(f"分值：{error}。")
        points = Decimal(0)
    if merit and points < 0:
        errors.append("“绩”的分值不能为负数。")
    if not merit and points > 0:
        errors.append("“误”的分值不能为正数（扣分请填负数）。")
    if person is not None and person.unit_id != unit.pk:
        errors.append("所选人员不属于该单位。")
    if recorded_on is None:
        errors.append("请填写日期。")
    quarter = None
    if recorded_on is not None:
        quarter = _quarter_of(year, recorded_on)
        if quarter is None:
            errors.append(f"日期 {recorded_on:%Y-%m-%d} 不在 {year.year} 考核年度内。")
    if (
        counts_for_year
        and AnnualEvaluation.objects.filter(year=year, status=Status.PUBLISHED).exists()
    ):
        errors.append("年度实绩评定已发布，新录入的事项不能再计入年度得分。")
    errors += evidence_refusals(evidence, what="依据材料", limit=MAX_EVIDENCE_BYTES)
    if errors:
        raise ScoringError(errors)
    entry = FileEntry(
        unit=unit,
        person=person,
        year=year,
        quarter=quarter,
        recorded_on=recorded_on,
        merit=merit,
        kind=kind[:30],
        source=FileEntry.Source.OFFICE,
        description=description[:300],
        points=points,
        counts_for_year=counts_for_year,
        entered_by=user,
    )
    if evidence is not None:
        entry.evidence = evidence
    try:
        entry.full_clean()
    except ValidationError as error:
        raise ScoringError(error.messages) from error
    entry.save()
    return entry
