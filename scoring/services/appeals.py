"""Appeals (申诉) during the window, and the office's decision on them."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import notify
from campaigns.figures import FigureError, parse_figure
from campaigns.models import LedgerEntry
from campaigns.services.ledger import save_entry

from ..errors import ScoringError
from ..models import Appeal, EvaluationVersion, QuarterlyEvaluation
from .evaluations import compute_quarter, require_office
from .uploads import evidence_refusals

APPEAL_EVIDENCE_BYTES = 10 * 1024 * 1024


def _figure(value, field_name: str, what: str):
    """A figure of the appeal, read by the one figure parser against the Appeal field."""
    try:
        return parse_figure(value, Appeal._meta.get_field(field_name))
    except FigureError as error:
        raise ScoringError(f"{what}：{error}。") from None


@transaction.atomic
def file_appeal(
    *,
    evaluation: QuarterlyEvaluation,
    indicator,
    user,
    claim: str,
    claimed_value=None,
    evidence=None,
    now=None,
) -> Appeal:
    """A unit head contests one indicator's figure of the current version, within the window."""
    now = now or timezone.now()
    evaluation = QuarterlyEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not (user.has_role(Role.UNIT_HEAD) and user.unit_id):
        raise ScoringError("只有单位负责人可以提出申诉。")
    if evaluation.status != QuarterlyEvaluation.Status.APPEAL:
        raise ScoringError("该季度考评不在申诉期内。")
    if now > evaluation.appeal_deadline:
        raise ScoringError(
            f"申诉期已于 {timezone.localtime(evaluation.appeal_deadline):%m月%d日 %H:%M} 结束。"
        )
    version = evaluation.current_version
    if not version.unit_scores.filter(
        unit_id=user.unit_id, indicator_scores__indicator=indicator
    ).exists():
        raise ScoringError("本单位在本季度考评中没有该指标，不能申诉。")
    if not claim.strip():
        raise ScoringError("请写明申诉理由。")
    if refusals := evidence_refusals(evidence, limit=APPEAL_EVIDENCE_BYTES):
        raise ScoringError(refusals)
    if version.appeals.filter(
        unit_id=user.unit_id, indicator=indicator, status=Appeal.Status.PENDING
    ).exists():  # the database refuses it too (appeal_one_pending_per_indicator)
        raise ScoringError("本单位已就该指标提出申诉，尚未处理，不能重复申诉。")
    appeal = Appeal(
        version=version,
        unit_id=user.unit_id,
        indicator=indicator,
        claim=claim.strip(),
        claimed_value=_figure(claimed_value, "claimed_value", "主张数值"),
        filed_by=user,
    )
    if evidence:
        appeal.evidence = evidence
    appeal.save()
    notify(
        recipients=User.objects.filter(is_active=True, groups__name=Role.OFFICE.group_name),
        kind="appeal",
        title=f"{appeal.unit.short_name}对「{appeal.indicator.name}」提出申诉",
        body=appeal.claim,
        url=reverse("appeal-list") + f"?evaluation={evaluation.pk}",
    )
    return appeal


def decision_summary(appeal: Appeal, version: EvaluationVersion | None) -> str:
    """What became of the appeal, as the unit's notice and the office's message say it."""
    what = f"{appeal.unit.short_name}关于「{appeal.indicator.name}」的申诉"
    outcome = f"已采纳，已重新计算为第{version.number}版" if version else "已驳回"
    return what + outcome


def _announce_decision(appeal: Appeal, version: EvaluationVersion | None) -> None:
    """Tell the unit's heads and whoever filed the appeal."""
    heads = User.objects.filter(
        is_active=True, unit_id=appeal.unit_id, groups__name=Role.UNIT_HEAD.group_name
    )
    notify(
        recipients=(heads | User.objects.filter(pk=appeal.filed_by_id, is_active=True)).distinct(),
        kind="appeal",
        title=f"您单位{decision_summary(appeal, version)}",
        body=f"处理意见：{appeal.decision}",
        url=reverse("unit-score", args=[appeal.version.evaluation_id, appeal.unit_id]),
    )


@transaction.atomic
def decide_appeal(
    *, appeal: Appeal, user, uphold: bool, decision: str, corrected_value=None, now=None
) -> EvaluationVersion | None:
    """Reject with a reason, or uphold: correct the verified figure and recompute a version.

    Upholding changes the entry behind the score (its history records who, when, why) and
    recomputes the quarter as a new version whose reason names the appeal. Either way the
    unit's heads and the appeal's author are notified, whoever decided and from where.
    """
    require_office(user)
    now = now or timezone.now()
    appeal = (
        Appeal.objects.select_for_update().select_related("version__evaluation").get(pk=appeal.pk)
    )
    if appeal.status != Appeal.Status.PENDING:
        raise ScoringError("该申诉已处理。")
    if not decision.strip():
        raise ScoringError("请写明处理意见。")
    evaluation = appeal.version.evaluation
    if evaluation.status == QuarterlyEvaluation.Status.PUBLISHED:
        raise ScoringError("考评已发布，不能再处理申诉。")
    appeal.decided_by, appeal.decided_at = user, now
    appeal.decision = decision.strip()
    if not uphold:
        appeal.status = Appeal.Status.REJECTED
        appeal.save()
        _announce_decision(appeal, None)
        return None
    if corrected_value in (None, ""):
        raise ScoringError("采纳申诉须填写更正后的数值。")
    corrected = _figure(corrected_value, "corrected_value", "更正后的数值")
    if corrected < 0:
        raise ScoringError("更正后的数值不能为负数。")
    item = appeal.version.unit_scores.get(unit=appeal.unit).indicator_scores.get(
        indicator=appeal.indicator
    )
    if item.entry_id is None:
        raise ScoringError("该指标本季度没有核实的实帐条目，请先由牵头部门核实后再重新计算。")
    entry = LedgerEntry.objects.select_for_update().get(pk=item.entry_id)
    entry.verified_value = corrected
    entry.review_comment = f"申诉采纳（{user.full_name}）：{decision.strip()}"
    save_entry(entry, user=user, reason=f"申诉更正：{decision.strip()}")
    appeal.status = Appeal.Status.UPHELD
    appeal.corrected_value = corrected
    appeal.save()
    version = compute_quarter(
        evaluation=evaluation,
        user=user,
        confirm_open_periods=True,
        now=now,
        reason=f"采纳{appeal.unit.short_name}关于「{appeal.indicator.name}」的申诉：{decision.strip()}",
    )
    _announce_decision(appeal, version)
    return version
