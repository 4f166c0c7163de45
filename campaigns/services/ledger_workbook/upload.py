"""A filled-in ledger workbook read back into the unit's ledger: all of it, or nothing."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ...errors import LedgerError
from ...excel import (
    OLE_MAGIC,
    CellError,
    Collector,
    cell_date,
    cell_text,
    clean_text,
    data_rows,
    read_workbook,
)
from ...figures import FigureError, parse_figure
from ...history import recorded_as
from ...models import Indicator, LedgerEntry, WeeklyLedger
from ..ledger import EntryInput, editable_indicator_ids, entry_differs, is_unit_member, save_entries
from .layout import (
    CATEGORIES,
    COLUMN,
    COLUMNS,
    HEADER_ROW,
    META_SHEET,
    NOT_EDITABLE,
    REQUIRED,
    SHEET,
    TEMPLATE,
    TEMPLATE_VERSION,
    TEXT_COLUMNS,
)

MAX_ROWS = 5000  # a unit carries ~100 indicators; this stops runaway sheets, not real ones
# The guarded reader's budget (campaigns.excel.check_archive): a unit's ledger of ~20-100 rows
# unpacks to 30-150 KB and the 2,000-row bench workbook to 1.2 MB (packed at most 17 times), so
# 20 MB holds MAX_ROWS rows of long text while a zip bomb is refused before it is unpacked.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_DECREASE_REASON = 300  # the form's max_length (LedgerEntry.decrease_reason)
ENTRY_VALUE = LedgerEntry._meta.get_field("value")  # the limits every figure is held to


@dataclass
class ImportResult:
    changed: int = 0
    unchanged: int = 0
    derived: int = 0  # rows of derived indicators: not read (the registers decide them)

    def __str__(self):
        text = f"已从 Excel 导入周帐：修改 {self.changed} 项，未变 {self.unchanged} 项。"
        if self.derived:
            text += f"由台帐自动生成的 {self.derived} 项未导入，请在台帐中填报。"
        return text


def max_upload_bytes() -> int:
    return getattr(settings, "LEDGER_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{max(1, round(count / 1024))} KB"
    return f"{count / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


def _not_xlsx(name: str) -> LedgerError:
    named = f"文件「{name}」" if name else "该文件"
    return LedgerError(
        f"{named}不是 Excel 工作簿（.xlsx），无法读取。请在周帐页面点击「下载 Excel」获取表格，"
        "填写后保存为 .xlsx 再上传。"
    )


def _wrong_template(detail: str) -> LedgerError:
    return LedgerError(
        f"该工作簿不是本系统导出的周帐表格（{detail}）。请在周帐页面点击「下载 Excel」获取表格后"
        "填写，不要改动工作表名称、表头和指标编号。"
    )


def _read_upload(file) -> tuple[bytes, str]:
    """The upload's bytes and name; LedgerError when it is too large (declared or actual)."""
    limit = max_upload_bytes()

    def too_large(size: str = "") -> LedgerError:
        return LedgerError(
            f"文件过大{size}，周帐表格不能超过 {_size(limit)}：请使用本页下载的表格填写，"
            "不要粘贴图片或多余内容。"
        )

    if isinstance(file, bytes | bytearray):
        content, name = bytes(file), ""
    else:
        name = str(getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
        declared = getattr(file, "size", None)
        if declared is not None and declared > limit:
            raise too_large(f"（{_size(declared)}）")
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read(limit + 1)  # the declared size is not trusted
    if len(content) > limit:
        raise too_large()
    return content, name


def _open(content: bytes, name: str):
    """The workbook, read-only, for a `with` block, through the guarded reader: LedgerError for
    anything that is not an .xlsx, a zip bomb, hostile or malformed XML."""
    if content.startswith(OLE_MAGIC):
        raise LedgerError(
            f"文件「{name or '上传的文件'}」是旧版 Excel（.xls）或其他旧格式文件，"
            "请在 Excel 或 WPS 中另存为 .xlsx 后再上传。"
        )
    unreadable = _not_xlsx(name).message
    return read_workbook(content, max_unpacked=MAX_UNPACKED_BYTES, unreadable=unreadable)


@dataclass
class _Sheet:
    meta: dict
    columns: dict[str, int]
    rows: list[tuple[int, tuple]]


def _read(workbook) -> _Sheet:
    """The meta sheet, the header and the non-empty rows of 「周帐」: the file's whole content."""
    if META_SHEET not in workbook.sheetnames:
        raise _wrong_template("缺少隐藏的标识工作表")
    meta = {}
    for values in workbook[META_SHEET].iter_rows(max_row=50, max_col=2, values_only=True):
        if values and values[0] is not None:
            meta[cell_text(values[0])] = values[1] if len(values) > 1 else None
    if meta.get("template") != TEMPLATE:
        raise _wrong_template("标识不符")
    if _integer(meta.get("version")) != TEMPLATE_VERSION:
        raise LedgerError(
            f"该周帐表格的版本（{cell_text(meta.get('version')) or '未知'}）已不再适用，"
            "请在周帐页面重新下载表格后填写。"
        )
    if SHEET not in workbook.sheetnames:
        raise _wrong_template(f"缺少工作表「{SHEET}」")
    sheet = workbook[SHEET]
    header = next(
        sheet.iter_rows(
            min_row=HEADER_ROW, max_row=HEADER_ROW, max_col=len(COLUMNS) + 20, values_only=True
        ),
        (),
    )
    columns = {}
    for position, value in enumerate(header):
        if cell_text(value) in COLUMN and cell_text(value) not in columns:
            columns[cell_text(value)] = position
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise _wrong_template(
            f"工作表「{SHEET}」第{HEADER_ROW}行缺少列：{'、'.join(f'「{m}」' for m in missing)}"
        )
    rows = data_rows(
        sheet,
        sheet_name=SHEET,
        min_row=HEADER_ROW + 1,
        last_row=HEADER_ROW + MAX_ROWS,
        width=max(columns.values()) + 1,
        limit=MAX_ROWS,
    )
    return _Sheet(meta=meta, columns=columns, rows=list(rows))


def _integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    return int(text) if re.fullmatch(r"\d{1,12}", text) else None


def _check_identity(meta: dict, ledger: WeeklyLedger) -> None:
    """The workbook must be this unit's ledger of this week, whatever its file name says."""
    unit_id, period_id = _integer(meta.get("unit")), _integer(meta.get("period"))
    year, week = _integer(meta.get("year")), _integer(meta.get("week"))
    if None in (unit_id, period_id, year, week):
        raise _wrong_template("标识不完整")
    period = ledger.period
    if unit_id != ledger.unit_id:
        other = cell_text(meta.get("unit_name"))[:50] or "其他单位"
        raise LedgerError(
            f"该表格是其他单位（{other}）的周帐，不能导入到{ledger.unit.name}的周帐。"
            "请在本单位的周帐页面下载表格填写。"
        )
    if period_id != ledger.period_id:
        here = f"第{period.iso_week}周"
        there = f"第{week}周"
        if year != period.year.year:
            here, there = f"{period.year.year}年{here}", f"{year}年{there}"
        raise LedgerError(
            f"该表格是{ledger.unit.name}{there}的周帐，不能导入到{here}。"
            f"请在{here}的周帐页面下载表格填写，或到{there}的页面上传。"
        )


def _normalised(text: str) -> str:
    return clean_text(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def _same_text(stored: str, read: str) -> str:
    # Excel may turn the web form's CRLF into LF: that alone is not a change of a locked row.
    return stored if _normalised(stored) == _normalised(read) else read


def _parse_row(number, values, columns, entry: LedgerEntry, errors: Collector) -> EntryInput:
    """One row as the form would have it; cell problems go to `errors`."""

    def raw(column):
        position = columns.get(column)
        return values[position] if position is not None and position < len(values) else None

    data = EntryInput(where=f"工作表「{SHEET}」第{number}行：")
    figure = raw("本周累计")
    if isinstance(figure, float) and entry.value is not None and float(entry.value) == figure:
        # The stored figure written out by the download: keep it exactly, not its float's
        # decimal form (99999999999999.9999 comes back as the float 1e14).
        data.value = entry.value
    else:
        try:
            data.value = parse_figure(figure, ENTRY_VALUE)
        except FigureError as error:
            errors.add(SHEET, number, "本周累计", str(error))
    try:
        data.done_on = cell_date(raw("完成日期"))
    except CellError as error:
        errors.bad(SHEET, number, "完成日期", str(error), raw("完成日期"))
    category = cell_text(raw("问题类别"))
    if category in CATEGORIES:
        data.problem_category = CATEGORIES[category]
    elif category in CATEGORIES.values():
        data.problem_category = category
    elif category:
        errors.bad(SHEET, number, "问题类别", "只能是 土地、资金、手续、其他", raw("问题类别"))
    for field_name, column in TEXT_COLUMNS.items():
        text = _same_text(getattr(entry, field_name), cell_text(raw(column)))
        setattr(data, field_name, text)
    if len(data.decrease_reason) > MAX_DECREASE_REASON:
        errors.add(
            SHEET,
            number,
            "下降原因",
            f"最多{MAX_DECREASE_REASON}字，实际{len(data.decrease_reason)}字",
        )
    return data


def import_ledger_workbook(
    *, ledger: WeeklyLedger, file, user, now: datetime | None = None
) -> ImportResult:
    """Save a filled-in ledger workbook into `ledger`: all of it, or nothing with the reasons.

    `file` is an uploaded file, a file object or bytes. A constant number of queries besides
    `save_entries`' own (which writes each changed entry with its history row).
    """
    now = now or timezone.now()
    if not is_unit_member(user, ledger.unit_id):
        raise LedgerError("只能填报本单位的周帐。")
    content, name = _read_upload(file)
    with _open(content, name) as workbook:
        sheet = _read(workbook)
    _check_identity(sheet.meta, ledger)

    errors = Collector()
    result = ImportResult()
    with transaction.atomic():
        # Lock first, so editability, "changed" and the save all see the same ledger.
        ledger = (
            WeeklyLedger.objects.select_for_update()
            .select_related("period", "period__year", "unit")
            .get(pk=ledger.pk)
        )
        entries = {e.indicator_id: e for e in ledger.entries.select_related("indicator")}
        editable = editable_indicator_ids(ledger, now=now)
        changes: dict[int, EntryInput] = {}
        seen: dict[int, int] = {}
        strangers: dict[int, list[int]] = {}  # indicator id -> rows naming it
        for number, values in sheet.rows:
            position = sheet.columns["指标编号"]
            raw_id = values[position] if position < len(values) else None
            indicator_id = _integer(raw_id)
            if indicator_id is None:
                if cell_text(raw_id):
                    errors.bad(SHEET, number, "指标编号", "应为指标编号（整数）", raw_id)
                else:
                    errors.add(
                        SHEET, number, "指标编号", "不能为空：请不要在表格中插入行或删除指标编号"
                    )
                continue
            if indicator_id in seen:
                errors.add(SHEET, number, "指标编号", f"与第{seen[indicator_id]}行重复")
                continue
            seen[indicator_id] = number
            entry = entries.get(indicator_id)
            if entry is None:
                strangers.setdefault(indicator_id, []).append(number)
                continue
            if entry.indicator.is_derived:
                result.derived += 1  # 自动生成 rows are skipped, whatever the cells say
                continue
            before = len(errors.messages)
            data = _parse_row(number, values, sheet.columns, entry, errors)
            if len(errors.messages) > before:
                continue  # its cells are reported; the form's checks would only repeat them
            if indicator_id not in editable:
                if entry_differs(entry, data):
                    errors.add(
                        SHEET,
                        number,
                        None,
                        f"「{entry.indicator.name}」当前不可修改（已提交或帐期已锁定），"
                        f"请不要改动标为“{NOT_EDITABLE}”的行",
                    )
                else:
                    result.unchanged += 1
                continue
            if entry_differs(entry, data):
                result.changed += 1
            else:
                result.unchanged += 1
            changes[indicator_id] = data
        _report_strangers(strangers, ledger, errors)
        # The form's checks run on the readable rows even when others have bad cells, so one
        # upload reports every problem; whatever it saved is rolled back with the error.
        try:
            with recorded_as(user):
                save_entries(
                    ledger=ledger, user=user, changes=changes, now=now, source="Excel 导入"
                )
        except LedgerError as error:
            errors.messages += error.messages
        errors.messages.sort(key=_row_of)
        errors.raise_if_any()  # inside the transaction: nothing of this upload is kept
    return result


def _row_of(message: str) -> int:
    match = re.search(r"第(\d+)行", message)
    return int(match.group(1)) if match else 0


def _report_strangers(strangers: dict[int, list[int]], ledger, errors: Collector) -> None:
    """Rows naming indicators that are not in the unit's ledger (one query for all of them)."""
    if not strangers:
        return
    names = dict(
        Indicator.objects.filter(
            pk__in=list(strangers), campaign__year_id=ledger.period.year_id
        ).values_list("pk", "name")
    )
    for indicator_id, numbers in sorted(strangers.items(), key=lambda item: item[1][0]):
        for number in numbers:
            if indicator_id in names:
                message = (
                    f"本单位没有承担指标「{names[indicator_id]}」（编号 {indicator_id}），不能填报"
                )
            else:
                message = f"本年度没有编号为 {indicator_id} 的指标，请不要改动「指标编号」列"
            errors.add(SHEET, number, "指标编号", message)
