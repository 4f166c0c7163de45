"""A unit's 绩误档案 for a year: its merit and fault entries and its published results."""

from django.db.models import Max

from accounts.models import Unit
from accounts.permissions import acts_as_office
from accounts.roles import Role
from campaigns.models import AssessmentYear

from ...models import AnnualEvaluation, AnnualResult, FileEntry, QuarterlyEvaluation, UnitScore
from ...selectors import file_entries_visible_to
from ..registry import Export, Rendered, register
from .rendering import (
    MISSING_PARAMS,
    PDF,
    Progress,
    document,
    param_id,
    safe_filename,
)

Status = QuarterlyEvaluation.Status


def file_allowed(user, params) -> str | None:
    unit_id, year_id = param_id(params, "unit_id"), param_id(params, "year_id")
    if unit_id is None or year_id is None:
        return MISSING_PARAMS
    if (
        not Unit.objects.filter(pk=unit_id).exists()
        or not AssessmentYear.objects.filter(pk=year_id).exists()
    ):
        return "没有这个单位或年度。"
    entries = file_entries_visible_to(user)
    if entries.filter(unit_id=unit_id).exists():
        return None
    # A file with no entry yet: the selector has nothing to answer with, so apply its rule
    # (the office and leaders every file, a unit its own) to the empty file directly.
    if not FileEntry.objects.filter(unit_id=unit_id).exists() and (
        acts_as_office(user)
        or user.has_role(Role.LEADER)
        or (
            user.unit_id == unit_id
            and (user.has_role(Role.UNIT_HEAD) or user.has_role(Role.REPORTER))
        )
    ):
        return None
    return "无权下载该单位的绩误档案。"


def file_cache_key(params) -> str:
    unit_id, year_id = param_id(params, "unit_id"), param_id(params, "year_id")
    # Any change to the file (an entry added, edited or removed) adds a history row; any new
    # publication changes the quarter results printed beside it.
    last_change = FileEntry.history.filter(unit_id=unit_id, year_id=year_id).aggregate(
        h=Max("history_id")
    )["h"]
    published = QuarterlyEvaluation.objects.filter(
        year_id=year_id, status=Status.PUBLISHED
    ).aggregate(v=Max("current_version_id"))
    annual = AnnualEvaluation.objects.filter(year_id=year_id).first()
    annual_key = (
        f"{annual.status}{int(annual.computed_at.timestamp()) if annual.computed_at else 0}"
        if annual
        else "none"
    )
    return f"y{year_id}-u{unit_id}-h{last_change or 0}-v{published['v'] or 0}-a{annual_key}"


def unit_file_context(unit_id: int, year_id: int) -> dict:
    unit = Unit.objects.select_related("group").get(pk=unit_id)
    year = AssessmentYear.objects.get(pk=year_id)
    entries = list(
        FileEntry.objects.filter(unit_id=unit_id, year_id=year_id)
        .select_related("person")
        .order_by("recorded_on", "id")
    )
    quarters = list(
        UnitScore.objects.filter(
            unit_id=unit_id,
            version__evaluation__year_id=year_id,
            version__evaluation__status=Status.PUBLISHED,
        )
        .filter(version_id__in=_current_versions())
        .select_related("version__evaluation")
        .order_by("version__evaluation__quarter")
    )
    annual = (
        AnnualResult.objects.filter(
            unit_id=unit_id,
            evaluation__year_id=year_id,
            evaluation__status=AnnualEvaluation.Status.PUBLISHED,
        )
        .select_related("evaluation")
        .first()
    )
    return {
        "unit": unit,
        "year": year,
        "entries": entries,
        "merits": sum(1 for e in entries if e.merit),
        "faults": sum(1 for e in entries if not e.merit),
        "counted_points": sum((e.points for e in entries if e.counts_for_year), 0),
        "quarters": quarters,
        "annual": annual,
        "title": f"{unit.name}{year.year}年度绩误档案",
    }


def _current_versions():
    """A quarter's result is its current version (older versions stay readable elsewhere)."""
    return QuarterlyEvaluation.objects.filter(current_version__isnull=False).values(
        "current_version_id"
    )


def render_unit_file(params: dict, progress: Progress = None) -> Rendered:
    context = unit_file_context(param_id(params, "unit_id"), param_id(params, "year_id"))
    content = document("reports/unit_file.html", context, progress)
    return safe_filename(f"{context['title']}.pdf"), PDF, content


register(
    Export(
        identifier="unit_file",
        label="单位绩误档案（PDF）",
        render=render_unit_file,
        allowed=file_allowed,
        cache_key=file_cache_key,
    )
)
