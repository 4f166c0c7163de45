"""Read models of the register pages: the three lists with their filters, and a row's page.

Every list starts from the scope.py queryset of the user, so a unit sees its own rows, a
reviewer the rows it reviews and the office and leaders everything; each list takes a fixed
number of queries whatever the number of units or rows (select_related, one query for the
last on-site checks). The Excel export reads the same lists (scoring.reports.register_sheets).
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q

from accounts.models import Unit, User
from accounts.roles import Role
from jiaozhang.ids import as_id

from ..models import (
    AssessmentYear,
    Campaign,
    Inspection,
    KeyProject,
    PilotVillage,
    SignedProject,
    VillageReport,
    VillageTaskProgress,
)
from ..register_models import ReviewStatus
from . import scope
from .checks import UNCHECKED_DAYS, days_since, last_checks
from .red_flags import starts_late

Status = KeyProject.Status

# The GET names of each list's filters (also the export's params).
PROJECT_FILTERS = (
    "year",
    "campaign",
    "unit",
    "park",
    "leader",
    "status",
    "category",
    "strategic",
    "showcase",
    "red",
)
SIGNED_FILTERS = ("year", "unit", "investor_class", "stage", "review", "from", "to")
VILLAGE_FILTERS = ("year", "township", "level", "leader")


def _choice(value, choices) -> str | None:
    return value if value in {c for c, _ in choices} else None


def _iso_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _year(params) -> AssessmentYear | None:
    """The year named in params, else the active (latest) one."""
    year_id = as_id(params.get("year"))
    years = AssessmentYear.objects.order_by("-year")
    if year_id is not None:
        return years.filter(pk=year_id).first()
    return years.filter(status=AssessmentYear.Status.ACTIVE).first() or years.first()


def cleaned_filters(params, names) -> dict:
    """The filters of `names` present in `params` (a QueryDict or dict), as plain text; what
    a list page shows as selected and the export link carries."""
    return {name: str(params.get(name)) for name in names if params.get(name) not in (None, "")}


@dataclass
class Row:
    """A register row with what its list shows beside it."""

    obj: object
    last_check: date | None = None
    days_since_check: int | None = None
    red: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def never_checked(self) -> bool:
        return self.last_check is None

    @property
    def check_overdue(self) -> bool:
        return self.days_since_check is not None and self.days_since_check > UNCHECKED_DAYS


@dataclass
class ListPage:
    year: AssessmentYear | None
    rows: list[Row]
    filters: dict
    options: dict
    paging: Page | None = None  # the page's place in the list; None: every row (the workbooks)


def _paged(rows, params, per_page: int | None):
    """The rows of the page `params["page"]` asks for (past the end: the last page) and its
    Paginator page; every row and None without `per_page` (the workbooks hold every row)."""
    if not per_page:
        return list(rows), None
    paging = Paginator(rows, per_page).get_page(params.get("page"))
    return list(paging.object_list), paging


def _leaders():
    return list(
        User.objects.filter(groups__name=Role.LEADER.group_name, is_active=True)
        .order_by("full_name", "id")
        .distinct()
    )


def _checked_rows(register, objects, *, today) -> list[Row]:
    checks = last_checks(register, [o.pk for o in objects])
    rows = []
    for obj in objects:
        last = checks.get(obj.pk)
        rows.append(Row(obj, last, days_since(last, today=today)))
    return rows


def project_is_red(project: KeyProject, *, today: date) -> bool:
    """Not started after its planned start: the list's red mark, by the 分包 view's rule."""
    return starts_late(status=project.status, planned_start=project.planned_start, today=today)


def project_rows(user, params, *, today: date, per_page: int | None = None) -> ListPage:
    year = _year(params)
    filters = cleaned_filters(params, PROJECT_FILTERS)
    rows = scope.projects_visible_to(user).filter(year=year, active=True)
    if campaign := as_id(params.get("campaign")):
        rows = rows.filter(campaign_id=campaign)
    if unit := as_id(params.get("unit")):
        rows = rows.filter(unit_id=unit)
    if park := as_id(params.get("park")):
        rows = rows.filter(park_id=park)
    if leader := as_id(params.get("leader")):
        rows = rows.filter(leader_id=leader)
    if status := _choice(params.get("status"), Status.choices):
        rows = rows.filter(status=status)
    if category := _choice(params.get("category"), KeyProject.Category.choices):
        rows = rows.filter(category=category)
    if params.get("strategic") == "1":
        rows = rows.filter(strategic=True)
    if params.get("showcase") == "1":
        rows = rows.filter(showcase=True)
    if params.get("red") == "1":  # the red mark is worked out here, so paged after it
        rows = [row for row in rows if project_is_red(row, today=today)]
    rows, paging = _paged(rows, params, per_page)
    listed = _checked_rows("projects", rows, today=today)
    for row in listed:
        row.red = project_is_red(row.obj, today=today)
    options = {
        "years": list(AssessmentYear.objects.order_by("-year")),
        "campaigns": list(
            Campaign.objects.filter(year=year, key_projects__isnull=False)
            .distinct()
            .order_by("sort_order", "id")
        ),
        "units": _units(Q(key_projects__year=year)),
        "parks": _units(Q(park_projects__year=year)),
        "leaders": _leaders(),
        "statuses": Status.choices,
        "categories": KeyProject.Category.choices,
    }
    return ListPage(year, listed, filters, options, paging)


def _units(condition: Q) -> list[Unit]:
    return list(Unit.objects.filter(condition).distinct().order_by("sort_order", "id"))


def signed_rows(user, params, *, today: date, per_page: int | None = None) -> ListPage:
    year = _year(params)
    filters = cleaned_filters(params, SIGNED_FILTERS)
    rows = scope.signed_projects_visible_to(user).filter(year=year)
    if unit := as_id(params.get("unit")):
        rows = rows.filter(unit_id=unit)
    if investor_class := _choice(params.get("investor_class"), SignedProject.InvestorClass.choices):
        rows = rows.filter(investor_class=investor_class)
    if stage := _choice(params.get("stage"), SignedProject.Stage.choices):
        rows = rows.filter(stage=stage)
    if review := _choice(params.get("review"), ReviewStatus.choices):
        rows = rows.filter(review_status=review)
    if start := _iso_date(params.get("from")):
        rows = rows.filter(signed_on__gte=start)
    if end := _iso_date(params.get("to")):
        rows = rows.filter(signed_on__lte=end)
    options = {
        "years": list(AssessmentYear.objects.order_by("-year")),
        "units": _units(Q(signed_projects__year=year)),
        "investor_classes": SignedProject.InvestorClass.choices,
        "stages": SignedProject.Stage.choices,
        "reviews": ReviewStatus.choices,
    }
    rows, paging = _paged(rows, params, per_page)
    return ListPage(year, [Row(obj) for obj in rows], filters, options, paging)


def village_rows(user, params, *, today: date, per_page: int | None = None) -> ListPage:
    year = _year(params)
    filters = cleaned_filters(params, VILLAGE_FILTERS)
    rows = scope.villages_visible_to(user).filter(year=year, active=True).prefetch_related("tasks")
    if township := as_id(params.get("township")):
        rows = rows.filter(township_id=township)
    if level := _choice(params.get("level"), PilotVillage.Level.choices):
        rows = rows.filter(level=level)
    if leader := as_id(params.get("leader")):
        rows = rows.filter(leader_id=leader)
    rows, paging = _paged(rows, params, per_page)
    listed = _checked_rows("villages", rows, today=today)
    for row in listed:
        tasks = list(row.obj.tasks.all())
        row.task_count = len(tasks)
        row.tasks_done = sum(1 for t in tasks if t.completion >= 100)
        row.task_rate = sum(t.completion for t in tasks) / len(tasks) if tasks else None
        row.funds_planned = sum(getattr(row.obj, f) for f in PilotVillage.FUND_FIELDS)
    options = {
        "years": list(AssessmentYear.objects.order_by("-year")),
        "townships": _units(Q(pilot_villages__year=year)),
        "levels": PilotVillage.Level.choices,
        "leaders": _leaders(),
    }
    return ListPage(year, listed, filters, options, paging)


# --- a row's page ---------------------------------------------------------------------------


@dataclass
class RowPage:
    obj: object
    reports: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    last_check: date | None = None
    days_since_check: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def check_overdue(self) -> bool:
        return self.days_since_check is not None and self.days_since_check > UNCHECKED_DAYS


def _checks(**row) -> list[Inspection]:
    return list(
        Inspection.objects.filter(**row)
        .select_related("inspector", "unit")
        .prefetch_related("photos")
        .order_by("-visited_on", "-id")
    )


def project_page(user, pk: int, *, today: date) -> RowPage | None:
    """A project the user may see, with its weekly reports newest first (review state,
    photos) and its on-site checks; None when the user may not see it."""
    project = scope.projects_visible_to(user).filter(pk=pk).first()
    if project is None:
        return None
    reports = list(
        scope.project_reports_visible_to(user)
        .filter(project=project)
        .select_related("reviewer")
        .prefetch_related("evidence")
        .order_by("-ledger__period__starts_on", "-id")
    )
    checks = _checks(project=project)
    last = checks[0].visited_on if checks else None
    return RowPage(
        project,
        reports,
        checks,
        last,
        days_since(last, today=today),
        {"red": project_is_red(project, today=today)},
    )


def village_page(user, pk: int, *, today: date) -> RowPage | None:
    """A village the user may see: its tasks (due date, verified completion), funds planned
    vs in place (latest verified report), its reports newest first, its checks."""
    village = scope.villages_visible_to(user).filter(pk=pk).first()
    if village is None:
        return None
    reports = list(
        scope.village_reports_visible_to(user)
        .filter(village=village)
        .select_related("reviewer")
        .prefetch_related(
            "evidence",
            Prefetch("tasks", VillageTaskProgress.objects.select_related("task")),
        )
        .order_by("-ledger__period__starts_on", "-id")
    )
    verified = (
        VillageReport.objects.filter(village=village, review_status=ReviewStatus.VERIFIED)
        .order_by("-ledger__period__starts_on", "-id")
        .first()
    )
    funds = [
        {
            "label": str(PilotVillage._meta.get_field(name).verbose_name).removesuffix("（万元）"),
            "planned": getattr(village, name),
            "in_place": getattr(verified, name) if verified else None,
        }
        for name in PilotVillage.FUND_FIELDS
    ]
    tasks = list(village.tasks.all())
    checks = _checks(village=village)
    last = checks[0].visited_on if checks else None
    return RowPage(
        village,
        reports,
        checks,
        last,
        days_since(last, today=today),
        {
            "tasks": tasks,
            "funds": funds,
            "funds_planned": sum(f["planned"] for f in funds),
            "funds_in_place": sum(f["in_place"] for f in funds) if verified else None,
            "verified_report": verified,
            "today": today,
        },
    )


def signed_page(user, pk: int) -> RowPage | None:
    """A signing the user may see, with its history of changes, newest first."""
    signed = scope.signed_projects_visible_to(user).filter(pk=pk).select_related("reviewer").first()
    if signed is None:
        return None
    history = list(signed.history.select_related("history_user").order_by("-history_date"))
    return RowPage(signed, extra={"history": history})
