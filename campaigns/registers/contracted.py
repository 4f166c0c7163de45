"""The leaders' 分包 view (issue 13): the key projects and pilot villages a county leader
contracts, with their status, last week's progress, blocking causes, days since the last
on-site check and red reasons (red_flags), red rows first.

Read through the scoped querysets of scope.py, in a fixed number of queries however many units
and rows (tests/campaigns/test_contracted.py counts them from 10 to 60 units).

Who is shown (decided here, the issue is silent):
- a county leader sees their own rows by default;
- the office and every county leader may pick any LEADER-role user (`?leader=<id>`), or
  `?leader=all` — every active row of the year, including rows nobody contracts yet (未分包),
  the list the dashboard's register flags link to; the office lands on `all`;
- `?red=not_started|stalled|unchecked` keeps the rows red for that reason (red_flags.KINDS).
"Last week's progress" is the latest report in a handed-in ledger (a draft the unit is still
writing is not news yet), shown with its week and its review state.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Exists, F, OuterRef, Window
from django.db.models.functions import DenseRank, RowNumber
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import acts_as_office, user_acts_as
from accounts.roles import Role
from jiaozhang.ids import as_id

from ..models import (
    KeyProject,
    Period,
    PilotVillage,
    VillageTask,
    VillageTaskProgress,
    WeeklyLedger,
)
from ..register_models import ReviewStatus
from ..selectors import chosen_year
from . import red_flags
from .checks import days_since, last_checks
from .scope import (
    project_reports_visible_to,
    projects_visible_to,
    village_reports_visible_to,
    villages_visible_to,
)

ALL = "all"


@dataclass(frozen=True)
class Latest:
    """What a row shows of its newest handed-in report."""

    progress: str
    week_label: str
    state: str  # the report's review state, in Chinese


@dataclass
class ContractedRow:
    """One project or village of the view, everything the page and the dashboard show.

    What decides a row's place and colour (`reasons`) is worked out for every row; what only
    its card shows is read from `row` when the card is rendered (properties below): a city's
    全部 holds ~2,500 rows, a page 60 (issue 14)."""

    row: object
    name: str
    latest: Latest | None = None  # its newest handed-in report
    last_check: date | None = None
    days: int | None = None
    reasons: list[str] = field(default_factory=list)
    can_inspect: bool = False  # the office, or the row's own contracting leader

    kind = ""  # "project" or "village"

    @property
    def red(self) -> bool:
        return bool(self.reasons)

    @property
    def leader_name(self) -> str:
        return _name(self.row.leader)

    @property
    def progress(self) -> str:
        return self.latest.progress if self.latest else ""

    @property
    def week_label(self) -> str:
        return self.latest.week_label if self.latest else ""

    @property
    def report_state(self) -> str:
        return self.latest.state if self.latest else ""

    @property
    def inspect_url(self) -> str:
        return reverse(f"register-{self.kind}-inspect", args=[self.row.pk])


class ProjectRow(ContractedRow):
    kind = "project"

    @property
    def unit_name(self) -> str:
        return self.row.unit.name

    @property
    def status_label(self) -> str:
        return self.row.get_status_display()

    @property
    def figure_label(self) -> str:
        return (
            f"本年累计完成投资 {_money(self.row.investment_to_date)} 万元"
            f"（年度计划 {_money(self.row.annual_plan)} 万元）"
        )

    @property
    def blockers(self) -> list[str]:
        return self.row.blocker_labels

    @property
    def blocking_note(self) -> str:
        return self.row.blocking_note


@dataclass
class VillageRow(ContractedRow):
    tasks: list[Decimal] = field(default_factory=list)  # its tasks' completions

    kind = "village"
    blocking_note = ""

    @property
    def blockers(self) -> list[str]:
        return []

    @property
    def unit_name(self) -> str:
        return self.row.township.name

    @property
    def status_label(self) -> str:
        return self.row.get_level_display() + "试点村"

    @property
    def figure_label(self) -> str:  # 任务平均完成, from the tasks' latest verified completion
        if not self.tasks:
            return "尚未登记建设任务"
        mean = sum(self.tasks, Decimal(0)) / len(self.tasks)
        return f"{len(self.tasks)}项任务，平均完成 {mean:.1f}%"


@dataclass
class Contracted:
    year: object
    leader: object  # the chosen User, or None for every row
    scope: str  # "all" or "leader"
    leaders: list = field(default_factory=list)  # the picker: LEADER-role users
    red: str | None = None
    projects: list[ContractedRow] = field(default_factory=list)
    villages: list[ContractedRow] = field(default_factory=list)

    @property
    def red_count(self) -> int:
        return sum(row.red for row in self.projects + self.villages)


def may_view(user) -> bool:
    return acts_as_office(user) or user_acts_as(user, Role.LEADER)


def row_to_inspect(user, register: str, row_id: int):
    """(row, exists) for an on-site check page: the project or village if the user may see it,
    and whether such a row exists at all — a reviewer of another register is refused (403)
    rather than told it does not exist, as the rows are county-wide lists anyway."""
    scoped, model = (
        (projects_visible_to(user), KeyProject)
        if register == "projects"
        else (villages_visible_to(user), PilotVillage)
    )
    row = scoped.filter(pk=row_id).first()
    return row, row is not None or model.objects.filter(pk=row_id).exists()


def leaders_offered():
    """Every active LEADER-role user, the picker's choices."""
    return (
        User.objects.filter(groups__name=Role.LEADER.label, is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


def _name(user) -> str:
    return (user.full_name or user.username) if user else "未分包"


def _money(value: Decimal) -> str:
    return f"{value.normalize():f}".rstrip(".") if value else "0"


def _sorted(rows: list[ContractedRow]) -> list[ContractedRow]:
    return sorted(rows, key=lambda r: (not r.red, -len(r.reasons)))


def _newest_per(reports, row_field: str) -> dict[int, Latest]:
    """Row id -> its newest handed-in report. DISTINCT ON where the database has it
    (PostgreSQL); the embedded SQLite default reads them all and keeps the first per row.

    Only the keys are sorted to pick each row's report, and only the few fields shown are read
    for the picked ones: sorting whole joined report rows spilled to disk and building six model
    instances a row took a second for a city's ~2,000 projects (issue 14)."""
    ordered = reports.order_by(row_field, "-ledger__period__starts_on")
    if connection.features.can_distinct_on_fields:
        picked = ordered.distinct(row_field).values("pk")
        ordered = reports.model.objects.filter(pk__in=picked).order_by()
    states = dict(ReviewStatus.choices)
    weeks: dict[int, str] = {}  # period id -> its label
    newest: dict[int, Latest] = {}
    for report in ordered.values(
        row_field,
        "progress",
        "review_status",
        "ledger__period_id",
        "ledger__period__iso_week",
        "ledger__period__starts_on",
        "ledger__period__ends_on",
    ):
        if report[row_field] in newest:
            continue
        period_id = report["ledger__period_id"]
        if period_id not in weeks:
            weeks[period_id] = Period(
                iso_week=report["ledger__period__iso_week"],
                starts_on=report["ledger__period__starts_on"],
                ends_on=report["ledger__period__ends_on"],
            ).label
        state = report["review_status"]
        newest[report[row_field]] = Latest(
            progress=report["progress"],
            week_label=weeks[period_id],
            state=str(states.get(state, state)),
        )
    return newest


def _latest_few(reports, row_field: str, rank, *order):
    """`reports` narrowed to each row's latest few by `rank` over `order` (newest first): the
    stall rule reads only red_flags.SERIES_READ values, and a city's whole year of reports
    read into Python took a tenth of a second more (issue 14)."""
    newness = Window(rank, partition_by=F(row_field), order_by=list(order))
    return reports.annotate(newness=newness).filter(newness__lte=red_flags.SERIES_READ)


def project_rows(user, projects, *, year, today) -> list[ContractedRow]:
    """Rows for `projects` (a scoped queryset): six queries."""
    # Only what a row shows, and each unit and leader once: a city's ~2,000 projects, each
    # built with its own copy of its unit, leader, campaign, year and park, spent a fifth of a
    # second on instances.
    ids = projects.values("pk")  # a subquery: a city's 2,000 ids made every query's text long
    projects = list(projects.select_related(None).prefetch_related("unit", "leader"))
    if not projects:
        return []
    series: dict[int, list[Decimal]] = {}
    verified = project_reports_visible_to(user).filter(
        project_id__in=ids, review_status=ReviewStatus.VERIFIED
    )
    newest_first = (F("ledger__period__starts_on").desc(), F("pk").desc())
    verified = (
        _latest_few(verified, "project_id", RowNumber(), *newest_first)
        .order_by("ledger__period__starts_on", "pk")
        .values_list("project_id", "investment_to_date", "verified_investment")
    )
    for project_id, reported, checked in verified:
        series.setdefault(project_id, []).append(reported if checked is None else checked)
    latest = _newest_per(
        project_reports_visible_to(user).filter(
            project_id__in=ids, ledger__status__in=WeeklyLedger.HANDED_IN
        ),
        "project_id",
    )
    checks = last_checks("projects", ids)
    office = acts_as_office(user)
    rows = []
    for project in projects:
        last = checks.get(project.pk)
        since = red_flags.counted_since(
            registered=timezone.localdate(project.created_at), year=year.year
        )
        rows.append(
            ProjectRow(
                row=project,
                name=project.name,
                latest=latest.get(project.pk),
                last_check=last,
                days=days_since(last, today=today),
                reasons=red_flags.project_reasons(
                    status=project.status,
                    planned_start=project.planned_start,
                    investments=series.get(project.pk, []),
                    last_check=last,
                    since=since,
                    today=today,
                ),
                can_inspect=office or project.leader_id == user.pk,
            )
        )
    return _sorted(rows)


def village_rows(user, villages, *, year, today) -> list[ContractedRow]:
    """Rows for `villages` (a scoped queryset): five queries."""
    ids = villages.values("pk")
    villages = list(villages.select_related(None).select_related("township", "leader"))
    if not villages:
        return []
    tasks: dict[int, list[Decimal]] = {}  # the completions a card averages, not whole tasks
    completions = VillageTask.objects.filter(village__in=ids).order_by()
    for village_id, completion in completions.values_list("village_id", "completion"):
        tasks.setdefault(village_id, []).append(completion)
    series: dict[int, list[Decimal]] = {}
    # A point of the series is a week's average over the task lines of its verified reports:
    # the latest weeks that have task lines.
    verified_reports = village_reports_visible_to(user).filter(
        Exists(VillageTaskProgress.objects.filter(report=OuterRef("pk"))),
        village_id__in=ids,
        review_status=ReviewStatus.VERIFIED,
    )
    weeks_newest_first = F("ledger__period__starts_on").desc()
    verified_reports = _latest_few(verified_reports, "village_id", DenseRank(), weeks_newest_first)
    averages = (
        VillageTaskProgress.objects.filter(report__in=verified_reports.values("pk"))
        .values("report__village_id", "report__ledger__period__starts_on")
        .annotate(mean=Avg("completion"))
        .order_by("report__ledger__period__starts_on")
    )
    for line in averages:
        series.setdefault(line["report__village_id"], []).append(line["mean"])
    latest = _newest_per(
        village_reports_visible_to(user).filter(
            village_id__in=ids, ledger__status__in=WeeklyLedger.HANDED_IN
        ),
        "village_id",
    )
    checks = last_checks("villages", ids)
    office = acts_as_office(user)
    rows = []
    for village in villages:
        last = checks.get(village.pk)
        since = red_flags.counted_since(
            registered=timezone.localdate(village.created_at), year=year.year
        )
        rows.append(
            VillageRow(
                row=village,
                name=str(village),
                tasks=tasks.get(village.pk, []),
                latest=latest.get(village.pk),
                last_check=last,
                days=days_since(last, today=today),
                reasons=red_flags.village_reasons(
                    completions=series.get(village.pk, []),
                    last_check=last,
                    since=since,
                    today=today,
                ),
                can_inspect=office or village.leader_id == user.pk,
            )
        )
    return _sorted(rows)


def register_rows(user, *, year, today, leader=None, red: str | None = None):
    """(projects, villages) of `year` as ContractedRows, red first: the rows `leader`
    contracts, or every active row when `leader` is None. `red` keeps one kind of red row."""
    projects = projects_visible_to(user).filter(year=year, active=True)
    villages = villages_visible_to(user).filter(year=year, active=True)
    if leader is not None:
        projects, villages = projects.filter(leader=leader), villages.filter(leader=leader)
    rows = (
        project_rows(user, projects, year=year, today=today),
        village_rows(user, villages, year=year, today=today),
    )
    if red is None:
        return rows
    return tuple([r for r in group if red_flags.matches(r.reasons, red)] for group in rows)


def contracted_view(user, *, leader_param: str | None, red: str | None, today: date):
    """The 分包 page's content, or None when `leader_param` names no county leader (404).
    The caller has checked may_view(user)."""
    year = chosen_year(user, None)
    leaders = list(leaders_offered())
    red = red if red in red_flags.KINDS else None
    if leader_param == ALL or (not leader_param and not user_acts_as(user, Role.LEADER)):
        chosen, scope = None, ALL
    elif leader_param:
        leader_id = as_id(leader_param)
        chosen = next((u for u in leaders if u.pk == leader_id), None)
        if chosen is None:
            return None
        scope = "leader"
    else:
        chosen, scope = user, "leader"
    view = Contracted(year=year, leader=chosen, scope=scope, leaders=leaders, red=red)
    if year is not None:
        view.projects, view.villages = register_rows(
            user, year=year, today=today, leader=chosen, red=red
        )
    return view
