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
from django.db.models import Avg
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import acts_as_office, user_acts_as
from accounts.roles import Role
from jiaozhang.ids import as_id

from ..models import KeyProject, PilotVillage, VillageTaskProgress, WeeklyLedger
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


@dataclass
class ContractedRow:
    """One project or village of the view, everything the page and the dashboard show."""

    kind: str  # "project" or "village"
    row: object
    name: str
    unit_name: str
    leader_name: str
    status_label: str
    figure_label: str  # 累计投资 or 任务平均完成
    blockers: list[str] = field(default_factory=list)
    blocking_note: str = ""
    progress: str = ""
    week_label: str = ""
    report_state: str = ""
    last_check: date | None = None
    days: int | None = None
    reasons: list[str] = field(default_factory=list)
    inspect_url: str = ""
    can_inspect: bool = False  # the office, or the row's own contracting leader

    @property
    def red(self) -> bool:
        return bool(self.reasons)


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


def _newest_per(reports, row_field: str) -> dict:
    """Row id -> its newest handed-in report. DISTINCT ON where the database has it
    (PostgreSQL); the embedded SQLite default reads them all and keeps the first per row."""
    reports = reports.select_related("ledger__period").order_by(
        row_field, "-ledger__period__starts_on"
    )
    if connection.features.can_distinct_on_fields:
        reports = reports.distinct(row_field)
    newest: dict = {}
    for report in reports:
        newest.setdefault(getattr(report, row_field), report)
    return newest


def project_rows(user, projects, *, year, today) -> list[ContractedRow]:
    """Rows for `projects` (a scoped queryset): four queries."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    series: dict[int, list[Decimal]] = {}
    verified = (
        project_reports_visible_to(user)
        .filter(project_id__in=ids, review_status=ReviewStatus.VERIFIED)
        .select_related(None)
        .order_by("ledger__period__starts_on")
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
        report = latest.get(project.pk)
        last = checks.get(project.pk)
        since = red_flags.counted_since(
            registered=timezone.localdate(project.created_at), year=year.year
        )
        rows.append(
            ContractedRow(
                kind="project",
                row=project,
                name=project.name,
                unit_name=project.unit.name,
                leader_name=_name(project.leader),
                status_label=project.get_status_display(),
                figure_label=(
                    f"本年累计完成投资 {_money(project.investment_to_date)} 万元"
                    f"（年度计划 {_money(project.annual_plan)} 万元）"
                ),
                blockers=project.blocker_labels,
                blocking_note=project.blocking_note,
                progress=report.progress if report else "",
                week_label=report.ledger.period.label if report else "",
                report_state=report.get_review_status_display() if report else "",
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
                inspect_url=reverse("register-project-inspect", args=[project.pk]),
                can_inspect=office or project.leader_id == user.pk,
            )
        )
    return _sorted(rows)


def village_rows(user, villages, *, year, today) -> list[ContractedRow]:
    """Rows for `villages` (a scoped queryset): five queries."""
    villages = list(villages.prefetch_related("tasks"))
    ids = [v.pk for v in villages]
    series: dict[int, list[Decimal]] = {}
    verified_reports = village_reports_visible_to(user).filter(
        village_id__in=ids, review_status=ReviewStatus.VERIFIED
    )
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
        tasks = list(village.tasks.all())
        mean = sum((t.completion for t in tasks), Decimal(0)) / len(tasks) if tasks else None
        report = latest.get(village.pk)
        last = checks.get(village.pk)
        since = red_flags.counted_since(
            registered=timezone.localdate(village.created_at), year=year.year
        )
        rows.append(
            ContractedRow(
                kind="village",
                row=village,
                name=str(village),
                unit_name=village.township.name,
                leader_name=_name(village.leader),
                status_label=village.get_level_display() + "试点村",
                figure_label=(
                    f"{len(tasks)}项任务，平均完成 {mean:.1f}%" if tasks else "尚未登记建设任务"
                ),
                progress=report.progress if report else "",
                week_label=report.ledger.period.label if report else "",
                report_state=report.get_review_status_display() if report else "",
                last_check=last,
                days=days_since(last, today=today),
                reasons=red_flags.village_reasons(
                    completions=series.get(village.pk, []),
                    last_check=last,
                    since=since,
                    today=today,
                ),
                inspect_url=reverse("register-village-inspect", args=[village.pk]),
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
