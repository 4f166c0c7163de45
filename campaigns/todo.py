"""The 待办 of campaigns on the home pages (registered in CampaignsConfig.ready), and the
notices about a ledger that are done once it is handed in.

Counts are read through the scoped selectors (`ledgers_visible_to`, `entries_visible_to`,
`review_queue`, `units_visible_to`), each in a fixed number of queries whatever the size of
the county. Decisions where the issue is silent:

- "This week" is the period containing now. Before its deadline the office and leaders see
  the units that have not handed it in yet (提醒); after it, the same count is overdue (逾期).
- An on-site check (实地查看) is due for each unit whose figures the reviewer's department
  verifies, once a quarter: the units carrying an indicator it leads this year that nobody
  of the department has visited since the quarter began.
"""

from datetime import datetime, timedelta

from django.db.models import Min
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import units_visible_to
from accounts.todo import TodoItem, local_minute, time_left

from . import plausibility
from .models import Inspection, LedgerEntry, Period, Target, WeeklyLedger
from .registers.review_rows import register_review_queue
from .review_rows import entry_flags
from .selectors import (
    HANDED_IN,
    current_year,
    entries_visible_to,
    ledgers_visible_to,
    period_containing,
    review_queue,
)

Status = WeeklyLedger.Status
NAMES_SHOWN = 5

# The reviewer's flags by kind (campaigns.flags codes): the labels of single flags carry
# numbers ("连续4周未变化"), the home page counts kinds.
FLAG_KINDS = {
    "decreased": "累计数下降",
    "unusual_increment": "增量异常",
    "unchanged": "连续未变化",
    "reused_photo": "照片重复",
    "old_photo": "照片早于帐期",
    "implausible": "数值异常",
}


def _names(units, total: int) -> str:
    names = "、".join(unit.short_name for unit in units[:NAMES_SHOWN])
    return f"{names}等{total}个单位" if total > NAMES_SHOWN else names


def this_week(now: datetime) -> Period | None:
    year = current_year()
    return period_containing(year, now) if year else None


# --- counts (selectors: reads scoped to the user) --------------------------------------------


def own_week_ledger(user, period: Period) -> WeeklyLedger | None:
    """The user's unit's ledger of `period` (None until someone opens it)."""
    if not user.unit_id:
        return None
    return ledgers_visible_to(user).filter(unit_id=user.unit_id, period=period).first()


def returned_entry_weeks(user, year) -> list[int]:
    """The period ids of the user's unit's returned entries, one per entry, oldest first."""
    return list(
        entries_visible_to(user)
        .filter(
            ledger__unit_id=user.unit_id,
            ledger__period__year=year,
            review_status=LedgerEntry.ReviewStatus.RETURNED,
        )
        .order_by("ledger__period__iso_week")
        .values_list("ledger__period_id", flat=True)
    )


def implausible_entry_weeks(user) -> list[int]:
    """The period ids of the unit's entries still open to edit that campaigns.plausibility
    flagged and that carry no 异常说明 yet (a workbook upload stores them so), oldest first."""
    return list(
        entries_visible_to(user)
        .filter(
            ledger__unit_id=user.unit_id,
            ledger__status__in=[Status.DRAFT, Status.RETURNED],
            plausibility_flagged=True,
            plausibility_note="",
        )
        .order_by("ledger__period__iso_week")
        .values_list("ledger__period_id", flat=True)
    )


def ledgers_awaiting_confirmation(user) -> list[int]:
    """The period ids of the unit's ledgers waiting for the head's confirmation, oldest first."""
    return list(
        ledgers_visible_to(user)
        .filter(unit_id=user.unit_id, status=Status.AWAITING_CONFIRMATION)
        .order_by("period__starts_on")
        .values_list("period_id", flat=True)
    )


def pending_entries_by_flag(user) -> tuple[int, int, dict[str, int]]:
    """The reviewer's entries waiting for verification: (all, flagged, count per flag kind).
    Five queries: the queue's ids, then campaigns.flag_data's four; the flags are the queue's
    own (review_rows.entry_flags), so the home page counts what the reviewer will see."""
    pending = list(
        review_queue(user, status=LedgerEntry.ReviewStatus.PENDING)
        .select_related(None)
        .prefetch_related(None)
        .only("pk", "plausibility_flagged", "plausibility_note")
    )
    flags = entry_flags(pending)
    kinds: dict[str, int] = {}
    for found in flags.values():
        for flag in found:
            label = FLAG_KINDS.get(flag.code, flag.label)
            kinds[label] = kinds.get(label, 0) + 1
    return len(pending), sum(1 for found in flags.values() if found), kinds


def units_due_on_site_check(user, period: Period) -> list:
    """Units whose figures the reviewer's department verifies and that nobody of it has
    visited on site since `period`'s quarter began (two queries)."""
    if not user.unit_id:
        return []
    year = period.year
    quarter_start = Period.objects.filter(year_id=year.pk, quarter=period.quarter).aggregate(
        first=Min("starts_on")
    )["first"]
    carrying = Target.objects.filter(
        indicator__campaign__year=year, indicator__lead_unit_id=user.unit_id
    ).values("unit_id")
    visited = Inspection.objects.filter(
        inspector__unit_id=user.unit_id, visited_on__gte=quarter_start
    ).values("unit_id")
    return list(
        units_visible_to(user)
        .filter(active=True, pk__in=carrying)
        .exclude(pk=user.unit_id)
        .exclude(pk__in=visited)
        .order_by("group__sort_order", "sort_order")
    )


def units_missing_week(user, period: Period) -> list:
    """Active units that carry a task this year and have not handed in `period`'s ledger
    (one query)."""
    carrying = Target.objects.filter(indicator__campaign__year_id=period.year_id).values("unit_id")
    handed_in = ledgers_visible_to(user).filter(period=period, status__in=HANDED_IN)
    return list(
        units_visible_to(user)
        .filter(active=True, pk__in=carrying)
        .exclude(pk__in=handed_in.values("unit_id"))
        .order_by("group__sort_order", "sort_order")
    )


# --- providers -----------------------------------------------------------------------------


def _deadline_text(ledger: WeeklyLedger | None, period: Period, now: datetime) -> str:
    deadline = period.deadline
    if ledger is not None and ledger.reopened_until and ledger.reopened_until > deadline:
        deadline = ledger.reopened_until
    left = time_left(deadline, now)
    when = f"截止 {local_minute(deadline)}"
    return f"{when}（还剩{left}）" if left else f"{when}（已过截止时间）"


def week_ledger_item(user, now: datetime) -> list[TodoItem]:
    """This week's ledger of the user's unit: its state, deadline and time left."""
    period = this_week(now)
    if period is None:
        return [
            TodoItem(
                label="本周周帐",
                count=None,
                url=reverse("ledger-current"),
                level="secondary",
                detail="当前没有进行中的考核年度或帐期",
            )
        ]
    ledger = own_week_ledger(user, period)
    handed_in = ledger is not None and ledger.status in HANDED_IN
    state = "尚未填报" if ledger is None else ledger.get_status_display()
    overdue = now > period.deadline and not handed_in
    if handed_in:
        level = "success"
    elif overdue or period.deadline - now < timedelta(days=1):
        level = "danger"  # past the deadline, or less than a day left
    else:
        level = "warning"
    if handed_in:
        detail = f"{state} · 已于{local_minute(ledger.submitted_at)}报送"
    else:
        detail = f"{state} · {_deadline_text(ledger, period, now)}"
    return [
        TodoItem(
            label=f"本周周帐（第{period.iso_week}周）",
            count=None,
            url=reverse("ledger-week", args=[period.pk]),
            level=level,
            detail=detail,
        )
    ]


def reporter_items(user, now: datetime) -> list[TodoItem]:
    items = week_ledger_item(user, now)
    year = current_year()
    weeks = returned_entry_weeks(user, year) if year and user.unit_id else []
    items.append(
        TodoItem(
            label="被退回待修改的条目",
            count=len(weeks),
            url=reverse("ledger-week", args=[weeks[0]]) if weeks else reverse("ledger-current"),
            level="danger",
            detail="按审核意见修改后重新提交" if weeks else "没有被退回的条目",
        )
    )
    odd = implausible_entry_weeks(user) if user.unit_id else []
    items.append(
        TodoItem(
            label="待填写异常说明的数值",
            count=len(odd),
            url=reverse("ledger-week", args=[odd[0]]) if odd else reverse("ledger-current"),
            level="warning",
            detail=f"填报值超过年度目标的{plausibility.FACTOR}倍，请核对或说明原因"
            if odd
            else "没有需要说明的数值",
        )
    )
    return items


def unit_head_items(user, now: datetime) -> list[TodoItem]:
    waiting = ledgers_awaiting_confirmation(user) if user.unit_id else []
    return [
        TodoItem(
            label="待确认的周帐",
            count=len(waiting),
            url=reverse("ledger-week", args=[waiting[0]]) if waiting else reverse("ledger-current"),
            level="danger",
            detail="填报员已提交，审阅后确认报送" if waiting else "没有待确认的周帐",
        )
    ]


def reviewer_items(user, now: datetime) -> list[TodoItem]:
    queue = reverse("review-queue")
    total, flagged, kinds = pending_entries_by_flag(user)
    items = [
        TodoItem(
            label="待核实的实帐条目",
            count=total,
            url=f"{queue}?status=pending",
            level="warning",
            detail=f"其中 {flagged} 条带提示" if flagged else "均无提示",
        )
    ]
    if flagged:
        items.append(
            TodoItem(
                label="带提示的待核实条目",
                count=flagged,
                url=f"{queue}?status=pending",
                level="danger",
                detail="、".join(f"{label} {n}" for label, n in kinds.items()),
            )
        )
    # Register reports wait for the same department (issue 13): the derived figures behind
    # them (开工率, 签约额 …) stay unverified until they are verified.
    register_rows = register_review_queue(user)
    if register_rows:
        items.append(
            TodoItem(
                label="待核实的台帐行",
                count=len(register_rows),
                url=reverse("register-review"),
                level="warning",
                detail="重点项目、试点村周报和招商签约；核实后周帐中的相应指标随之核实",
            )
        )
    period = this_week(now)
    if period is not None:
        due = units_due_on_site_check(user, period)
        items.append(
            TodoItem(
                label="本季度待实地查看的单位",
                count=len(due),
                url=f"{queue}?status=all",
                level="info",
                detail=_names(due, len(due)) if due else "本季度已全部实地查看",
            )
        )
    return items


def missing_units_item(user, now: datetime) -> list[TodoItem]:
    """The office's and leaders' count of units that have not handed in this week."""
    period = this_week(now)
    if period is None:
        return []
    missing = units_missing_week(user, period)
    overdue = now > period.deadline
    label = "本周逾期未交周帐的单位" if overdue else "本周尚未报送周帐的单位"
    deadline = f"第{period.iso_week}周截止 {local_minute(period.deadline)}"
    if missing:
        detail = f"{deadline}：{_names(missing, len(missing))}"
    else:
        detail = f"{deadline}，各单位均已报送"
    return [
        TodoItem(
            label=label,
            count=len(missing),
            url=reverse("completeness"),
            level="danger" if overdue else "warning",
            detail=detail,
        )
    ]


def register_items() -> None:
    """Called from CampaignsConfig.ready()."""
    from accounts.todo import register

    from .follow_up_todo import issuer_items, unit_items

    # The unit's open follow-ups come first on its people's pages (issue 12).
    register(Role.REPORTER, unit_items, order=5)
    register(Role.UNIT_HEAD, unit_items, order=5)
    register(Role.REVIEWER, issuer_items, order=15)
    register(Role.OFFICE, issuer_items, order=30)
    register(Role.REPORTER, reporter_items, order=10)
    register(Role.UNIT_HEAD, week_ledger_item, order=10)
    register(Role.UNIT_HEAD, unit_head_items, order=20)
    register(Role.REVIEWER, reviewer_items, order=10)
    register(Role.OFFICE, missing_units_item, order=40)
    register(Role.LEADER, missing_units_item, order=40)
    post_save.connect(
        ledger_notices_done, sender=WeeklyLedger, dispatch_uid="campaigns.ledger_notices_done"
    )


# --- notices that are done ---------------------------------------------------------------

# What a ledger's notices ask for, and when it is done: a reminder, a missing-ledger notice, a
# reopening or a confirmation request is done once the ledger is handed in; a return, once
# the corrected entries are handed back (the ledger is no longer 被退回).
_ANSWERED_BY_HAND_IN = ("reminder", "missing", "reopened", "confirm")


def ledger_notices_done(sender, instance: WeeklyLedger, **kwargs) -> None:
    """post_save of a ledger: mark read its unit's notices that this save has answered, so the
    bell's count drops when the work is done (not only when the notice is opened)."""
    from accounts.services import mark_notices_done

    if instance.status not in HANDED_IN:
        return
    kinds = list(_ANSWERED_BY_HAND_IN)
    if instance.status != Status.RETURNED:
        kinds.append("returned")
    mark_notices_done(
        unit_id=instance.unit_id,
        url=reverse("ledger-week", args=[instance.period_id]),
        kinds=kinds,
        now=timezone.now(),
    )
