"""Opening a ledger's register reports and handing them back in after a return."""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from ....history import saved_with_history
from ....models import (
    KeyProject,
    PilotVillage,
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTaskProgress,
    WeeklyLedger,
)
from ....register_models import ReviewStatus

OPENED = "开帐"


def _latest_by(rows, key: str) -> dict:
    latest = {}
    for row in rows:
        latest.setdefault(getattr(row, key), row)
    return latest


def _earlier(model, ledger: WeeklyLedger, **filters):
    return model.objects.filter(
        ledger__unit_id=ledger.unit_id,
        ledger__period__year_id=ledger.period.year_id,
        ledger__period__iso_week__lt=ledger.period.iso_week,
        **filters,
    ).order_by("-ledger__period__iso_week")


def _open_projects(ledger: WeeklyLedger) -> None:
    present = ledger.project_reports.values_list("project_id", flat=True)
    projects = list(
        KeyProject.objects.filter(
            unit_id=ledger.unit_id, year_id=ledger.period.year_id, active=True
        ).exclude(pk__in=present)
    )
    if not projects:
        return
    latest = _latest_by(_earlier(ProjectReport, ledger, project__in=projects), "project_id")
    reports = []
    for project in projects:
        source = latest.get(project.pk, project)
        investment = source.investment_to_date if source is project else source.counted_investment
        reports.append(
            ProjectReport(
                project=project,
                ledger=ledger,
                status=source.status,
                started_on=source.started_on,
                investment_to_date=investment,
                blocking_note=source.blocking_note,
                **{name: getattr(source, name) for name in KeyProject.BLOCKER_FIELDS},
            )
        )
    bulk_create_with_history(reports, ProjectReport, default_change_reason=OPENED)


def _open_villages(ledger: WeeklyLedger) -> None:
    villages = list(
        PilotVillage.objects.filter(
            township_id=ledger.unit_id, year_id=ledger.period.year_id, active=True
        ).prefetch_related("tasks")
    )
    if not villages:
        return
    existing = {r.village_id: r for r in ledger.village_reports.prefetch_related("tasks")}
    have = {r.pk: {line.task_id for line in r.tasks.all()} for r in existing.values()}
    latest = _latest_by(
        _earlier(VillageReport, ledger, village__in=villages).prefetch_related("tasks"),
        "village_id",
    )
    new = []
    for village in villages:
        if village.pk in existing:
            continue
        source = latest.get(village.pk)
        new.append(
            VillageReport(
                village=village,
                ledger=ledger,
                highlights=source.highlights if source else village.highlights,
                **{n: getattr(source, n) if source else 0 for n in PilotVillage.FUND_FIELDS},
            )
        )
    if new:
        created = bulk_create_with_history(new, VillageReport, default_change_reason=OPENED)
        for report in created:
            existing[report.village_id] = report
    lines = []
    for village in villages:
        report = existing[village.pk]
        reported = have.get(report.pk, set())
        source = latest.get(village.pk)
        before = {line.task_id: line for line in source.tasks.all()} if source else {}
        for task in village.tasks.all():
            if task.pk in reported:
                continue
            earlier = before.get(task.pk)
            lines.append(
                VillageTaskProgress(
                    report=report,
                    task=task,
                    completion=earlier.completion if earlier else task.completion,
                    done_on=earlier.done_on if earlier else None,
                )
            )
    if lines:
        bulk_create_with_history(lines, VillageTaskProgress, default_change_reason=OPENED)


@transaction.atomic
def open_register_reports(ledger: WeeklyLedger) -> None:
    """While the ledger is a draft: a report per active project of the unit and per active
    pilot village of the township (with a line per task), prefilled from the row's latest
    report, else from the register row. Idempotent: only what is missing is created."""
    if ledger.status != WeeklyLedger.Status.DRAFT:
        return
    _open_projects(ledger)
    _open_villages(ledger)


def registers_back_to_pending(ledger: WeeklyLedger, *, user) -> None:
    """On resubmission after a return: the returned reports and signings of this ledger go
    back to the reviewer, like returned entries."""
    for model in (ProjectReport, VillageReport, SignedProject):
        for row in model.objects.filter(ledger=ledger, review_status=ReviewStatus.RETURNED):
            row.review_status = ReviewStatus.PENDING
            saved_with_history(row, user=user, reason="退回后重新提交")
