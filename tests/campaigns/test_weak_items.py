"""Weak items: behind the milestone as of a date, sorted by gap ÷ T; at the half-year, under 50 %.

The figures are those of tests/campaigns/test_comparisons.py's table (analysis_builders).

As of week 14 (Sunday 5 April 2026; the 31 March milestone, 25 %, is due):
    防汛 城关镇, T3   not done (青山镇 done 20 March)       shortfall 100 %
    投资 城关镇      T 3, A 2.0  r 66.7 %  gap 1            shortfall 1 / 3 = 33.3 %
    案件 城关镇      T 10, A 12  r (20 − 12) / 10 = 80 %  gap 12 − 10 = 2   shortfall 20 %
    投资 T3          T 3, A 2.4  r 80 %    gap 0.6          shortfall 20 %
(equal shortfalls in unit order: 城关镇 before T3). 投资 青山镇 3.6 ≥ 3, 案件 6 and 9 ≤ 10:
not weak.

As of week 27 (Sunday 5 July; the 30 June milestone, 50 %, is due, so T = H = 12 × 0.5 = 6 and
40 × 0.5 = 20), nothing verified since week 14:
    防汛 城关镇, T3   not done: rate 0 < 50 % of H        below half
    投资 城关镇      A 2.0: 2 / 6 = 33.3 % < 50 %  gap 4    shortfall 66.7 %   below half
    投资 T3          A 2.4: 2.4 / 6 = 40 %         gap 3.6  shortfall 60 %     below half
    投资 青山镇      A 3.6: 3.6 / 6 = 60 %         gap 2.4  shortfall 40 %     behind only
half_year_weak_items (as of 30 June: the weeks up to 26) is the four below half.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.analysis_data import AnalysisScope, analysis_scope
from campaigns.models import FollowUp
from campaigns.weak_items import half_year_weak_items, weak_items
from tests.campaigns.analysis_builders import build_analysis_year

pytestmark = pytest.mark.django_db

D = Decimal
ALL = AnalysisScope(all_units=True)


@pytest.fixture
def small():
    return build_analysis_year()


def listed(items):
    return [(item.unit, item.indicator) for item in items]


def test_behind_the_milestone_sorted_by_gap_relative_to_target(small):
    chengguan, _, third = small.units
    items = weak_items(ALL, small.year, as_of=date(2026, 4, 5))
    assert listed(items) == [
        (chengguan, small.flood),
        (third, small.flood),
        (chengguan, small.investment),
        (chengguan, small.cases),
        (third, small.investment),
    ]
    investment = items[2]
    assert (investment.target_to_date, investment.actual, investment.gap) == (3, D("2.0"), 1)
    assert investment.rate_text == "66.7%" and investment.shortfall_text == "33.3%"
    cases = items[3]  # lower-better: gap A − T, rate rule 3
    assert (cases.gap, cases.rate) == (2, D("0.8"))
    assert items[0].gap_text == "未完成" and items[0].due == date(2026, 3, 31)
    assert not any(item.below_half for item in items)
    assert all(item.half_year_target is None for item in items)


def test_at_the_half_year_items_under_half_are_marked(small):
    chengguan, qingshan, third = small.units
    items = weak_items(ALL, small.year, as_of=date(2026, 7, 5))
    assert listed(items) == [
        (chengguan, small.flood),
        (third, small.flood),
        (chengguan, small.investment),
        (third, small.investment),
        (qingshan, small.investment),
    ]
    assert [item.below_half for item in items] == [True, True, True, True, False]
    assert items[2].half_year_target == 6 and items[2].gap == 4
    assert items[3].shortfall_text == "60.0%"

    drafts = half_year_weak_items(small.year)
    assert listed(drafts) == listed(items[:4])
    assert half_year_weak_items(2026, as_of=date(2026, 7, 5))[0].unit == chengguan
    with pytest.raises(ValueError):
        half_year_weak_items(small.year, as_of=date(2026, 6, 29))


def test_scopes_and_the_open_follow_up_mark(small):
    chengguan = small.units[0]
    FollowUp.objects.create(
        year=small.year,
        number=12,
        status=FollowUp.Status.ISSUED,
        issuer_unit=small.reviewer.unit,
        unit=chengguan,
        indicator=small.investment,
        title="投资滞后",
        problem="落后",
        requirement="整改",
        due_on=date(2026, 4, 20),
    )
    as_of = date(2026, 4, 5)
    reviewer = weak_items(analysis_scope(small.reviewer), small.year, as_of=as_of)
    assert {item.indicator for item in reviewer} == {small.flood, small.investment}
    marked = {(i.unit, i.indicator): i.follow_up for i in reviewer}
    assert marked[(chengguan, small.investment)] == "督办〔2026〕12号"
    own = weak_items(analysis_scope(small.reporter), small.year, as_of=as_of)
    assert {item.unit for item in own} == {chengguan}
    assert len(own) == 3

    # a draft (here on 城关镇 × 案件) is marked for the office, never shown to the unit
    FollowUp.objects.create(
        year=small.year,
        issuer_unit=small.cases.lead_unit,
        unit=chengguan,
        indicator=small.cases,
        title="案件偏多",
        problem="超序时",
        requirement="整改",
        due_on=date(2026, 4, 20),
    )
    office = {(i.unit, i.indicator): i.follow_up for i in weak_items(ALL, small.year, as_of=as_of)}
    assert office[(chengguan, small.cases)] == "草稿"
    own = weak_items(analysis_scope(small.reporter), small.year, as_of=as_of)
    assert {i.indicator: i.follow_up for i in own}[small.cases] == ""


@pytest.mark.clock("2026-04-08 10:00")
def test_the_page_offers_one_click_follow_ups_and_an_export(client, small):
    client.force_login(small.reviewer)
    response = client.get(reverse("weak-items") + "?week=14")
    assert response.status_code == 200
    text = response.content.decode()
    wanted = f"{reverse('follow-up-new')}?unit={small.units[0].pk}&amp;indicator={small.flood.pk}"
    assert wanted in text
    sheet = client.get(response.context["export_url"])
    assert sheet.status_code == 200
    client.force_login(small.reporter)
    response = client.get(reverse("weak-items") + "?week=14")
    assert 'data-testid="issue"' not in response.content.decode()  # units do not 交办
