"""Excel exports of campaigns data (streamed workbooks, formula-injection safe)."""

from .excel import StreamedWorkbook, Style, Styled, append_safe, workbook_bytes

FILLS = {
    "verified": "C6EFCE",
    "on_time": "DDEBF7",
    "late": "FFEB9C",
    "returned": "F8CBAD",
    "missing": "FFC7CE",
    "overdue": "FFC7CE",
    "open": "FFFFFF",
}
STATE_STYLES = {code: Style(fill=colour, align="center") for code, colour in FILLS.items()}
HEADER = Style(bold=True, align="center", valign="center", wrap=True)


def week_heading(period) -> str:
    """A week column's heading with its dates: "第23周（6月1日—6月7日）"."""
    start, end = period.starts_on, period.ends_on
    return f"第{period.iso_week}周（{start.month}月{start.day}日—{end.month}月{end.day}日）"


def completeness_workbook(*, year, periods, rows) -> bytes:
    """Units × weeks with each cell's state in words and colour; frozen headers."""
    title = f"{year.year}年周帐完成情况"
    book = StreamedWorkbook(title=title)
    columns = [("单位", 24), ("考核组别", 14), *((week_heading(p), 12) for p in periods)]
    sheet = book.add_sheet(title, columns, header=HEADER, freeze="C2", footer=title)
    for unit, cells in rows:
        line = [unit.name, unit.group.name]
        for _period, code, label in cells:
            line.append(Styled(label, STATE_STYLES.get(code, STATE_STYLES["open"])))
        append_safe(sheet, line)
    return workbook_bytes(book)
