"""A township's weekly pilot-village reports (试点村周报) inside its ledger."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ....errors import LedgerError
from ....figures import FigureError, parse_figure
from ....history import saved_with_history
from ....models import PilotVillage, VillageReport, VillageTaskProgress
from ....register_models import NARRATIVE, ReviewStatus
from ....versions import check_version
from .common import (
    Collector,
    amount_text,
    check_editable,
    check_member,
    chinese_date,
    locked_ledger,
    rederive,
)

HUNDRED = Decimal("100")
COMPLETION = VillageTaskProgress._meta.get_field("completion")


def fund_label(name: str) -> str:
    return str(PilotVillage._meta.get_field(name).verbose_name).removesuffix("（万元）")


@transaction.atomic
def save_village_report(
    report: VillageReport,
    *,
    user,
    data: dict,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> VillageReport:
    """Save what the township reported for one pilot village this week (all or nothing).

    `data`: highlights, progress, the six fund fields (到位, cumulative, 万元) and `tasks`:
    {task_id: {"completion": …, "done_on": …}} for the tasks reported.
    """
    now = now or timezone.now()
    report = VillageReport.objects.select_related("village").get(pk=report.pk)
    village = report.village
    check_member(user, village.township_id, "不能填报其他乡镇的试点村。")
    ledger = locked_ledger(report.ledger_id)
    if ledger.unit_id != village.township_id:
        raise LedgerError("不能填报其他乡镇的试点村。")
    # Read again under a row lock (after the ledger's: the one lock order), for the version.
    report = VillageReport.objects.select_for_update().select_related("village").get(pk=report.pk)
    check_version(report, expected_version, what=f"「{report.village}」")
    report.ledger = ledger
    check_editable(ledger, report.review_status, now=now, what=f"「{village}」")

    read = Collector(data)
    funds = {}
    for name in PilotVillage.FUND_FIELDS:
        label = fund_label(name)
        if name not in data:  # not asked for (a partial form): kept as it is
            funds[name] = getattr(report, name)
            continue
        field = VillageReport._meta.get_field(name)
        value = read.figure(name, field, f"{label}到位", required=False)
        value = Decimal(0) if value is None and not read.data.get(name) else value
        planned = getattr(village, name)
        if value is not None and value > planned:
            read.add(f"「{label}」到位资金不能超过计划（{amount_text(planned)} 万元）")
        funds[name] = value
    lines = {
        line.task_id: line
        for line in report.tasks.select_related("task").order_by("task__sort_order", "task_id")
    }
    typed = {int(k): v for k, v in (data.get("tasks") or {}).items()}
    for task_id in typed:
        if task_id not in lines:
            read.add(f"该试点村没有编号为 {task_id} 的建设任务")
    changes = {}
    for task_id, line in lines.items():
        if task_id not in typed:
            continue
        name = line.task.name
        raw = typed[task_id] or {}
        try:
            completion = parse_figure(raw.get("completion"), COMPLETION)
        except FigureError as error:
            read.add(f"「{name}」完成进度{error}")
            continue
        if completion is None:
            read.add(f"请填写「{name}」的完成进度")
            continue
        if not Decimal(0) <= completion <= HUNDRED:
            read.add(f"「{name}」完成进度须在 0–100% 之间（填写的是{amount_text(completion)}）")
            continue
        day = Collector(raw)
        done_on = day.day("done_on", f"{name}完成日期")
        if day.problems:
            read.problems += day.problems
            continue
        if completion == HUNDRED and done_on is None:
            read.add(f"「{name}」已完成（100%），须填写完成日期")
        elif done_on and done_on > ledger.period.ends_on:
            read.add(
                f"「{name}」完成日期不能晚于本帐期最后一天（{chinese_date(ledger.period.ends_on)}）"
            )
        changes[task_id] = (completion, done_on if completion == HUNDRED else None)
    highlights = read.text("highlights", limit=NARRATIVE, label="建设亮点")
    progress = read.text("progress", limit=NARRATIVE, label="本周进展")
    read.raise_if_any()

    returned = report.review_status == ReviewStatus.RETURNED
    reason = "退回后重新填报" if returned else "填报"
    for name, value in funds.items():
        setattr(report, name, value)
    report.highlights, report.progress = highlights, progress
    saved_with_history(report, user=user, reason=reason)
    for task_id, (completion, done_on) in changes.items():
        line = lines[task_id]
        if line.completion != completion or line.done_on != done_on:
            line.completion, line.done_on = completion, done_on
            saved_with_history(line, user=user, reason=reason)
    rederive(ledger, user=user, reason=f"试点村周报：{village}")
    return report
