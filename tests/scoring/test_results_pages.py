"""The leaders' results pages: published quarters, rankings with arrows and tiers, who sees what.

The quarter (`published_quarter`): the three townships of build_small_year hand in one ledger,
in the last week of Q1, verified as handed in; the other twelve weeks are missing (−1 each,
capped at −5); 防汛物资到位 is due on 07-31, so not scored in Q1.
- 城关镇 A: investment 3.6 / T 3 → r 1.2 → 12; cases 8 / T 10 → 5; base 100 × 17/15 = 113.33;
  total 108.33, rank 1, 先进.
- 青山镇 B: 2.4 → r 0.8 → 8; 12 → r 0.8 → 4; base 80; total 75, rank 2, 达标.
- 白沙镇 C: 1.2 → r 0.4 → 4; 10 → 5; base 60; total 55, rank 3, 后进 (below 60).
The previous quarter's ranks are set by hand (B was 1st, A 2nd, C 3rd), so the page shows
A ↑1, B ↓1, C →.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.models import LedgerEntry
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import verify_entries
from campaigns.services.years import set_target
from scoring.models import IndicatorScore, UnitScore
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from tests.campaigns.builders import build_small_year
from tests.helpers import count_queries, make_user

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal
FIGURES = {0: ("3.6", "8"), 1: ("2.4", "12"), 2: ("1.2", "10")}  # A, B, C: investment, cases


def published_quarter(*, publish: bool = True, previous=(2, 1, 3)):
    """build_small_year's Q1, computed (and reviewed and published unless `publish` is False)."""
    small = build_small_year()
    units = small.county.units[:3]
    zfw = make_user("zfw", Role.REVIEWER, unit=small.cases.lead_unit)
    last = small.year.periods.filter(quarter=1).order_by("-iso_week").first()
    moment = last.deadline - timedelta(hours=5)
    for index, unit in enumerate(units):
        set_target(
            indicator=small.flood,
            unit=unit,
            annual_value=None,
            milestones=[(date(small.year.year, 7, 31), D(1))],
        )
        reporter = make_user(f"rq{index}", Role.REPORTER, unit=unit)
        investment, cases = FIGURES[index]
        ledger = open_ledger(unit=unit, period=last)
        save_entries(
            ledger=ledger,
            user=reporter,
            now=moment,
            changes={
                small.investment.pk: EntryInput(value=D(investment)),
                small.cases.pk: EntryInput(value=D(cases)),
                small.flood.pk: EntryInput(),
            },
        )
        submit_ledger(ledger=ledger, user=reporter, now=moment)
    entries = LedgerEntry.objects.filter(ledger__period=last)
    verify_entries(
        entry_ids=list(entries.filter(indicator=small.investment).values_list("pk", flat=True)),
        user=small.reviewer,
    )
    verify_entries(
        entry_ids=list(entries.filter(indicator=small.cases).values_list("pk", flat=True)), user=zfw
    )
    evaluation = open_evaluation(year=small.year, quarter=1)
    version = compute_quarter(evaluation=evaluation, user=small.office, confirm_open_periods=True)
    evaluation.refresh_from_db()
    if publish:
        review_quarter(
            evaluation=evaluation,
            user=small.office,
            now=evaluation.appeal_deadline + timedelta(minutes=1),
        )
        publish_quarter(evaluation=evaluation, user=small.office, document_number="〔2026〕3号")
        evaluation.refresh_from_db()
    # Q1 has no previous quarter: the ranks "last quarter" are written in by hand, after
    # publication (which fixes 较上季度 from the previous published quarter), for the arrows.
    for unit, rank in zip(units, previous, strict=True):
        UnitScore.objects.filter(version=version, unit=unit).update(previous_rank=rank)
    return small, evaluation, units


@pytest.fixture
def published(db):
    return published_quarter()


def test_the_quarter_scores_as_worked_out(published):
    _small, evaluation, (a, b, c) = published
    got = {s.unit_id: s for s in UnitScore.objects.filter(version=evaluation.current_version)}
    assert [round(got[u.pk].total, 2) for u in (a, b, c)] == [D("108.33"), D("75"), D("55")]
    assert [got[u.pk].tier for u in (a, b, c)] == ["advanced", "standard", "lagging"]
    assert [got[u.pk].rank_change for u in (a, b, c)] == [1, -1, 0]


def test_leader_sees_published_quarter_with_arrows_and_tiers(client, published):
    _small, evaluation, (a, _b, c) = published
    leader = make_user("leader", Role.LEADER)
    client.force_login(leader)
    listing = client.get(reverse("results-list"))
    assert listing.status_code == 200
    assert reverse("results-detail", args=[evaluation.pk]) in listing.content.decode()
    page = client.get(reverse("results-detail", args=[evaluation.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "108.33" in html and "75.00" in html and "55.00" in html
    assert f'data-testid="change-{a.pk}"><span class="jz-up" title="上升1位">↑1</span>' in html
    assert "↓1" in html and "→" in html
    assert f'class="jz-tier jz-tier-advanced" data-testid="tier-{a.pk}">先进' in html
    assert f'class="jz-tier jz-tier-lagging" data-testid="tier-{c.pk}">后进' in html
    # The charts' data and code come with the page; nothing is fetched from elsewhere.
    data = page.context["chart_data"]
    assert data["groups"][0]["totals"] == [108.33, 75.0, 55.0]
    assert data["groups"][0]["tiers"] == ["advanced", "standard", "lagging"]
    assert [c["name"] for c in data["campaigns"]] == ["项目建设会战", "严打整治会战"]
    assert 'id="results-data"' in html and "js/results.js" in html
    assert "echarts/echarts.min.js" in html and "https://" not in html
    # Downloads: the three Excel documents.
    assert "ranking_xlsx" in html and "indicator_detail_xlsx" in html
    assert "completeness_xlsx" in html


def test_campaign_progress_averages_capped_rates(client, published):
    _small, evaluation, _units = published
    client.force_login(make_user("leader", Role.LEADER))
    campaigns = client.get(reverse("results-detail", args=[evaluation.pk])).context["campaigns"]
    # 项目建设: investment rates 1.2→1, 0.8, 0.4 → 73.3 %; on schedule 1 of 3.
    # 严打整治: cases rates 1, 0.8, 1 → 93.3 %; on schedule 2 of 3. (Flood is not scored yet.)
    assert [(c["average"], c["on_track"], c["items"]) for c in campaigns] == [
        (73.3, 33.3, 3),
        (93.3, 66.7, 3),
    ]


def test_vetoed_unit_is_marked(client, published):
    _small, evaluation, (_a, _b, c) = published
    UnitScore.objects.filter(version=evaluation.current_version, unit=c).update(vetoed=True)
    client.force_login(make_user("leader", Role.LEADER))
    html = client.get(reverse("results-detail", args=[evaluation.pk])).content.decode()
    assert html.count('data-testid="veto"') == 1


def test_unpublished_quarter_is_not_listed_for_a_leader(client, db):
    _small, evaluation, _units = published_quarter(publish=False)
    client.force_login(make_user("leader", Role.LEADER))
    listing = client.get(reverse("results-list"))
    assert reverse("results-detail", args=[evaluation.pk]) not in listing.content.decode()
    assert client.get(reverse("results-detail", args=[evaluation.pk])).status_code == 404


def test_office_sees_computed_quarter_marked_unpublished(client, db):
    small, evaluation, _units = published_quarter(publish=False)
    client.force_login(small.office)
    listing = client.get(reverse("results-list")).content.decode()
    assert 'data-testid="unpublished"' in listing
    page = client.get(reverse("results-detail", args=[evaluation.pk]))
    assert page.status_code == 200 and "未发布" in page.content.decode()


def test_unit_sees_only_its_group_and_a_link_to_its_score(client, published):
    small, evaluation, (a, b, _c) = published
    # A department in another group: it would be listed if the page leaked other groups.
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
        total=D(90),
        rank=1,
        position=1,
        tier="advanced",
    )
    client.force_login(small.reporter)  # 城关镇
    page = client.get(reverse("results-detail", args=[evaluation.pk]))
    html = page.content.decode()
    assert [group.pk for group, _rows in page.context["groups"]] == [a.group_id]
    assert other.name not in html and b.name in html
    assert reverse("unit-score", args=[evaluation.pk, a.pk]) in html
    assert f"group_id={a.group_id}" in html and f"unit_id={a.pk}" in html
    assert "completeness_xlsx" not in html
    listing = client.get(reverse("results-list")).content.decode()
    assert "第 <strong>1</strong> 名 / 3" in listing


def test_unit_does_not_see_an_unpublished_quarter_here(client, db):
    small, evaluation, _units = published_quarter(publish=False)
    client.force_login(small.reporter)
    assert client.get(reverse("results-detail", args=[evaluation.pk])).status_code == 404


def test_pdf_button_only_when_report_jobs_exist(client, published):
    _small, evaluation, _units = published
    client.force_login(make_user("leader", Role.LEADER))
    page = client.get(reverse("results-detail", args=[evaluation.pk]))
    has_url = page.context["report_request_url"] is not None
    assert ('data-testid="notice-pdf"' in page.content.decode()) == has_url


def _grow(evaluation, townships: int) -> int:
    """Add synthetic scores (with their indicator rows) for more townships to the version."""
    county = build_county(townships=townships, departments=4, parks=1)
    version = evaluation.current_version
    template = UnitScore.objects.filter(version=version).order_by("position").last()
    items = list(IndicatorScore.objects.filter(unit_score=template))
    scored = set(UnitScore.objects.filter(version=version).values_list("unit_id", flat=True))
    for position, unit in enumerate(county.units, start=10):
        if unit.pk in scored or unit.group_id != template.group_id:
            continue
        template.pk, template.unit, template.position = None, unit, position
        template.save()
        for item in items:
            item.pk, item.unit_score = None, template
        IndicatorScore.objects.bulk_create(items)
    return UnitScore.objects.filter(version=version).count()


@pytest.mark.parametrize("role", [Role.LEADER, Role.OFFICE, Role.REPORTER])
def test_query_count_does_not_grow_with_units(client, published, role):
    small, evaluation, (_a, _b, _c) = published
    user = {Role.OFFICE: small.office, Role.REPORTER: small.reporter}.get(role) or make_user(
        "leader", Role.LEADER
    )
    client.force_login(user)
    url = reverse("results-detail", args=[evaluation.pk])
    listing = reverse("results-list")
    client.get(url)  # warm-up: sessions, content types
    with count_queries() as small_page:
        assert client.get(url).status_code == 200
    with count_queries() as small_list:
        client.get(listing)
    assert _grow(evaluation, townships=15) >= 15
    with count_queries() as large_page:
        page = client.get(url)
    with count_queries() as large_list:
        client.get(listing)
    assert sum(len(rows) for _g, rows in page.context["groups"]) >= 15
    assert len(large_page) == len(small_page)
    assert len(large_list) == len(small_list)
