"""The year files' layout and cell rules, shared by the templates and the two imports."""

import re
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Unit

from ...errors import LedgerError
from ...excel import CellError, cell_text, data_rows, read_workbook
from ...figures import (
    FULL_WIDTH,
    FigureError,
    FigureTooLarge,
    TooManyPlaces,
    limits_of,
    parse_number,
)
from ...models import AssessmentYear, Indicator

INDICATOR_SHEET = "指标"
TARGET_SHEET = "目标任务"
MILESTONE_SHEET = "时间节点"
HELP_SHEET = "说明"
OPTIONS_SHEET = "选项"

INDICATOR_HEADERS = [
    "会战",
    "指标名称",
    "计量单位",
    "方向",
    "分值",
    "计分方法",
    "牵头部门",
    "累计值",
    "口径说明",
]
MILESTONE_HEADERS = ["单位", "指标", "日期", "比例"]
YES, NO = "是", "否"
MAX_ROWS = 5000  # far above a county's ~100 units or ~60 indicators; stops runaway sheets
POINTS = Indicator._meta.get_field("points")

DIRECTIONS = {str(label): value for value, label in Indicator.Direction.choices}
METHODS = {str(label): value for value, label in Indicator.Method.choices}
MEASURES = [value for value, _ in Indicator.Measure.choices]

NOT_XLSX = "无法读取该文件：请上传 Excel 工作簿（.xlsx），建议使用本页下载的模板填写。"
# The guarded reader's budget (campaigns.excel.check_archive): a county's filled-in templates
# unpack to well under 1 MB (the bench's 2,000 indicators × 91 units to 1.4 MB; a city has ten
# times the units), so 10 MB leaves room while a zip bomb is refused before it is unpacked.
MAX_UNPACKED_BYTES = 10 * 1024 * 1024


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"新增 {self.created} 项，更新 {self.updated} 项，未变 {self.unchanged} 项"


class NotANumber(CellError):
    """Text where a number belongs; `hint` (may be empty) says what to change."""

    def __init__(self, hint: str = ""):
        super().__init__(hint)
        self.hint = hint


class OutOfRange(CellError):
    """A number with more whole digits than its field holds."""


_GROUPED_NUMBER = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")


def read_number(value, field, *, percent_ok: bool = False) -> Decimal | None:
    """A cell's number for the model DecimalField `field` (None: empty), read by the one figure
    parser (campaigns.figures). NotANumber for what is not a number; OutOfRange or CellError
    naming the limit for a number `field` cannot hold."""
    max_digits, places = limits_of(field)
    text = value.strip().translate(FULL_WIDTH) if isinstance(value, str) else ""
    if _GROUPED_NUMBER.fullmatch(text):
        raise NotANumber("，请去掉千位分隔符“,”")
    scale = 1
    if text.endswith("%"):
        if not percent_ok:
            raise NotANumber("，请不要带“%”")
        # "80%" is 0.8: the percent may have two places fewer than the field keeps.
        value, scale, places = text[:-1].strip(), 100, places - 2
    try:
        number = parse_number(value, max_digits=max_digits, decimal_places=places, grouping=False)
    except FigureTooLarge as error:
        raise OutOfRange(str(error)) from None
    except TooManyPlaces as error:
        raise CellError(str(error)) from None
    except FigureError:
        raise NotANumber() from None
    if number is None and scale != 1:
        raise NotANumber()
    return None if number is None else number / scale


def open_upload(file):
    """The workbook, read-only, for a `with` block, through the guarded reader: LedgerError for
    anything that is not an xlsx, a zip bomb, hostile or malformed XML."""
    if isinstance(file, bytes | bytearray):
        content = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read()  # the admin's form has capped the upload's size
    return read_workbook(content, max_unpacked=MAX_UNPACKED_BYTES, unreadable=NOT_XLSX)


def sheet_named(workbook, name: str, template: str):
    if name not in workbook.sheetnames:
        raise LedgerError(
            f"文件中没有工作表「{name}」：请使用本页下载的「{template}」填写，不要改动工作表名称。"
        )
    return workbook[name]


def header_columns(header, expected, sheet, template) -> dict[str, int]:
    """Column index of each expected header; LedgerError naming the missing ones."""
    names = [cell_text(v) for v in (header or ())]
    index = {}
    for position, name in enumerate(names):
        if name in expected and name not in index:
            index[name] = position
    missing = [name for name in expected if name not in index]
    if missing:
        raise LedgerError(
            f"工作表「{sheet}」第1行缺少列：{'、'.join(f'「{m}」' for m in missing)}。"
            f"请使用本页下载的「{template}」，不要改动表头。"
        )
    return index


def read_rows(sheet, *, min_row: int, sheet_name: str, width: int):
    """(row number, values) of the non-empty rows from `min_row`, at most MAX_ROWS of them
    (see campaigns.excel.data_rows)."""
    return data_rows(
        sheet,
        sheet_name=sheet_name,
        min_row=min_row,
        last_row=MAX_ROWS + min_row,
        width=width,
        limit=MAX_ROWS,
    )


def active_units() -> dict[str, Unit]:
    return {u.name: u for u in Unit.objects.filter(active=True).select_related("group")}


def year_indicators(year: AssessmentYear):
    return list(
        Indicator.objects.filter(campaign__year=year)
        .select_related("campaign", "lead_unit")
        .order_by("campaign__sort_order", "campaign_id", "sort_order", "id")
    )
