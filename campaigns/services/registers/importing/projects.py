"""The 「重点项目」 sheet imported: projects of the active year created or updated by name."""

from ....excel import Collector
from ....history import recorded_as
from ....models import KeyProject
from .common import (
    TEMPLATE,
    ImportResult,
    Reader,
    header_columns,
    open_upload,
    read_rows,
    sheet_named,
)

SHEET = "重点项目"
HEADERS = [
    "项目名称",
    "会战",
    "责任单位",
    "所在园区",
    "分包县领导",
    "项目类别",
    "总投资（万元）",
    "年度计划投资（万元）",
    "计划开工日期",
    "登记时状态",
    "战略支撑项目",
    "精品工程",
]
FIELDS = (
    "campaign",
    "unit",
    "park",
    "leader",
    "category",
    "total_investment",
    "annual_plan",
    "planned_start",
    "registered_status",
    "strategic",
    "showcase",
)
_field = KeyProject._meta.get_field


def _read(year, workbook) -> list[dict]:
    sheet = sheet_named(workbook, SHEET, TEMPLATE)
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    columns = header_columns(header, HEADERS, SHEET, TEMPLATE)
    collector = Collector()
    reader = Reader(collector, SHEET, columns)
    campaigns = {c.name: c for c in year.campaigns.all()}
    rows, seen = [], {}
    width = max(columns.values()) + 1
    for number, values in read_rows(sheet, min_row=2, sheet_name=SHEET, width=width):
        r = reader.at(number, values)
        name = r.text("项目名称")
        if name in seen:
            r.error("项目名称", f"与第{seen[name]}行重名：同一年度的项目名称不能重复")
        elif name:
            seen[name] = number
        campaign_name = r.text("会战")
        campaign = campaigns.get(campaign_name)
        if campaign_name and campaign is None:
            r.error("会战", f"{year.year}年没有会战“{campaign_name}”")
        row = {
            "name": name,
            "campaign": campaign,
            "unit": r.unit("责任单位"),
            "park": r.unit("所在园区", required=False),
            "leader": r.leader("分包县领导"),
            "category": r.choice("项目类别", KeyProject.Category.choices),
            "total_investment": r.number("总投资（万元）", _field("total_investment")),
            "annual_plan": r.number("年度计划投资（万元）", _field("annual_plan")),
            "planned_start": r.date("计划开工日期"),
            "registered_status": r.choice(
                "登记时状态", KeyProject.Status.choices, default=KeyProject.Status.NOT_STARTED
            ),
            "strategic": r.flag("战略支撑项目"),
            "showcase": r.flag("精品工程"),
        }
        total, annual = row["total_investment"], row["annual_plan"]
        if total is not None and annual is not None and annual > total:
            r.error("年度计划投资（万元）", f"年度计划投资 {annual} 万元超过总投资 {total} 万元")
        rows.append(row)
    if not rows and not collector.messages:
        collector.add(SHEET, None, None, "没有任何项目，请至少填写一行")
    collector.raise_if_any()
    return rows


def import_projects(*, year, file, user) -> ImportResult:
    """Create or update the year's key projects from the sheet (the caller is atomic)."""
    with open_upload(file) as workbook:
        rows = _read(year, workbook)
    existing = {p.name: p for p in KeyProject.objects.filter(year=year)}
    result = ImportResult()
    order = max((p.sort_order for p in existing.values()), default=0)
    with recorded_as(user):
        for row in rows:
            project = existing.get(row["name"])
            if project is None:
                order += 1
                KeyProject.objects.create(
                    year=year, status=row["registered_status"], sort_order=order, **row
                )
                result.created += 1
                continue
            if all(getattr(project, name) == row[name] for name in FIELDS):
                result.unchanged += 1
                continue
            for name in FIELDS:
                setattr(project, name, row[name])
            project.full_clean()
            project.save()
            result.updated += 1
    return result
