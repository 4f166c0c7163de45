"""Excel exports reopened with openpyxl: sheets, headers, figures against the database, formats,
formula-injection safety and who may download what (quarter: tests.scoring.test_results_pages).
"""

from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from campaigns.models import LedgerEntry
from scoring.models import IndicatorScore, UnitScore
from scoring.reports.registry import get_export
from scoring.reports.xlsx import completeness_key, sheet_title
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

INJECTION = "=cmd|' /C calc'!A0"


@pytest.fixture
def published(db):
    return published_quarter()


def _download(client, identifier, **params):
    url = reverse("results-export", args=[identifier])
    return client.get(url, params)


def _book(response):
    assert response.status_code == 200, response.content.decode()[:500]
    return load_workbook(BytesIO(response.content))


def test_ranking_workbook_matches_the_scores(client, published):
    _small, evaluation, (a, _b, c) = published
    client.force_login(make_user("leader", Role.LEADER))
    response = _download(client, "ranking_xlsx", evaluation_id=evaluation.pk)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ranking_xlsx.xlsx"; ')
    assert "filename*=utf-8''" + quote(f"{evaluation.title}考评排名.xlsx") in disposition
    book = _book(response)
    assert book.sheetnames == ["乡镇组"]
    sheet = book["乡镇组"]
    assert [c.value for c in sheet[1]] == [
        "名次", "单位", "基础分", "报送扣分", "加减分", "总分", "较上季度", "等次", "备注",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 30
    scores = UnitScore.objects.filter(version=evaluation.current_version).order_by("position")
    for row, score in zip(sheet.iter_rows(min_row=2), scores, strict=True):
        rank, name, base, timeliness, adjustment, total, change, tier, _notes = row
        assert (rank.value, name.value) == (score.rank, score.unit.name)
        assert base.value == pytest.approx(float(score.base))
        assert timeliness.value == pytest.approx(float(score.timeliness))
        assert adjustment.value == pytest.approx(float(score.adjustment))
        assert total.value == pytest.approx(float(score.total)) and total.number_format == "0.00"
        assert change.value == score.rank_change and change.number_format == '"↑"0;"↓"0;"→"'
        assert tier.value == score.get_tier_display()
    tiers = {row[1].value: row[7] for row in sheet.iter_rows(min_row=2)}
    assert tiers[a.name].fill.fgColor.rgb.endswith("C6EFCE")  # 先进 green
    assert tiers[c.name].fill.fgColor.rgb.endswith("FFC7CE")  # 后进 red


def test_ranking_has_a_sheet_per_group(client, published):
    small, evaluation, _units = published
    other = small.county.units_named("县发展和改革委员会")
    UnitScore.objects.create(
        version=evaluation.current_version,
        unit=other,
        group=other.group,
        sort_order=99,
        scored_points=0,
        earned_points=0,
        timeliness=0,
        bonus=0,
        penalty=0,
        total=90,
        rank=1,
        position=1,
        tier="advanced",
    )
    client.force_login(small.office)
    book = _book(_download(client, "ranking_xlsx", evaluation_id=evaluation.pk))
    assert book.sheetnames == ["乡镇组", other.group.name]
    assert book[other.group.name]["B2"].value == other.name


def test_indicator_detail_matches_the_indicator_scores(client, published):
    small, evaluation, (a, b, c) = published
    client.force_login(small.office)
    book = _book(_download(client, "indicator_detail_xlsx", evaluation_id=evaluation.pk))
    assert book.sheetnames == ["指标得分明细"]
    sheet = book["指标得分明细"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "考核组别", "单位", "会战", "指标", "计量单位", "计分方法", "年度目标", "序时目标",
        "核实数", "填报数", "完成率", "分值", "得分", "说明",
    ]  # fmt: skip
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    items = IndicatorScore.objects.filter(unit_score__version=evaluation.current_version)
    assert len(rows) == items.count() == 9  # 3 units × 3 indicators
    by_key = {(r[1], r[3]): dict(zip(header, r, strict=True)) for r in rows}
    for item in items.select_related("unit_score__unit", "indicator"):
        row = by_key[(item.unit_score.unit.name, item.indicator.name)]
        for column, value in (
            ("序时目标", item.target_to_date),
            ("核实数", item.actual),
            ("填报数", item.reported),
            ("完成率", item.rate),
            ("得分", item.score),
            ("分值", item.points),
        ):
            if value is None:
                assert row[column] is None
            else:
                assert row[column] == pytest.approx(float(value)), (column, item)
    # The rate reads as a percentage.
    rate_cell = next(r for r in sheet.iter_rows(min_row=2) if r[10].value is not None)[10]
    assert rate_cell.number_format == "0.0%"
    # Units in ranking order, each unit's indicators in campaign order.
    assert [r[1] for r in rows[::3]] == [a.name, b.name, c.name]


def test_a_formula_like_unit_name_is_written_as_text(client, published):
    small, evaluation, (_a, _b, c) = published
    c.name = INJECTION
    c.save()
    small.investment.name = "+1+1"
    small.investment.save()
    client.force_login(small.office)
    ranking = _book(_download(client, "ranking_xlsx", evaluation_id=evaluation.pk))["乡镇组"]
    cell = next(row[1] for row in ranking.iter_rows(min_row=2) if row[1].value == INJECTION)
    assert cell.data_type == "s" and cell.value == INJECTION
    detail = _book(_download(client, "indicator_detail_xlsx", evaluation_id=evaluation.pk))
    cells = [cell for row in detail["指标得分明细"].iter_rows(min_row=2) for cell in row]
    injected = [cell for cell in cells if cell.value in (INJECTION, "+1+1")]
    assert len(injected) == 3 + 3  # C's three rows, and the indicator for each unit
    assert all(cell.data_type == "s" for cell in injected)
    assert not any(cell.data_type == "f" for cell in cells)


def test_completeness_workbook_wraps_the_matrix(client, published):
    small, _evaluation, units = published
    client.force_login(make_user("leader", Role.LEADER))
    response = _download(client, "completeness_xlsx", year_id=small.year.pk)
    book = _book(response)
    sheet = book[f"{small.year.year}年周帐完成情况"]
    assert sheet.freeze_panes == "C2"
    # Week 1 of ISO 2026 runs Monday 2025-12-29 to Sunday 2026-01-04; week 13 Mar 23–29.
    assert [c.value for c in sheet[1]][:3] == ["单位", "考核组别", "第1周（12月29日—1月4日）"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[:3] == [u.name for u in units]
    last_q1 = small.year.periods.filter(quarter=1).order_by("-iso_week").first()
    assert last_q1.iso_week == 13
    column = [c.value for c in sheet[1]].index("第13周（3月23日—3月29日）")
    # Handed in on time (the flood milestone is not verified, so not 已核实); week 1 missing.
    assert sheet.cell(row=2, column=column + 1).value == "按时"
    assert sheet.cell(row=2, column=3).value == "缺报"
    by_group = _book(
        _download(client, "completeness_xlsx", year_id=small.year.pk, group_id=units[0].group_id)
    )
    assert by_group.active.max_row == 1 + 3


def test_completeness_key_changes_when_a_ledger_changes(published):
    small, _evaluation, units = published
    params = {"year_id": small.year.pk}
    before = completeness_key(params)
    assert before == completeness_key(params)
    entry = LedgerEntry.objects.filter(ledger__unit=units[0]).first()
    ledger = entry.ledger
    ledger.status = "returned"
    ledger.save()
    assert completeness_key(params) != before


def test_cache_keys_follow_the_version(published):
    _small, evaluation, (a, _b, _c) = published
    version = evaluation.current_version_id
    ranking = get_export("ranking_xlsx")
    assert ranking.cache_key({"evaluation_id": str(evaluation.pk)}) == f"v{version}"
    assert ranking.cache_key({"evaluation_id": evaluation.pk, "group_id": a.group_id}) == (
        f"v{version}-g{a.group_id}"
    )
    detail = get_export("indicator_detail_xlsx")
    assert detail.cache_key({"evaluation_id": evaluation.pk, "unit_id": a.pk}) == (
        f"v{version}-u{a.pk}"
    )


def test_leader_is_refused_before_publication(client, db):
    small, evaluation, _units = published_quarter(publish=False)
    client.force_login(make_user("leader", Role.LEADER))
    for identifier in ("ranking_xlsx", "indicator_detail_xlsx"):
        response = _download(client, identifier, evaluation_id=evaluation.pk)
        assert response.status_code == 403
        assert "该季度考评尚未发布，不能下载。" in response.content.decode()
    client.force_login(small.office)  # the office may check the figures before publishing
    assert _download(client, "ranking_xlsx", evaluation_id=evaluation.pk).status_code == 200


def test_unit_gets_its_group_and_its_own_detail_only(client, published):
    small, evaluation, (a, b, _c) = published
    other = small.county.units_named("县发展和改革委员会")
    UnitScore.objects.create(
        version=evaluation.current_version,
        unit=other,
        group=other.group,
        sort_order=99,
        scored_points=0,
        earned_points=0,
        timeliness=0,
        bonus=0,
        penalty=0,
        total=90,
        rank=1,
        position=1,
        tier="advanced",
    )
    client.force_login(small.reporter)  # 城关镇, 乡镇组
    own_group = _download(client, "ranking_xlsx", evaluation_id=evaluation.pk, group_id=a.group_id)
    assert _book(own_group).sheetnames == ["乡镇组"]
    for params, reason in (
        ({"group_id": other.group_id}, "只能下载本单位所在组别的排名。"),
        ({}, "只能下载本单位所在组别的排名。"),  # every group at once
    ):
        refused = _download(client, "ranking_xlsx", evaluation_id=evaluation.pk, **params)
        assert refused.status_code == 403 and reason in refused.content.decode()
    mine = _download(client, "indicator_detail_xlsx", evaluation_id=evaluation.pk, unit_id=a.pk)
    assert {r[1] for r in _book(mine).active.iter_rows(min_row=2, values_only=True)} == {a.name}
    theirs = _download(client, "indicator_detail_xlsx", evaluation_id=evaluation.pk, unit_id=b.pk)
    assert theirs.status_code == 403
    assert "只能下载本单位的指标得分明细。" in theirs.content.decode()
    assert _download(client, "completeness_xlsx").status_code == 403


def test_unknown_export_and_missing_quarter(client, published):
    small, evaluation, _units = published
    client.force_login(small.office)
    assert _download(client, "quarter_notice", evaluation_id=evaluation.pk).status_code == 404
    assert _download(client, "nope").status_code == 404
    assert _download(client, "ranking_xlsx", evaluation_id=999999).status_code == 403


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    assert sheet_title("乡镇组", taken) == "乡镇组"
    assert sheet_title("乡镇组", taken) == "乡镇组(2)"
    assert sheet_title("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    assert len(sheet_title("长" * 40, taken)) == 31
