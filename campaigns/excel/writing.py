"""Writing workbooks: the one formula-injection rule, cell styles, the print set-up, the bytes.

Text from the database (an indicator's name, a unit's note) must never become a formula in the
office's Excel. openpyxl turns any string starting with "=" into a formula cell, and Excel,
LibreOffice and WPS treat text starting with "+", "-", "@" (and a leading tab or CR) as a
formula when a user edits the cell. We do not alter the text: a leading apostrophe stored in
the value would become part of an indicator's name on re-import. Instead such a cell is written
as a plain string cell with the style flag `quotePrefix` — what Excel itself stores when one
types a leading ' — so the text is shown and read back exactly, and stays text when edited.
`is_formula_like` is that rule; every cell we write passes through it.

Two kinds of workbook, one set of helpers (`append_safe`, `print_setup`, `workbook_bytes`):

- Documents (every export: rankings, the indicator detail, the completeness matrix, the
  registers, the briefing, the analyses) are `StreamedWorkbook`s: XlsxWriter in constant-memory
  mode writes each row to the sheet's file as it is appended, so a city's detail stays in
  constant memory. It replaced openpyxl's write-only mode (issue 14): openpyxl spent ~2 s of
  CPU per 10k rows of the indicator detail in its own per-cell work (a `Cell` object per
  value, then an XML element per cell), and could not get under 1 s per 10k rows even with
  unstyled plain values (bench/xlsx_writer.py prints both); XlsxWriter takes less than half.
  A streamed sheet has no unescaped way in: its only writer, `StreamedSheet.append`, applies
  the rule to every string.
- Templates a user fills in and uploads again (the ledger workbook, the year's and the
  registers' templates) stay openpyxl workbooks in normal mode: they are small, and use data
  validation, sheet protection and merged cells; their cells go through `write_safe` and
  `append_safe`. Reading any workbook is openpyxl's (campaigns.excel.reading).

A look is a `Style` (number format, font, fill, alignment), defined once and turned into an
XlsxWriter format (cached per workbook) or openpyxl objects; `HEADER` is the workbooks' header.
"""

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import NamedTuple

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def clean_text(text: str | None) -> str:
    """`text` without the control characters that make openpyxl refuse to save a workbook
    (pasted into a web form, they would otherwise break the whole download)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text or "")


def excel_number(value: Decimal | None):
    """A Decimal as the number Excel stores: an int when whole, else a float (None stays)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ------------------------------------------------------------------------------------------
# Styles
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """How a cell looks. Colours are RRGGBB; `align` is horizontal, `valign` vertical
    ("center", "top", "bottom"); `fill` is a solid background."""

    number_format: str | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None
    fill: str | None = None
    align: str | None = None
    valign: str | None = None
    wrap: bool = False

    def xlsxwriter(self) -> dict:
        """The properties of the XlsxWriter format that looks like this."""
        properties = {
            "num_format": self.number_format,
            "bold": self.bold,
            "italic": self.italic,
            "font_color": self.color and f"#{self.color}",
            "bg_color": self.fill and f"#{self.fill}",  # solid: XlsxWriter's default pattern
            "align": self.align,
            "valign": {"center": "vcenter"}.get(self.valign, self.valign),
            "text_wrap": self.wrap,
        }
        return {name: value for name, value in properties.items() if value}

    def font(self) -> Font:
        return Font(bold=self.bold or None, italic=self.italic or None, color=self.color)

    def pattern_fill(self) -> PatternFill:
        return PatternFill("solid", fgColor=self.fill) if self.fill else PatternFill()

    def alignment(self) -> Alignment:
        return Alignment(horizontal=self.align, vertical=self.valign, wrap_text=self.wrap or None)


class Styled(NamedTuple):
    """A value to append with its style (a value of None stays an empty cell)."""

    value: object
    style: Style


HEADER = Style(bold=True, color="FFFFFF", fill="B22222", align="center", valign="center", wrap=True)
DATE = Style(number_format="yyyy-mm-dd")  # a date appended without a style of its own
FIGURE = Style(number_format="#,##0.00##")  # a figure: thousands, two to four places
PERCENT = Style(number_format="0.0%")  # a rate (1.0 is 100 %)

# The header look as openpyxl objects, for the templates' normal sheets.
HEADER_FONT = HEADER.font()
HEADER_FILL = HEADER.pattern_fill()
HEADER_ALIGNMENT = HEADER.alignment()


def style_header(cells, *, fill=HEADER_FILL, font=HEADER_FONT) -> None:
    """Give `cells` (a header row of a template's openpyxl sheet) the header look."""
    for cell in cells:
        cell.font = font
        cell.fill = fill
        cell.alignment = HEADER_ALIGNMENT


# ------------------------------------------------------------------------------------------
# Documents: streamed workbooks (XlsxWriter, constant memory)
# ------------------------------------------------------------------------------------------

# Excel's column width unit is the width of a digit, 7 pixels in the default font. openpyxl
# stored the width we gave as it was; XlsxWriter adds the cell padding to a width in
# characters. Given in pixels, the widths keep the look the documents had and read back as
# they were written (`column_dimensions["B"].width == 30`).
PIXELS_PER_CHARACTER = 7


class StreamedWorkbook:
    """A document written sheet by sheet, row by row; `workbook_bytes` closes it.

    Rows go to each sheet's temporary file as they are appended (XlsxWriter's constant-memory
    mode), so a sheet is written top to bottom only: `add_sheet` writes its header row, then
    `append_safe` each row in order. The sheets may be filled in turns."""

    def __init__(self, *, title: str = ""):
        self._buffer = BytesIO()
        # The sheets' row files live in a folder of the workbook's own, removed when it is
        # saved or, if an export fails half-way, when the workbook is collected: XlsxWriter
        # removes its named temporary files only when it closes.
        self._folder = tempfile.TemporaryDirectory(prefix="jz-xlsx-")
        options = {"constant_memory": True, "tmpdir": self._folder.name}
        self._book = xlsxwriter.Workbook(self._buffer, options)
        self._formats: dict[tuple[Style | None, bool], object] = {}
        self.title = clean_text(title)
        if self.title:
            self._book.set_properties({"title": self.title})

    def add_sheet(
        self,
        title: str,
        columns: list[tuple[str, float]],
        *,
        styles: Sequence[Style | None] = (),
        header: Style = HEADER,
        freeze: str = "A2",
        footer: str = "",
        autofilter: bool = False,
    ) -> "StreamedSheet":
        """A sheet named `title` (a valid sheet name, see scoring.reports.xlsx.sheet_title)
        with a header row of `columns` (text, width in characters) in the `header` style,
        the panes frozen at `freeze`, and the print set-up of every workbook (`footer`).
        `styles` are the columns' looks (e.g. a number format), given to every plain value
        appended in the column; a `Styled` value brings its own."""
        worksheet = self._book.add_worksheet(title)
        sheet = StreamedSheet(self, worksheet, styles)
        for index, (_text, width) in enumerate(columns):
            worksheet.set_column_pixels(index, index, round(width * PIXELS_PER_CHARACTER))
        worksheet.freeze_panes(freeze)
        print_setup(sheet, footer=footer)
        sheet.append([Styled(text, header) for text, _width in columns])
        if autofilter:
            worksheet.autofilter(0, 0, 0, len(columns) - 1)
        return sheet

    def cell_format(self, style: Style | None, quoted: bool = False):
        """The workbook's format for `style` (None: the default look), `quoted` for text that
        would run as a formula; each made once."""
        if style is None and not quoted:
            return None
        found = self._formats.get((style, quoted))
        if found is None:
            properties = style.xlsxwriter() if style else {}
            if quoted:
                properties["quote_prefix"] = True
            found = self._formats[style, quoted] = self._book.add_format(properties)
        return found

    def bytes(self) -> bytes:
        self._book.close()
        self._folder.cleanup()
        return self._buffer.getvalue()


class StreamedSheet:
    """One sheet of a `StreamedWorkbook`; rows are appended with `append_safe`."""

    def __init__(self, book: StreamedWorkbook, worksheet, styles=()):
        self.book = book
        self.worksheet = worksheet
        self.title = worksheet.name
        self.rows = 0  # rows written, the header included
        self._styles = list(styles)
        self._formats = [book.cell_format(style) for style in self._styles]

    def append(self, values) -> None:
        """Write `values` (plain values or `Styled`) as the next row, escaping formula-like
        text. Every exported cell is written here, so it is kept lean (a city's indicator
        detail is 12k rows × 14 columns): the columns' formats are looked up once per sheet,
        and a Decimal is handed over as the float XlsxWriter would make of it anyway."""
        row = self.rows
        self.rows = row + 1
        worksheet, cell_format = self.worksheet, self.book.cell_format
        styles, formats, styled_columns = self._styles, self._formats, len(self._styles)
        for column, value in enumerate(values):
            if value is None:
                continue
            if value.__class__ is Styled:
                value, style = value
                if value is None:
                    continue
                number_format = cell_format(style)
            elif column < styled_columns:
                style, number_format = styles[column], formats[column]
            else:
                style = number_format = None
            kind = value.__class__
            if kind is str or isinstance(value, str):
                if is_formula_like(value):
                    number_format = cell_format(style, True)
                worksheet.write_string(row, column, value, number_format)
            elif kind is Decimal:
                worksheet.write_number(row, column, float(value), number_format)
            elif kind is int or kind is float:
                worksheet.write_number(row, column, value, number_format)
            elif kind is bool:
                worksheet.write_boolean(row, column, value, number_format)
            elif isinstance(value, date):  # datetime too
                worksheet.write_datetime(row, column, value, cell_format(style or DATE))
            elif isinstance(value, int | float | Decimal):  # e.g. an IntegerChoices member
                worksheet.write_number(row, column, float(value), number_format)
            else:
                raise TypeError(f"cannot write {value!r} ({kind.__name__}) to a workbook cell")


# ------------------------------------------------------------------------------------------
# Templates: openpyxl sheets in normal mode
# ------------------------------------------------------------------------------------------


def safe_cell(value, sheet=None):
    """`value` itself, or for formula-like text an openpyxl string cell to append in its place
    (`append_safe` applies it to every value of an openpyxl sheet's row)."""
    if not is_formula_like(value):
        return value
    cell = Cell(sheet, row=1, column=1)  # append() moves it to its place
    cell._value = cell.check_string(value)  # bypass openpyxl's "starts with = → formula" inference
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_safe(ws, *, row: int, column: int, value):
    """Set one cell of an openpyxl sheet (normal mode) safely; returns the cell."""
    cell = ws.cell(row=row, column=column)
    if is_formula_like(value):
        cell._value = cell.check_string(value)
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _escaped(value, sheet):
    """`value` as it may be appended to an openpyxl `sheet`: never a formula."""
    if isinstance(value, Cell):  # a styled cell built by the caller (WriteOnlyCell)
        if value.parent is None:
            value.parent = sheet  # a write-only sheet stores the cell's style through it
        text = value._value
        if value.data_type == "f" or is_formula_like(text):
            value._value = value.check_string(text) if isinstance(text, str) else text
            value.data_type = "s"
            value.quotePrefix = True
        return value
    return safe_cell(value, sheet)


def append_safe(sheet, values) -> None:
    """Append one row to `sheet`, every value escaped by `is_formula_like`.

    Every row of every workbook we write goes through here (or `write_safe`), a streamed
    document's sheet and a template's openpyxl sheet alike, so no text from the database can
    turn into a formula whichever exporter writes it, and no exporter can forget to escape.
    """
    if isinstance(sheet, StreamedSheet):
        sheet.append(values)
    else:
        sheet.append([_escaped(value, sheet) for value in values])


# ------------------------------------------------------------------------------------------
# Both kinds: the print set-up and the bytes
# ------------------------------------------------------------------------------------------

A4 = 9  # the paper size code of an A4 sheet in SpreadsheetML
PAGES = "第 &P 页，共 &N 页"  # "&P" and "&N" are the page number and page count
FOOTER_MAX = 255 - len("&C")  # Excel's limit for a footer, its centre code included


def footer_text(footer: str) -> str:
    """`footer` (e.g. the document's title) and the page numbers, within Excel's limit; an "&"
    of the title is doubled so that it prints as one."""
    text = clean_text(footer)
    while text and len(text.replace("&", "&&")) + len(PAGES) + 1 > FOOTER_MAX:
        text = text[:-1]
    return f"{text.replace('&', '&&')}　{PAGES}" if text else PAGES


def print_setup(sheet, *, title_rows: int = 1, first_title_row: int = 1, footer: str = "") -> None:
    """The print set-up of every workbook the app writes: A4 landscape, every column on the
    width of one page (as many pages down as it needs), the header rows
    `first_title_row`..+`title_rows`-1 repeated at the top of each page, and
    "第 n 页，共 m 页" (after `footer`, e.g. the document's title) at the foot of each page."""
    text = footer_text(footer)
    last_title_row = first_title_row + title_rows - 1
    if isinstance(sheet, StreamedSheet):
        worksheet = sheet.worksheet
        worksheet.set_landscape()
        worksheet.set_paper(A4)
        worksheet.fit_to_pages(1, 0)  # 0: as many pages down as the rows need
        worksheet.center_horizontally()
        worksheet.repeat_rows(first_title_row - 1, last_title_row - 1)
        worksheet.set_footer(f"&C{text}")
        return
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{first_title_row}:{last_title_row}"
    sheet.oddFooter.center.text = text


def workbook_bytes(workbook) -> bytes:
    """The saved file of a `StreamedWorkbook` (which closes it) or an openpyxl workbook."""
    if isinstance(workbook, StreamedWorkbook):
        return workbook.bytes()
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
