"""Follow-ups the system drafts at publication, for the issuer to edit and send (DESIGN §8).

Never sent automatically: each is a DRAFT with no author (created_by None) that the issuer
reads, edits and sends from the follow-up pages. Drafting goes through campaigns'
`ensure_draft`, so a publication retried, or run twice at once, drafts each one once.

- Every 后进 unit of a published quarter: a 责令检讨 (SELF_REVIEW) from the office (the
  publishing user's unit), due `year.self_review_days` working days after publication.
- At the half-year (publishing the second quarter): one follow-up per item under 50 % of its
  half-year target (campaigns.weak_items.half_year_weak_items), from the indicator's lead
  unit, due WEAK_ITEM_DAYS working days after publication.
- The issuers hear once per batch (one FOLLOW_UP notification each) that drafts await them.
The third automatic draft, an on-site check that differs from the ledger, is campaigns' own
(campaigns.services.review.record_inspection).
"""

from collections import defaultdict
from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.services import notify
from campaigns.models import FollowUp
from campaigns.quarters import quarter_name
from campaigns.services.follow_ups import ensure_draft
from campaigns.templatetags.figures import figure as plain
from campaigns.weak_items import half_year_weak_items
from campaigns.workdays import add_working_days

from ..display import shown
from ..models import IndicatorScore, UnitScore

WEAK_ITEM_DAYS = 10  # working days to answer a half-year weak item (the issue leaves it open)
WEAKEST_SHOWN = 3  # how many of a 后进 unit's weakest indicators its 检讨 draft names
SELF_REVIEW_REQUIREMENT = "提交书面检讨和整改措施"


def draft_after_publication(*, evaluation, user, now: datetime | None = None) -> list[FollowUp]:
    """The drafts a publication opens (called inside publish_quarter's transaction)."""
    now = now or timezone.now()
    drafts = draft_self_reviews(evaluation=evaluation, user=user, now=now)
    if evaluation.quarter == 2:
        drafts += draft_half_year_weak_items(year=evaluation.year, user=user, now=now)
    return drafts


def office_unit(user):
    """The unit the office's drafts come from: the publishing user's, else any office user's."""
    if user is not None and user.unit_id is not None:
        return user.unit
    office = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.OFFICE.group_name, unit__isnull=False)
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    return office.unit if office else None


def _due(now: datetime, days: int):
    return timezone.localdate(add_working_days(now, days))


def draft_self_reviews(*, evaluation, user, now: datetime) -> list[FollowUp]:
    """A 责令检讨 draft for every 后进 unit of the evaluation's current version."""
    issuer = office_unit(user)
    if issuer is None:
        return []  # no office account belongs to a unit: nobody could send them
    version = evaluation.current_version
    lagging = list(
        UnitScore.objects.filter(version=version, tier=UnitScore.Tier.LAGGING)
        .select_related("unit", "group")
        .order_by("sort_order", "unit_id")
    )
    if not lagging:
        return []
    weakest = _weakest_indicators([score.pk for score in lagging])
    name = quarter_name(evaluation.quarter)
    due_on = _due(now, evaluation.year.self_review_days)
    created = []
    for score in lagging:
        follow_up = ensure_draft(
            year=evaluation.year,
            unit=score.unit,
            origin=FollowUp.Origin.LAGGING,
            quarter=evaluation.quarter,
            kind=FollowUp.Kind.SELF_REVIEW,
            issuer_unit=issuer,
            title=f"{name}交帐亮相后进，责令检讨",
            problem=self_review_problem(score, weakest.get(score.pk, []), quarter=name),
            requirement=SELF_REVIEW_REQUIREMENT,
            due_on=due_on,
            now=now,
        )
        if follow_up.created:
            created.append(follow_up)
    _tell_office(created, title=f"{name}后进单位责令检讨交办单待发出")
    return created


def _weakest_indicators(score_ids: list[int]) -> dict[int, list[IndicatorScore]]:
    """Per unit score, its scored indicators from the lowest share of their points up."""
    by_score = defaultdict(list)
    rows = IndicatorScore.objects.filter(
        unit_score_id__in=score_ids, score__isnull=False, points__gt=0
    ).select_related("indicator")
    for row in rows:
        by_score[row.unit_score_id].append(row)
    return {
        pk: sorted(items, key=lambda i: (i.score / i.points, i.indicator.sort_order, i.pk))[
            :WEAKEST_SHOWN
        ]
        for pk, items in by_score.items()
    }


def self_review_problem(score: UnitScore, weakest: list[IndicatorScore], *, quarter: str) -> str:
    """第二季度总分 52.3 分，在乡镇组 3 个单位中排第 3 名，列为后进。得分最低的指标：…"""
    total = f"总分 {shown(score.total)} 分" if score.total is not None else "未得出总分"
    rank = f"排第 {score.rank} 名" if score.rank else "未排名"
    text = f"{quarter}{total}，在{score.group.name} {score.group_size} 个单位中{rank}，列为后进"
    if score.vetoed:
        text += "（被一票否决）"
    text += "。"
    if weakest:
        parts = []
        for item in weakest:
            rate = f"完成率 {item.rate * 100:.0f}%，" if item.rate is not None else ""
            parts.append(
                f"{item.indicator.name}（{rate}得分 {shown(item.score)}/{shown(item.points)}）"
            )
        text += "得分最低的指标：" + "；".join(parts) + "。"
    return text


def draft_half_year_weak_items(*, year, user=None, now: datetime) -> list[FollowUp]:
    """One draft per item under half its half-year target, from the indicator's lead unit
    (from the office when the lead unit is the weak unit itself: nobody tasks itself)."""
    due_on = _due(now, WEAK_ITEM_DAYS)
    office = office_unit(user)
    created, from_office = [], []
    for item in half_year_weak_items(year):  # as of 30 June
        indicator = item.indicator
        issuer = indicator.lead_unit if indicator.lead_unit_id != item.unit.pk else office
        if issuer is None:
            continue
        follow_up = ensure_draft(
            year=year,
            unit=item.unit,
            origin=FollowUp.Origin.WEAK_ITEM,
            indicator=indicator,
            issuer_unit=issuer,
            title=f"「{indicator.name}」半年{'超出控制目标' if lower(indicator) else '任务未过半'}",
            problem=weak_item_problem(item),
            requirement="分析滞后原因，制定赶超措施，按期反馈整改进展和完成情况。",
            due_on=due_on,
            now=now,
        )
        if follow_up.created:
            (created if issuer == indicator.lead_unit else from_office).append(follow_up)
    _tell_office(from_office, title="半年任务未过半交办单待发出")
    by_issuer = defaultdict(list)
    for follow_up in created:
        by_issuer[follow_up.issuer_unit_id].append(follow_up)
    for issuer_id, drafts in by_issuer.items():
        reviewers = get_user_model().objects.filter(
            is_active=True, unit_id=issuer_id, groups__name=Role.REVIEWER.group_name
        )
        _tell(reviewers, drafts, title="半年任务未过半交办单待发出")
    return created + from_office


def lower(indicator) -> bool:
    return indicator.direction == indicator.Direction.LOWER_BETTER


def weak_item_problem(item) -> str:
    """截至6月30日，「…」半年目标 6亿元，核实完成 2亿元，完成率 33%，未过半（差 4亿元）。"""
    indicator, measure = item.indicator, item.indicator.measure
    if item.milestone:
        due = f"{item.due.month}月{item.due.day}日" if item.due else "半年"
        return f"截至6月30日，「{indicator.name}」{due}应完成的节点任务尚未完成。"
    half = item.half_year_target if item.half_year_target is not None else item.target_to_date
    if lower(indicator):
        # A ceiling (cases, accidents): "under half" means far above it (rule 3's rate).
        return (
            f"截至6月30日，「{indicator.name}」半年控制目标 {plain(half)}{measure}，"
            f"核实发生 {plain(item.actual)}{measure}，超出 {plain(item.gap)}{measure}，"
            f"完成率 {item.rate * 100:.0f}%，不足一半。"
        )
    return (
        f"截至6月30日，「{indicator.name}」半年目标 {plain(half)}{measure}，"
        f"核实完成 {plain(item.actual)}{measure}，完成率 {item.rate * 100:.0f}%，"
        f"未完成半年目标的一半（差 {plain(item.gap)}{measure}）。"
    )


def _tell_office(drafts: list[FollowUp], *, title: str) -> None:
    office = get_user_model().objects.filter(is_active=True, groups__name=Role.OFFICE.group_name)
    _tell(office, drafts, title=title)


def _tell(recipients, drafts: list[FollowUp], *, title: str) -> None:
    """One notification per issuer for a whole batch of drafts."""
    if not drafts:
        return
    units = "、".join(d.unit.short_name or d.unit.name for d in drafts[:5])
    more = f"等 {len(drafts)} 个单位" if len(drafts) > 5 else ""
    notify(
        recipients=recipients.distinct(),
        kind="follow_up",
        title=title,
        body=f"系统已起草 {len(drafts)} 份交办单（{units}{more}），请审核修改后发出。",
        url=reverse("follow-up-list") + "?status=draft",
    )
