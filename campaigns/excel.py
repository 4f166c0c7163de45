"""Shared workbook cell reading and writing: the guarded reader and formula-injection-safe cells.

Reading: every uploaded workbook is opened by `read_workbook`, which checks the archive before
openpyxl parses anything (see its docstring) and turns any failure to read the file into one
Chinese `LedgerError`, so a hostile or damaged upload is refused and changes nothing.

Writing: every cell we write goes through `append_safe` (a row) or `write_safe` (one cell of a
normal sheet), which escape formula-like text; `safe_cell` is the one escaping rule they share.
Text from the database (an indicator's name, a unit's note) must never become a formula in
the office's Excel. openpyxl turns any string starting with "=" into a formula cell, and
Excel, LibreOffice and WPS treat text starting with "+", "-", "@" (and a leading tab or CR) as
a formula when a user edits the cell. We do not alter the text: a leading apostrophe stored
in the value would become part of an indicator's name on re-import. Instead such a cell is
written as a plain string cell (`data_type = "s"`) with the style flag `quotePrefix` — what
Excel itself stores when one types a leading ' — so the text is shown and read back exactly,
and stays text when edited. The header style, Decimal figures as Excel numbers and the saved
bytes are shared by every workbook we write.

Cells of an upload: `cell_text`, `cell_date` and `cell_at` read a cell's value the same way in
every import; `data_rows` yields a sheet's non-empty rows up to a limit; a `Collector` gathers
one message per problem, naming sheet, row and column, and raises them together.
"""

import re
import zipfile
import zlib
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import DEFUSEDXML, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from .errors import LedgerError

# openpyxl parses workbook XML with defusedxml when it is installed (a locked dependency): a
# DOCTYPE, an entity (XXE, "billion laughs") or an external reference then raises instead of
# being expanded. Fail at import rather than silently parse uploads with the unsafe parser.
if not DEFUSEDXML:  # pragma: no cover - defusedxml is in the lock file
    raise ImportError("openpyxl must find defusedxml to read uploaded workbooks safely")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(value, sheet=None):
    """`value` itself, or for formula-like text a string cell to append in its place.

    The one escaping rule; writers do not call it themselves but append rows with
    `append_safe`, which applies it to every value. In write-only workbooks the sheet must be
    passed (`safe_cell(v, ws)`): a write-only sheet needs the cell bound to it to store the
    cell's style. Other values (numbers, dates, harmless text) pass through unchanged.
    """
    if not is_formula_like(value):
        return value
    cell = Cell(sheet, row=1, column=1)  # append() moves it to its place
    cell._value = cell.check_string(value)  # bypass openpyxl's "starts with = → formula" inference
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_safe(ws, *, row: int, column: int, value):
    """Set one cell of a normal (not write-only) sheet safely; returns the cell."""
    cell = ws.cell(row=row, column=column)
    if is_formula_like(value):
        cell._value = cell.check_string(value)
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _escaped(value, sheet):
    """`value` as it may be appended to `sheet`: formula-like text never becomes a formula."""
    if isinstance(value, Cell):  # a styled cell built by the caller (WriteOnlyCell)
        if value.parent is None:
            value.parent = sheet  # a write-only sheet stores the cell's style through it
        text = value._value
        if value.data_type == "f" or is_formula_like(text):
            value._value = value.check_string(text) if isinstance(text, str) else text
            value.data_type = "s"
            value.quotePrefix = True
        return value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return safe_cell(value, sheet)
    return value


def append_safe(sheet, values) -> None:
    """Append one row to `sheet` (normal or write-only), every value escaped by `safe_cell`.

    Every row of every workbook we write goes through here, so no text from the database can
    turn into a formula whichever exporter writes it, and no exporter can forget to escape.
    Values may be plain values or styled cells (`WriteOnlyCell`), which are checked too.
    """
    sheet.append([_escaped(value, sheet) for value in values])


# ------------------------------------------------------------------------------------------
# Writing: styles, figures, the file
# ------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B22222")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


def style_header(cells, *, fill=HEADER_FILL, font=HEADER_FONT) -> None:
    """Give `cells` (a header row) the workbooks' header look: white bold on red, centred."""
    for cell in cells:
        cell.font = font
        cell.fill = fill
        cell.alignment = HEADER_ALIGNMENT


A4 = "9"  # the paper size code of an A4 sheet in SpreadsheetML


def print_setup(sheet, *, title_rows: int = 1, first_title_row: int = 1, footer: str = "") -> None:
    """The print set-up of every workbook the app writes (write-only sheets too): A4
    landscape, every column on the width of one page (as many pages down as it needs), the
    header rows `first_title_row`..+`title_rows`-1 repeated at the top of each page, and
    "第 n 页，共 m 页" (after `footer`, e.g. the document's title) at the foot of each page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: as many pages down as the rows need
    sheet.print_options.horizontalCentered = True
    last_title_row = first_title_row + title_rows - 1
    sheet.print_title_rows = f"{first_title_row}:{last_title_row}"
    # "&P" and "&N" are the page number and page count; "&&" would print one "&".
    text = clean_text(footer).replace("&", "&&")
    sheet.oddFooter.center.text = f"{text}　第 &P 页，共 &N 页" if text else "第 &P 页，共 &N 页"


def styled_cell(sheet, value, *, number_format=None, font=None, fill=None, alignment=None):
    """A cell of `value` for a write-only `sheet` with the given style, cheaply.

    Setting a style attribute on a cell looks it up in the workbook's style tables every time:
    cell by cell that was a fifth of a 10k-row export's time. Here each combination is built
    once per sheet and its style array copied into every cell that shares it. `None` stays an
    empty cell, which costs nothing to write.
    """
    if value is None:
        return None
    styles = sheet.__dict__.setdefault("_jz_styles", {})
    key = (number_format, font, fill, alignment)
    style = styles.get(key)
    if style is None:
        prototype = WriteOnlyCell(sheet)
        if number_format:
            prototype.number_format = number_format
        if font is not None:
            prototype.font = font
        if fill is not None:
            prototype.fill = fill
        if alignment is not None:
            prototype.alignment = alignment
        style = styles[key] = prototype._style
    return Cell(sheet, row=1, column=1, value=value, style_array=style)


def excel_number(value: Decimal | None):
    """A Decimal as the number Excel stores: an int when whole, else a float (None stays)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def clean_text(text: str | None) -> str:
    """`text` without the control characters that make openpyxl refuse to save a workbook
    (pasted into a web form, they would otherwise break the whole download)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text or "")


def workbook_bytes(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------
# Reading uploads
# ------------------------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
MAX_MEMBERS = 200  # a workbook saved by Excel or WPS has 10-30 parts
MAX_RATIO = 100  # real workbook XML packs 5-30 times; a bomb thousands of times
RATIO_FROM = 256 * 1024  # a small part may pack at any ratio: it is small
TOO_LARGE = "文件解压后过大，疑似异常文件，请使用系统下载的模板重新填写。"

# What openpyxl, the XML parser and zipfile raise on a damaged or hostile file, also while
# rows are read lazily from a read-only workbook.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ParseError,
    DefusedXmlException,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OverflowError,
)
READER_MODULES = ("openpyxl", "zipfile", "zlib", "xml", "defusedxml", "et_xmlfile")


def check_archive(content: bytes, *, max_unpacked: int, unreadable: str) -> None:
    """Refuse, before anything is decompressed, an archive a real workbook would not be.

    A workbook is a zip of XML parts. openpyxl unpacks and parses each part whole (the shared
    strings even in read-only mode), so a small upload that unpacks to hundreds of megabytes
    holds a worker for minutes and gigabytes. The central directory declares every part's
    unpacked size: the number of parts, each part's size and packing ratio, and their total
    must fit `max_unpacked`, a budget the caller sizes to what its real workbooks need. A part
    that unpacks to more than it declares cannot get past this either: zipfile stops reading a
    part at its declared size (and then fails its checksum), so the declared sizes bound the
    work.
    """
    if content.startswith(OLE_MAGIC):
        raise LedgerError(
            "该文件是旧版 Excel（.xls）或其他旧格式文件，"
            "请在 Excel 或 WPS 中另存为 .xlsx 后再上传。"
        )
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        raise LedgerError(unreadable) from None
    names = {member.filename for member in members}
    if any(part not in names for part in REQUIRED_PARTS):
        raise LedgerError(unreadable)  # a .docx, a .zip of photos …
    if len(members) > MAX_MEMBERS:
        raise LedgerError(TOO_LARGE)
    total = 0
    for member in members:
        size = member.file_size
        total += size
        packed = max(member.compress_size, 1)
        if size > max_unpacked or total > max_unpacked:
            raise LedgerError(TOO_LARGE)
        if size > RATIO_FROM and size / packed > MAX_RATIO:
            raise LedgerError(TOO_LARGE)


def _raised_while_reading(error: BaseException) -> bool:
    """Whether `error` comes from openpyxl or the libraries it reads with, not our own code."""
    trace = error.__traceback__
    while trace is not None:
        module = trace.tb_frame.f_globals.get("__name__", "")
        if module.split(".")[0] in READER_MODULES:
            return True
        trace = trace.tb_next
    return False


# A workbook's XML never declares a document type. openpyxl parses some parts with lxml when
# it is installed (entities left unresolved, but parsed) and others with defusedxml (refused):
# refusing any DTD here gives every part the same answer, whichever parser reads it.
DOCTYPE_MARKS = tuple(
    "<!DOCTYPE".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be")
) + tuple("<!doctype".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be"))


def check_no_doctype(content: bytes, *, unreadable: str) -> None:
    """Refuse a workbook any of whose XML parts carries a DTD (XXE, billion laughs).

    Called after `check_archive`, so the declared sizes already bound what is unpacked here.
    """
    with zipfile.ZipFile(BytesIO(content)) as archive:
        for member in archive.infolist():
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                data = archive.read(member)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
                raise LedgerError(unreadable) from None
            if any(mark in data for mark in DOCTYPE_MARKS):
                raise LedgerError(unreadable)


@contextmanager
def read_workbook(content: bytes, *, max_unpacked: int, unreadable: str):
    """The uploaded workbook `content`, read-only, for the `with` block; the one way we open one.

    The archive is checked first (`check_archive`); then openpyxl opens it with defusedxml. Any
    failure to read the file — at opening, or later while the block reads rows, since a
    read-only workbook parses its sheets lazily — becomes `LedgerError(unreadable)`: malformed
    XML, a DOCTYPE or entity, a missing part, a broken zip. Errors raised by the block's own
    code pass through unchanged. The workbook is closed when the block ends.
    """
    check_archive(content, max_unpacked=max_unpacked, unreadable=unreadable)
    check_no_doctype(content, unreadable=unreadable)
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises assorted errors on damaged workbooks
        raise LedgerError(unreadable) from None
    try:
        yield workbook
    except READ_ERRORS as error:
        if isinstance(error, LedgerError) or not _raised_while_reading(error):
            raise
        raise LedgerError(unreadable) from None
    finally:
        workbook.close()


# ------------------------------------------------------------------------------------------
# Reading cells of an upload
# ------------------------------------------------------------------------------------------

MAX_MESSAGES = 200  # an import lists at most this many problems, then how many more


class CellError(Exception):
    """A cell's value is not acceptable; the message says what was expected."""


def cell_text(value) -> str:
    """A cell's value as stripped text ("" for an empty cell; 12.0 reads "12")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def shown(value) -> str:
    """A cell's value quoted for a message: “12”, “2026-07-31”."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return f"“{value}”"


_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def cell_date(value) -> date | None:
    """A date cell, or text like 2026-07-31, 2026/7/31 or 2026年7月31日; None when empty."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    match = _DATE_TEXT.fullmatch(text)
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            pass
    raise CellError("应为日期（如 2026-07-31）")


def cell_at(values, position):
    """The value at `position` of a row read with values_only (None past its end)."""
    return values[position] if position < len(values) else None


def data_rows(sheet, *, sheet_name: str, min_row: int, last_row: int, width: int, limit: int):
    """(row number, values) of the non-empty rows from `min_row` to `last_row`.

    Only the `width` columns the header names are read, and no further than one row past
    `last_row`: one cell typed at XFD1048576 would otherwise make openpyxl hand over a million
    rows of 16,384 empty cells each (hours of work for a 5 KB file). A non-empty row past
    `last_row` is refused: the sheet has more than `limit` rows.
    """
    rows = sheet.iter_rows(min_row=min_row, max_row=last_row + 1, max_col=width, values_only=True)
    for number, values in enumerate(rows, min_row):
        if all(cell_text(v) == "" for v in values):
            continue
        if number > last_row:
            raise LedgerError(f"工作表「{sheet_name}」超过 {limit} 行，请检查是否有多余内容。")
        yield number, values


class Collector:
    """Collects the messages of one import; `add` names the sheet, row and column."""

    def __init__(self):
        self.messages: list[str] = []

    def add(self, sheet: str, row: int | None, column: str | None, message: str):
        where = f"工作表「{sheet}」"
        if row is not None:
            where += f"第{row}行"
        if column:
            where += f"「{column}」"
        self.messages.append(f"{where}：{message}")

    def bad(self, sheet, row, column, expected: str, value):
        self.add(sheet, row, column, f"{expected}，实际为{shown(value)}")

    def raise_if_any(self):
        if not self.messages:
            return
        listed = self.messages[:MAX_MESSAGES]
        if len(self.messages) > MAX_MESSAGES:
            listed.append(f"……另有 {len(self.messages) - MAX_MESSAGES} 处问题未列出。")
        raise LedgerError(listed)
