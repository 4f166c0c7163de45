"""Read side of follow-ups (交办单): who sees which, the lists, the thread page, the 交办 form's
prefill, and the counts of the home pages' 待办 — each in a fixed number of queries.

Who sees what: the office every follow-up, drafts too; a leader every sent one; a reviewer
those its unit issued (its drafts too); a unit's reporters and head those sent to their unit;
nobody else any. "Sent" means numbered: a draft withdrawn before sending stays the issuer's.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Unit
from accounts.permissions import acts_as_office, user_acts_as
from accounts.roles import Role

from .models import (
    AssessmentYear,
    Evidence,
    Extension,
    FollowUp,
    FollowUpEvent,
    Indicator,
    LedgerEntry,
    Target,
)
from .workdays import Calendar

Status = FollowUp.Status
OPEN = (Status.ISSUED, Status.ACKNOWLEDGED, Status.CLOSING)
SENT = Q(number__isnull=False)
DUE_SOON_DAYS = 3


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    """The follow-ups `user` may read (module docstring)."""
    follow_ups = FollowUp.objects.select_related(
        "year", "unit", "issuer_unit", "indicator", "created_by", "issued_by"
    )
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return follow_ups.none()
    if acts_as_office(user):
        return follow_ups
    scope = Q(pk__in=[])
    if user_acts_as(user, Role.LEADER):
        scope |= SENT
    if user.unit_id and user.has_role(Role.REVIEWER):
        scope |= Q(issuer_unit_id=user.unit_id)
    if user.unit_id and (user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD)):
        scope |= SENT & Q(unit_id=user.unit_id)
    return follow_ups.filter(scope)


def extensions_visible_to(user) -> QuerySet[Extension]:
    return Extension.objects.filter(follow_up__in=follow_ups_visible_to(user).values("pk"))


# --- flags ----------------------------------------------------------------------------------


def acknowledgement_deadline(issued_at: datetime, calendar: Calendar | None = None) -> datetime:
    """The same local time one working day after the follow-up was sent."""
    local = timezone.localtime(issued_at)
    day = local.date()
    calendar = calendar or Calendar(day, day + timedelta(days=30))
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, local.time()))


def acknowledgement_overdue(
    follow_up: FollowUp, now: datetime, calendar: Calendar | None = None
) -> bool:
    """Sent and not acknowledged more than one working day after (campaigns.workdays)."""
    if follow_up.status != Status.ISSUED or follow_up.issued_at is None:
        return False
    return now > acknowledgement_deadline(follow_up.issued_at, calendar)


def is_overdue(follow_up: FollowUp, today: date) -> bool:
    """Open and past its due date or carrying a card (黄牌/红牌) — these head the lists. A
    closed follow-up keeps its card as a record, but is no longer overdue."""
    return follow_up.status in OPEN and (bool(follow_up.card) or follow_up.due_on < today)


def calendar_for(follow_ups, now: datetime) -> Calendar:
    """One calendar covering every acknowledgement deadline of `follow_ups` (one query)."""
    today = timezone.localdate(now)
    issued = [timezone.localdate(f.issued_at) for f in follow_ups if f.issued_at]
    return Calendar(min([today, *issued]), max([today, *issued]) + timedelta(days=30))


def flag_rows(follow_ups, now: datetime) -> list[FollowUp]:
    """Each follow-up with `overdue`, `ack_overdue` and `due_soon` set for the templates."""
    follow_ups = list(follow_ups)
    calendar = calendar_for(follow_ups, now)
    today = timezone.localdate(now)
    for f in follow_ups:
        f.overdue = is_overdue(f, today)
        f.ack_overdue = acknowledgement_overdue(f, now, calendar)
        f.due_soon = (
            f.status in OPEN and not f.overdue and f.due_on <= today + timedelta(DUE_SOON_DAYS)
        )
    return follow_ups


# --- lists ----------------------------------------------------------------------------------


def follow_up_list(
    user,
    *,
    now: datetime,
    status: str | None = None,
    unit_id: int | None = None,
    card: str | None = None,
    issuer_unit_id: int | None = None,
) -> QuerySet[FollowUp]:
    """The visible follow-ups, filtered; overdue ones (open, past due or carded) first, then
    the open ones by due date, then the rest newest first — the issuer's and the unit's order
    alike. `status` "open" means every open state."""
    today = timezone.localdate(now)
    rows = follow_ups_visible_to(user)
    if status == "open":
        rows = rows.filter(status__in=OPEN)
    elif status:
        rows = rows.filter(status=status)
    if unit_id:
        rows = rows.filter(unit_id=unit_id)
    if issuer_unit_id:
        rows = rows.filter(issuer_unit_id=issuer_unit_id)
    if card == "any":
        rows = rows.exclude(card="")
    elif card:
        rows = rows.filter(card=card)
    return rows.annotate(
        overdue_rank=Case(
            # A closed follow-up keeps its card as a record; only open ones lead the list.
            When(~Q(card=""), status__in=OPEN, then=Value(0)),
            When(status__in=OPEN, due_on__lt=today, then=Value(0)),
            When(status__in=OPEN, then=Value(1)),
            When(status=Status.DRAFT, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("overdue_rank", "due_on", "-issued_at", "-id")


def status_counts(user) -> dict[str, int]:
    """How many visible follow-ups are in each status (one query), for the filter tabs."""
    counted = dict(
        follow_ups_visible_to(user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    counted["open"] = sum(counted.get(s, 0) for s in OPEN)
    return counted


# --- the thread page ------------------------------------------------------------------------


@dataclass
class HistoryLine:
    at: datetime
    who: str
    what: str


HISTORY_SKIPPED = {"updated_at", "created_at", "id", "history_id"}


def history_lines(follow_up: FollowUp) -> list[HistoryLine]:
    """The row's simple-history, oldest first: who changed which fields (one query)."""
    records = list(
        follow_up.history.select_related("history_user").order_by("history_date", "history_id")
    )
    names = {f.attname: f.verbose_name for f in FollowUp._meta.concrete_fields}
    names |= {f.name: f.verbose_name for f in FollowUp._meta.concrete_fields}
    lines = []
    previous = None
    for record in records:
        who = record.history_user.get_full_name() if record.history_user else "系统"
        if previous is None:
            what = "起草"
        else:
            changed = [
                str(names.get(change.field, change.field))
                for change in record.diff_against(previous).changes
                if change.field not in HISTORY_SKIPPED
            ]
            if not changed:
                previous = record
                continue
            what = "修改：" + "、".join(changed)
            if record.status != previous.status:
                what += f"（状态：{Status(record.status).label}）"
        lines.append(HistoryLine(at=record.history_date, who=who, what=what))
        previous = record
    return lines


def follow_up_thread(user, pk: int) -> FollowUp | None:
    """The follow-up with its thread (events, actors, evidence) and extensions, or None when
    `user` may not see it. Four queries whatever the length of the thread."""
    return (
        follow_ups_visible_to(user)
        .select_related(
            "acknowledged_by", "closed_by", "inspection", "indicator__campaign", "unit__group"
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=FollowUpEvent.objects.select_related("actor__unit").prefetch_related(
                    Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id"))
                ),
            ),
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("requested_by", "decided_by"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


# --- the 交办 form ---------------------------------------------------------------------------


def units_taskable_by(user, year: AssessmentYear | None):
    """The units `user` may hand a follow-up to: the office any active unit but its own; a
    reviewer the units carrying a target on an indicator its unit leads in `year`."""
    units = Unit.objects.filter(active=True).select_related("group").exclude(pk=user.unit_id)
    if acts_as_office(user):
        return units.order_by("group__sort_order", "sort_order")
    if not user.has_role(Role.REVIEWER) or not user.unit_id or year is None:
        return units.none()
    carrying = Target.objects.filter(
        indicator__campaign__year=year, indicator__lead_unit_id=user.unit_id
    ).values("unit_id")
    return units.filter(pk__in=carrying).order_by("group__sort_order", "sort_order")


def indicators_taskable_by(
    user, year: AssessmentYear | None, *, keep: int | None = None
) -> QuerySet[Indicator]:
    """The indicators a follow-up of `user` may be about: the year's; a reviewer its unit's
    (and `keep`, a draft's own indicator, whoever leads it)."""
    if year is None:
        return Indicator.objects.none()
    indicators = Indicator.objects.filter(campaign__year=year).select_related("campaign")
    if acts_as_office(user):
        return indicators
    if not user.has_role(Role.REVIEWER) or not user.unit_id:
        return indicators.filter(pk=keep or 0)
    return indicators.filter(Q(lead_unit_id=user.unit_id) | Q(pk=keep or 0))


def _figure(value, measure: str) -> str:
    text = f"{value.normalize():f}" if value is not None else "—"
    return f"{text}{measure}"


def task_prefill(unit, indicator: Indicator | None) -> dict:
    """The 交办 form's title and problem from the unit's target and latest verified figure on
    `indicator` (two queries): "年度目标 12亿元，截至第20周核实累计 3亿元（25%）"."""
    if unit is None or indicator is None:
        return {}
    target = Target.objects.filter(indicator=indicator, unit=unit).first()
    entry = (
        LedgerEntry.objects.filter(
            indicator=indicator,
            ledger__unit=unit,
            review_status=LedgerEntry.ReviewStatus.VERIFIED,
        )
        .select_related("ledger__period")
        .order_by("-ledger__period__starts_on")
        .first()
    )
    title = f"{indicator.name}进度滞后"
    parts = []
    if target is not None and target.annual_value is not None:
        parts.append(f"年度目标{_figure(target.annual_value, indicator.measure)}")
    if entry is None:
        parts.append("尚无核实数")
    elif indicator.is_milestone:
        parts.append(
            f"截至第{entry.ledger.period.iso_week}周" + ("已完成" if entry.done_on else "尚未完成")
        )
    else:
        verified = entry.verified_value if entry.verified_value is not None else entry.value
        week = entry.ledger.period.iso_week
        text = f"截至第{week}周核实累计{_figure(verified, indicator.measure)}"
        if target is not None and target.annual_value and verified is not None:
            text += f"（完成年度目标的{verified * 100 / target.annual_value:.0f}%）"
        parts.append(text)
    problem = f"{unit.short_name}「{indicator.name}」" + "，".join(parts) + "，进度滞后。"
    return {"title": title, "problem": problem}


# --- the home pages' 待办 ------------------------------------------------------------------


def todo_counts(user, now: datetime) -> dict[str, list[FollowUp]]:
    """The follow-ups behind each 待办 line (one query and the calendar's):
    unit side — `to_acknowledge`, `due_soon` (办理中, due within three days or overdue),
    `returned` (退回重办, not replied since); issuer side — `closing` (待办结审核),
    `extensions` (待批复延期), `overdue`, `drafts` (system drafts waiting to be sent)."""
    today = timezone.localdate(now)
    # Only rows some line may count: the user's unit's, its unit's issued ones, and (for the
    # office, which sees them all) the overdue ones and the system's drafts.
    relevant = Q(unit_id=user.unit_id) | Q(issuer_unit_id=user.unit_id)
    relevant |= ~Q(card="") | Q(status__in=OPEN, due_on__lt=today)
    relevant |= Q(status=Status.DRAFT, created_by__isnull=True)
    rows = list(
        follow_ups_visible_to(user)
        .filter(Q(status__in=OPEN) | Q(status=Status.DRAFT))
        .filter(relevant)
        .annotate(
            pending_extensions=Count(
                "extensions", filter=Q(extensions__status="pending"), distinct=True
            ),
            last_return=_last(FollowUpEvent.Kind.RETURNED),
            last_reply=_last(FollowUpEvent.Kind.REPLY),
        )
        .order_by("due_on", "pk")
    )
    rows = flag_rows(rows, now)
    mine = [f for f in rows if user.unit_id and f.unit_id == user.unit_id and f.number]
    issued = [f for f in rows if f not in mine]
    # Closing and extensions wait for the issuing unit; the office also answers for the
    # system's drafts and watches every overdue one.
    own = [f for f in issued if f.issuer_unit_id == user.unit_id]
    office = acts_as_office(user)
    soon = today + timedelta(DUE_SOON_DAYS)
    return {
        "to_acknowledge": [f for f in mine if f.status == Status.ISSUED],
        "due_soon": [f for f in mine if f.status == Status.ACKNOWLEDGED and f.due_on <= soon],
        "returned": [
            f
            for f in mine
            if f.status == Status.ACKNOWLEDGED
            and f.last_return
            and (f.last_reply is None or f.last_reply < f.last_return)
        ],
        "closing": [f for f in own if f.status == Status.CLOSING],
        "extensions": [f for f in own if f.pending_extensions],
        "overdue": [f for f in (issued if office else own) if f.overdue],
        "drafts": [
            f
            for f in (issued if office else own)
            if f.status == Status.DRAFT and f.created_by_id is None
        ],
    }


def _last(kind: str):
    # By id, the order events were written in (two may share a timestamp).
    return Max("events__id", filter=Q(events__kind=kind))
