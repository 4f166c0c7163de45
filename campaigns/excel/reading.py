"""Reading uploaded workbooks: the guarded reader and the cells of an upload.

Every uploaded workbook is opened by `read_workbook`, which checks the archive before openpyxl
parses anything (see its docstring) and turns any failure to read the file into one Chinese
`LedgerError`, so a hostile or damaged upload is refused and changes nothing.

Cells of an upload: `cell_text`, `cell_date` and `cell_at` read a cell's value the same way in
every import; `data_rows` yields a sheet's non-empty rows up to a limit; a `Collector` gathers
one message per problem, naming sheet, row and column, and raises them together.
"""

import re
import zipfile
import zlib
from contextlib import contextmanager
from datetime import date, datetime
from io import BytesIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl import DEFUSEDXML, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import LedgerError

# openpyxl parses workbook XML with defusedxml when it is installed (a locked dependency): a
# DOCTYPE, an entity (XXE, "billion laughs") or an external reference then raises instead of
# being expanded. Fail at import rather than silently parse uploads with the unsafe parser.
if not DEFUSEDXML:  # pragma: no cover - defusedxml is in the lock file
    raise ImportError("openpyxl must find defusedxml to read uploaded workbooks safely")

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
