"""The 「试点村」 and 「建设任务」 sheets imported: villages and their tasks created or updated."""

from ....excel import Collector
from ....history import recorded_as
from ....models import PilotVillage, VillageTask
from .common import (
    TEMPLATE,
    ImportResult,
    Reader,
    header_columns,
    open_upload,
    read_rows,
    sheet_named,
)

SHEET = "试点村"
TASK_SHEET = "建设任务"
FUND_HEADERS = {
    "funds_central": "中央资金（万元）",
    "funds_provincial": "省级资金（万元）",
    "funds_municipal": "市级资金（万元）",
    "match_county": "县级配套（万元）",
    "match_township": "乡镇配套（万元）",
    "match_village": "村级配套（万元）",
}
HEADERS = ["村名", "所属乡镇", "试点级别", "分包县领导", *FUND_HEADERS.values()]
TASK_HEADERS = ["所属乡镇", "村名", "建设任务", "完成时限"]
FIELDS = ("level", "leader", *FUND_HEADERS)


def _columns(workbook, name, headers):
    sheet = sheet_named(workbook, name, TEMPLATE)
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    return sheet, header_columns(header, headers, name, TEMPLATE)


def _read(year, workbook):
    sheet, columns = _columns(workbook, SHEET, HEADERS)
    task_sheet, task_columns = _columns(workbook, TASK_SHEET, TASK_HEADERS)
    collector = Collector()
    reader = Reader(collector, SHEET, columns)
    villages, seen = [], {}
    width = max(columns.values()) + 1
    for number, values in read_rows(sheet, min_row=2, sheet_name=SHEET, width=width):
        r = reader.at(number, values)
        row = {
            "name": r.text("村名", max_length=50),
            "township": r.unit("所属乡镇"),
            "level": r.choice("试点级别", PilotVillage.Level.choices),
            "leader": r.leader("分包县领导"),
        }
        for name, header in FUND_HEADERS.items():
            amount = r.number(header, PilotVillage._meta.get_field(name), required=False)
            row[name] = amount if amount is not None else 0
        key = (row["township"].name if row["township"] else None, row["name"])
        if row["name"] and key in seen:
            r.error("村名", f"与第{seen[key]}行重复：同一乡镇的试点村不能重复")
        elif row["name"]:
            seen[key] = number
        villages.append(row)
    tasks, seen_tasks = [], {}
    task_reader = Reader(collector, TASK_SHEET, task_columns)
    width = max(task_columns.values()) + 1
    for number, values in read_rows(task_sheet, min_row=2, sheet_name=TASK_SHEET, width=width):
        r = task_reader.at(number, values)
        township = r.unit("所属乡镇")
        village = r.text("村名", max_length=50)
        key = (township.name if township else None, village)
        if township and village and key not in seen:
            r.error("村名", f"「{SHEET}」中没有{township.name}的试点村“{village}”")
        task = {
            "key": key,
            "name": r.text("建设任务", max_length=200),
            "due_on": r.date("完成时限"),
        }
        if task["due_on"] is None and r.raw("完成时限") in (None, ""):
            r.error("完成时限", "不能为空")
        if task["name"] and (key, task["name"]) in seen_tasks:
            r.error("建设任务", f"与第{seen_tasks[key, task['name']]}行重复")
        elif task["name"]:
            seen_tasks[key, task["name"]] = number
        tasks.append(task)
    if not villages and not collector.messages:
        collector.add(SHEET, None, None, "没有任何试点村，请至少填写一行")
    collector.raise_if_any()
    return villages, tasks


def import_villages(*, year, file, user) -> ImportResult:
    """Create or update the year's pilot villages and their tasks (the caller is atomic)."""
    with open_upload(file) as workbook:
        villages, tasks = _read(year, workbook)
    existing = {
        (v.township.name, v.name): v
        for v in PilotVillage.objects.filter(year=year).select_related("township")
    }
    result = ImportResult()
    order = max((v.sort_order for v in existing.values()), default=0)
    saved = {}
    with recorded_as(user):
        for row in villages:
            key = (row["township"].name, row["name"])
            village = existing.get(key)
            if village is None:
                order += 1
                village = PilotVillage.objects.create(year=year, sort_order=order, **row)
                result.created += 1
            elif all(getattr(village, name) == row[name] for name in FIELDS):
                result.unchanged += 1
            else:
                for name in FIELDS:
                    setattr(village, name, row[name])
                village.full_clean()
                village.save()
                result.updated += 1
            saved[key] = village
        _save_tasks(saved, tasks, result)
    return result


def _save_tasks(villages, tasks, result) -> None:
    current = {
        (t.village_id, t.name): t
        for t in VillageTask.objects.filter(village__in=list(villages.values()))
    }
    orders: dict[int, int] = {}
    for t in current.values():
        orders[t.village_id] = max(orders.get(t.village_id, 0), t.sort_order)
    for item in tasks:
        village = villages[item["key"]]
        task = current.get((village.pk, item["name"]))
        if task is None:
            orders[village.pk] = orders.get(village.pk, 0) + 1
            VillageTask.objects.create(
                village=village,
                name=item["name"],
                due_on=item["due_on"],
                sort_order=orders[village.pk],
            )
            result.created += 1
        elif task.due_on != item["due_on"]:
            task.due_on = item["due_on"]
            task.save()
            result.updated += 1
        else:
            result.unchanged += 1
