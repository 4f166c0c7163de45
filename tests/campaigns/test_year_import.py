"""The office sets up a year from Excel: templates round-trip, any bad cell rejects the file."""

# The expected messages are quoted whole, as the office reads them, even past 100 columns.
# ruff: noqa: E501

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from campaigns.errors import LedgerError
from campaigns.models import Indicator, Milestone, Target
from campaigns.services.year_import import (
    import_indicators,
    import_targets,
    indicator_template,
    target_template,
)
from campaigns.services.years import default_milestones, set_target

D = Decimal
FDI = "固定资产投资"  # higher-better, 亿元, in 项目建设会战
CASES = "刑事案件发案数"  # lower-better, 件, in 严打整治会战
START = "重点项目开工"  # milestone, 项, in 项目建设会战


def indicator(year, campaign, name, direction, measure):
    campaign = year.campaigns.get(name=campaign)
    return Indicator.objects.create(
        campaign=campaign,
        name=name,
        measure=measure,
        direction=direction,
        points=D("10"),
        lead_unit=campaign.lead_unit,
        sort_order=len(Indicator.objects.filter(campaign=campaign)) * 10 + 10,
    )


@pytest.fixture
def indicators(year_2026):
    """Three indicators; in the target template their columns are C, D (项目建设), E (严打)."""
    return {
        FDI: indicator(year_2026, "项目建设会战", FDI, "higher", "亿元"),
        START: indicator(year_2026, "项目建设会战", START, "milestone", "项"),
        CASES: indicator(year_2026, "严打整治会战", CASES, "lower", "件"),
    }


@pytest.fixture
def office(role_users):
    from accounts.roles import Role

    return role_users[Role.OFFICE]


def edit(content: bytes, sheet: str, cells: dict) -> bytes:
    """The workbook with `cells` ({"E5": value}) of `sheet` set, as bytes."""
    workbook = load_workbook(io.BytesIO(content))
    for ref, value in cells.items():
        workbook[sheet][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def snapshot():
    """Row and history counts of everything an import may write."""
    return [
        Indicator.objects.count(),
        Target.objects.count(),
        Milestone.objects.count(),
        Indicator.history.count(),
        Target.history.count(),
        Milestone.history.count(),
    ]


def refused(importer, year, content, user) -> list[str]:
    before = snapshot()
    with pytest.raises(LedgerError) as caught:
        importer(year=year, file=content, user=user)
    assert snapshot() == before
    return caught.value.messages


NEW_ROW = {
    "A2": "项目建设会战",
    "B2": "新签约项目数",
    "C2": "个",
    "D2": "越高越好",
    "E2": 6,
    "F2": "排名法",
    "G2": "县投资促进局",
    "H2": "是",
    "I2": "含续建",
}


# --- indicators ------------------------------------------------------------------------------


def test_indicator_template_layout(year_2026, indicators):
    workbook = load_workbook(io.BytesIO(indicator_template(year_2026)))
    assert workbook.sheetnames[:2] == ["指标", "说明"]
    sheet = workbook["指标"]
    assert [c.value for c in sheet[1]] == [
        "会战", "指标名称", "计量单位", "方向", "分值", "计分方法", "牵头部门", "累计值", "口径说明",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]][:5] == ["项目建设会战", FDI, "亿元", "越高越好", 10]
    assert sheet.max_row == 4  # header + 3 indicators
    assert sheet.data_validations.dataValidation  # drop-down lists


def test_indicator_round_trip(year_2026, office):
    """An empty year: the template has only headers; one row added → one indicator created."""
    content = edit(indicator_template(year_2026), "指标", NEW_ROW)
    result = import_indicators(year=year_2026, file=content, user=office)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    new = Indicator.objects.get(name="新签约项目数")
    assert (new.campaign.name, new.measure, new.direction, new.points) == (
        "项目建设会战",
        "个",
        "higher",
        D("6"),
    )
    assert (new.method, new.lead_unit.name, new.cumulative, new.description) == (
        "rank",
        "县投资促进局",
        True,
        "含续建",
    )
    assert new.history.get().history_user == office
    again = import_indicators(year=year_2026, file=indicator_template(year_2026), user=office)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_import_updates_by_campaign_and_name_and_never_deletes(year_2026, indicators, office):
    """Row 2 is FDI (points 10 → 12.5 typed as text); rows 3–4 are removed from the file."""
    content = edit(indicator_template(year_2026), "指标", {"E2": "12.5"})
    workbook = load_workbook(io.BytesIO(content))
    workbook["指标"].delete_rows(3, 2)
    out = io.BytesIO()
    workbook.save(out)
    result = import_indicators(year=year_2026, file=out.getvalue(), user=office)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Indicator.objects.get(name=FDI).points == D("12.5")
    assert Indicator.objects.count() == 3


@pytest.mark.parametrize(
    "cell,value,message",
    [
        ("E2", "十", "工作表「指标」第2行「分值」：应为不小于0的数字，实际为“十”"),
        ("E2", -1, "工作表「指标」第2行「分值」：应为不小于0的数字，实际为“-1”"),
        (
            "E2",
            "1,200",
            "工作表「指标」第2行「分值」：应为不小于0的数字，请去掉千位分隔符“,”，实际为“1,200”",
        ),
        (
            "E2",
            "12.5%",
            "工作表「指标」第2行「分值」：应为不小于0的数字，请不要带“%”，实际为“12.5%”",
        ),
        ("E2", 1.255, "工作表「指标」第2行「分值」：最多 2 位小数，实际为“1.255”"),
        ("E2", 12345, "工作表「指标」第2行「分值」：数值过大：整数部分最多 4 位，实际为“12345”"),
        (
            "E2",
            1e20,
            "工作表「指标」第2行「分值」：数值过大：整数部分最多 4 位，实际为“100000000000000000000”",
        ),
        ("E2", "1e3", "工作表「指标」第2行「分值」：应为不小于0的数字，实际为“1e3”"),
        (
            "A2",
            "招商引资会战",
            "工作表「指标」第2行「会战」：应为本年度的会战"
            "（项目建设会战、县城建设会战、美丽乡村会战、严打整治会战），实际为“招商引资会战”",
        ),
        (
            "D2",
            "越大越好",
            "工作表「指标」第2行「方向」：应为越高越好、越低越好、节点完成之一，实际为“越大越好”",
        ),
        (
            "F2",
            "打分法",
            "工作表「指标」第2行「计分方法」：应为完成率法、排名法之一，实际为“打分法”",
        ),
        ("G2", "县投促局", "工作表「指标」第2行「牵头部门」：应为在用单位的全称，实际为“县投促局”"),
        (
            "C2",
            "吨",
            "工作表「指标」第2行「计量单位」：应为亿元、万元、个、%、件、项、公里、次之一，实际为“吨”",
        ),
        ("H2", "Y", "工作表「指标」第2行「累计值」：应为“是”或“否”，实际为“Y”"),
        ("B2", None, "工作表「指标」第2行「指标名称」：不能为空"),
    ],
)
def test_bad_indicator_cell_rejects_the_file(year_2026, office, cell, value, message):
    content = edit(indicator_template(year_2026), "指标", {**NEW_ROW, cell: value})
    assert refused(import_indicators, year_2026, content, office) == [message]


def test_every_bad_row_is_listed_and_duplicates_are_caught(year_2026, office):
    """Row 3 repeats row 2; row 4 is fine but is not imported either."""
    rows = {**NEW_ROW}
    rows.update({k.replace("2", "3"): v for k, v in NEW_ROW.items()})
    rows.update({k.replace("2", "4"): v for k, v in NEW_ROW.items()})
    rows.update({"B4": "另一指标", "E4": "x"})
    content = edit(indicator_template(year_2026), "指标", rows)
    assert refused(import_indicators, year_2026, content, office) == [
        "工作表「指标」第3行「指标名称」：与第2行重复（同一会战下指标名称不能重复）",
        "工作表「指标」第4行「分值」：应为不小于0的数字，实际为“x”",
    ]


def test_direction_of_an_indicator_with_targets_cannot_switch_to_milestone(
    year_2026, indicators, county, office
):
    set_target(indicator=indicators[FDI], unit=county.units[0], annual_value=5)
    content = edit(indicator_template(year_2026), "指标", {"D2": "节点完成"})
    [message] = refused(import_indicators, year_2026, content, office)
    assert message.startswith("工作表「指标」第2行「方向」：该指标已有目标任务")


@pytest.mark.parametrize(
    "content",
    [b"not a workbook", b"", "docx"],
    ids=["text", "empty", "zip-without-workbook"],
)
def test_a_file_that_is_not_xlsx_gives_one_clear_message(year_2026, office, content):
    if content == "docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        content = buffer.getvalue()
    assert refused(import_indicators, year_2026, content, office) == [
        "无法读取该文件：请上传 Excel 工作簿（.xlsx），建议使用本页下载的模板填写。"
    ]


def test_wrong_template_is_named(year_2026, indicators, office):
    [message] = refused(import_indicators, year_2026, target_template(year_2026), office)
    assert message.startswith("文件中没有工作表「指标」")
    content = edit(indicator_template(year_2026), "指标", {"E1": "分数"})
    [message] = refused(import_indicators, year_2026, content, office)
    assert message.startswith("工作表「指标」第1行缺少列：「分值」")
    [message] = refused(import_targets, year_2026, indicator_template(year_2026), office)
    assert message.startswith("文件中没有工作表「目标任务」")


def test_formula_like_names_are_exported_as_text(year_2026, county, office):
    """An indicator named like a DDE payload comes back as a string cell, not a formula."""
    evil = "=cmd|' /C calc'!A0"
    indicator(year_2026, "项目建设会战", evil, "higher", "个")
    workbook = load_workbook(io.BytesIO(indicator_template(year_2026)))
    cell = workbook["指标"]["B2"]
    assert (cell.value, cell.data_type) == (evil, "s")
    header = load_workbook(io.BytesIO(target_template(year_2026)))["目标任务"]["C2"]
    assert (header.value, header.data_type) == (evil, "s")
    # and the exported file imports back unchanged: the name is kept exactly
    result = import_indicators(year=year_2026, file=indicator_template(year_2026), user=office)
    assert (result.created, result.unchanged) == (0, 1)


# --- targets ---------------------------------------------------------------------------------
# Target template: rows 1–3 headers, units from row 4 in sort order (county.units[0] = row 4).
# Columns: A 单位, B 考核组别, C FDI, D START (milestone), E CASES.


def test_target_template_layout(year_2026, indicators, county):
    workbook = load_workbook(io.BytesIO(target_template(year_2026)))
    assert workbook.sheetnames[:3] == ["目标任务", "时间节点", "说明"]
    sheet = workbook["目标任务"]
    assert [sheet.cell(1, c).value for c in range(1, 6)] == [
        "会战",
        None,
        "项目建设会战",
        None,
        "严打整治会战",
    ]
    assert [sheet.cell(2, c).value for c in range(1, 6)] == ["单位", "考核组别", FDI, START, CASES]
    assert [sheet.cell(3, c).value for c in range(3, 6)] == ["亿元", "填“是”", "件"]
    assert "C1:D1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.freeze_panes == "C4"
    assert [sheet.cell(r, 1).value for r in (4, 5)] == [county.units[0].name, county.units[1].name]
    assert [c.value for c in workbook["时间节点"][1]] == ["单位", "指标", "日期", "比例"]


def test_target_round_trip(year_2026, indicators, county, office):
    """Unit row 4 carries FDI 12.5 (typed as text), START and 0 cases; unit row 5 FDI 1,
    with a custom plan: 07-31 at 80 % (typed "80%"), 12-31 at 1."""
    content = edit(
        target_template(year_2026),
        "目标任务",
        {"C4": "12.5", "D4": "是", "E4": 0, "C5": 1},
    )
    content = edit(
        content,
        "时间节点",
        {
            "A2": county.units[1].name,
            "B2": FDI,
            "C2": datetime(2026, 7, 31),
            "D2": "80%",
            "A3": county.units[1].name,
            "B3": FDI,
            "C3": "2026-12-31",
            "D3": 1,
        },
    )
    result = import_targets(year=year_2026, file=content, user=office)
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    first, second = county.units[0], county.units[1]
    assert Target.objects.get(unit=first, indicator=indicators[FDI]).annual_value == D("12.5")
    assert Target.objects.get(unit=first, indicator=indicators[START]).annual_value is None
    assert Target.objects.get(unit=first, indicator=indicators[CASES]).annual_value == 0
    custom = Target.objects.get(unit=second, indicator=indicators[FDI])
    assert [(m.due_date, m.fraction) for m in custom.milestones.all()] == [
        (date(2026, 7, 31), D("0.8")),
        (date(2026, 12, 31), D("1")),
    ]
    default = Target.objects.get(unit=first, indicator=indicators[FDI])
    assert [(m.due_date, m.fraction) for m in default.milestones.all()] == default_milestones(
        year=2026
    )
    assert custom.history.get().history_user == office
    # The exported template carries the custom plan, so re-importing it changes nothing.
    before = snapshot()
    again = import_targets(year=year_2026, file=target_template(year_2026), user=office)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before


def test_target_value_update(year_2026, indicators, county, office):
    set_target(indicator=indicators[FDI], unit=county.units[0], annual_value=5)
    content = edit(target_template(year_2026), "目标任务", {"C4": 7})
    result = import_targets(year=year_2026, file=content, user=office)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Target.objects.get().annual_value == D("7")


@pytest.mark.parametrize(
    "cell,value,message",
    [
        ("C4", "十", "工作表「目标任务」第4行「固定资产投资」：应为大于0的数字，实际为“十”"),
        ("C4", 0, "工作表「目标任务」第4行「固定资产投资」：应为大于0的数字，实际为“0”"),
        ("E4", -3, "工作表「目标任务」第4行「刑事案件发案数」：应为不小于0的数字，实际为“-3”"),
        (
            "C4",
            "12.5%",
            "工作表「目标任务」第4行「固定资产投资」：应为大于0的数字，请不要带“%”，实际为“12.5%”",
        ),
        (
            "D4",
            "完成",
            "工作表「目标任务」第4行「重点项目开工」：节点类指标承担填“是”，不承担留空，实际为“完成”",
        ),
        ("A4", "不存在镇", "工作表「目标任务」第4行「单位」：应为在用单位的全称，实际为“不存在镇”"),
        (
            "C2",
            "不存在的指标",
            "工作表「目标任务」第2行「C列」：会战“项目建设会战”下没有指标“不存在的指标”",
        ),
    ],
)
def test_bad_target_cell_rejects_the_file(year_2026, indicators, office, cell, value, message):
    content = edit(target_template(year_2026), "目标任务", {"C5": 3, cell: value})
    assert refused(import_targets, year_2026, content, office) == [message]


def test_duplicate_unit_row_is_refused(year_2026, indicators, county, office):
    content = edit(target_template(year_2026), "目标任务", {"A5": county.units[0].name})
    assert refused(import_targets, year_2026, content, office) == [
        "工作表「目标任务」第5行「单位」：与第4行重复"
    ]


def test_clearing_an_existing_target_is_refused(year_2026, indicators, county, office):
    set_target(indicator=indicators[FDI], unit=county.units[0], annual_value=5)
    content = edit(target_template(year_2026), "目标任务", {"C4": None})
    [message] = refused(import_targets, year_2026, content, office)
    assert message.startswith("工作表「目标任务」第4行「固定资产投资」：该单位已有此项目标任务")


@pytest.mark.parametrize(
    "rows,message",
    [
        (
            {"C2": "2026-07-31", "D2": 1.5},
            "工作表「时间节点」第2行「比例」：应为0到1之间的数字（如 0.8 或 80%），实际为“1.5”",
        ),
        (
            {"C2": "7月底", "D2": 0.8},
            "工作表「时间节点」第2行「日期」：应为日期（如 2026-07-31），实际为“7月底”",
        ),
        (
            {"C2": "2027-01-31", "D2": 0.8},
            "工作表「时间节点」第2行「日期」：应在2026年内，实际为“2027-01-31”",
        ),
        (
            {
                "C2": "2026-07-31",
                "D2": 0.8,
                "A3": "@unit",
                "B3": FDI,
                "C3": "2026-09-30",
                "D3": 0.6,
            },
            "工作表「时间节点」第3行「单位」：应为在用单位的全称，实际为“@unit”",
        ),
        (
            {"C2": "2026-07-31", "D2": 0.8, "A3": "ROW4", "B3": FDI, "C3": "2026-09-30", "D3": 0.6},
            "工作表「时间节点」第2行：{unit} · 固定资产投资：时间节点比例应随日期递增：2026-09-30的0.6小于2026-07-31的0.8",
        ),
        (
            {"C2": "2026-07-31", "D2": 0.8, "B2": CASES},
            "工作表「时间节点」第2行「指标」：{unit}不承担“刑事案件发案数”（「目标任务」中该单元格为空）",
        ),
    ],
)
def test_bad_milestone_row_rejects_the_file(year_2026, indicators, county, office, rows, message):
    unit = county.units[0].name
    rows = {"A2": unit, "B2": FDI, **rows}
    rows = {k: unit if v == "ROW4" else v for k, v in rows.items()}
    content = edit(target_template(year_2026), "目标任务", {"C4": 10})
    content = edit(content, "时间节点", rows)
    assert refused(import_targets, year_2026, content, office) == [message.format(unit=unit)]
