"""Who may see and review register rows: one scoped queryset per register model.

- The office and county leaders read every row (DESIGN §2: leaders read everything).
- A unit's reporters and heads see the rows their unit is responsible for (a project's
  responsible unit, a signing's unit, a village's township) and their reports.
- A reviewer sees its own unit's rows, and reviews the rows of the registers whose derived
  indicators its unit leads (`reviewer_scope`): the lead department of 开工率 verifies the
  project reports of that campaign, the lead of 签约额 the signings, the lead of 试点村任务
  完成率 or 资金到位率 the village reports. Reports reach it once their ledger is handed in.
- The system administrator reads no ledgers, so no registers either.

Views and services reach register rows only through these functions.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.permissions import reads_every_unit
from accounts.roles import Role

from ..models import (
    Indicator,
    KeyProject,
    PilotVillage,
    ProjectReport,
    SignedProject,
    VillageReport,
    WeeklyLedger,
)

# Indicator.source prefixes of each register: the one map from a register to its indicators.
SOURCE_PREFIX = {"projects": "projects_", "signed": "signed_", "villages": "village_"}


def _member_unit(user) -> int | None:
    """The unit whose own rows the user sees (reporters, heads and reviewers see their own)."""
    if not user.unit_id:
        return None
    if any(user.has_role(r) for r in (Role.REPORTER, Role.UNIT_HEAD, Role.REVIEWER)):
        return user.unit_id
    return None


def _leads(user, register: str):
    """The derived indicators of `register` the user's unit leads (none unless a reviewer)."""
    if not (user.is_authenticated and user.unit_id and user.has_role(Role.REVIEWER)):
        return Indicator.objects.none()
    return Indicator.objects.filter(
        source__startswith=SOURCE_PREFIX[register], lead_unit_id=user.unit_id
    )


def reviewer_scope(user, register: str, *, year_ref: str, campaign_ref: str | None = None) -> Q:
    """Rows of `register` the user's unit reviews: it leads a derived indicator of that
    register in the row's year (and, for projects, the row's campaign). `year_ref` and
    `campaign_ref` name the row's year / campaign fields in the filtered queryset."""
    leads = _leads(user, register).filter(campaign__year_id=OuterRef(year_ref))
    if campaign_ref:
        leads = leads.filter(campaign_id=OuterRef(campaign_ref))
    return Q(Exists(leads))


def reviews_row(user, register: str, row) -> bool:
    """Whether the user's unit reviews this register row (project, signing or village)."""
    leads = _leads(user, register).filter(campaign__year_id=row.year_id)
    if register == "projects":
        leads = leads.filter(campaign_id=row.campaign_id)
    return leads.exists()


def _scoped(user, rows: QuerySet, *, unit_field: str, reviewed: Q) -> QuerySet:
    """The rule of the module's docstring for one queryset: everything for the office and
    leaders; for others their unit's rows (`unit_field`) and the rows they review."""
    if not (user.is_authenticated and user.is_active):
        return rows.none()
    if reads_every_unit(user):
        return rows
    scope = reviewed
    if unit_id := _member_unit(user):
        scope |= Q(**{unit_field: unit_id})
    return rows.filter(scope)


HANDED_IN = Q(ledger__status__in=WeeklyLedger.HANDED_IN)


def projects_visible_to(user) -> QuerySet[KeyProject]:
    rows = KeyProject.objects.select_related("unit", "park", "leader", "campaign", "year")
    reviewed = reviewer_scope(user, "projects", year_ref="year_id", campaign_ref="campaign_id")
    return _scoped(user, rows, unit_field="unit_id", reviewed=reviewed)


def signed_projects_visible_to(user) -> QuerySet[SignedProject]:
    rows = SignedProject.objects.select_related("unit", "year", "ledger__period")
    # A reviewer sees another unit's signing once the ledger it was entered in is handed in.
    reviewed = reviewer_scope(user, "signed", year_ref="year_id") & HANDED_IN
    return _scoped(user, rows, unit_field="unit_id", reviewed=reviewed)


def villages_visible_to(user) -> QuerySet[PilotVillage]:
    rows = PilotVillage.objects.select_related("township", "leader", "year")
    reviewed = reviewer_scope(user, "villages", year_ref="year_id")
    return _scoped(user, rows, unit_field="township_id", reviewed=reviewed)


def project_reports_visible_to(user) -> QuerySet[ProjectReport]:
    rows = ProjectReport.objects.select_related(
        "project", "project__unit", "ledger", "ledger__period", "ledger__unit"
    )
    reviewed = HANDED_IN & reviewer_scope(
        user, "projects", year_ref="project__year_id", campaign_ref="project__campaign_id"
    )
    return _scoped(user, rows, unit_field="project__unit_id", reviewed=reviewed)


def village_reports_visible_to(user) -> QuerySet[VillageReport]:
    rows = VillageReport.objects.select_related(
        "village", "village__township", "ledger", "ledger__period", "ledger__unit"
    )
    reviewed = HANDED_IN & reviewer_scope(user, "villages", year_ref="village__year_id")
    return _scoped(user, rows, unit_field="village__township_id", reviewed=reviewed)
