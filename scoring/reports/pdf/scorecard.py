"""A unit's quarterly scorecard: its indicator scores, trends per campaign, adjustments."""

from collections import defaultdict

from django.db.models import Max
from django.utils.safestring import mark_safe

from accounts.roles import Role
from campaigns.models import AssessmentYear, Indicator, LedgerEntry, Target, WeeklyLedger

from ...models import Adjustment, FileEntry, QuarterlyEvaluation, UnitScore, Veto
from ...selectors import evaluations_visible_to, scorecards_visible_to
from ..charts import sparkline_svg
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
SCORECARD_NOT_PUBLISHED = "该季度考评尚未发布，不能下载得分卡。"


def scorecard_allowed(user, params) -> str | None:
    unit_id = param_id(params, "unit_id")
    evaluation_id = param_id(params, "evaluation_id")
    if unit_id is None or evaluation_id is None:
        return MISSING_PARAMS
    evaluation = evaluations_visible_to(user).filter(pk=evaluation_id).first()
    # The scorecard is the unit score page on paper: the same selector decides.
    visible = evaluation is not None and (
        scorecards_visible_to(user)
        .filter(version_id=evaluation.current_version_id, unit_id=unit_id)
        .exists()
    )
    if visible:
        return None
    if (
        user.has_role(Role.LEADER)
        and QuarterlyEvaluation.objects.filter(pk=evaluation_id)
        .exclude(status=Status.PUBLISHED)
        .exists()
    ):
        return SCORECARD_NOT_PUBLISHED
    return "无权下载该单位的得分卡。"


def scorecard_cache_key(params) -> str:
    evaluation = QuarterlyEvaluation.objects.get(pk=param_id(params, "evaluation_id"))
    return f"v{evaluation.current_version_id}-u{param_id(params, 'unit_id')}"


def campaign_trends(unit_id: int, year: AssessmentYear, last_week: int) -> list[dict]:
    """Per campaign, the unit's weekly completion share up to `last_week` (two queries).

    A week's share is the mean, over the unit's higher-better indicators of the campaign with a
    positive annual target, of figure ÷ annual target (capped at 1.2); the figure is the
    verified one where the lead department has verified it, else what the unit reported.
    Lower-better and milestone indicators have no share of a target and stay out of the line.
    """
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(
            unit_id=unit_id,
            indicator__campaign__year=year,
            indicator__direction=Indicator.Direction.HIGHER_BETTER,
            annual_value__gt=0,
        ).select_related("indicator__campaign")
    }
    figures = (
        LedgerEntry.objects.filter(
            ledger__unit_id=unit_id,
            ledger__period__year=year,
            ledger__period__iso_week__lte=last_week,
            indicator_id__in=list(targets),
        )
        .exclude(ledger__status=WeeklyLedger.Status.DRAFT)
        .values_list("indicator_id", "ledger__period__iso_week", "value", "verified_value")
    )
    shares: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for indicator_id, week, value, verified in figures:
        figure = verified if verified is not None else value
        if figure is None:
            continue
        target = targets[indicator_id]
        share = min(float(figure) / float(target.annual_value), 1.2)
        shares[target.indicator.campaign_id][week].append(share)
    campaigns = {t.indicator.campaign_id: t.indicator.campaign for t in targets.values()}
    rows = []
    for campaign in sorted(campaigns.values(), key=lambda c: (c.sort_order, c.pk)):
        weekly = shares.get(campaign.pk, {})
        points = [
            (week, sum(weekly[week]) / len(weekly[week]) if weekly.get(week) else None)
            for week in range(1, last_week + 1)
        ]
        rows.append(
            {
                "campaign": campaign,
                "svg": mark_safe(
                    sparkline_svg(points, first_week=1, last_week=last_week, caption=campaign.name)
                ),
                "latest": next((v for _, v in reversed(points) if v is not None), None),
            }
        )
    return rows


def scorecard_context(evaluation: QuarterlyEvaluation, unit_id: int) -> dict:
    score = UnitScore.objects.select_related("unit", "group", "version").get(
        version_id=evaluation.current_version_id, unit_id=unit_id
    )
    items = list(
        score.indicator_scores.select_related("indicator", "indicator__campaign").order_by(
            "indicator__campaign__sort_order", "indicator__sort_order"
        )
    )
    last_week = (
        evaluation.year.periods.filter(quarter=evaluation.quarter).aggregate(w=Max("iso_week"))["w"]
        or 1
    )
    return {
        "evaluation": evaluation,
        "version": evaluation.current_version,
        "published": evaluation.status == Status.PUBLISHED,
        "score": score,
        "items": items,
        "trends": campaign_trends(unit_id, evaluation.year, last_week),
        # The adjustments and vetoes the version was computed with (frozen with it).
        "adjustments": Adjustment.objects.filter(
            unit_id=unit_id, pk__in=[item["id"] for item in score.version.adjustments]
        ),
        "vetoes": Veto.objects.filter(
            unit_id=unit_id, pk__in=[item["id"] for item in score.version.vetoes]
        ),
        "file_entries": FileEntry.objects.filter(
            unit_id=unit_id, year=evaluation.year, quarter=evaluation.quarter
        ).order_by("recorded_on", "id"),
        "title": f"{score.unit.name}{evaluation.title}“交帐亮相”得分卡",
    }


def render_unit_scorecard(params: dict, progress: Progress = None) -> Rendered:
    evaluation = QuarterlyEvaluation.objects.select_related("year", "current_version").get(
        pk=param_id(params, "evaluation_id")
    )
    context = scorecard_context(evaluation, param_id(params, "unit_id"))
    content = document("reports/unit_scorecard.html", context, progress)
    version = context["version"].number
    name = f"{context['score'].unit.name}{evaluation.title}得分卡（第{version}版）.pdf"
    return safe_filename(name), PDF, content


register(
    Export(
        identifier="unit_scorecard",
        label="单位得分卡（PDF）",
        render=render_unit_scorecard,
        allowed=scorecard_allowed,
        cache_key=scorecard_cache_key,
    )
)
