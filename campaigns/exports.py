"""Excel exports of campaigns data (write-only workbooks, formula-injection safe)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .excel import append_safe, print_setup, styled_cell

FILLS = {
    "verified": "C6EFCE",
    "on_time": "DDEBF7",
    "late": "FFEB9C",
    "returned": "F8CBAD",
    "missing": "FFC7CE",
    "overdue": "FFC7CE",
    "open": "FFFFFF",
}
STATE_FILLS = {code: PatternFill("solid", fgColor=colour) for code, colour in FILLS.items()}
CENTRED = Alignment(horizontal="center")


def week_heading(period) -> str:
    """A week column's heading with its dates: "第23周（6月1日—6月7日）"."""
    start, end = period.starts_on, period.ends_on
    return f"第{period.iso_week}周（{start.month}月{start.day}日—{end.month}月{end.day}日）"


def completeness_workbook(*, year, periods, rows) -> bytes:
    """Units × weeks with each cell's state in words and colour; frozen headers."""
    book = Workbook(write_only=True)
    title = f"{year.year}年周帐完成情况"
    book.properties.title = title
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14
    for index in range(3, len(periods) + 3):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    print_setup(sheet, footer=title)
    bold = Font(bold=True)
    header = []
    for text in ["单位", "考核组别", *[week_heading(p) for p in periods]]:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    append_safe(sheet, header)
    for unit, cells in rows:
        line = [unit.name, unit.group.name]
        for _period, code, label in cells:
            # One style per state, built once: a city's matrix is ~47k cells.
            fill = STATE_FILLS.get(code, STATE_FILLS["open"])
            line.append(styled_cell(sheet, label, fill=fill, alignment=CENTRED))
        append_safe(sheet, line)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
