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
and stays text when edited.
"""

import zipfile
import zlib
from contextlib import contextmanager
from io import BytesIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import DEFUSEDXML, load_workbook
from openpyxl.cell.cell import Cell
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
