"""Read side of scoring: which evaluations, scores and file entries a user may see."""

from django.db.models import Q, QuerySet

from accounts.permissions import acts_as_office
from accounts.roles import Role

from .models import (
    AnnualEvaluation,
    AnnualResult,
    Appeal,
    FileEntry,
    QuarterlyEvaluation,
    UnitScore,
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
    """Scores of the current versions: all for the office; leaders and reviewers published;
    a unit its own (once computed) and its group's published ranking."""
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
        scope |= Q(unit_id=user.unit_id, version__evaluation__status__in=[
            Status.APPEAL, Status.REVIEWED, Status.PUBLISHED])  # fmt: skip
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
