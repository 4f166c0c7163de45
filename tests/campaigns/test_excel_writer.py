"""The documents' writer (`campaigns.excel.StreamedWorkbook`, XlsxWriter) keeps every guarantee
the exports had under openpyxl: each file is reopened with openpyxl, the reader of the tests
and of the office's own uploads, and checked for the header look, the column widths, the frozen
panes and autofilter, number formats, exact figures, dates, the print set-up, and the escaping
of formula-like text in plain and styled values (every export through it:
tests/campaigns/test_excel_cells.py).
"""

import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from campaigns.excel import (
    FIGURE,
    HEADER,
    PERCENT,
    StreamedWorkbook,
    Style,
    Styled,
    append_safe,
    workbook_bytes,
)

COLUMNS = [("单位", 26), ("指标", 34), ("核实数", 11), ("完成率", 9), ("日期", 12)]


def _reopened(book: StreamedWorkbook):
    content = workbook_bytes(book)
    return content, load_workbook(BytesIO(content))


def test_a_sheet_has_the_header_look_widths_frozen_panes_and_print_set_up():
    book = StreamedWorkbook(title="2026年第一季度指标得分明细")
    sheet = book.add_sheet("明细", COLUMNS, footer="2026年第一季度 明细", autofilter=True)
    append_safe(sheet, ["城关镇", "固定资产投资完成额", Decimal("12.5"), None, None])
    _content, reopened = _reopened(book)
    ws = reopened["明细"]
    assert reopened.properties.title == "2026年第一季度指标得分明细"
    assert [c.value for c in ws[1]] == [text for text, _ in COLUMNS]
    for cell in ws[1]:
        assert cell.font.b and cell.font.color.rgb.endswith("FFFFFF")  # white bold
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith(HEADER.fill)
        assert cell.alignment.horizontal == "center" and cell.alignment.vertical == "center"
        assert cell.alignment.wrap_text
    # Widths read back as given, as they did when openpyxl wrote them.
    assert [ws.column_dimensions[letter].width for letter in "ABCDE"] == [26, 34, 11, 9, 12]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E1"
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0
    assert ws.print_options.horizontalCentered
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddFooter.center.text == "2026年第一季度 明细　第 &P 页，共 &N 页"


def test_figures_keep_their_value_format_and_column_style():
    """A Decimal is written as the number it is (up to 15 significant digits come back
    exactly); a column's style reaches its plain values, a Styled value brings its own."""
    figures = [
        Decimal("2.675"),
        Decimal("1234567.8901"),
        Decimal("0.1"),
        Decimal("99999999999.9999"),
    ]
    book = StreamedWorkbook()
    sheet = book.add_sheet("数", COLUMNS, styles=[None, None, FIGURE, PERCENT])
    for figure in figures:
        append_safe(sheet, ["甲", "乙", figure, Decimal("0.875"), date(2026, 3, 31)])
    append_safe(sheet, ["丙", "丁", Styled(Decimal(7), Style(number_format="0.00")), 1, True])
    _content, reopened = _reopened(book)
    rows = list(reopened["数"].iter_rows(min_row=2))
    for row, figure in zip(rows, figures, strict=False):
        assert Decimal(str(row[2].value)) == figure and row[2].number_format == "#,##0.00##"
        assert row[3].value == 0.875 and row[3].number_format == "0.0%"
        assert row[4].value.date() == date(2026, 3, 31) and row[4].is_date
    last = rows[-1]
    assert (last[2].value, last[2].number_format) == (7, "0.00")
    assert (last[3].value, last[3].number_format) == (1, "0.0%")
    assert last[4].value is True


def test_formula_like_text_stays_text_in_plain_styled_and_header_cells():
    hostile = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"]
    tier = Style(bold=True, fill="C6EFCE", align="center")
    book = StreamedWorkbook()
    sheet = book.add_sheet("表", [("=HEADER()", 10), ("说明", 10)])
    append_safe(sheet, hostile)
    append_safe(sheet, [Styled("=HYPERLINK(1)", tier), Styled("先进", tier), "城关镇", 12, -3.5])
    content, reopened = _reopened(book)
    ws = reopened["表"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    # A control character is stored as Excel stores it, "_x000D_" (ECMA-376's ST_Xstring
    # escape), which Excel reads back as the CR; openpyxl's reader leaves the escape as it is.
    cells["\rx"] = cells.pop("_x000D_x")
    for text in [*hostile, "=HYPERLINK(1)", "=HEADER()"]:
        assert cells[text].data_type == "s" and cells[text].quotePrefix, repr(text)
    # The escaped styled cell keeps its look; harmless text is not marked.
    assert cells["=HYPERLINK(1)"].fill.fgColor.rgb.endswith("C6EFCE")
    assert cells["=HYPERLINK(1)"].font.b
    assert cells["先进"].fill.fgColor.rgb.endswith("C6EFCE") and not cells["先进"].quotePrefix
    assert not cells["城关镇"].quotePrefix
    assert cells[12].value == 12 and cells[-3.5].value == -3.5
    assert cells["=HEADER()"].font.b  # the header style, quoted
    with zipfile.ZipFile(BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula anywhere


def test_a_long_footer_is_cut_so_the_page_numbers_stay():
    book = StreamedWorkbook()
    book.add_sheet("表", COLUMNS, footer="甲&乙" * 100)
    _content, reopened = _reopened(book)
    footer = reopened["表"].oddFooter.center.text
    assert footer.startswith("甲&&乙") and footer.endswith("第 &P 页，共 &N 页")
    assert len("&C" + footer) <= 255  # Excel's limit; past it XlsxWriter drops the footer


def test_a_value_no_cell_can_hold_is_refused():
    book = StreamedWorkbook()
    sheet = book.add_sheet("表", COLUMNS)
    with pytest.raises(TypeError, match="cannot write"):
        append_safe(sheet, [object()])
    workbook_bytes(book)
