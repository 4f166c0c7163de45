"""The office sets up a year from Excel: indicator and target templates, and their imports.

Both imports are all or nothing: every row and cell is checked first, and any problem rejects
the whole file with one Chinese message per problem naming sheet, row and column; the
database is then unchanged. Imports create and update, never delete.

What a cell may hold (also written on each template's 「说明」 sheet):
- Numbers: a number cell, or text that is a plain decimal ("1200", "12.5"), since figures
  pasted from Word or WPS often arrive as text. Text with thousands separators ("1,200") or a
  percent sign ("12.5%") is refused with a message saying so: "1,200" may be a typo of
  "1.200", and for an indicator measured in % it is unclear whether "12.5%" means 12.5 or
  0.125. The one exception is the 比例 column of 「时间节点」, where "80%" can only mean 0.8.
- Campaigns are not created by an import: the sheet's 会战 must name a campaign of the year
  (the four are set up in the admin first), so a misspelt campaign cannot start a fifth one.
- Units are named by their full name (单位名称) and must be active.
"""

import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from accounts.models import Unit

from ..errors import LedgerError
from ..excel import append_safe, read_workbook, write_safe
from ..figures import (
    FULL_WIDTH,
    FigureError,
    FigureTooLarge,
    TooManyPlaces,
    limits_of,
    parse_number,
)
from ..models import AssessmentYear, Indicator, Milestone, Target
from .years import (
    ANNUAL_VALUE,
    FRACTION,
    check_annual_value,
    check_milestones,
    default_milestones,
    set_target,
)

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
MAX_MESSAGES = 200
POINTS = Indicator._meta.get_field("points")

DIRECTIONS = {str(label): value for value, label in Indicator.Direction.choices}
METHODS = {str(label): value for value, label in Indicator.Method.choices}
MEASURES = [value for value, _ in Indicator.Measure.choices]

NO_CAMPAIGNS = "（尚未设置会战，请先在后台添加）"
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


# ------------------------------------------------------------------------------------------
# Reading cells
# ------------------------------------------------------------------------------------------


class CellError(Exception):
    """A cell's value is not acceptable; the message says what was expected."""


class NotANumber(CellError):
    """Text where a number belongs; `hint` (may be empty) says what to change."""

    def __init__(self, hint: str = ""):
        super().__init__(hint)
        self.hint = hint


def _shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    return f"“{value}”"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class OutOfRange(CellError):
    """A number with more whole digits than its field holds."""


_GROUPED_NUMBER = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")


def _number(value, field, *, percent_ok: bool = False) -> Decimal | None:
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


_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def _date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    match = _DATE_TEXT.fullmatch(text)
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            pass
    raise CellError("应为日期（如 2026-07-31）")


class Collector:
    """Collects the messages of one import; `at` names the sheet, row and column."""

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
        self.add(sheet, row, column, f"{expected}，实际为{_shown(value)}")

    def raise_if_any(self):
        if not self.messages:
            return
        shown = self.messages[:MAX_MESSAGES]
        if len(self.messages) > MAX_MESSAGES:
            shown.append(f"……另有 {len(self.messages) - MAX_MESSAGES} 处问题未列出。")
        raise LedgerError(shown)


def _open(file):
    """The workbook, read-only, for a `with` block, through the guarded reader: LedgerError for
    anything that is not an xlsx, a zip bomb, hostile or malformed XML."""
    if isinstance(file, bytes | bytearray):
        content = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read()  # the admin's form has capped the upload's size
    return read_workbook(content, max_unpacked=MAX_UNPACKED_BYTES, unreadable=NOT_XLSX)


def _sheet(workbook, name: str, template: str):
    if name not in workbook.sheetnames:
        raise LedgerError(
            f"文件中没有工作表「{name}」：请使用本页下载的「{template}」填写，不要改动工作表名称。"
        )
    return workbook[name]


def _header_columns(header, expected, sheet, template) -> dict[str, int]:
    """Column index of each expected header; LedgerError naming the missing ones."""
    names = [_text(v) for v in (header or ())]
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


def _rows(sheet, *, min_row: int, sheet_name: str, width: int):
    """(row number, values) of the non-empty rows from `min_row`, at most MAX_ROWS of them.

    Only the `width` columns the header names are read, and no further than one row past the
    limit: one cell typed at XFD1048576 would otherwise make openpyxl hand over a million
    rows of 16,384 empty cells each (hours of work for a 5 KB file).
    """
    last = MAX_ROWS + min_row
    rows = sheet.iter_rows(min_row=min_row, max_row=last + 1, max_col=width, values_only=True)
    for number, values in enumerate(rows, min_row):
        if all(_text(v) == "" for v in values):
            continue
        if number > last:
            raise LedgerError(f"工作表「{sheet_name}」超过 {MAX_ROWS} 行，请检查是否有多余内容。")
        yield number, values


def _cell(values, position):
    return values[position] if position < len(values) else None


@contextmanager
def _recorded_as(user):
    """Attribute history rows to `user` also outside a request (a Celery task, a shell)."""
    had = hasattr(HistoricalRecords.context, "request")
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if had:
            HistoricalRecords.context.request = previous
        else:
            del HistoricalRecords.context.request


def _active_units() -> dict[str, Unit]:
    return {u.name: u for u in Unit.objects.filter(active=True).select_related("group")}


# ------------------------------------------------------------------------------------------
# Writing templates
# ------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B22222")
SUBHEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


def _style_header(row, *, fill=HEADER_FILL, font=HEADER_FONT):
    for cell in row:
        cell.font = font
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _options_sheet(workbook, columns: dict[str, list]) -> dict[str, str]:
    """A hidden sheet of value lists; returns each list's range for data validation."""
    sheet = workbook.create_sheet(OPTIONS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    for number, (title, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(number)
        write_safe(sheet, row=1, column=number, value=title)
        for row, value in enumerate(values, start=2):
            write_safe(sheet, row=row, column=number, value=value)
        last = max(2, len(values) + 1)
        ranges[title] = f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${last}"
    return ranges


def _list_validation(sheet, formula: str, cells: str, prompt: str):
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error="请从下拉列表中选择。",
        promptTitle="填写说明",
        prompt=prompt,
        showInputMessage=True,
    )
    sheet.add_data_validation(validation)
    validation.add(cells)


def _help_sheet(workbook, lines: list[tuple[str, str]]):
    sheet = workbook.create_sheet(HELP_SHEET)
    append_safe(sheet, ["项目", "说明"])
    _style_header(sheet[1])
    for item, text in lines:
        append_safe(sheet, [item, text])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90
    sheet.freeze_panes = "A2"


def _to_bytes(workbook) -> bytes:
    if OPTIONS_SHEET in workbook.sheetnames:  # the hidden lists go last, after 「说明」
        options = workbook[OPTIONS_SHEET]
        workbook.move_sheet(options, len(workbook.sheetnames) - 1 - workbook.index(options))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def _year_indicators(year: AssessmentYear):
    return list(
        Indicator.objects.filter(campaign__year=year)
        .select_related("campaign", "lead_unit")
        .order_by("campaign__sort_order", "campaign_id", "sort_order", "id")
    )


NUMBER_RULE = (
    "填数字；也接受文本形式的纯数字（如 1200、12.5）。不接受千位分隔符（1,200）和百分号（12.5%），"
    "计量单位为%的指标填 12.5 表示 12.5%。"
)


def indicator_template(year: AssessmentYear) -> bytes:
    """The 「指标」 workbook, prefilled with the year's indicators, with a 「说明」 sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = INDICATOR_SHEET
    append_safe(sheet, INDICATOR_HEADERS)
    _style_header(sheet[1])
    for indicator in _year_indicators(year):
        row = [
            indicator.campaign.name,
            indicator.name,
            indicator.measure,
            indicator.get_direction_display(),
            _excel_number(indicator.points),
            indicator.get_method_display(),
            indicator.lead_unit.name,
            YES if indicator.cumulative else NO,
            indicator.description,
        ]
        append_safe(sheet, row)
    widths = [16, 30, 10, 12, 8, 12, 26, 8, 50]
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"

    campaigns = list(year.campaigns.values_list("name", flat=True))
    units = list(Unit.objects.filter(active=True).values_list("name", flat=True))
    ranges = _options_sheet(
        workbook,
        {
            "会战": campaigns,
            "计量单位": MEASURES,
            "方向": list(DIRECTIONS),
            "计分方法": list(METHODS),
            "牵头部门": units,
            "累计值": [YES, NO],
        },
    )
    last = MAX_ROWS
    _list_validation(sheet, ranges["会战"], f"A2:A{last}", "本年度的会战之一")
    _list_validation(sheet, ranges["计量单位"], f"C2:C{last}", "从列表中选择")
    _list_validation(sheet, ranges["方向"], f"D2:D{last}", "越高越好 / 越低越好 / 节点完成")
    _list_validation(sheet, ranges["计分方法"], f"F2:F{last}", "完成率法 / 排名法")
    _list_validation(sheet, ranges["牵头部门"], f"G2:G{last}", "单位全称")
    _list_validation(sheet, ranges["累计值"], f"H2:H{last}", "是 / 否")
    points = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        showErrorMessage=True,
        error="分值应为不小于0的数字。",
    )
    sheet.add_data_validation(points)
    points.add(f"E2:E{last}")

    _help_sheet(
        workbook,
        [
            (
                "用途",
                f"{year.year}年度考核指标。导入时按「会战」+「指标名称」更新已有指标，新名称即新增指标；导入不会删除指标。",
            ),
            (
                "会战",
                f"必须是本年度已有的会战：{'、'.join(campaigns) or NO_CAMPAIGNS}。",
            ),
            ("指标名称", "同一会战下不能重复，最多100字。"),
            ("计量单位", f"可选：{'、'.join(MEASURES)}。"),
            (
                "方向",
                "越高越好 / 越低越好 / 节点完成。已有目标任务的指标不能改为或改出「节点完成」。",
            ),
            ("分值", "不小于0的数字，最多2位小数。" + NUMBER_RULE),
            ("计分方法", "完成率法 / 排名法；留空为完成率法。"),
            ("牵头部门", "单位全称，须为在用单位。"),
            ("累计值", "是：填报年初至今累计数；否：填报当前水平（如比率）。留空为「是」。"),
            ("口径说明", "可空，最多300字。"),
            (
                "整体规则",
                "整份文件一起校验：任何一处有误则全部不导入，并列出每处问题所在的工作表、行和列。新增的指标排在该会战已有指标之后。",
            ),
        ],
    )
    return _to_bytes(workbook)


def _campaign_columns(year: AssessmentYear) -> list[Indicator]:
    return _year_indicators(year)


def target_template(year: AssessmentYear) -> bytes:
    """The units × indicators 「目标任务」 matrix and the 「时间节点」 sheet, prefilled."""
    indicators = _campaign_columns(year)
    units = list(Unit.objects.filter(active=True).select_related("group"))
    targets = {
        (t.unit_id, t.indicator_id): t
        for t in Target.objects.filter(indicator__campaign__year=year).prefetch_related(
            "milestones"
        )
    }

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TARGET_SHEET
    first = 3  # indicators start in column C
    append_safe(sheet, ["会战", None] + [i.campaign.name for i in indicators])
    append_safe(sheet, ["单位", "考核组别"] + [i.name for i in indicators])
    append_safe(
        sheet,
        ["计量单位", None] + [f"填“{YES}”" if i.is_milestone else i.measure for i in indicators],
    )
    # Merge each campaign's header across its indicators.
    start = first
    for position in range(len(indicators) + 1):
        at_end = position == len(indicators)
        if at_end or (
            position > 0
            and indicators[position].campaign_id != indicators[position - 1].campaign_id
        ):
            end = first + position - 1
            if end > start:
                sheet.merge_cells(start_row=1, start_column=start, end_row=1, end_column=end)
            start = first + position
    for row in (1, 2):
        _style_header(sheet[row])
    _style_header(sheet[3], fill=SUBHEADER_FILL, font=Font(italic=True))

    for unit in units:
        row = [unit.name, unit.group.name]
        for indicator in indicators:
            target = targets.get((unit.pk, indicator.pk))
            if target is None:
                row.append(None)
            elif indicator.is_milestone:
                row.append(YES)
            else:
                row.append(_excel_number(target.annual_value))
        append_safe(sheet, row)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14
    for position in range(len(indicators)):
        sheet.column_dimensions[get_column_letter(first + position)].width = 14
    sheet.row_dimensions[2].height = 45
    sheet.freeze_panes = "C4"

    last_row = max(MAX_ROWS, len(units) + 3)
    for position, indicator in enumerate(indicators):
        letter = get_column_letter(first + position)
        cells = f"{letter}4:{letter}{last_row}"
        if indicator.is_milestone:
            validation = DataValidation(
                type="list",
                formula1=f'"{YES}"',
                allow_blank=True,
                showErrorMessage=True,
                error="节点类指标：承担填“是”，不承担留空。",
            )
        else:
            validation = DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                showErrorMessage=True,
                error="年度目标值应为不小于0的数字；不承担请留空。",
            )
        sheet.add_data_validation(validation)
        validation.add(cells)

    milestones = workbook.create_sheet(MILESTONE_SHEET)
    append_safe(milestones, MILESTONE_HEADERS)
    _style_header(milestones[1])
    defaults = default_milestones(year=year.year)
    by_id = {i.pk: i for i in indicators}
    unit_by_id = {u.pk: u for u in units}
    for (unit_id, indicator_id), target in sorted(
        targets.items(), key=lambda kv: (kv[1].unit.sort_order, kv[1].indicator_id)
    ):
        own = [(m.due_date, m.fraction) for m in target.milestones.all()]
        if own == defaults or unit_id not in unit_by_id:
            continue
        for due, fraction in own:
            append_safe(
                milestones,
                [unit_by_id[unit_id].name, by_id[indicator_id].name, due, float(fraction)],
            )
            milestones.cell(row=milestones.max_row, column=3).number_format = "yyyy-mm-dd"
            milestones.cell(row=milestones.max_row, column=4).number_format = "0.00%"
    for letter, width in zip("ABCD", [24, 30, 14, 10], strict=True):
        milestones.column_dimensions[letter].width = width
    milestones.freeze_panes = "A2"

    ranges = _options_sheet(
        workbook,
        {
            "单位": [u.name for u in units],
            "指标": list(dict.fromkeys(i.name for i in indicators)),
        },
    )
    _list_validation(milestones, ranges["单位"], f"A2:A{MAX_ROWS}", "单位全称")
    _list_validation(milestones, ranges["指标"], f"B2:B{MAX_ROWS}", "指标名称")
    due = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({year.year},1,1)",
        formula2=f"DATE({year.year},12,31)",
        showErrorMessage=True,
        error=f"日期应在{year.year}年内。",
    )
    share = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="1",
        showErrorMessage=True,
        error="比例应在0到1之间（如 0.8 或 80%）。",
    )
    for validation, cells in ((due, f"C2:C{MAX_ROWS}"), (share, f"D2:D{MAX_ROWS}")):
        milestones.add_data_validation(validation)
        validation.add(cells)

    _help_sheet(
        workbook,
        [
            ("用途", f"{year.year}年度各单位的目标任务。"),
            (
                "目标任务",
                "行为单位，列为指标（第1行会战、第2行指标名称、第3行计量单位）。单元格填年度目标值；留空表示该单位不承担此指标。",
            ),
            ("节点类指标", "第3行显示「填“是”」的列：承担填“是”，不承担留空。"),
            (
                "目标值",
                "越高越好的指标须大于0；越低越好的指标可为0（如“零事故”）；最多4位小数。"
                + NUMBER_RULE,
            ),
            (
                "不删除",
                "导入只新增和更新目标任务，不删除。已有目标任务的单元格不能清空，如需取消请在后台删除该目标任务。没有出现的单位行或指标列保持不变。",
            ),
            (
                "时间节点",
                "可选。默认节点为 3-31 / 6-30 / 9-30 / 12-31，累计完成 25% / 50% / 75% / 100%。"
                "如某单位某指标另有节点（如“7月底前完成80%”），在「时间节点」表中逐行填写："
                "单位、指标、日期、比例；同一单位同一指标的各行一起替换其全部节点。",
            ),
            (
                "比例",
                "0到1之间的数字（0.8），或带百分号（80%）；随日期不能减少；日期须在本年度内且不重复。",
            ),
            (
                "未填节点",
                "「时间节点」表中没有出现的目标任务保留现有节点；新建的目标任务使用默认节点。",
            ),
            (
                "整体规则",
                "整份文件一起校验：任何一处有误则全部不导入，并列出每处问题所在的工作表、行和列。",
            ),
        ],
    )
    return _to_bytes(workbook)


# ------------------------------------------------------------------------------------------
# Importing indicators
# ------------------------------------------------------------------------------------------


@transaction.atomic
def import_indicators(*, year: AssessmentYear, file, user) -> ImportResult:
    """Create or update the year's indicators from the 「指标」 sheet; all or nothing."""
    with _open(file) as workbook:
        specs = _read_indicators(year, workbook)

    result = ImportResult()
    existing = {(i.campaign_id, i.name): i for i in _year_indicators(year)}
    next_order = defaultdict(int)
    for indicator in existing.values():
        next_order[indicator.campaign_id] = max(
            next_order[indicator.campaign_id], indicator.sort_order
        )
    with _recorded_as(user):
        for spec in specs:
            campaign = spec.pop("campaign")
            indicator = existing.get((campaign.pk, spec["name"]))
            if indicator is None:
                next_order[campaign.pk] += 10
                indicator = Indicator(campaign=campaign, sort_order=next_order[campaign.pk])
                result.created += 1
            elif all(getattr(indicator, k) == v for k, v in spec.items()):
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            for name, value in spec.items():
                setattr(indicator, name, value)
            indicator.full_clean()
            indicator.save()
    return result


def _read_indicators(year: AssessmentYear, workbook) -> list[dict]:
    sheet_name = INDICATOR_SHEET
    sheet = _sheet(workbook, sheet_name, "指标模板")
    rows = sheet.iter_rows(min_row=1, max_row=1, values_only=True)
    columns = _header_columns(next(rows, None), INDICATOR_HEADERS, sheet_name, "指标模板")
    campaigns = {c.name: c for c in year.campaigns.all()}
    units = _active_units()
    existing = {(i.campaign_id, i.name): i for i in _year_indicators(year)}
    with_targets = set(
        Target.objects.filter(indicator__campaign__year=year).values_list("indicator_id", flat=True)
    )
    errors = Collector()
    specs, seen = [], {}

    width = max(columns.values()) + 1
    for number, values in _rows(sheet, min_row=2, sheet_name=sheet_name, width=width):

        def raw(column, values=values):
            return _cell(values, columns[column])

        def bad(column, expected, number=number, raw=raw):
            errors.bad(sheet_name, number, column, expected, raw(column))

        spec = {}
        campaign_name = _text(raw("会战"))
        campaign = campaigns.get(campaign_name)
        if campaign is None:
            known = "、".join(campaigns) or "（本年度尚无会战）"
            if campaign_name:
                bad("会战", f"应为本年度的会战（{known}）")
            else:
                errors.add(sheet_name, number, "会战", "不能为空")
        name = _text(raw("指标名称"))
        if not name:
            errors.add(sheet_name, number, "指标名称", "不能为空")
        elif len(name) > 100:
            errors.add(sheet_name, number, "指标名称", f"最多100字，实际{len(name)}字")
        elif campaign is not None:
            key = (campaign.pk, name)
            if key in seen:
                errors.add(
                    sheet_name,
                    number,
                    "指标名称",
                    f"与第{seen[key]}行重复（同一会战下指标名称不能重复）",
                )
            seen.setdefault(key, number)
        spec["name"] = name

        measure = _text(raw("计量单位")).replace("％", "%")
        if measure not in MEASURES:
            bad("计量单位", f"应为{'、'.join(MEASURES)}之一")
        spec["measure"] = measure

        direction = DIRECTIONS.get(_text(raw("方向")))
        if direction is None:
            bad("方向", f"应为{'、'.join(DIRECTIONS)}之一")
        spec["direction"] = direction

        try:
            points = _number(raw("分值"), POINTS)
            if points is None or points < 0:
                raise NotANumber()
            spec["points"] = points
        except NotANumber as problem:
            bad("分值", "应为不小于0的数字" + problem.hint)
        except CellError as problem:
            bad("分值", str(problem))

        method_text = _text(raw("计分方法")) or str(Indicator.Method.COMPLETION.label)
        method = METHODS.get(method_text)
        if method is None:
            bad("计分方法", f"应为{'、'.join(METHODS)}之一")
        spec["method"] = method

        lead_name = _text(raw("牵头部门"))
        lead = units.get(lead_name)
        if lead is None:
            if lead_name:
                bad("牵头部门", "应为在用单位的全称")
            else:
                errors.add(sheet_name, number, "牵头部门", "不能为空")
        spec["lead_unit"] = lead

        cumulative = _text(raw("累计值")) or YES
        if cumulative not in (YES, NO):
            bad("累计值", f"应为“{YES}”或“{NO}”")
        spec["cumulative"] = cumulative == YES

        description = _text(raw("口径说明"))
        if len(description) > 300:
            errors.add(sheet_name, number, "口径说明", f"最多300字，实际{len(description)}字")
        spec["description"] = description

        current = existing.get((campaign.pk, name)) if campaign else None
        if (
            current is not None
            and direction is not None
            and current.pk in with_targets
            and (direction == Indicator.Direction.MILESTONE) != current.is_milestone
        ):
            errors.add(
                sheet_name,
                number,
                "方向",
                f"该指标已有目标任务，不能由“{current.get_direction_display()}”改为"
                f"“{_text(raw('方向'))}”（节点类与数值类目标不能互换）",
            )
        spec["campaign"] = campaign
        specs.append(spec)

    errors.raise_if_any()
    return specs


# ------------------------------------------------------------------------------------------
# Importing targets
# ------------------------------------------------------------------------------------------


@dataclass
class _TargetCell:
    unit: Unit
    indicator: Indicator
    value: Decimal | None


@transaction.atomic
def import_targets(*, year: AssessmentYear, file, user) -> ImportResult:
    """Create or update targets and their milestones from the template; all or nothing."""
    with _open(file) as workbook:
        cells, custom = _read_targets(year, workbook)

    existing = {
        (t.unit_id, t.indicator_id): t
        for t in Target.objects.filter(indicator__campaign__year=year).prefetch_related(
            "milestones"
        )
    }
    result = ImportResult()
    wanted = {(c.unit.pk, c.indicator.pk): c for c in cells}
    # A target named only in 「时间节点」 keeps its value and gets the listed milestones.
    for key in custom:
        if key not in wanted:
            target = existing[key]
            wanted[key] = _TargetCell(target.unit, target.indicator, target.annual_value)
    errors = []
    new = [(cell, custom.get(key)) for key, cell in wanted.items() if key not in existing]
    result.created = _create_targets(year, new, user)
    with _recorded_as(user):
        for key, cell in wanted.items():
            target = existing.get(key)
            if target is None:
                continue  # created above
            milestones = custom.get(key)
            own = [(m.due_date, m.fraction) for m in target.milestones.all()]
            same_milestones = milestones is None or sorted(milestones) == own
            if target.annual_value == cell.value and same_milestones and own:
                result.unchanged += 1
                continue
            try:
                set_target(
                    indicator=cell.indicator,
                    unit=cell.unit,
                    annual_value=cell.value,
                    milestones=milestones,
                    note=target.note,
                )
            except LedgerError as error:  # checked already; kept as a safety net
                errors.extend(error.messages)
                continue
            result.updated += 1
    if errors:
        raise LedgerError(errors)
    return result


def _create_targets(year: AssessmentYear, new: list, user) -> int:
    """Bulk-create the new targets and their milestones, with their history rows.

    A first import creates thousands of targets; one `set_target` each would take a minute.
    Every value was checked while reading the file, so only field-level cleaning remains.
    """
    targets, plans = [], []
    for cell, milestones in new:
        target = Target(indicator=cell.indicator, unit=cell.unit, annual_value=cell.value)
        target.clean_fields(exclude=["indicator", "unit"])
        targets.append(target)
        plans.append(milestones or default_milestones(year=year.year))
    if not targets:
        return 0
    created = bulk_create_with_history(targets, Target, default_user=user)
    if any(t.pk is None for t in created):  # backends that return no ids from bulk inserts
        ids = {
            (t.unit_id, t.indicator_id): t.pk
            for t in Target.objects.filter(indicator__campaign__year=year)
        }
        for target in created:
            target.pk = ids[(target.unit_id, target.indicator_id)]
    milestones = []
    for target, plan in zip(created, plans, strict=True):
        for due, fraction in plan:
            milestone = Milestone(target=target, due_date=due, fraction=fraction)
            milestone.clean_fields(exclude=["target"])
            milestones.append(milestone)
    bulk_create_with_history(milestones, Milestone, default_user=user)
    return len(created)


def _read_targets(year: AssessmentYear, workbook):
    sheet_name = TARGET_SHEET
    sheet = _sheet(workbook, sheet_name, "目标模板")
    header = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    while len(header) < 3:
        header.append(())
    if _text(_cell(header[0], 0)) != "会战" or _text(_cell(header[1], 0)) != "单位":
        raise LedgerError(
            f"工作表「{sheet_name}」的表头不对：A1 应为「会战」，A2 应为「单位」。"
            "请使用本页下载的「目标模板」，不要改动前三行。"
        )
    indicators = _year_indicators(year)
    by_key = {(i.campaign.name, i.name): i for i in indicators}
    campaigns = {i.campaign.name for i in indicators} | set(
        year.campaigns.values_list("name", flat=True)
    )
    units = _active_units()
    errors = Collector()

    # Columns: the campaign of a merged header cell is read only in its first column.
    columns: dict[int, Indicator] = {}
    seen_columns: dict[int, str] = {}
    campaign_name = ""
    width = max(len(header[0]), len(header[1]))
    for position in range(2, width):
        letter = get_column_letter(position + 1)
        campaign_name = _text(_cell(header[0], position)) or campaign_name
        name = _text(_cell(header[1], position))
        if not name:
            continue
        where = f"{letter}列"
        indicator = by_key.get((campaign_name, name))
        if indicator is None:
            if campaign_name not in campaigns:
                errors.add(sheet_name, 1, where, f"没有名为“{campaign_name}”的会战（指标“{name}”）")
            else:
                errors.add(sheet_name, 2, where, f"会战“{campaign_name}”下没有指标“{name}”")
            continue
        if indicator.pk in seen_columns:
            errors.add(sheet_name, 2, where, f"指标“{name}”与{seen_columns[indicator.pk]}重复")
            continue
        seen_columns[indicator.pk] = where
        columns[position] = indicator

    existing = set(
        Target.objects.filter(indicator__campaign__year=year).values_list("unit_id", "indicator_id")
    )
    cells: list[_TargetCell] = []
    carried: set[tuple[int, int]] = set()
    seen_units: dict[int, int] = {}
    width = max(columns, default=0) + 1  # column A (单位) and the indicators' columns
    for number, values in _rows(sheet, min_row=4, sheet_name=sheet_name, width=width):
        unit_name = _text(_cell(values, 0))
        unit = units.get(unit_name)
        if unit is None:
            if unit_name:
                errors.bad(sheet_name, number, "单位", "应为在用单位的全称", unit_name)
            else:
                errors.add(sheet_name, number, "单位", "不能为空")
            continue
        if unit.pk in seen_units:
            errors.add(sheet_name, number, "单位", f"与第{seen_units[unit.pk]}行重复")
            continue
        seen_units[unit.pk] = number
        for position, indicator in columns.items():
            raw = _cell(values, position)
            text = _text(raw)
            column = indicator.name
            key = (unit.pk, indicator.pk)
            if text == "" or (indicator.is_milestone and text == NO):
                if key in existing:
                    errors.add(
                        sheet_name,
                        number,
                        column,
                        "该单位已有此项目标任务，导入不删除目标任务：请填回目标值，"
                        "或在后台删除该目标任务",
                    )
                continue
            if indicator.is_milestone:
                if text != YES:
                    errors.bad(
                        sheet_name, number, column, f"节点类指标承担填“{YES}”，不承担留空", raw
                    )
                    continue
                value = None
            else:
                expected = (
                    "应为不小于0的数字"
                    if indicator.direction == Indicator.Direction.LOWER_BETTER
                    else "应为大于0的数字"
                )
                try:
                    value = _number(raw, ANNUAL_VALUE)
                except NotANumber as problem:
                    errors.bad(sheet_name, number, column, expected + problem.hint, raw)
                    continue
                except CellError as problem:
                    errors.bad(sheet_name, number, column, str(problem), raw)
                    continue
                problem = check_annual_value(indicator, value)
                if problem:
                    too_small = value < 0 or (
                        value == 0 and indicator.direction == Indicator.Direction.HIGHER_BETTER
                    )
                    message = expected if too_small else problem.rstrip("。")
                    errors.bad(sheet_name, number, column, message, raw)
                    continue
            cells.append(_TargetCell(unit, indicator, value))
            carried.add(key)

    custom = _read_milestones(year, workbook, units, indicators, carried | existing, errors)
    errors.raise_if_any()
    return cells, custom


def _read_milestones(year, workbook, units, indicators, targets, errors: Collector):
    """{(unit id, indicator id): [(date, fraction), ...]} from the optional 「时间节点」 sheet."""
    sheet_name = MILESTONE_SHEET
    if sheet_name not in workbook.sheetnames:
        return {}
    sheet = workbook[sheet_name]
    rows = sheet.iter_rows(min_row=1, max_row=1, values_only=True)
    columns = _header_columns(next(rows, None), MILESTONE_HEADERS, sheet_name, "目标模板")
    by_name = defaultdict(list)
    for indicator in indicators:
        by_name[indicator.name].append(indicator)

    groups: dict[tuple[int, int], list] = defaultdict(list)
    first_row: dict[tuple[int, int], int] = {}
    labels: dict[tuple[int, int], str] = {}
    width = max(columns.values()) + 1
    for number, values in _rows(sheet, min_row=2, sheet_name=sheet_name, width=width):

        def raw(column, values=values):
            return _cell(values, columns[column])

        ok = True
        unit = units.get(_text(raw("单位")))
        if unit is None:
            errors.bad(sheet_name, number, "单位", "应为在用单位的全称", raw("单位"))
            ok = False
        matches = by_name.get(_text(raw("指标")), [])
        if len(matches) != 1:
            expected = "应为本年度的指标名称" if not matches else "该指标名称在多个会战中重复"
            errors.bad(sheet_name, number, "指标", expected, raw("指标"))
            ok = False
        try:
            due = _date(raw("日期"))
            if due is None:
                raise CellError("应为日期（如 2026-07-31）")
            if due.year != year.year:
                raise CellError(f"应在{year.year}年内")
        except CellError as problem:
            errors.bad(sheet_name, number, "日期", str(problem), raw("日期"))
            ok = False
        try:
            fraction = _number(raw("比例"), FRACTION, percent_ok=True)
            if fraction is None or not 0 <= fraction <= 1:
                raise NotANumber()
        except (NotANumber, OutOfRange) as problem:
            expected = "应为0到1之间的数字（如 0.8 或 80%）" + getattr(problem, "hint", "")
            errors.bad(sheet_name, number, "比例", expected, raw("比例"))
            ok = False
        except CellError as problem:
            errors.bad(sheet_name, number, "比例", str(problem), raw("比例"))
            ok = False
        if not ok:
            continue
        key = (unit.pk, matches[0].pk)
        if key not in targets:
            errors.add(
                sheet_name,
                number,
                "指标",
                f"{unit.name}不承担“{matches[0].name}”（「{TARGET_SHEET}」中该单元格为空）",
            )
            continue
        if any(d == due for d, _ in groups[key]):
            errors.add(sheet_name, number, "日期", f"{due:%Y-%m-%d}重复")
            continue
        groups[key].append((due, fraction))
        first_row.setdefault(key, number)
        labels[key] = f"{unit.name} · {matches[0].name}"

    for key, milestones in groups.items():
        for problem in check_milestones(year.year, milestones):
            errors.add(sheet_name, first_row[key], None, f"{labels[key]}：{problem.rstrip('。')}")
    return {key: sorted(items) for key, items in groups.items()}
