"""The quarterly 通报: the published ranking per group, praised and lagging units, vetoes."""

from django.utils import timezone

from accounts.permissions import acts_as_office

from ...models import QuarterlyEvaluation, UnitScore, Veto
from ...selectors import evaluations_visible_to
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

Status = QuarterlyEvaluation.Status
NOT_PUBLISHED = "该季度考评尚未发布，不能下载通报。"


def _evaluation_for(user, params) -> tuple[QuarterlyEvaluation | None, str | None]:
    evaluation_id = param_id(params, "evaluation_id")
    if evaluation_id is None:
        return None, MISSING_PARAMS
    evaluation = evaluations_visible_to(user).filter(pk=evaluation_id).first()
    if evaluation is None:
        exists = QuarterlyEvaluation.objects.filter(pk=evaluation_id).exists()
        return None, NOT_PUBLISHED if exists else "没有这个季度考评。"
    if evaluation.current_version_id is None:
        return None, "该季度考评尚未计算，没有可下载的结果。"
    return evaluation, None


def notice_allowed(user, params) -> str | None:
    evaluation, reason = _evaluation_for(user, params)
    if reason:
        return reason
    if not acts_as_office(user) and evaluation.status != Status.PUBLISHED:
        return NOT_PUBLISHED
    return None


def notice_cache_key(params) -> str:
    evaluation = QuarterlyEvaluation.objects.get(pk=param_id(params, "evaluation_id"))
    key = f"v{evaluation.current_version_id}"
    # The office may print a draft before publication; it must not be served afterwards.
    return key if evaluation.status == Status.PUBLISHED else f"{key}-{evaluation.status}"


def _ranked_scores(version_id):
    return list(
        UnitScore.objects.filter(version_id=version_id)
        .select_related("unit", "group")
        .order_by("group__sort_order", "group_id", "position", "sort_order")
    )


def quarter_notice_context(evaluation: QuarterlyEvaluation) -> dict:
    version = evaluation.current_version
    scores = _ranked_scores(version.pk)
    groups = by_group(scores)
    # The vetoes the version was computed with (frozen with it), not today's rows.
    vetoes = list(
        Veto.objects.filter(pk__in=[item["id"] for item in version.vetoes]).select_related("unit")
    )
    published = evaluation.status == Status.PUBLISHED
    issued_on = timezone.localdate(evaluation.published_at) if published else timezone.localdate()
    praised = [(g, [s for s in rows if s.tier == UnitScore.Tier.ADVANCED]) for g, rows in groups]
    lagging = [(g, [s for s in rows if s.tier == UnitScore.Tier.LAGGING]) for g, rows in groups]
    return {
        "evaluation": evaluation,
        "version": version,
        "published": published,
        "title": f"关于{evaluation.year.year}年{evaluation.get_quarter_display()}"
        "“交帐亮相”考评结果的通报",
        # Official titles break in two balanced lines, at a meaningful place.
        "title_lines": (
            f"关于{evaluation.year.year}年{evaluation.get_quarter_display()}“交帐亮相”",
            "考评结果的通报",
        ),
        "issued_on": chinese_date(issued_on),
        "groups": groups,
        "unit_count": sum(1 for s in scores if s.total is not None),
        "praised": [(g, rows) for g, rows in praised if rows],
        "praised_count": sum(len(rows) for _, rows in praised),
        "lagging": [(g, rows) for g, rows in lagging if rows],
        "lagging_count": sum(len(rows) for _, rows in lagging),
        "vetoes": [v for v in vetoes if v.kind == Veto.Kind.VETO],
        "no_excellence": [v for v in vetoes if v.kind == Veto.Kind.NO_EXCELLENCE],
        "numbered_groups": numbered(groups),
    }


def render_quarter_notice(params: dict, progress: Progress = None) -> Rendered:
    evaluation = QuarterlyEvaluation.objects.select_related("year", "current_version").get(
        pk=param_id(params, "evaluation_id")
    )
    context = quarter_notice_context(evaluation)
    content = document("reports/quarter_notice.html", context, progress)
    draft = "" if context["published"] else "（未发布稿）"
    name = f"{evaluation.title}交帐亮相考评结果通报（第{context['version'].number}版）{draft}.pdf"
    return safe_filename(name), PDF, content


register(
    Export(
        identifier="quarter_notice",
        label="季度考评结果通报（PDF）",
        render=render_quarter_notice,
        allowed=notice_allowed,
        cache_key=notice_cache_key,
    )
)
