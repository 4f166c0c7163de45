"""The import templates for download, prefilled with the active year's rows (so a corrected
list can be uploaded again) and a 「说明」 sheet with the import's rules."""

from openpyxl import Workbook

from ....excel import append_safe, excel_number, print_setup, style_header, workbook_bytes
from ....models import AssessmentYear, KeyProject, PilotVillage, VillageTask
from . import projects, villages
from .common import NO, YES

HELP = [
    "整表导入，全部正确才保存：任何一处有误，整个文件都不导入，并逐一列出出错的工作表、行和列。",
    "按名称对应：同一年度同名的项目（同一乡镇同名的试点村、同一试点村同名的任务）视为同一条，"
    "再次导入会更新它（变更记入历史），新名称则新增；导入不会删除已有记录。",
    "单位、园区、乡镇填写在用单位的全称；分包县领导填写县领导账号的姓名；会战填写本年度会战的名称。",
    "金额以万元为单位，填写数字，不带千位分隔符；年度计划投资不能超过总投资；金额不能为负数。",
    "日期填写为 2026-07-31 或 2026年7月31日。战略支撑项目、精品工程填写“是”或“否”。",
    "项目类别：" + "、".join(str(label) for _, label in KeyProject.Category.choices),
    "登记时状态（不填为未开工）："
    + "、".join(str(label) for _, label in KeyProject.Status.choices),
    "试点级别：" + "、".join(str(label) for _, label in PilotVillage.Level.choices),
]


def _sheet(book, title, headers):
    sheet = book.create_sheet(title)
    append_safe(sheet, headers)
    style_header(sheet[1])
    for column in sheet.iter_cols(min_row=1, max_row=1):
        sheet.column_dimensions[column[0].column_letter].width = 16
    sheet.freeze_panes = "A2"
    print_setup(sheet, footer=title)
    return sheet


def _date(value):
    return f"{value:%Y-%m-%d}" if value else None


def _project_rows(year):
    rows = KeyProject.objects.filter(year=year, active=True).select_related(
        "campaign", "unit", "park", "leader"
    )
    for p in rows:
        yield [
            p.name,
            p.campaign.name,
            p.unit.name,
            p.park.name if p.park else None,
            p.leader.full_name if p.leader else None,
            p.get_category_display(),
            excel_number(p.total_investment),
            excel_number(p.annual_plan),
            _date(p.planned_start),
            p.get_registered_status_display(),
            YES if p.strategic else NO,
            YES if p.showcase else NO,
        ]


def _village_rows(year):
    for v in PilotVillage.objects.filter(year=year, active=True).select_related(
        "township", "leader"
    ):
        yield [
            v.name,
            v.township.name,
            v.get_level_display(),
            v.leader.full_name if v.leader else None,
            *(excel_number(getattr(v, name)) for name in villages.FUND_HEADERS),
        ]


def _task_rows(year):
    tasks = VillageTask.objects.filter(village__year=year, village__active=True).select_related(
        "village__township"
    )
    for t in tasks.order_by("village__township__sort_order", "village__sort_order", "sort_order"):
        yield [t.village.township.name, t.village.name, t.name, _date(t.due_on)]


def template(*, kind: str) -> tuple[str, bytes]:
    """(filename, xlsx bytes) of the import template of `kind` ("projects" or "villages")."""
    year = (
        AssessmentYear.objects.filter(status=AssessmentYear.Status.ACTIVE).order_by("-year").first()
    )
    book = Workbook()
    book.remove(book.active)
    if kind == "projects":
        sheet = _sheet(book, projects.SHEET, projects.HEADERS)
        for row in _project_rows(year) if year else ():
            append_safe(sheet, row)
        filename = "重点项目导入模板.xlsx"
    else:
        sheet = _sheet(book, villages.SHEET, villages.HEADERS)
        for row in _village_rows(year) if year else ():
            append_safe(sheet, row)
        tasks = _sheet(book, villages.TASK_SHEET, villages.TASK_HEADERS)
        for row in _task_rows(year) if year else ():
            append_safe(tasks, row)
        filename = "试点村导入模板.xlsx"
    notes = book.create_sheet("说明")
    for line in HELP:
        append_safe(notes, [line])
    notes.column_dimensions["A"].width = 110
    return filename, workbook_bytes(book)
