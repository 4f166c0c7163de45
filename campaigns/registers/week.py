"""Read models of the unit's weekly register sections (重点项目周报 / 试点村周报 / 招商签约):
the reports of one ledger with what each page shows beside them, in a fixed number of
queries whatever the number of projects or villages."""

from django.db.models import Count, Q

from ..models import LedgerEntry, SignedProject, WeeklyLedger
from ..register_models import ReviewStatus
from .scope import (
    project_reports_visible_to,
    signed_projects_visible_to,
    village_reports_visible_to,
)

# The week page's section behind each register (URL names of campaigns.views.registers.reporting).
SECTION_URLS = {
    "projects": "register-week-projects",
    "signed": "register-week-signed",
    "villages": "register-week-villages",
}
REGISTER_LABELS = {"projects": "重点项目库", "signed": "招商签约库", "villages": "试点村库"}


def week_project_reports(user, ledger: WeeklyLedger):
    """The ledger's project reports the user sees, with project, leader and photos."""
    return (
        project_reports_visible_to(user)
        .filter(ledger=ledger)
        .select_related("project__leader", "project__campaign", "reviewer__unit")
        .prefetch_related("evidence")
        .order_by("project__sort_order", "project_id")
    )


def week_village_reports(user, ledger: WeeklyLedger):
    return (
        village_reports_visible_to(user)
        .filter(ledger=ledger)
        .select_related("village__leader", "reviewer__unit")
        .prefetch_related("evidence", "tasks__task")
        .order_by("village__sort_order", "village_id")
    )


def week_signings(user, ledger: WeeklyLedger):
    """The unit's signings of the ledger's year: those entered up to this week."""
    return (
        signed_projects_visible_to(user)
        .filter(unit_id=ledger.unit_id, year_id=ledger.period.year_id)
        .filter(ledger__period__iso_week__lte=ledger.period.iso_week)
        .order_by("-signed_on", "id")
    )


def week_signing(user, ledger: WeeklyLedger, signed_id: int) -> SignedProject | None:
    return week_signings(user, ledger).filter(pk=signed_id).first()


def register_counts(ledger: WeeklyLedger) -> dict[str, dict[str, int]]:
    """The week page's "本周台帐" box: per register, rows and how many are verified/returned
    (three queries)."""

    def count(rows):
        return rows.aggregate(
            total=Count("pk"),
            verified=Count("pk", filter=Q(review_status=ReviewStatus.VERIFIED)),
            returned=Count("pk", filter=Q(review_status=ReviewStatus.RETURNED)),
        )

    return {
        "projects": count(ledger.project_reports.all()),
        "villages": count(ledger.village_reports.all()),
        "signed": count(ledger.signed_projects.all()),
    }


def derived_links(entries: list[LedgerEntry], period_id: int) -> dict[int, tuple[str, str]]:
    """Indicator id → (register label, URL name of its week section) for derived entries."""
    return {
        e.indicator_id: (REGISTER_LABELS[e.indicator.register], SECTION_URLS[e.indicator.register])
        for e in entries
        if e.indicator.is_derived
    }
