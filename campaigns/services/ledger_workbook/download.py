"""The unit's weekly ledger written as a workbook to fill offline, prefilled as it stands."""

from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ...excel import (
    append_safe,
    clean_text,
    excel_number,
    print_setup,
    style_header,
    workbook_bytes,
    write_safe,
)
from ...models import WeeklyLedger
from ...selectors import ledger_rows
from ..ledger import editable_indicator_ids
from .layout import (
    CATEGORIES,
    COLUMN,
    COLUMNS,
    DERIVED,
    EDITABLE,
    HEADER_ROW,
    META_SHEET,
    NOT_EDITABLE,
    SHEET,
    TEMPLATE,
    TEMPLATE_VERSION,
    TEXT_COLUMNS,
)

INFO_FILL = PatternFill("solid", fgColor="F2F2F2")  # read-only information
LOCKED_FILL = PatternFill("solid", fgColor="D9D9D9")  # a row or cell that may not be changed
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
UNLOCKED = Protection(locked=False)


def ledger_workbook(*, ledger: WeeklyLedger, now: datetime | None = None) -> bytes:
    """The unit's ledger of the period as an .xlsx to fill offline, prefilled as it stands."""
    now = now or timezone.now()
    period, unit = ledger.period, ledger.unit
    editable = editable_indicator_ids(ledger, now=now)
    rows = ledger_rows(ledger, editable_ids=editable)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    last_column = get_column_letter(len(COLUMNS))
    deadline = timezone.localtime(period.deadline)
    due = f"{deadline.year}年{deadline.month}月{deadline.day}日 {deadline:%H:%M}"
    title = f"{unit.name} · {period.year.year}年{period.label}周帐　填报截止：{due}"
    write_safe(sheet, row=1, column=1, value=clean_text(title)).font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last_column}1")
    note = sheet.cell(row=2, column=1)
    note.value = (
        "白色格子可填写，灰色格子不可修改。本周累计填年初至今的累计数（比率类指标填当前水平），"
        "累计数比上周减少时须填写下降原因；节点类指标只填完成日期。填好后保存为 .xlsx，"
        "在周帐页面点击「上传 Excel」。请不要改动表头、指标编号，也不要增删工作表。"
    )
    note.alignment = Alignment(wrap_text=True, vertical="top")
    note.font = Font(color="595959")
    sheet.merge_cells(f"A2:{last_column}2")
    sheet.row_dimensions[2].height = 32
    for number, (name, width) in enumerate(COLUMNS, start=1):
        write_safe(sheet, row=HEADER_ROW, column=number, value=name)
        sheet.column_dimensions[get_column_letter(number)].width = width
    style_header(sheet[HEADER_ROW])

    for offset, row in enumerate(rows):
        _write_row(sheet, HEADER_ROW + 1 + offset, row)
    first, last = HEADER_ROW + 1, HEADER_ROW + max(1, len(rows))
    _add_validations(sheet, first=first, last=last, period=period)

    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=COLUMN["计量单位"])
    # No password: the lock is a guide against typing into the wrong cell, not a security
    # boundary; the upload checks every cell anyway. Column widths and row heights stay free.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    print_setup(sheet, first_title_row=HEADER_ROW, footer=f"{unit.name}{period.label}周帐")

    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"  # not offered under "unhide": it identifies the ledger
    for key, value in [
        ("template", TEMPLATE),
        ("version", TEMPLATE_VERSION),
        ("ledger", ledger.pk),
        ("unit", unit.pk),
        ("unit_name", clean_text(unit.name)),
        ("period", period.pk),
        ("year", period.year.year),
        ("week", period.iso_week),
        ("exported_at", timezone.localtime(now).isoformat(timespec="seconds")),
    ]:
        append_safe(meta, [key, value])

    return workbook_bytes(workbook)


def _write_row(sheet, number: int, row) -> None:
    entry, indicator = row.entry, row.entry.indicator
    target = row.target.annual_value if row.target else None
    values = {
        "指标编号": indicator.pk,
        "会战": indicator.campaign.name,
        "指标": indicator.name,
        "计量单位": indicator.measure,
        "年度目标": "节点任务" if indicator.is_milestone else excel_number(target),
        "上周累计": excel_number(row.last_week),
        "上次核实": excel_number(row.last_verified),
        "本周累计": excel_number(entry.value),
        "完成日期": entry.done_on,
        "下降原因": entry.decrease_reason,
        "本周进展": entry.progress,
        "问题类别": entry.get_problem_category_display() if entry.problem_category else None,
        "存在问题": entry.problems,
        "下步打算": entry.next_steps,
        "可否修改": DERIVED if indicator.is_derived else EDITABLE if row.editable else NOT_EDITABLE,
        "审核意见": entry.review_comment,
    }
    inputs = set()
    if row.editable:
        inputs = {"本周进展", "问题类别", "存在问题", "下步打算"}
        if indicator.is_milestone:
            inputs.add("完成日期")
        else:
            inputs.add("本周累计")
            if indicator.cumulative:
                inputs.add("下降原因")
    for name, value in values.items():
        if isinstance(value, str):
            value = clean_text(value) or None
        cell = write_safe(sheet, row=number, column=COLUMN[name], value=value)
        cell.alignment = Alignment(vertical="top", wrap_text=name in TEXT_COLUMNS.values())
        if name in inputs:
            cell.fill, cell.protection = INPUT_FILL, UNLOCKED
        else:
            cell.fill = INFO_FILL if row.editable else LOCKED_FILL
        if name == "完成日期":
            cell.number_format = "yyyy-mm-dd"
        elif name in TEXT_COLUMNS.values():
            cell.number_format = "@"  # typed text stays text, even "=…" or "+…"
        elif name == "指标编号":
            cell.number_format = "0"
    if not row.editable:
        sheet.cell(row=number, column=COLUMN["可否修改"]).font = Font(color="C00000")


def _add_validations(sheet, *, first: int, last: int, period) -> None:
    def column(name):
        letter = get_column_letter(COLUMN[name])
        return f"{letter}{first}:{letter}{last}"

    category = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(CATEGORIES)),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="问题类别只能是 土地、资金、手续、其他，请从下拉列表中选择。",
    )
    figure = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="本周累计应填不小于 0 的数字（年初至今的累计数）。",
    )
    ends = period.ends_on
    done = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({period.starts_on.year - 1},1,1)",
        formula2=f"DATE({ends.year},{ends.month},{ends.day})",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error=f"完成日期应为日期（如 {ends:%Y-%m-%d}），且不晚于本帐期最后一天。",
    )
    for validation, name in [(category, "问题类别"), (figure, "本周累计"), (done, "完成日期")]:
        sheet.add_data_validation(validation)
        validation.add(column(name))
