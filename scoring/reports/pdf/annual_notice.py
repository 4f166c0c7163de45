"""The annual 通报: the year's merit ranking per group, its excellent and poor units."""

from django.utils import timezone

from accounts.permissions import acts_as_office
from campaigns.models import AssessmentYear

from ...models import AnnualEvaluation, AnnualResult
from ..registry import Export, Rendered, register
from .rendering import (
    MISSING_PARAMS,
    PDF,
    Progress,
    by_group,
    chinese_date,
    document,
    numbered,
    param_id,
    safe_filename,
)

ANNUAL_NOT_PUBLISHED = "该年度实绩评定尚未发布，不能下载年度通报。"


def annual_allowed(user, params) -> str | None:
    year_id = param_id(params, "year_id")
    if year_id is None:
        return MISSING_PARAMS
    if not AssessmentYear.objects.filter(pk=year_id).exists():
        return "没有这个考核年度。"
    if acts_as_office(user):
        return None
    if not AnnualEvaluation.objects.filter(
        year_id=year_id, status=AnnualEvaluation.Status.PUBLISHED
    ).exists():
        return ANNUAL_NOT_PUBLISHED
    return None


def annual_cache_key(params) -> str:
    annual = AnnualEvaluation.objects.filter(year_id=param_id(params, "year_id")).first()
    if annual is None:
        return f"y{param_id(params, 'year_id')}-none"
    stamp = int(annual.computed_at.timestamp()) if annual.computed_at else 0
    return f"a{annual.pk}-{annual.status}-{stamp}"


def annual_notice_context(year_id: int) -> dict:
    year = AssessmentYear.objects.get(pk=year_id)
    annual = AnnualEvaluation.objects.filter(year=year).first()
    results = (
        list(
            AnnualResult.objects.filter(evaluation=annual)
            .select_related("unit", "group")
            .order_by("group__sort_order", "group_id", "position", "sort_order")
        )
        if annual
        else []
    )
    groups = by_group(results)
    published = annual is not None and annual.status == AnnualEvaluation.Status.PUBLISHED
    issued_on = timezone.localdate(annual.published_at) if published else timezone.localdate()
    excellent = [(g, [r for r in rows if r.grade == "excellent"]) for g, rows in groups]
    poor = [(g, [r for r in rows if r.grade == "poor"]) for g, rows in groups]
    return {
        "year": year,
        "annual": annual,
        "published": published,
        "title": f"关于{year.year}年度“交帐亮相”实绩评定结果的通报",
        "title_lines": (f"关于{year.year}年度“交帐亮相”", "实绩评定结果的通报"),
        "issued_on": chinese_date(issued_on),
        # Its own 文号 series, given at publication (a draft has none yet).
        "document_number": annual.document_number if published else "",
        "groups": groups,
        "unit_count": len(results),
        "excellent": [(g, rows) for g, rows in excellent if rows],
        "poor": [(g, rows) for g, rows in poor if rows],
        "numbered_groups": numbered(groups),
    }


def render_annual_notice(params: dict, progress: Progress = None) -> Rendered:
    context = annual_notice_context(param_id(params, "year_id"))
    content = document("reports/annual_notice.html", context, progress)
    draft = "" if context["published"] else "（未发布稿）"
    return safe_filename(f"{context['year'].year}年度实绩评定结果通报{draft}.pdf"), PDF, content


register(
    Export(
        identifier="annual_notice",
        label="年度实绩评定结果通报（PDF）",
        render=render_annual_notice,
        allowed=annual_allowed,
        cache_key=annual_cache_key,
    )
)
