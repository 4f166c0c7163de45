"""The quarter's cycle: compute (a new frozen version each time), review, publish.

Publication is the one irreversible step: it locks the evaluation row, checks its state and
writes the merit-and-fault file in the same transaction, so two office users pressing
"publish" at once produce exactly one publication.
"""

from dataclasses import fields, replace
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.permissions import acts_as_office
from accounts.roles import Role
from accounts.services import notify
from campaigns.models import AssessmentYear
from campaigns.quarters import quarter_name
from campaigns.workdays import add_working_days

from .. import engine
from ..display import file_kind
from ..errors import NeedsConfirmation, ScoringError
from ..models import (
    EvaluationVersion,
    FileEntry,
    IndicatorScore,
    QuarterlyEvaluation,
    ScoringRules,
    SkippedQuarter,
    UnitScore,
    Veto,
)
from .follow_up_drafts import draft_after_publication
from .loading import decision_snapshot, load_quarter, timeliness_weeks

Status = QuarterlyEvaluation.Status

FILE_SOURCES = {
    "tier": FileEntry.Source.EVALUATION,
    "late_ledger": FileEntry.Source.LATE_LEDGER,
    "missing_ledger": FileEntry.Source.MISSING_LEDGER,
    "overdue_followup": FileEntry.Source.FOLLOW_UP,
    "veto": FileEntry.Source.VETO,
    "adjustment": FileEntry.Source.ADJUSTMENT,
}


def rules_for(year: AssessmentYear) -> ScoringRules:
    rules, _ = ScoringRules.objects.get_or_create(year=year)
    return rules


def require_office(user) -> None:
    if not acts_as_office(user):
        raise ScoringError("只有考核办可以进行此操作。")


def open_evaluation(*, year: AssessmentYear, quarter: int) -> QuarterlyEvaluation:
    if quarter not in (1, 2, 3, 4):
        raise ScoringError("季度只能是 1–4。")
    evaluation, _ = QuarterlyEvaluation.objects.get_or_create(year=year, quarter=quarter)
    return evaluation


def unsettled_quarters(year: AssessmentYear, quarters) -> list[int]:
    """Of `quarters`, those neither published nor recorded as not evaluated (in order)."""
    settled = set(
        QuarterlyEvaluation.objects.filter(
            year=year, quarter__in=quarters, status=Status.PUBLISHED
        ).values_list("quarter", flat=True)
    ) | set(
        SkippedQuarter.objects.filter(year=year, quarter__in=quarters).values_list(
            "quarter", flat=True
        )
    )
    return [q for q in sorted(quarters) if q not in settled]


def _require_earlier_quarters(evaluation: QuarterlyEvaluation) -> None:
    """Quarters are published in order, so 较上季度 always has the previous quarter to read."""
    missing = unsettled_quarters(evaluation.year, range(1, evaluation.quarter))
    if missing:
        names = "、".join(quarter_name(q) for q in missing)
        raise ScoringError(
            f"季度考评须按顺序发布：{names}考评尚未发布（也未登记为不考评），"
            f"请先发布后再发布{quarter_name(evaluation.quarter)}。"
        )


def _refuse_skipped(evaluation: QuarterlyEvaluation, action: str) -> None:
    if SkippedQuarter.objects.filter(year=evaluation.year, quarter=evaluation.quarter).exists():
        raise ScoringError(f"{evaluation.title}已登记为不考评，不能{action}。")


@transaction.atomic
def record_skipped_quarter(
    *, year: AssessmentYear, quarter: int, reason: str, user, now: datetime | None = None
) -> SkippedQuarter:
    """The office records, with a reason, that a quarter is not evaluated (季度不考评).

    Later quarters may then be published and the year evaluated without it (rule 12 drops
    the quarter and rescales the weights). A published quarter cannot be skipped; a record
    is final (its history keeps who and when).
    """
    require_office(user)
    now = now or timezone.now()
    errors = []
    if quarter not in (1, 2, 3, 4):
        errors.append("季度只能是 1–4。")
    reason = (reason or "").strip()
    if not reason:
        errors.append("请填写不考评的原因。")
    if errors:
        raise ScoringError(errors)
    # Lock the quarter's evaluation row (if any) so a concurrent publication cannot slip in.
    evaluation = (
        QuarterlyEvaluation.objects.select_for_update().filter(year=year, quarter=quarter).first()
    )
    if evaluation is not None and evaluation.status == Status.PUBLISHED:
        raise ScoringError(f"{year.year}年{quarter_name(quarter)}考评已发布，不能登记为不考评。")
    if SkippedQuarter.objects.filter(year=year, quarter=quarter).exists():
        raise ScoringError(f"{year.year}年{quarter_name(quarter)}已登记为不考评。")
    return SkippedQuarter.objects.create(
        year=year, quarter=quarter, reason=reason[:300], recorded_by=user, recorded_at=now
    )


def _previous_ranks(evaluation: QuarterlyEvaluation) -> dict[int, int]:
    """Ranks of the previous published quarter of the same year, for the change column."""
    previous = (
        QuarterlyEvaluation.objects.filter(
            year=evaluation.year, quarter=evaluation.quarter - 1, status=Status.PUBLISHED
        )
        .select_related("current_version")
        .first()
    )
    if previous is None:
        return {}
    return dict(
        UnitScore.objects.filter(version=previous.current_version, rank__isnull=False).values_list(
            "unit_id", "rank"
        )
    )


def _rules_snapshot(rules: engine.Rules) -> dict:
    return {
        name: (str(value) if not isinstance(value, tuple) else [str(v) for v in value])
        for name, value in ((f, getattr(rules, f)) for f in rules.__dataclass_fields__)
    }


def _rules_from_snapshot(snapshot: dict) -> engine.Rules:
    """The engine rules a version stored (_rules_snapshot), back as engine.Rules."""
    values = {}
    for spec in fields(engine.Rules):
        if spec.name in snapshot:
            value = snapshot[spec.name]
            values[spec.name] = int(value) if spec.type == "int" else value
    values["quarter_weights"] = tuple(values.get("quarter_weights", engine.Rules.quarter_weights))
    return engine.Rules(**values)


def evaluate(evaluation: QuarterlyEvaluation, *, rules: engine.Rules | None = None, now=None):
    """Load and score the quarter without storing anything (used by compute and what-if)."""
    inputs = load_quarter(year=evaluation.year, quarter=evaluation.quarter, now=now)
    rules = rules or rules_for(evaluation.year).as_engine_rules()
    return (
        inputs,
        rules,
        engine.evaluate_quarter(inputs.units, quarter_end=inputs.quarter_end, rules=rules),
    )


@transaction.atomic
def compute_quarter(
    *,
    evaluation: QuarterlyEvaluation,
    user,
    reason: str = "",
    confirm_open_periods=False,
    now: datetime | None = None,
) -> EvaluationVersion:
    """Score the quarter on verified figures and store it as a new version.

    Refuses a published evaluation; asks for confirmation (NeedsConfirmation) while periods of
    the quarter are still open, since their ledgers may yet change.
    """
    require_office(user)
    now = now or timezone.now()
    evaluation = QuarterlyEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status == Status.PUBLISHED:
        raise ScoringError("该季度考评已发布，结果已冻结，不能重新计算。")
    _refuse_skipped(evaluation, "计算")
    inputs, rules, result = evaluate(evaluation, now=now)
    if inputs.open_periods and not confirm_open_periods:
        raise NeedsConfirmation(
            f"本季度还有 {inputs.open_periods} 个帐期尚未锁定，周帐仍可能变化。确认仍要计算吗？"
        )
    number = (evaluation.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = EvaluationVersion.objects.create(
        evaluation=evaluation,
        number=number,
        computed_at=now,
        computed_by=user,
        reason=(reason.strip() or ("首次计算" if number == 1 else "重新计算"))[:300],
        rules=_rules_snapshot(rules),
        quarter_end=inputs.quarter_end,
        open_periods=inputs.open_periods,
        adjustments=inputs.adjustments,
        vetoes=inputs.vetoes,
    )
    _store(version, inputs, result, previous=_previous_ranks(evaluation))
    evaluation.current_version = version
    if evaluation.status in (Status.DRAFT, Status.REVIEWED):
        evaluation.status = Status.APPEAL
    if evaluation.appeal_deadline is None:
        days = rules_for(evaluation.year).appeal_working_days
        evaluation.appeal_deadline = add_working_days(now, days)
    evaluation.save()
    return version


def _store(version, inputs, result, *, previous: dict[int, int]) -> None:
    unit_rows = [
        UnitScore(
            version=version,
            unit_id=r.unit_id,
            group_id=r.group_id,
            sort_order=r.sort_order,
            scored_points=r.scored_points,
            earned_points=r.earned_points,
            base=r.base,
            late_ledgers=unit.late_ledgers,
            missing_ledgers=unit.missing_ledgers,
            overdue_follow_ups=inputs.overdue_follow_ups.get(r.unit_id, 0),
            timeliness=r.timeliness,
            bonus=r.adjustment.bonus,
            penalty=r.adjustment.penalty,
            total=r.total,
            vetoed=r.vetoed,
            no_excellence=r.no_excellence,
            group_size=r.group_size,
            rank=r.rank,
            position=r.position,
            units_below=r.units_below,
            tier=r.tier.value if r.tier else "",
            previous_rank=previous.get(r.unit_id),
        )
        for r, unit in _paired(result, inputs)
    ]
    UnitScore.objects.bulk_create(unit_rows)
    by_unit = {row.unit_id: row for row in unit_rows}
    indicator_rows = []
    for r in result.units:
        for item in r.indicators:
            key = (r.unit_id, item.indicator_id)
            source = inputs.sources.get(key)
            target = inputs.targets[key]
            indicator_rows.append(
                IndicatorScore(
                    unit_score=by_unit[r.unit_id],
                    indicator_id=item.indicator_id,
                    points=item.points,
                    method=item.indicator.method.value,
                    direction=item.indicator.direction.value,
                    annual_target=target.annual_value,
                    target_to_date=item.target_to_date,
                    due=item.due,
                    actual=item.actual,
                    reported=source.reported if source else None,
                    done_on=item.indicator.done_on,
                    entry_id=source.entry_id if source else None,
                    period_week=source.iso_week if source else None,
                    rate=item.rate,
                    score=item.score,
                    reason=item.reason[:200],
                    rank=item.rank,
                    rank_of=item.rank_of,
                )
            )
    IndicatorScore.objects.bulk_create(indicator_rows, batch_size=2000)


def _paired(result, inputs):
    units = {unit.unit_id: unit for unit in inputs.units}
    return [(r, units[r.unit_id]) for r in result.units]


@transaction.atomic
def review_quarter(*, evaluation: QuarterlyEvaluation, user, now=None) -> QuarterlyEvaluation:
    """Close the appeal window: every appeal decided, the window over (or cut short)."""
    require_office(user)
    now = now or timezone.now()
    evaluation = QuarterlyEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != Status.APPEAL:
        raise ScoringError(
            f"只有处于申诉期的考评可以审定（当前：{evaluation.get_status_display()}）。"
        )
    pending = evaluation.current_version.appeals.filter(status="pending").count()
    if pending:
        raise ScoringError(f"还有 {pending} 件申诉未处理，处理完毕后才能审定。")
    if now < evaluation.appeal_deadline:
        raise ScoringError(
            f"申诉期至 {timezone.localtime(evaluation.appeal_deadline):%m月%d日 %H:%M} 结束，"
            "申诉期内不能审定。"
        )
    evaluation.status = Status.REVIEWED
    evaluation.reviewed_by, evaluation.reviewed_at = user, now
    evaluation.save()
    return evaluation


@transaction.atomic
def publish_quarter(
    *, evaluation: QuarterlyEvaluation, user, document_number: str = "", now=None
) -> QuarterlyEvaluation:
    """Freeze the reviewed version, write the 绩误档案 entries (§4.11), notify everyone."""
    require_office(user)
    now = now or timezone.now()
    # The row lock makes a second, concurrent publish wait here and then see PUBLISHED.
    evaluation = (
        QuarterlyEvaluation.objects.select_for_update(of=("self",))
        .select_related("year", "current_version")
        .get(pk=evaluation.pk)
    )
    if evaluation.status == Status.PUBLISHED:
        raise ScoringError("该季度考评已经发布，不能重复发布。")
    if evaluation.status != Status.REVIEWED:
        raise ScoringError("考评须先经审定（申诉期结束）才能发布。")
    _refuse_skipped(evaluation, "发布")
    _require_earlier_quarters(evaluation)
    version = evaluation.current_version
    if decision_snapshot(evaluation.year, evaluation.quarter) != {
        "adjustments": version.adjustments,
        "vetoes": version.vetoes,
    }:
        raise ScoringError(
            f"第{version.number}版计算后，本季度已审核的加减分或一票否决/否优有变化"
            "（新增、撤销、改分或审核状态变化），发布的结果须与档案一致："
            "请重新计算并经申诉期、审定后再发布。"
        )
    scores = list(version.unit_scores.all())
    # 较上季度 is fixed now, from the previous quarter's published ranks (published first).
    previous = _previous_ranks(evaluation)
    for score in scores:
        score.previous_rank = previous.get(score.unit_id)
    UnitScore.objects.bulk_update(scores, ["previous_rank"], batch_size=2000)
    _write_file_entries(evaluation, version, scores, now=now, user=user)
    evaluation.status = Status.PUBLISHED
    evaluation.published_by, evaluation.published_at = user, now
    evaluation.document_number = document_number.strip() or evaluation.document_number
    evaluation.save()
    _announce(evaluation)
    # 责令检讨 for the 后进 units (and, at the half-year, the weak items): drafts to send.
    draft_after_publication(evaluation=evaluation, user=user, now=now)
    return evaluation


def _name_weeks(drafts, *, late: list, missing: list) -> list:
    """Each late or missing ledger's file entry names its week ("…周帐未报：第15周（04.06–04.12）").

    The counts are the version's; the weeks are read from the ledgers now. They agree unless
    a ledger changed after the computation (a reopened week): then the entries keep the
    version's counts and name no week rather than a wrong one."""
    weeks = {"late_ledger": late, "missing_ledger": missing}
    counts = {kind: sum(d.kind == kind for d in drafts) for kind in weeks}
    seen = {kind: 0 for kind in weeks}
    named = []
    for draft in drafts:
        periods = weeks.get(draft.kind)
        if periods is not None and counts[draft.kind] == len(periods):
            period = periods[seen[draft.kind]]
            seen[draft.kind] += 1
            draft = replace(draft, description=f"{draft.description}：{period.label}")
        named.append(draft)
    return named


def _write_file_entries(evaluation, version, scores, *, now, user) -> None:
    """Rule 11 from the version alone: its tiers and ledger counts, and the adjustments,
    vetoes and rules it was computed with — never today's rows, which may have changed."""
    vetoes: dict[int, int] = {}
    for item in version.vetoes:
        if item["kind"] == Veto.Kind.VETO:
            vetoes[item["unit_id"]] = vetoes.get(item["unit_id"], 0) + 1
    adjustments: dict[int, list] = {}
    for item in version.adjustments:
        points = Decimal(item["points"])
        # "加分2分", not "加分2.00分": the file reads like the office would write it.
        adjustments.setdefault(item["unit_id"], []).append(Decimal(format(points.normalize(), "f")))
    rules = _rules_from_snapshot(version.rules)
    late_weeks, missing_weeks, _ = timeliness_weeks(
        evaluation.year, evaluation.quarter, [score.unit_id for score in scores], now
    )
    rows = []
    for score in scores:
        drafts = engine.quarter_file_entries(
            evaluation.quarter,
            engine.Tier(score.tier) if score.tier else None,
            late=score.late_ledgers,
            missing=score.missing_ledgers,
            # No overdue follow-ups here: the escalation wrote them at their 黄牌 (rule 11).
            vetoes=vetoes.get(score.unit_id, 0),
            adjustments=adjustments.get(score.unit_id, ()),
            rules=rules,
        )
        drafts = _name_weeks(
            drafts,
            late=late_weeks.get(score.unit_id, []),
            missing=missing_weeks.get(score.unit_id, []),
        )
        rows += [
            FileEntry(
                unit_id=score.unit_id,
                year=evaluation.year,
                quarter=evaluation.quarter,
                recorded_on=timezone.localdate(now),
                merit=draft.merit,
                kind=file_kind(draft.kind),
                source=FILE_SOURCES[draft.kind],
                description=draft.description,
                points=draft.points,
                evaluation_version=version,
                entered_by=user,
            )
            for draft in drafts
        ]
    bulk_create_with_history(
        rows, FileEntry, default_user=user, default_change_reason="季度考评发布", default_date=now
    )


def published_quarter_freezes_deadline(period) -> str | None:
    """Why `period`'s deadline may no longer move: its quarter is published, and the published
    result froze its punctuality (registered with campaigns' `freeze_deadlines` in
    ScoringConfig.ready, since campaigns does not import scoring)."""
    published = QuarterlyEvaluation.objects.filter(
        year_id=period.year_id,
        quarter=period.quarter,
        status=QuarterlyEvaluation.Status.PUBLISHED,
    )
    if published.exists():
        return f"{quarter_name(period.quarter)}考评已发布，不能再修改{period}的截止时间。"
    return None


def _announce(evaluation) -> None:
    url = reverse("evaluation-detail", args=[evaluation.pk])
    people = User.objects.filter(is_active=True).filter(
        unit__in=evaluation.current_version.unit_scores.values("unit_id")
    ) | User.objects.filter(is_active=True, groups__name=Role.LEADER.group_name)
    notify(
        recipients=people.distinct(),
        kind="published",
        title=f"{evaluation.title}“交帐亮相”考评结果已发布",
        body="请登录查看本组排名、本单位得分明细及绩误档案。",
        url=url,
    )
