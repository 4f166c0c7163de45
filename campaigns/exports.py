"""Excel exports of campaigns data (write-only workbooks, formula-injection safe)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from .excel import append_safe

FILLS = {
    "verified": "C6EFCE",
    "on_time": "DDEBF7",
    "late": "FFEB9C",
    "returned": "F8CBAD",
    "missing": "FFC7CE",
    "overdue": "FFC7CE",
    "open": "FFFFFF",
}


def completeness_workbook(*, year, periods, rows) -> bytes:
    """Units × weeks with each cell's state in words and colour; frozen headers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{year.year}年周帐完成情况")
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14
    bold = Font(bold=True)
    header = []
    for text in ["单位", "考核组别", *[f"第{p.iso_week}周" for p in periods]]:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    append_safe(sheet, header)
    for unit, cells in rows:
        line = [unit.name, unit.group.name]
        for _period, code, label in cells:
            cell = WriteOnlyCell(sheet, value=label)
            cell.fill = PatternFill("solid", fgColor=FILLS.get(code, "FFFFFF"))
            cell.alignment = Alignment(horizontal="center")
            line.append(cell)
        append_safe(sheet, line)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
