"""The 待办 of scoring on the home pages, registered in ScoringConfig.ready.

Counts come from the scoped selectors (`evaluations_visible_to`, `appeals_visible_to`,
`adjustments_visible_to`, `vetoes_visible_to`, `unit_scores_visible_to`), in a fixed number
of queries. The office's "approvals waiting for a second person" are the four-eyes items of
DESIGN §3: adjustments (加减分) and vetoes (一票否决/否优) entered by one office user that
another must approve, in quarters not yet published (a published quarter refuses them).
"""

from datetime import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse

from accounts.roles import Role
from accounts.todo import TodoItem, local_minute

from .briefings.selectors import briefings_visible_to
from .models import QuarterlyEvaluation, UnitScore, WeeklyBriefing
from .selectors import (
    adjustments_visible_to,
    appeals_visible_to,
    evaluations_visible_to,
    unit_scores_visible_to,
    vetoes_visible_to,
)

Status = QuarterlyEvaluation.Status
NAMES_SHOWN = 5


# --- counts (selectors: reads scoped to the user) --------------------------------------------


def awaiting_second_approval(user) -> dict[str, int]:
    """Unapproved adjustments and vetoes of unpublished quarters: those this user may approve
    (entered by someone else) and those waiting for someone else (entered by this user)."""
    published = QuarterlyEvaluation.objects.filter(
        year_id=OuterRef("year_id"), quarter=OuterRef("quarter"), status=Status.PUBLISHED
    )
    counts = {}
    for name, items in (
        ("adjustments", adjustments_visible_to(user)),
        ("vetoes", vetoes_visible_to(user)),
    ):
        open_items = items.filter(approved_by__isnull=True).exclude(Exists(published))
        mine = open_items.filter(entered_by_id=user.pk).count()
        counts[name] = open_items.count() - mine
        counts[f"{name}_mine"] = mine
    return counts


def evaluations_in_appeal(user, now: datetime) -> tuple[list, list]:
    """Computed quarters in their appeal status: (window still open, window over and waiting
    to be reviewed), each ordered by deadline."""
    evaluations = list(
        evaluations_visible_to(user).filter(status=Status.APPEAL).order_by("appeal_deadline")
    )
    open_window = [e for e in evaluations if e.appeal_deadline and now <= e.appeal_deadline]
    return open_window, [e for e in evaluations if e not in open_window]


def latest_published(user) -> tuple[QuarterlyEvaluation | None, dict[str, list]]:
    """The newest published quarter and its units by tier (先进, 后进), two queries."""
    evaluation = (
        evaluations_visible_to(user)
        .filter(status=Status.PUBLISHED)
        .order_by("-year__year", "-quarter")
        .first()
    )
    tiers = {UnitScore.Tier.ADVANCED: [], UnitScore.Tier.LAGGING: []}
    if evaluation is None:
        return None, tiers
    scores = unit_scores_visible_to(user).filter(
        version_id=evaluation.current_version_id, tier__in=list(tiers)
    )
    for score in scores.order_by("group__sort_order", "position", "sort_order"):
        tiers[score.tier].append(score.unit)
    return evaluation, tiers


def briefings_item(user) -> TodoItem:
    """周通报待签发: the drafts the Monday run (or the office) made, oldest week named first."""
    drafts = list(
        briefings_visible_to(user)
        .filter(status=WeeklyBriefing.Status.DRAFT)
        .select_related(None)
        .select_related("period")
        .only("pk", "title", "period__iso_week", "period__starts_on")
        .order_by("period__starts_on")
    )
    return TodoItem(
        label="周通报待签发",
        count=len(drafts),
        url=reverse("briefing-detail", args=[drafts[0].pk]) if drafts else reverse("briefing-list"),
        level="warning",
        detail="、".join(f"第{b.period.iso_week}周" for b in drafts) or "没有待签发的周通报",
    )


# --- providers -----------------------------------------------------------------------------


def _names(units) -> str:
    names = "、".join(unit.short_name for unit in units[:NAMES_SHOWN])
    return f"{names}等{len(units)}个" if len(units) > NAMES_SHOWN else names


def office_items(user, now: datetime) -> list[TodoItem]:
    approvals = awaiting_second_approval(user)
    waiting = approvals["adjustments"] + approvals["vetoes"]
    mine = approvals["adjustments_mine"] + approvals["vetoes_mine"]
    model = "vetoes" if approvals["vetoes"] and not approvals["adjustments"] else "adjustments"
    admin_list = reverse(
        "admin:scoring_veto_changelist"
        if model == "vetoes"
        else "admin:scoring_adjustment_changelist"
    )
    parts = []
    if waiting:
        parts.append(
            f"加减分 {approvals['adjustments']} 项、一票否决/否优 {approvals['vetoes']} 项"
        )
    if mine:
        parts.append(f"您录入的 {mine} 项待其他考核办人员审核")
    pending_appeals = appeals_visible_to(user).filter(status="pending").count()
    in_window, to_review = evaluations_in_appeal(user, now)
    items = [
        TodoItem(
            label="待您审核的加减分、一票否决/否优",
            count=waiting,
            url=f"{admin_list}?approved_by__isempty=1",
            level="danger",
            detail="；".join(parts) or "没有待审核事项",
        ),
        TodoItem(
            label="待处理的申诉",
            count=pending_appeals,
            url=reverse("appeal-list"),
            level="danger",
            detail="采纳或驳回，处理完毕才能审定考评" if pending_appeals else "没有待处理的申诉",
        ),
        TodoItem(
            label="申诉期中的季度考评",
            count=len(in_window),
            url=reverse("evaluation-detail", args=[in_window[0].pk])
            if in_window
            else reverse("evaluation-list"),
            level="info",
            detail="；".join(
                f"{e.title}申诉截止 {local_minute(e.appeal_deadline)}" for e in in_window
            )
            or "当前没有处于申诉期的考评",
        ),
    ]
    items.append(briefings_item(user))
    if to_review:
        items.append(
            TodoItem(
                label="申诉期已结束、待审定的考评",
                count=len(to_review),
                url=reverse("evaluation-detail", args=[to_review[0].pk]),
                level="warning",
                detail="、".join(e.title for e in to_review),
            )
        )
    return items


def leader_items(user, now: datetime) -> list[TodoItem]:
    evaluation, tiers = latest_published(user)
    if evaluation is None:
        return [
            TodoItem(
                label="最新发布的季度考评",
                count=None,
                url=reverse("results-list"),
                level="secondary",
                detail="尚无已发布的季度考评",
            )
        ]
    advanced, lagging = tiers[UnitScore.Tier.ADVANCED], tiers[UnitScore.Tier.LAGGING]
    return [
        TodoItem(
            label=f"最新发布：{evaluation.title}",
            count=None,
            url=reverse("results-detail", args=[evaluation.pk]),
            level="info",
            detail=f"先进 {len(advanced)} 个：{_names(advanced) or '无'}；"
            f"后进 {len(lagging)} 个：{_names(lagging) or '无'}",
        )
    ]


def unit_head_items(user, now: datetime) -> list[TodoItem]:
    """Quarters the unit may still appeal, and its appeals the office has not decided."""
    if not user.unit_id:
        return []
    in_window, _ = evaluations_in_appeal(user, now)
    pending = list(
        appeals_visible_to(user)
        .filter(status="pending")
        .values_list("version__evaluation_id", flat=True)
    )
    items = [
        TodoItem(
            label="可提出申诉的季度考评",
            count=len(in_window),
            url=reverse("unit-score", args=[in_window[0].pk, user.unit_id])
            if in_window
            else reverse("evaluation-list"),
            level="warning",
            detail="；".join(
                f"{e.title}申诉截止 {local_minute(e.appeal_deadline)}" for e in in_window
            )
            or "当前没有处于申诉期的考评",
        ),
        TodoItem(
            label="本单位待处理的申诉",
            count=len(pending),
            url=reverse("unit-score", args=[pending[0], user.unit_id])
            if pending
            else reverse("evaluation-list"),
            level="info",
            detail="等待考核办处理" if pending else "没有待处理的申诉",
        ),
    ]
    return items


def register_items() -> None:
    """Called from ScoringConfig.ready()."""
    from accounts.todo import register

    register(Role.OFFICE, office_items, order=10)
    register(Role.LEADER, leader_items, order=10)
    register(Role.UNIT_HEAD, unit_head_items, order=30)
