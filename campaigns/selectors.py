"""Read side of campaigns: what a user may see (visible_to) and the read models of pages."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.permissions import reads_every_unit
from accounts.roles import Role

# The completeness matrix lives in completeness.py; pages and dashboards read it from here.
from .completeness import Cell, cell_state, completeness_matrix, ledger_state  # noqa: F401
from .follow_up_selectors import follow_ups_visible_to
from .models import (
    AssessmentYear,
    Campaign,
    Evidence,
    Indicator,
    LedgerEntry,
    Period,
    Target,
    WeeklyLedger,
)
from .registers.scope import project_reports_visible_to, village_reports_visible_to

HANDED_IN = WeeklyLedger.HANDED_IN


_sees_all_ledgers = reads_every_unit


def ledgers_visible_to(user) -> QuerySet[WeeklyLedger]:
    """Own unit's ledgers; for reviewers also ledgers holding an indicator their unit leads."""
    ledgers = WeeklyLedger.objects.select_related("unit", "period", "period__year")
    if not user.is_authenticated or not user.is_active:
        return ledgers.none()
    if _sees_all_ledgers(user):
        return ledgers
    scope = Q(pk__in=[])
    if user.unit_id and (user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD)):
        scope |= Q(unit_id=user.unit_id)
    if user.unit_id and user.has_role(Role.REVIEWER):
        scope |= Q(unit_id=user.unit_id) | Q(
            pk__in=LedgerEntry.objects.filter(indicator__lead_unit_id=user.unit_id).values(
                "ledger_id"
            ),
            status__in=HANDED_IN,
        )
    return ledgers.filter(scope)


def entries_visible_to(user) -> QuerySet[LedgerEntry]:
    """Own unit's entries; a reviewer also the handed-in entries of indicators it leads."""
    entries = LedgerEntry.objects.select_related(
        "indicator", "indicator__campaign", "ledger", "ledger__unit", "ledger__period"
    )
    if not user.is_authenticated or not user.is_active:
        return entries.none()
    if _sees_all_ledgers(user):
        return entries
    scope = Q(pk__in=[])
    if user.unit_id and (user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD)):
        scope |= Q(ledger__unit_id=user.unit_id)
    if user.unit_id and user.has_role(Role.REVIEWER):
        scope |= Q(ledger__unit_id=user.unit_id) | Q(
            indicator__lead_unit_id=user.unit_id, ledger__status__in=HANDED_IN
        )
    return entries.filter(scope)


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence of visible entries and follow-ups; inspection photos for reviewers and the
    office."""
    evidence = Evidence.objects.select_related("entry", "entry__ledger", "inspection")
    if not user.is_authenticated or not user.is_active:
        return evidence.none()
    scope = Q(entry__in=entries_visible_to(user).values("pk"))
    # A follow-up reply's files: whoever reads the follow-up.
    scope |= Q(follow_up_event__follow_up__in=follow_ups_visible_to(user).values("pk"))
    # A register report's photos: whoever sees the report (campaigns.registers.scope).
    scope |= Q(project_report__in=project_reports_visible_to(user).values("pk"))
    scope |= Q(village_report__in=village_reports_visible_to(user).values("pk"))
    if _sees_all_ledgers(user):
        scope |= Q(inspection__isnull=False)
    elif user.has_role(Role.REVIEWER) and user.unit_id:
        scope |= Q(inspection__inspector__unit_id=user.unit_id)
    return evidence.filter(scope)


def periods_visible_to(user) -> QuerySet[Period]:
    periods = Period.objects.select_related("year")
    if not user.is_authenticated or not user.is_active:
        return periods.none()
    return periods


def current_year() -> AssessmentYear | None:
    return (
        AssessmentYear.objects.filter(status=AssessmentYear.Status.ACTIVE).order_by("-year").first()
    )


def years_visible_to(user) -> QuerySet[AssessmentYear]:
    """The assessment years are the county's public calendar: every signed-in user reads them."""
    years = AssessmentYear.objects.all()
    if not user.is_authenticated or not user.is_active:
        return years.none()
    return years


def chosen_year(user, year_id: int | None) -> AssessmentYear | None:
    """The year asked for if there is one, else the active year, else the latest."""
    years = years_visible_to(user)
    if year_id:
        year = years.filter(pk=year_id).first()
        if year is not None:
            return year
    return current_year() or years.order_by("-year").first()


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Campaigns head the county's published task list: every signed-in user reads them."""
    campaigns = Campaign.objects.all()
    if not user.is_authenticated or not user.is_active:
        return campaigns.none()
    return campaigns


def reopenings_of(ledger: WeeklyLedger):
    """The office's reopenings of a ledger the caller already holds (from a scoped selector),
    with who reopened it."""
    return ledger.reopenings.select_related("reopened_by")


def period_containing(year: AssessmentYear, moment: datetime) -> Period | None:
    day = timezone.localdate(moment)
    return year.periods.filter(starts_on__lte=day, ends_on__gte=day).first()


# --- the reporter's week --------------------------------------------------------------------


@dataclass
class EntryRow:
    """One line of the reporter's form: the entry with what the reporter needs beside it."""

    entry: LedgerEntry
    target: Target | None
    next_milestone: object
    last_week: Decimal | None
    last_verified: Decimal | None
    editable: bool

    @property
    def increment(self) -> Decimal | None:
        if not self.entry.indicator.cumulative:
            return None
        if self.entry.value is None or self.last_week is None:
            return None
        return self.entry.value - self.last_week


def ledger_rows(ledger: WeeklyLedger, *, editable_ids: set[int]) -> list[EntryRow]:
    """Entries with target, next milestone, last week's and last verified figure (4 queries)."""
    entries = list(
        ledger.entries.select_related("indicator", "indicator__campaign", "reviewer")
        .prefetch_related("evidence")
        .order_by("indicator__campaign__sort_order", "indicator__sort_order", "indicator_id")
    )
    indicator_ids = [e.indicator_id for e in entries]
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(
            unit_id=ledger.unit_id, indicator_id__in=indicator_ids
        ).prefetch_related("milestones")
    }
    earlier = (
        LedgerEntry.objects.filter(
            ledger__unit_id=ledger.unit_id,
            ledger__period__year_id=ledger.period.year_id,
            ledger__period__iso_week__lt=ledger.period.iso_week,
            indicator_id__in=indicator_ids,
        )
        .exclude(ledger__status__in=[WeeklyLedger.Status.DRAFT])
        .order_by("indicator_id", "-ledger__period__iso_week")
        .values("indicator_id", "value", "verified_value", "review_status")
    )
    last_week: dict[int, Decimal | None] = {}
    last_verified: dict[int, Decimal | None] = {}
    for row in earlier:
        key = row["indicator_id"]
        last_week.setdefault(key, row["value"])
        if row["review_status"] == LedgerEntry.ReviewStatus.VERIFIED:
            last_verified.setdefault(key, row["verified_value"])
    rows = []
    for entry in entries:
        target = targets.get(entry.indicator_id)
        upcoming = None
        if target:
            upcoming = next(
                (m for m in target.milestones.all() if m.due_date >= ledger.period.starts_on), None
            )
        rows.append(
            EntryRow(
                entry=entry,
                target=target,
                next_milestone=upcoming,
                last_week=last_week.get(entry.indicator_id),
                last_verified=last_verified.get(entry.indicator_id),
                editable=entry.indicator_id in editable_ids,
            )
        )
    return rows


# --- the reviewer's queue -------------------------------------------------------------------


def review_queue(
    user, *, period_id=None, unit_id=None, unit_name="", campaign_id=None, status=None
):
    """Entries of handed-in ledgers on indicators the reviewer's unit leads, not its own;
    `unit_name` narrows to units whose name contains it (the city's unit search)."""
    entries = entries_visible_to(user).filter(ledger__status__in=HANDED_IN)
    # Derived entries are verified through their register rows (campaigns/registers/).
    entries = entries.filter(indicator__source=Indicator.Source.LEDGER)
    if user.has_role(Role.REVIEWER) and not _sees_all_ledgers(user):
        entries = entries.filter(indicator__lead_unit_id=user.unit_id).exclude(
            ledger__unit_id=user.unit_id
        )
        # The same indicators by id too: given the few ids, the planner reads a city
        # reviewer's 36,000 entries of every status through the indicator index instead of
        # scanning all 330,000 (issue 14); the join above keeps its quick plan for 待核实.
        led = Indicator.objects.filter(lead_unit_id=user.unit_id, source=Indicator.Source.LEDGER)
        entries = entries.filter(indicator_id__in=list(led.values_list("pk", flat=True)))
    if period_id:
        entries = entries.filter(ledger__period_id=period_id)
    if unit_id:
        entries = entries.filter(ledger__unit_id=unit_id)
    if unit_name:
        entries = entries.filter(
            Q(ledger__unit__name__icontains=unit_name)
            | Q(ledger__unit__short_name__icontains=unit_name)
        )
    if campaign_id:
        entries = entries.filter(indicator__campaign_id=campaign_id)
    if status:
        entries = entries.filter(review_status=status)
    return entries.prefetch_related("evidence").order_by(
        "-ledger__period__iso_week", "indicator__sort_order", "ledger__unit__sort_order", "pk"
    )


# Above this many units the queue's unit filter is a name search, not a drop-down (a city
# department leading a task every unit carries would list ~900 units).
UNIT_PICKER_LIMIT = 100


def review_queue_units(user, *, year=None) -> QuerySet:
    """The units a reviewer's queue can show: those carrying a target on a ledger indicator its
    unit leads (this year's, when given), not its own unit."""
    from accounts.selectors import units_visible_to

    units = units_visible_to(user).filter(active=True)
    if user.has_role(Role.REVIEWER) and not _sees_all_ledgers(user):
        led = Target.objects.filter(
            indicator__lead_unit_id=user.unit_id, indicator__source=Indicator.Source.LEDGER
        )
        if year is not None:
            led = led.filter(indicator__campaign__year=year)
        units = units.filter(pk__in=led.values("unit_id")).exclude(pk=user.unit_id)
    return units.order_by("group__sort_order", "sort_order")


def trends_and_peers(entries: list[LedgerEntry], *, weeks: int = 6):
    """前后比 and 左右比 for a page of entries, in two queries whatever the page holds.

    trend[entry_id]: the unit's last `weeks` figures on the indicator up to the entry's week;
    peers[entry_id]: (group average, group best, rank of this unit) on the same week.
    """
    if not entries:
        return {}, {}
    pairs = {(e.ledger.unit_id, e.indicator_id) for e in entries}
    year_ids = {e.ledger.period.year_id for e in entries}
    top_week = max(e.ledger.period.iso_week for e in entries)
    low_week = min(e.ledger.period.iso_week for e in entries) - weeks
    history = (
        LedgerEntry.objects.filter(
            ledger__period__year_id__in=year_ids,
            ledger__period__iso_week__gt=low_week,
            ledger__period__iso_week__lte=top_week,
            ledger__unit_id__in={u for u, _ in pairs},
            indicator_id__in={i for _, i in pairs},
        )
        .exclude(ledger__status=WeeklyLedger.Status.DRAFT)
        .values_list("ledger__unit_id", "indicator_id", "ledger__period__iso_week", "value")
    )
    series = defaultdict(dict)
    for unit_id, indicator_id, week, value in history:
        series[(unit_id, indicator_id)][week] = value
    trend = {}
    for e in entries:
        weekly = series[(e.ledger.unit_id, e.indicator_id)]
        week = e.ledger.period.iso_week
        trend[e.pk] = [(w, weekly.get(w)) for w in range(week - weeks + 1, week + 1) if w > 0]

    same_week = (
        LedgerEntry.objects.filter(
            ledger__period_id__in={e.ledger.period_id for e in entries},
            indicator_id__in={e.indicator_id for e in entries},
            ledger__unit__group_id__in={e.ledger.unit.group_id for e in entries},
            value__isnull=False,
        )
        .exclude(ledger__status=WeeklyLedger.Status.DRAFT)
        .values_list("ledger__period_id", "indicator_id", "ledger__unit__group_id", "value")
    )
    figures = defaultdict(list)
    for period_id, indicator_id, group_id, value in same_week:
        figures[(period_id, indicator_id, group_id)].append(value)
    peers = {}
    for e in entries:
        values = figures.get((e.ledger.period_id, e.indicator_id, e.ledger.unit.group_id), [])
        if not values or e.value is None:
            peers[e.pk] = None
            continue
        lower_better = e.indicator.direction == Indicator.Direction.LOWER_BETTER
        best = min(values) if lower_better else max(values)
        better = sum(1 for v in values if (v < e.value if lower_better else v > e.value))
        peers[e.pk] = {
            "average": sum(values) / len(values),
            "best": best,
            "rank": better + 1,
            "count": len(values),
        }
    return trend, peers


# --- an entry's history, in Chinese ----------------------------------------------------------


@dataclass
class HistoryChange:
    label: str  # the field's verbose name
    old: str
    new: str


@dataclass
class HistoryRow:
    when: str  # local time, "2026年11月30日 13:21"
    who: str
    reason: str
    created: bool
    changes: list[HistoryChange]


EMPTY = "（空）"


def _local_minute(moment: datetime) -> str:
    moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _shown_value(field, value, people: dict) -> str:
    """One historical value as the office reads it: labels, names, figures, local times."""
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        if field.related_model is get_user_model():
            return people.get(value, f"（已删除的用户 {value}）")
        return str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    if isinstance(value, datetime):
        return _local_minute(value)
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


@dataclass
class _Change:
    field: str
    old: object
    new: object


def _changes_from_blank(record, fields) -> list[_Change]:
    changes = []
    for name in (
        "value",
        "done_on",
        "decrease_reason",
        "progress",
        "problem_category",
        "problems",
        "next_steps",
        "review_status",
        "reviewer",
        "reviewed_at",
        "review_comment",
        "verified_value",
        "checked_on_site",
    ):
        field = fields[name]
        blank = field.get_default()
        new = getattr(record, field.attname)
        if new != blank and not (blank in (None, "") and new in (None, "")):
            changes.append(_Change(field=name, old=blank, new=new))
    return changes


def entry_history_rows(entry: LedgerEntry) -> list[HistoryRow]:
    """Every change of `entry`, oldest first: who, when, why, and each field's old → new value
    in Chinese (verbose names, choice labels, people by full name). Three queries."""
    records = list(entry.history.select_related("history_user").order_by("history_date", "pk"))
    fields = {f.name: f for f in LedgerEntry._meta.fields}
    order = {name: index for index, name in enumerate(fields)}  # the model's field order
    deltas = [newer.diff_against(older).changes for older, newer in pairwise(records)]
    first = records[:1] if records and records[0].history_type != "+" else []
    user_ids = {
        value
        for changes in [*deltas, *(_changes_from_blank(r, fields) for r in first)]
        for change in changes
        if fields[change.field].is_relation
        and fields[change.field].related_model is get_user_model()
        for value in (change.old, change.new)
        if value is not None
    }
    people = {
        pk: name or username
        for pk, name, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "full_name", "username")
    }
    rows = []
    for index, record in enumerate(records):
        user = record.history_user
        created = index == 0 and record.history_type == "+"
        if index == 0:
            # Entries opened before their creation was recorded: compare with a blank entry.
            changes = [] if created else _changes_from_blank(record, fields)
        else:
            changes = deltas[index - 1]
        rows.append(
            HistoryRow(
                when=_local_minute(record.history_date),
                who=(user.full_name or user.username) if user else "系统",
                reason=record.history_change_reason or "",
                created=created,
                changes=[
                    HistoryChange(
                        label=str(fields[c.field].verbose_name),
                        old=_shown_value(fields[c.field], c.old, people),
                        new=_shown_value(fields[c.field], c.new, people),
                    )
                    for c in sorted(changes, key=lambda c: order.get(c.field, 0))
                    if c.field in fields
                ],
            )
        )
    return rows
