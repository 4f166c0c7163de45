"""A unit's weekly key-project reports (重点项目周报) inside its ledger."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ....errors import LedgerError
from ....history import saved_with_history
from ....models import KeyProject, ProjectReport
from ....register_models import NARRATIVE, NOTE, ReviewStatus
from ....versions import check_version
from .common import (
    PROJECT_STEPS,
    Collector,
    amount_text,
    check_editable,
    check_member,
    chinese_date,
    local_today,
    locked_ledger,
    rederive,
    year_first_day,
)

Status = KeyProject.Status
FIELD = ProjectReport._meta.get_field


def last_verified_report(report: ProjectReport) -> ProjectReport | None:
    """The project's latest verified report before this report's week (its yardstick)."""
    return (
        ProjectReport.objects.filter(
            project_id=report.project_id,
            review_status=ReviewStatus.VERIFIED,
            ledger__period__year_id=report.ledger.period.year_id,
            ledger__period__iso_week__lt=report.ledger.period.iso_week,
        )
        .order_by("-ledger__period__iso_week")
        .first()
    )


def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


@transaction.atomic
def save_project_report(
    report: ProjectReport,
    *,
    user,
    data: dict,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> ProjectReport:
    """Save what the responsible unit reported for one project this week (all or nothing).

    `data`: status, status_reason, started_on, investment_to_date, progress, the blocker flags
    (blocked_land …) and blocking_note, as typed (strings) or already typed values.
    """
    now = now or timezone.now()
    report = ProjectReport.objects.select_related("project").get(pk=report.pk)
    project = report.project
    check_member(user, project.unit_id, "不能填报其他单位的项目。")
    ledger = locked_ledger(report.ledger_id)
    if ledger.unit_id != project.unit_id:
        raise LedgerError("不能填报其他单位的项目。")
    # Read again under a row lock (after the ledger's: the one lock order), for the version.
    report = ProjectReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    check_version(report, expected_version, what=f"「{report.project.name}」")
    report.ledger = ledger
    check_editable(ledger, report.review_status, now=now, what=f"「{project.name}」")

    read = Collector(data)
    status = read.text("status")
    reason = read.text("status_reason", limit=300, label="状态变更说明")
    progress = read.text("progress", limit=NARRATIVE, label="本周进展")
    blocking_note = read.text("blocking_note", limit=NOTE, label="制约因素说明")
    started_on = read.day("started_on", "开工日期")
    investment = read.figure("investment_to_date", FIELD("investment_to_date"), "本年累计完成投资")
    if status not in Status.values:
        read.add("请选择项目状态（未开工、在建、停建、竣工、投产）")
    previous = last_verified_report(report)
    before = previous.status if previous else project.registered_status
    skipped = status != before and (before, status) not in PROJECT_STEPS
    if status in Status.values and skipped and not reason:
        read.add(
            f"项目状态由「{status_label(before)}」改为「{status_label(status)}」"
            "不是相邻的一步，须填写状态变更说明"
        )
    if status in KeyProject.STARTED:
        today = local_today(now)
        if started_on is None:
            read.add("已开工的项目须填写开工日期")
        elif started_on > today:
            read.add(f"开工日期不能晚于今天（{chinese_date(today)}）")
        elif project.is_new and started_on < year_first_day(ledger.period):
            first = year_first_day(ledger.period)
            read.add(f"本年新开工项目的开工日期不能早于考核年度（{chinese_date(first)}）")
    elif status == Status.NOT_STARTED and started_on is not None:
        read.add("未开工的项目不填开工日期")
    if investment is not None and investment > project.total_investment:
        read.add(f"本年累计完成投资不能超过项目总投资 {amount_text(project.total_investment)} 万元")
    if previous is not None and investment is not None:
        last = previous.counted_investment
        if investment < last and not reason:
            read.add(
                f"本年累计完成投资比上次核实（{amount_text(last)} 万元）减少，"
                "须在状态变更说明中写明原因"
            )
    read.raise_if_any()

    report.status = status
    report.status_reason = reason
    report.started_on = started_on if status in KeyProject.STARTED else None
    report.investment_to_date = investment
    report.progress = progress
    for name in KeyProject.BLOCKER_FIELDS:
        setattr(report, name, read.flag(name))
    report.blocking_note = blocking_note
    returned = report.review_status == ReviewStatus.RETURNED
    saved_with_history(report, user=user, reason="退回后重新填报" if returned else "填报")
    rederive(ledger, user=user, reason=f"重点项目周报：{project.name}")
    return report
