"""Adjustments (加减分) and vetoes (一票否决/否优): one office user enters, another approves."""

from django.db import transaction
from django.utils import timezone

from campaigns.figures import FigureError, parse_figure
from campaigns.quarters import quarter_name

from ..errors import ScoringError
from ..models import Adjustment, QuarterlyEvaluation, Veto
from .evaluations import require_office, rules_for
from .uploads import evidence_refusals


def _quarter_open(year, quarter) -> None:
    if quarter not in (1, 2, 3, 4):  # the database refuses it too (quarter_1_to_4)
        raise ScoringError("季度只能是 1–4。")
    published = QuarterlyEvaluation.objects.filter(
        year=year, quarter=quarter, status=QuarterlyEvaluation.Status.PUBLISHED
    ).exists()
    if published:
        raise ScoringError(
            f"{year.year}年{quarter_name(quarter)}考评已发布，不能再录入或审核加减分。"
        )


@transaction.atomic
def enter_adjustment(
    *, unit, year, quarter: int, kind: str, points, reason: str, user, evidence=None
) -> Adjustment:
    """Record a bonus (positive) or penalty (negative); it counts once another user approves."""
    require_office(user)
    _quarter_open(year, quarter)
    try:
        points = parse_figure(points, Adjustment._meta.get_field("points"))
    except FigureError as error:
        raise ScoringError(f"加减分分值：{error}。") from None
    if points is None:
        raise ScoringError("请填写加减分分值。")
    rules = rules_for(year)
    errors = []
    if points == 0:
        errors.append("加减分分值不能为 0。")
    if points > rules.bonus_cap:
        errors.append(f"单项加分 {points} 超过季度加分上限 {rules.bonus_cap} 分。")
    if -points > rules.penalty_cap:
        errors.append(f"单项减分 {-points} 超过季度减分上限 {rules.penalty_cap} 分。")
    if not reason.strip():
        errors.append("请填写加减分事由。")
    if kind not in Adjustment.Kind.values:
        errors.append("加减分类别无效。")
    errors += evidence_refusals(evidence, what="依据材料")
    if errors:
        raise ScoringError(errors)
    adjustment = Adjustment(
        unit=unit,
        year=year,
        quarter=quarter,
        kind=kind,
        points=points,
        reason=reason.strip(),
        entered_by=user,
    )
    if evidence:
        adjustment.evidence = evidence
    adjustment.full_clean()
    adjustment.save()
    return adjustment


def _approve(item, *, user, what: str):
    require_office(user)
    _quarter_open(item.year, item.quarter)
    if item.approved_by_id:
        raise ScoringError(f"该{what}已审核。")
    if item.entered_by_id == user.pk:
        raise ScoringError(f"{what}须由录入人以外的考核办人员审核。")
    item.approved_by, item.approved_at = user, timezone.now()
    item.save()
    return item


@transaction.atomic
def approve_adjustment(*, adjustment: Adjustment, user) -> Adjustment:
    adjustment = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    return _approve(adjustment, user=user, what="加减分")


@transaction.atomic
def enter_veto(*, unit, year, quarter: int, kind: str, reason: str, user, evidence=None) -> Veto:
    require_office(user)
    _quarter_open(year, quarter)
    if kind not in Veto.Kind.values:
        raise ScoringError("类别只能是一票否决或一票否优。")
    if not reason.strip():
        raise ScoringError("请填写事由。")
    if refusals := evidence_refusals(evidence, what="依据材料"):
        raise ScoringError(refusals)
    veto = Veto(
        unit=unit, year=year, quarter=quarter, kind=kind, reason=reason.strip(), entered_by=user
    )
    if evidence:
        veto.evidence = evidence
    veto.full_clean()
    veto.save()
    return veto


@transaction.atomic
def approve_veto(*, veto: Veto, user) -> Veto:
    veto = Veto.objects.select_for_update().get(pk=veto.pk)
    return _approve(veto, user=user, what="一票否决/否优")
