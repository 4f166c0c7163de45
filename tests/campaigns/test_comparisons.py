"""The comparison view (前后比 / 左右比): figures worked out by hand on the small year.

The small year (tests/campaigns/builders.py), ISO 2026: three townships in one group — 城关镇
(the reporter's), 青山镇, and the third township (T3) — each with 投资 (higher-better, annual 12),
案件 (lower-better, annual 40) and 防汛 (milestone), default milestones 25/50/75/100 % at the
quarter ends. Week 14 runs Mon 30 March – Sun 5 April 2026, so as of week 14 the 31 March
milestone is due: T(投资) = 12 × 0.25 = 3, T(案件) = 40 × 0.25 = 10.

Verified figures (投资 / 案件), everything else unverified or absent:

    week   城关镇      青山镇     T3
    10     1.0 / 4
    12     1.6 / 4
    13                          2.4 / 9
    14     2.0 / 12    3.6 / 6  (5.0 / 10 handed in, not verified: does not count)

城关镇's curve, weeks 10–14, the last verified figure carried forward: 1.0 1.0 1.6 1.6 2.0.
As of week 14: A(城关) = 2.0, A(青山) = 3.6, A(T3) = 2.4 (week 13 carried).
投资 group best 3.6 (青山镇), average (2.0 + 3.6 + 2.4) / 3 = 8/3 = 2.67.
城关's pace (A14 − A10) / 4 = (2.0 − 1.0) / 4 = 0.25 a week; rate 2.0 / 3 = 66.7 %.
Gaps: to target 3 − 2 = 1 → 1 / 0.25 = 4 weeks; to best 1.6 → 6.4 → 约6周;
to average 0.67 → 2.67 → 约3周.
案件 (lower-better, the best is the lowest): best 6 (青山镇), average (12 + 6 + 9) / 3 = 9;
gaps A − X: to target 12 − 10 = 2, to best 6, to average 3; pace (4 − 12) / 4 = −2 (the count
only grows): no weeks can be said, "近4周无进展".
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.analysis_data import AnalysisScope, analysis_scope
from campaigns.comparisons import comparison
from tests.campaigns.analysis_builders import build_analysis_year

pytestmark = pytest.mark.django_db

D = Decimal
ALL = AnalysisScope(all_units=True)


@pytest.fixture
def small():
    return build_analysis_year()


def row_of(page, unit):
    return next(r for r in page.rows if r.unit == unit)


def test_higher_better_curve_target_best_average_and_gaps(small):
    chengguan, qingshan, third = small.units
    page = comparison(ALL, small.year, week=14, indicator_id=small.investment.pk)
    assert [r.unit for r in page.rows] == [chengguan, qingshan, third]
    row = row_of(page, chengguan)
    assert row.target == D(3)
    assert row.actual == D("2.0") and row.actual_week == 14
    assert row.rate_text == "66.7%"
    assert row.pace == D("0.25")
    assert row.best == D("3.6") and row.best_unit == qingshan.short_name
    assert row.average_text == "2.67"
    assert (row.gap_target.figure, row.gap_target.weeks_text) == (D(1), "约4周")
    assert (row.gap_best.figure, row.gap_best.weeks_text) == (D("1.6"), "约6周")
    assert row.gap_average.weeks_text == "约3周"
    assert row_of(page, third).actual == D("2.4")  # week 13 carried; week 14 is unverified
    assert row_of(page, qingshan).gap_best.text == "持平"

    # the chart: 城关镇's curve with the last verified figure carried, and the target step
    chart = page.chart
    assert chart["unit"] == chengguan.short_name
    assert chart["own"]["labels"][9:14] == ["1", "1", "1.6", "1.6", "2"]
    assert chart["own"]["values"][8] is None  # nothing verified before week 10
    assert chart["target"]["labels"][12:14] == ["尚无到期节点", "3"]  # 31 March: the step
    assert chart["target"]["values"][12] == 0
    assert chart["best"]["labels"][12:14] == ["2.4", "3.6"]
    assert chart["average"]["labels"][13] == "2.67"


def test_lower_better_best_is_the_lowest_and_no_weeks_without_progress(small):
    chengguan, qingshan, _ = small.units
    page = comparison(ALL, small.year, week=14, indicator_id=small.cases.pk)
    row = row_of(page, chengguan)
    assert (row.target, row.actual) == (D(10), D(12))
    assert row.best == D(6) and row.best_unit == qingshan.short_name
    assert row.average == D(9)
    assert (row.gap_target.figure, row.gap_best.figure, row.gap_average.figure) == (2, 6, 3)
    assert row.pace == D(-2)
    assert row.gap_target.weeks_text == "近4周无进展"
    assert row_of(page, qingshan).gap_target.text == "领先 4"


def test_milestone_shows_the_done_date_not_a_curve(small):
    chengguan, qingshan, _ = small.units
    page = comparison(ALL, small.year, week=14, indicator_id=small.flood.pk)
    assert row_of(page, qingshan).done_on == date(2026, 3, 20)
    assert row_of(page, chengguan).done_on is None
    assert row_of(page, chengguan).due == date(2026, 3, 31)
    assert (row_of(page, chengguan).counted, row_of(page, chengguan).carrying) == (1, 3)
    assert page.chart["milestone"] is True and "own" not in page.chart


def test_a_unit_sees_its_own_rows_and_its_group_without_names(small):
    scope = analysis_scope(small.reporter)
    assert scope == AnalysisScope(own_unit_id=small.reporter.unit_id)
    page = comparison(scope, small.year, week=14, indicator_id=small.investment.pk, unit_id=None)
    assert [r.unit for r in page.rows] == [small.reporter.unit]
    row = page.rows[0]
    assert row.best == D("3.6") and row.best_unit == ""  # 青山镇 is not named before publication
    # asking for another unit changes nothing: a unit compares itself
    other = comparison(scope, small.year, week=14, unit_id=small.units[1].pk)
    assert {r.unit for r in other.rows} == {small.reporter.unit}


def test_a_reviewer_sees_the_indicators_its_unit_leads(small):
    scope = analysis_scope(small.reviewer)  # 发改委: 投资 and 防汛
    page = comparison(scope, small.year, week=14)
    assert {i.pk for i in page.indicators} == {small.investment.pk, small.flood.pk}
    assert page.rows[0].best_unit  # its own indicators: names shown
    refused = comparison(scope, small.year, week=14, indicator_id=small.cases.pk)
    assert all(r.indicator != small.cases for r in refused.rows)


@pytest.mark.clock("2026-04-08 10:00")
def test_the_page_and_its_export(client, small):
    client.force_login(small.office)
    url = reverse("comparison") + f"?week=14&indicator={small.investment.pk}"
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "约4周" in text and 'id="comparison-data"' in text
    export = response.context["export_url"]
    sheet = client.get(export)
    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(sheet.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][:5] == ("城关镇", "固定资产投资完成额", "亿元", 3, 2)
    assert rows[1][7] == "约4周"
    # without params (as tests/campaigns/test_largest_figures.py asks every export): the
    # current year, the whole county — for the office only
    for identifier in ("comparison_xlsx", "weak_items_xlsx"):
        url = reverse("results-export", args=[identifier])
        assert client.get(url, {"evaluation_id": 1}).status_code == 200
    # a unit's export link cannot be replayed with a wider scope, nor the county's by a unit
    client.force_login(small.reporter)
    assert client.get(export).status_code == 403
    assert client.get(reverse("results-export", args=["weak_items_xlsx"])).status_code == 403


@pytest.mark.clock("2026-07-08 10:00")
def test_every_view_of_the_two_pages_is_chinese(client, small):
    """Each role that may compare, each kind of indicator, before and after the half-year."""
    from tests.test_chinese_screens import english_words

    urls = [
        reverse("comparison"),
        reverse("comparison") + f"?week=14&indicator={small.cases.pk}",
        reverse("comparison") + f"?week=14&indicator={small.flood.pk}",
        reverse("comparison") + f"?unit={small.units[0].pk}",
        reverse("weak-items") + "?week=14",
        reverse("weak-items"),
    ]
    for user in (small.office, small.reviewer, small.reporter):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert english_words(response.content.decode()) == [], (user, url)


def test_both_pages_make_as_many_queries_for_60_units_as_for_10(client):
    """The demo county at two sizes (campaigns.demo, three weeks): the comparison page (one
    indicator's units; one unit's indicators) and the weak items, for the office, a reviewer
    and a reporter."""
    from accounts.models import User
    from campaigns.demo import build_demo
    from tests.helpers import count_queries

    def counts():
        found = {}
        for username in ("office", "reviewer", "reporter"):
            client.force_login(User.objects.get(username=username))
            for url in (reverse("comparison"), reverse("weak-items")):
                client.get(url)
                with count_queries() as ctx:
                    assert client.get(url).status_code == 200
                found[(username, url)] = len(ctx)
        return found

    build_demo(townships=4, departments=4, parks=2, weeks=3)
    small = counts()
    build_demo(townships=20, departments=36, parks=4, weeks=3)
    large = counts()
    assert small == large, (small, large)
