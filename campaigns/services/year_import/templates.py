"""The year's two templates for download, prefilled: 「指标」 and 「目标任务」 with 「时间节点」.

Each workbook carries the drop-down lists of what a cell may hold (a hidden 「选项」 sheet) and
a 「说明」 sheet that says the import's rules in the office's words.
"""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Unit

from ...excel import (
    append_safe,
    excel_number,
    print_setup,
    style_header,
    workbook_bytes,
    write_safe,
)
from ...models import AssessmentYear, Target
from ...quarters import default_milestones, default_milestones_text
from .sheets import (
    DIRECTIONS,
    HELP_SHEET,
    INDICATOR_HEADERS,
    INDICATOR_SHEET,
    MAX_ROWS,
    MEASURES,
    METHODS,
    MILESTONE_HEADERS,
    MILESTONE_SHEET,
    NO,
    OPTIONS_SHEET,
    TARGET_SHEET,
    YES,
    year_indicators,
)

NO_CAMPAIGNS = "（尚未设置会战，请先在后台添加）"
SUBHEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


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
    style_header(sheet[1])
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
    return workbook_bytes(workbook)


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
    style_header(sheet[1])
    for indicator in year_indicators(year):
        row = [
            indicator.campaign.name,
            indicator.name,
            indicator.measure,
            indicator.get_direction_display(),
            excel_number(indicator.points),
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
    print_setup(sheet, footer=f"{year.year}年考核指标")

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


def target_template(year: AssessmentYear) -> bytes:
    """The units × indicators 「目标任务」 matrix and the 「时间节点」 sheet, prefilled."""
    indicators = year_indicators(year)
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
        style_header(sheet[row])
    style_header(sheet[3], fill=SUBHEADER_FILL, font=Font(italic=True))

    for unit in units:
        row = [unit.name, unit.group.name]
        for indicator in indicators:
            target = targets.get((unit.pk, indicator.pk))
            if target is None:
                row.append(None)
            elif indicator.is_milestone:
                row.append(YES)
            else:
                row.append(excel_number(target.annual_value))
        append_safe(sheet, row)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14
    for position in range(len(indicators)):
        sheet.column_dimensions[get_column_letter(first + position)].width = 14
    sheet.row_dimensions[2].height = 45
    sheet.freeze_panes = "C4"
    print_setup(sheet, title_rows=3, footer=f"{year.year}年目标任务")

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
    style_header(milestones[1])
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
    print_setup(milestones, footer=f"{year.year}年时间节点")

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
                f"可选。{default_milestones_text()}。"
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
