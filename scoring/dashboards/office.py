"""The office dashboard (督查室工作台): this week's completeness, reviews outstanding per lead
department, follow-ups by status and by unit, the next deadlines, quarters in their appeal
window."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone

from campaigns.follow_up_selectors import status_counts
from campaigns.models import FollowUp, LedgerEntry, Period, WeeklyLedger
from campaigns.selectors import Cell, completeness_matrix, entries_visible_to, ledgers_visible_to
from campaigns.workdays import add_working_days

from ..models import QuarterlyEvaluation
from ..selectors import evaluations_visible_to
from .common import OPEN, Moment, follow_ups_visible_to, link, moment

TOP_UNITS = 10


@dataclass
class Completeness:
    period: Period
    owed: int = 0  # units carrying a task this year
    on_time: int = 0
    late: int = 0
    not_yet: int = 0  # not handed in, the deadline still ahead
    missing: int = 0  # not handed in, the deadline passed
    url: str | None = None

    @property
    def handed_in(self) -> int:
        return self.on_time + self.late


@dataclass
class OfficeDashboard:
    at: Moment
    completeness: Completeness | None = None
    reviews: list[dict] = field(default_factory=list)
    reviews_total: int = 0
    statuses: list[dict] = field(default_factory=list)
    by_unit: list[dict] = field(default_factory=list)
    due_soon: list = field(default_factory=list)  # follow-ups due in 5 working days
    due_soon_until: object = None
    appeals: list[QuarterlyEvaluation] = field(default_factory=list)


def week_completeness(user, at: Moment) -> Completeness | None:
    """This week's ledgers: on time, late, not yet due, missing — over the units that owe one
    (the completeness matrix's rows), late told apart by the period's one punctuality rule."""
    if at.week is None:
        return None
    period = at.week
    _periods, rows = completeness_matrix(user, year=at.year, periods=[period], now=at.now)
    units = [unit.pk for unit, _cells in rows]
    handed = {
        unit_id: submitted_at
        for unit_id, submitted_at in ledgers_visible_to(user)
        .filter(period=period, unit_id__in=units, status__in=WeeklyLedger.HANDED_IN)
        .exclude(submitted_at__isnull=True)
        .values_list("unit_id", "submitted_at")
    }
    board = Completeness(period=period, owed=len(units), url=link("completeness"))
    for unit, cells in rows:
        code = cells[0][1]
        if unit.pk in handed:
            if period.punctuality(handed[unit.pk]) == Period.ON_TIME:
                board.on_time += 1
            else:
                board.late += 1
        elif code == Cell.OPEN[0]:
            board.not_yet += 1
        else:
            board.missing += 1
    return board


def reviews_outstanding(user, at: Moment) -> list[dict]:
    """Entries handed in and not yet reviewed, per lead department, with the oldest week."""
    rows = (
        entries_visible_to(user)
        .filter(
            ledger__period__year=at.year,
            ledger__status__in=WeeklyLedger.HANDED_IN,
            review_status=LedgerEntry.ReviewStatus.PENDING,
        )
        .values("indicator__lead_unit_id", "indicator__lead_unit__name")
        .annotate(n=Count("pk"), units=Count("ledger__unit", distinct=True),
                  oldest=Min("ledger__period__iso_week"))
        .order_by("-n", "indicator__lead_unit__name")
    )  # fmt: skip
    return [
        {
            "unit": row["indicator__lead_unit__name"],
            "entries": row["n"],
            "units": row["units"],
            "oldest_week": row["oldest"],
        }
        for row in rows
    ]


def follow_up_statuses(user) -> list[dict]:
    counts = status_counts(user)  # the follow-up list's own tab counts
    return [
        {
            "status": value,
            "label": label,
            "count": counts.get(value, 0),
            "url": link("follow-up-list", status=value),
        }
        for value, label in FollowUp.Status.choices
        if value != FollowUp.Status.WITHDRAWN or counts.get(value)
    ]


def follow_ups_by_unit(user, at: Moment) -> list[dict]:
    """The units with the most open follow-ups, overdue ones first."""
    rows = (
        follow_ups_visible_to(user)
        .filter(status__in=OPEN)
        .values("unit_id", "unit__name")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=at.today)),
            red=Count("pk", filter=Q(card=FollowUp.Card.RED)),
            yellow=Count("pk", filter=Q(card=FollowUp.Card.YELLOW)),
        )
        .order_by("-overdue", "-open", "unit__sort_order")[:TOP_UNITS]
    )
    return [
        {**row, "url": link("follow-up-list", unit=row["unit_id"], status="open")} for row in rows
    ]


def office_dashboard(user, *, now: datetime | None = None) -> OfficeDashboard:
    at = moment(user, now)
    board = OfficeDashboard(at=at)
    if at.year is not None:
        board.completeness = week_completeness(user, at)
        board.reviews = reviews_outstanding(user, at)
        board.reviews_total = sum(row["entries"] for row in board.reviews)
    board.statuses = follow_up_statuses(user)
    board.by_unit = follow_ups_by_unit(user, at)
    board.due_soon_until = timezone.localdate(add_working_days(at.now, 5))
    due_soon = (
        follow_ups_visible_to(user)
        .filter(status__in=OPEN, due_on__gte=at.today, due_on__lte=board.due_soon_until)
        .select_related("unit", "year")
        .order_by("due_on", "unit__sort_order", "pk")[:20]
    )
    board.due_soon = [(item, link("follow-up-detail", item.pk)) for item in due_soon]
    board.appeals = list(
        evaluations_visible_to(user)
        .filter(status=QuarterlyEvaluation.Status.APPEAL)
        .order_by("appeal_deadline", "year__year", "quarter")
    )
    return board
