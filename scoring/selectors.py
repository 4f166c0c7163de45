"""Read side of scoring: which evaluations, scores and file entries a user may see."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Least

from accounts.permissions import acts_as_office
from accounts.roles import Role
from campaigns.models import AssessmentYear
from campaigns.selectors import years_visible_to

from .display import rounded
from .models import (
    Adjustment,
    AnnualEvaluation,
    AnnualResult,
    Appeal,
    EvaluationVersion,
    FileEntry,
    IndicatorScore,
    QuarterlyEvaluation,
    ReportJob,
    ScoringRules,
    UnitScore,
    Veto,
)

Status = QuarterlyEvaluation.Status
AnnualStatus = AnnualEvaluation.Status


_office = acts_as_office


def _unit_person(user) -> bool:
    return bool(user.unit_id) and (user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD))


def evaluations_visible_to(user) -> QuerySet[QuarterlyEvaluation]:
    """The office sees every evaluation; everyone else published ones, and units also their
    quarter once computed (to check their own figures during the appeal window)."""
    evaluations = QuarterlyEvaluation.objects.select_related("year", "current_version")
    if not user.is_authenticated or not user.is_active:
        return evaluations.none()
    if _office(user):
        return evaluations
    scope = Q(status=Status.PUBLISHED)
    if user.unit_id and (user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD)):
        scope |= Q(status__in=[Status.APPEAL, Status.REVIEWED])
    return evaluations.filter(scope)


def unit_scores_visible_to(user) -> QuerySet[UnitScore]:
    """Unit scores of every version, by who may read them: all for the office; leaders and
    reviewers published quarters; a unit its own (once computed) and its group's published
    ranking. Not limited to current versions: callers pick the version (the current one for
    the pages and exports, two of them for the office's version diff)."""
    scores = UnitScore.objects.select_related("unit", "group", "version__evaluation__year")
    if not user.is_authenticated or not user.is_active:
        return scores.none()
    if _office(user):
        return scores
    published = Q(version__evaluation__status=Status.PUBLISHED)
    scope = Q(pk__in=[])
    if user.has_role(Role.LEADER) or user.has_role(Role.REVIEWER):
        scope |= published
    if user.unit_id and (user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD)):
        scope |= Q(
            unit_id=user.unit_id,
            version__evaluation__status__in=[Status.APPEAL, Status.REVIEWED, Status.PUBLISHED],
        )
        scope |= published & Q(group_id=user.unit.group_id)
    return scores.filter(scope)


def scorecards_visible_to(user) -> QuerySet[UnitScore]:
    """Whose indicator-level score page a user may open: a unit's people only their own (the
    group's published ranking shows them the others' totals, not their figures)."""
    scores = unit_scores_visible_to(user)
    if _office(user) or user.has_role(Role.LEADER) or user.has_role(Role.REVIEWER):
        return scores
    return scores.filter(unit_id=user.unit_id)


def file_entries_visible_to(user) -> QuerySet[FileEntry]:
    """The office and leaders see every file; a unit head its own unit's."""
    entries = FileEntry.objects.select_related("unit", "year", "person")
    if not user.is_authenticated or not user.is_active:
        return entries.none()
    if _office(user) or user.has_role(Role.LEADER):
        return entries
    if user.unit_id and (user.has_role(Role.UNIT_HEAD) or user.has_role(Role.REPORTER)):
        return entries.filter(unit_id=user.unit_id)
    return entries.none()


def annual_evaluations_visible_to(user) -> QuerySet[AnnualEvaluation]:
    """The office: every one; a unit's people: computed onwards; everyone else: published."""
    evaluations = AnnualEvaluation.objects.select_related("year")
    if not user.is_authenticated or not user.is_active:
        return evaluations.none()
    if _office(user):
        return evaluations
    scope = Q(status=AnnualStatus.PUBLISHED)
    if _unit_person(user):
        scope |= Q(status__in=[AnnualStatus.COMPUTED, AnnualStatus.REVIEWED])
    return evaluations.filter(scope)


def annual_results_visible_to(user) -> QuerySet[AnnualResult]:
    results = AnnualResult.objects.select_related("unit", "group", "evaluation")
    if not user.is_authenticated or not user.is_active:
        return results.none()
    if _office(user):
        return results
    published = Q(evaluation__status=AnnualStatus.PUBLISHED)
    scope = Q(pk__in=[])
    if user.has_role(Role.LEADER) or user.has_role(Role.REVIEWER):
        scope |= published
    if _unit_person(user):
        scope |= Q(unit_id=user.unit_id) & ~Q(evaluation__status=AnnualStatus.DRAFT)
        scope |= published & Q(group_id=user.unit.group_id)
    return results.filter(scope)


def appeals_visible_to(user) -> QuerySet[Appeal]:
    """The office sees every appeal; a unit's people their own unit's."""
    appeals = Appeal.objects.select_related(
        "unit", "indicator", "version__evaluation__year", "filed_by", "decided_by"
    )
    if not user.is_authenticated or not user.is_active:
        return appeals.none()
    if _office(user):
        return appeals
    if user.unit_id and (user.has_role(Role.UNIT_HEAD) or user.has_role(Role.REPORTER)):
        return appeals.filter(unit_id=user.unit_id)
    return appeals.none()


def versions_visible_to(user) -> QuerySet[EvaluationVersion]:
    """Every computed version for the office; others those of the quarters they may see."""
    versions = EvaluationVersion.objects.select_related("computed_by")
    if not user.is_authenticated or not user.is_active:
        return versions.none()
    if _office(user):
        return versions
    return versions.filter(evaluation__in=evaluations_visible_to(user).values("pk"))


def scorecard_items(score: UnitScore) -> QuerySet[IndicatorScore]:
    """The indicator lines of a score the caller already holds (from a scoped selector), in
    the order of the task list."""
    return score.indicator_scores.select_related(
        "indicator", "indicator__campaign", "entry__ledger__period"
    ).order_by("indicator__campaign__sort_order", "indicator__sort_order")


def adjustments_visible_to(user) -> QuerySet[Adjustment]:
    """Adjustments (加减分) with their approval state: the office's records."""
    adjustments = Adjustment.objects.select_related("unit", "entered_by", "approved_by")
    return adjustments if _office(user) else adjustments.none()


def vetoes_visible_to(user) -> QuerySet[Veto]:
    """Vetoes (一票否决) with their approval state: the office's records."""
    vetoes = Veto.objects.select_related("unit", "entered_by", "approved_by")
    return vetoes if _office(user) else vetoes.none()


def scoring_rules_for(year: AssessmentYear) -> ScoringRules:
    """The year's stored rules, or (unsaved) the design's defaults when none are stored yet."""
    return ScoringRules.objects.filter(year=year).first() or ScoringRules(year=year)


# --- the results pages (leaders, units) ------------------------------------------------------

COMPUTED = (Status.APPEAL, Status.REVIEWED, Status.PUBLISHED)


def results_visible_to(user) -> QuerySet[QuarterlyEvaluation]:
    """Quarters on the results pages: published ones for everyone; the office also the
    computed, not yet published."""
    evaluations = evaluations_visible_to(user).filter(current_version__isnull=False)
    if _office(user):
        return evaluations.filter(status__in=COMPUTED)
    return evaluations.filter(status=Status.PUBLISHED)


def results_rows(user) -> list[tuple[QuarterlyEvaluation, UnitScore | None]]:
    """The results list: each visible quarter (newest first, with its unit and tier counts for
    county-wide readers) beside the user's own unit's score in it."""
    evaluations = results_visible_to(user).order_by("-year__year", "-quarter")
    if user.sees_whole_county:
        scores = "current_version__unit_scores"
        evaluations = evaluations.annotate(
            units=Count(scores),
            advanced=Count(scores, filter=Q(**{f"{scores}__tier": "advanced"})),
            lagging=Count(scores, filter=Q(**{f"{scores}__tier": "lagging"})),
        )
    evaluations = list(evaluations)
    own = {}
    if user.unit_id:
        own = {
            score.version_id: score
            for score in unit_scores_visible_to(user).filter(
                unit_id=user.unit_id, version__in=[e.current_version_id for e in evaluations]
            )
        }
    return [(evaluation, own.get(evaluation.current_version_id)) for evaluation in evaluations]


def result_scores(user, evaluation: QuarterlyEvaluation) -> QuerySet[UnitScore]:
    """The scores a results page shows: county-wide readers every group; unit people (without
    a county-wide role) only their own group. (In the appeal window units read their score
    pages instead.)"""
    scores = unit_scores_visible_to(user).filter(version=evaluation.current_version_id)
    if user.sees_whole_county:
        return scores
    return scores.filter(group_id=user.unit.group_id) if user.unit_id else scores.none()


def campaign_progress(scores: QuerySet[UnitScore]) -> list[dict]:
    """Average rate per campaign over the scored indicators of the given unit scores (capped at
    100 % per item, so one unit's 300 % does not hide others' shortfall), and the share of items
    on schedule — one aggregate query."""
    rows = (
        IndicatorScore.objects.filter(unit_score__in=scores.values("pk"), rate__isnull=False)
        .values("indicator__campaign__name", "indicator__campaign__sort_order")
        .annotate(
            average=Avg(Least("rate", Value(Decimal(1)))),
            items=Count("pk"),
            on_track=Count("pk", filter=Q(rate__gte=1)),
        )
        .order_by("indicator__campaign__sort_order", "indicator__campaign__name")
    )
    progress = []
    for row in rows:
        # Percentages to 1 place, rounded once by scoring/display.py: the numbers for the bars,
        # the same figures as text for their labels.
        average = rounded(row["average"] * 100, 1)
        on_track = rounded(Decimal(100 * row["on_track"]) / row["items"], 1)
        progress.append(
            {
                "name": row["indicator__campaign__name"],
                "average": float(average),
                "on_track": float(on_track),
                "average_label": f"{average:f}",
                "on_track_label": f"{on_track:f}",
                "items": row["items"],
            }
        )
    return progress


# --- the office's version comparison ---------------------------------------------------------

INDICATOR_FIGURES = ("target_to_date", "actual", "rate", "score")


@dataclass
class UnitDiff:
    unit: object
    group: object
    a: UnitScore | None
    b: UnitScore | None
    indicators: list = field(default_factory=list)  # (indicator, item in a, item in b)

    @property
    def changed(self) -> bool:
        if self.a is None or self.b is None:
            return True
        fields = ("total", "rank", "tier", "base", "timeliness", "bonus", "penalty")
        return bool(self.indicators) or any(
            getattr(self.a, f) != getattr(self.b, f) for f in fields
        )

    @property
    def total_change(self):
        if self.a is None or self.b is None or None in (self.a.total, self.b.total):
            return None
        return self.b.total - self.a.total


@dataclass
class VersionDiff:
    """Version a against version b of a quarter, unit by unit in ranking order."""

    a: EvaluationVersion
    b: EvaluationVersion
    between: QuerySet[EvaluationVersion]  # the versions after the lower up to the higher
    units: list[UnitDiff]

    @property
    def changed_count(self) -> int:
        return sum(d.changed for d in self.units)


def compare_versions(user, evaluation: QuarterlyEvaluation, a: int, b: int) -> VersionDiff | None:
    """Per unit total, rank and tier, and the indicator figures that changed between versions
    numbered a and b of the quarter; None when either does not exist."""
    versions = versions_visible_to(user).filter(evaluation=evaluation)
    chosen = {v.number: v for v in versions.filter(number__in=[a, b])}
    if a not in chosen or b not in chosen:
        return None
    low, high = sorted((a, b))
    scores = unit_scores_visible_to(user).filter(version__in=[chosen[a], chosen[b]])
    diffs: dict[int, UnitDiff] = {}
    for score in scores.order_by("group__sort_order", "group_id", "position", "sort_order"):
        diff = diffs.setdefault(score.unit_id, UnitDiff(score.unit, score.group, None, None))
        if score.version_id == chosen[a].pk:
            diff.a = score
        if score.version_id == chosen[b].pk:
            diff.b = score
    items = (
        IndicatorScore.objects.filter(unit_score__in=scores)
        .select_related("indicator", "unit_score")
        .order_by("indicator__campaign__sort_order", "indicator__sort_order")
    )
    paired: dict[tuple[int, int], list] = {}
    for item in items:
        pair = paired.setdefault((item.unit_score.unit_id, item.indicator_id), [None, None])
        pair[0 if item.unit_score.version_id == chosen[a].pk else 1] = item
    for (unit_id, _), (old, new) in paired.items():
        if (
            old is None
            or new is None
            or any(getattr(old, f) != getattr(new, f) for f in INDICATOR_FIGURES)
        ):
            indicator = (old or new).indicator
            diffs[unit_id].indicators.append((indicator, old, new))
    between = versions.filter(number__gt=low, number__lte=high).order_by("number")
    return VersionDiff(chosen[a], chosen[b], between, list(diffs.values()))


# --- appeals ---------------------------------------------------------------------------------


def appeal_rows(user, *, evaluation_id=None, limit=200) -> list[tuple[Appeal, IndicatorScore]]:
    """The office's appeal list: pending first, then newest; each appeal beside the figure it
    contests as its version scored it (None if gone) — two queries for the page."""
    appeals = appeals_visible_to(user)
    if evaluation_id is not None:
        appeals = appeals.filter(version__evaluation_id=evaluation_id)
    appeals = list(
        appeals.annotate(
            pending_first=Case(
                When(status=Appeal.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("pending_first", "-filed_at")[:limit]
    )
    wanted = Q(pk__in=[])
    for appeal in appeals:
        wanted |= Q(
            unit_score__version_id=appeal.version_id,
            unit_score__unit_id=appeal.unit_id,
            indicator_id=appeal.indicator_id,
        )
    figures = {
        (i.unit_score.version_id, i.unit_score.unit_id, i.indicator_id): i
        for i in IndicatorScore.objects.filter(wanted).select_related("unit_score")
    }
    return [
        (appeal, figures.get((appeal.version_id, appeal.unit_id, appeal.indicator_id)))
        for appeal in appeals
    ]


# --- the year's page and the merit-and-fault file ----------------------------------------------


def annual_year_visible_to(
    user, year_id: int
) -> tuple[AssessmentYear, AnnualEvaluation | None] | None:
    """The year of the annual page and its evaluation, None when the user may not open it: the
    office opens any year (to compute it before anything exists), others a year whose annual
    evaluation they may see."""
    if _office(user):
        year = years_visible_to(user).filter(pk=year_id).first()
        if year is None:
            return None
        return year, annual_evaluations_visible_to(user).filter(year=year).first()
    annual = annual_evaluations_visible_to(user).filter(year_id=year_id).first()
    return None if annual is None else (annual.year, annual)


def published_quarters(user, year: AssessmentYear) -> set[int]:
    """The quarters of the year whose results are published."""
    return set(
        evaluations_visible_to(user)
        .filter(year=year, status=Status.PUBLISHED)
        .values_list("quarter", flat=True)
    )


def file_summary(entries: QuerySet[FileEntry]) -> dict:
    """Merits, faults and the points that count for the year, over the given entries."""
    return entries.order_by().aggregate(
        merits=Count("pk", filter=Q(merit=True)),
        faults=Count("pk", filter=Q(merit=False)),
        year_points=Sum("points", filter=Q(counts_for_year=True), default=Decimal(0)),
    )


def scorecard_unit_ids(user, evaluation: QuarterlyEvaluation) -> set[int]:
    """The units of the evaluation's current version whose score page the user may open, in
    one query (the results page links those units' names, and no others)."""
    return set(
        scorecards_visible_to(user)
        .filter(version_id=evaluation.current_version_id)
        .values_list("unit_id", flat=True)
    )


def finished_report(identifier: str, cache_key: str) -> ReportJob | None:
    """The newest finished report job whose stored file is this document (same export, same
    cache key: the same bytes whoever asked), or None. The caller has checked the export's
    `allowed` for the user; the file is served under the export's rules, not the job's."""
    jobs = ReportJob.objects.filter(
        identifier=identifier, cache_key=cache_key, status=ReportJob.Status.DONE
    ).exclude(file="")
    for job in jobs.order_by("-finished_at", "-id")[:3]:
        if job.file.storage.exists(job.file.name):
            return job
    return None


def group_sizes(version_id) -> dict[int, int]:
    """How many units each group has in a version, counted over all its scores — not only
    the rows a user may read (a unit sees its own row and still reads "共 18 个单位")."""
    rows = UnitScore.objects.filter(version_id=version_id).values("group_id")
    return {row["group_id"]: row["n"] for row in rows.annotate(n=Count("id"))}


def annual_group_sizes(annual) -> dict[int, int]:
    """How many units each group has in a year's results (all of them, as group_sizes)."""
    rows = AnnualResult.objects.filter(evaluation=annual).values("group_id")
    return {row["group_id"]: row["n"] for row in rows.annotate(n=Count("id"))}


def scored_groups(scores: QuerySet[UnitScore]) -> list:
    """The ranking groups the given scores fall in, in the groups' order: a results page's
    group picker (a city's ranking is shown one group at a time)."""
    from accounts.models import RankingGroup

    groups = RankingGroup.objects.filter(pk__in=scores.values("group_id"))
    return list(groups.order_by("sort_order", "pk"))


def results_summary(scores: QuerySet[UnitScore]) -> dict:
    """The results page's four figures over every score given, in one aggregate query."""
    return scores.aggregate(
        units=Count("pk"),
        advanced=Count("pk", filter=Q(tier="advanced")),
        lagging=Count("pk", filter=Q(tier="lagging")),
        vetoed=Count("pk", filter=Q(vetoed=True)),
    )
