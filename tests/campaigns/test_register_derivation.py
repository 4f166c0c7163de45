"""Derived indicators from the registers: the arithmetic by hand, then derive_ledger end to end.

The register_builders story (城关镇, 万元): 食品产业园 new, annual plan 20000; 污水处理厂 new,
annual 6000; 物流中心 continuing (registered 在建), annual 10000. 东村 has four tasks and planned
funds 中央 100, 省 50, 市 50, 县 40, 乡镇 20, 村 10 (270 in all, matching 70).
"""

from decimal import Decimal

import pytest

from campaigns.models import KeyProject, LedgerEntry, ProjectReport, SignedProject, WeeklyLedger
from campaigns.registers.derivation import ProjectState, SignedState, VillageState, figure
from campaigns.services.registers.derive import derive_ledger
from campaigns.services.registers.review import verify_row
from campaigns.verified_figures import latest_verified
from tests.campaigns.builders import hand_in
from tests.campaigns.register_builders import build_register_year

D = Decimal
Status = KeyProject.Status
pytestmark = pytest.mark.clock("2026-05-15 10:00")

PLANNED = {
    "funds_central": D(100),
    "funds_provincial": D(50),
    "funds_municipal": D(50),
    "match_county": D(40),
    "match_township": D(20),
    "match_village": D(10),
}


def story_projects(food="building", sewage="not_started", investments=(8000, 0, 6000)):
    food_i, sewage_i, logistics_i = (D(i) for i in investments)
    return [
        ProjectState(food, food_i, D(20000), True),
        ProjectState(sewage, sewage_i, D(6000), True),
        ProjectState("building", logistics_i, D(10000), False),
    ]


def test_started_rate_counts_new_projects_only():
    """食品产业园 started, 污水处理厂 not; 物流中心 was registered 在建 so it is no new project:
    1 started of 2 new = 50 %; both started: 100 %; 1 started counted as 1."""
    assert figure("projects_started_rate", "%", story_projects()) == D("50.0000")
    assert figure("projects_started_rate", "%", story_projects(sewage="completed")) == D(100)
    assert figure("projects_started_count", "个", story_projects()) == D(1)


def test_started_rate_with_no_new_project_is_zero():
    """Nothing registered behind a target scores nothing: 0 ÷ 0 gives 0."""
    assert figure("projects_started_rate", "%", []) == 0
    assert figure("projects_investment_rate", "%", []) == 0


def test_investment_rate_and_sum():
    """(8000 + 0 + 6000) ÷ (20000 + 6000 + 10000) = 14000 ÷ 36000 = 38.8888… → 38.8889 %;
    the sum 14000 万元 is 1.4 亿元."""
    assert figure("projects_investment_rate", "%", story_projects()) == D("38.8889")
    assert figure("projects_investment", "亿元", story_projects()) == D("1.4000")
    assert figure("projects_investment", "万元", story_projects()) == D("14000")


def test_signings():
    """央企 12000, 其他 5000, 世界500强 20000 (万元): 37000 万元 = 3.7 亿元; 3 signings, 2 of
    at least 1 亿 (10000 万元, inclusive), 1 央企, 1 世界500强, 0 国内500强."""
    states = [
        SignedState(D(12000), "central_soe"),
        SignedState(D(5000), "other"),
        SignedState(D(20000), "global500"),
    ]
    assert figure("signed_amount", "亿元", states) == D("3.7")
    assert figure("signed_count", "个", states) == 3
    assert figure("signed_large_count", "个", [*states, SignedState(D(10000), "other")]) == 3
    assert figure("signed_central_soe", "个", states) == 1
    assert figure("signed_global500", "个", states) == 1
    assert figure("signed_china500", "个", states) == 0


def test_village_figures():
    """Tasks 100 / 50 / 0 / 50: mean 200 ÷ 4 = 50 %.
    In place 中央 100, 省 50, 市 0, 县 20, 乡镇 10, 村 0 = 180 of 270 planned = 66.6667 %;
    matching (县乡村) 30 of 70 = 42.8571 %; secured (中央省市) 150 万元 = 0.015 亿元."""
    in_place = dict.fromkeys(PLANNED, D(0)) | {
        "funds_central": D(100),
        "funds_provincial": D(50),
        "match_county": D(20),
        "match_township": D(10),
    }
    village = VillageState((D(100), D(50), D(0), D(50)), PLANNED, in_place)
    assert figure("village_task_rate", "%", [village]) == D(50)
    assert figure("village_funds_rate", "%", [village]) == D("66.6667")
    assert figure("village_matching_rate", "%", [village]) == D("42.8571")
    assert figure("village_secured_funds", "亿元", [village]) == D("0.0150")
    assert figure("village_task_rate", "%", [VillageState()]) == 0


# derive_ledger end to end ------------------------------------------------------------------


@pytest.fixture
def reg(db):
    return build_register_year(year=2026)


def report(project, ledger, status, investment, **extra):
    """The project's report of the ledger (open_ledger prefills one per project) as given."""
    row, _ = ProjectReport.objects.update_or_create(
        project=project,
        ledger=ledger,
        defaults={"status": status, "investment_to_date": D(investment), **extra},
    )
    return row


def story_week(reg, week=10):
    """Week `week` handed in with the three project reports (8000 / 0 / 6000, the food park
    started), derived."""
    ledger = hand_in(reg.small, week=week)
    reports = [
        report(reg.food_park, ledger, Status.UNDER_CONSTRUCTION, 8000),
        report(reg.sewage, ledger, Status.NOT_STARTED, 0),
        report(reg.logistics, ledger, Status.UNDER_CONSTRUCTION, 6000),
    ]
    derive_ledger(ledger)
    return ledger, reports


def entry(ledger, indicator) -> LedgerEntry:
    return LedgerEntry.objects.get(ledger=ledger, indicator=indicator)


def test_reported_figures_pending_until_every_report_is_verified(reg):
    ledger, reports = story_week(reg)
    started = entry(ledger, reg.started_rate)
    assert (started.value, started.review_status, started.verified_value) == (
        D(50),
        "pending",
        None,
    )
    assert entry(ledger, reg.investment_rate).value == D("38.8889")
    assert started.history.first().history_change_reason == "由台帐自动生成"

    verify_row(kind="project", row_id=reports[0].pk, user=reg.small.reviewer)
    assert entry(ledger, reg.started_rate).review_status == "pending"
    for r in reports[1:]:
        verify_row(kind="project", row_id=r.pk, user=reg.small.reviewer)
    started = entry(ledger, reg.started_rate)
    assert (started.review_status, started.verified_value) == ("verified", D(50))
    assert entry(ledger, reg.investment_rate).verified_value == D("38.8889")
    reg.food_park.refresh_from_db()
    assert (reg.food_park.status, reg.food_park.investment_to_date) == ("building", D(8000))


def test_draft_ledger_entries_stay_pending(reg):
    from campaigns.services.ledger import open_ledger

    ledger = open_ledger(unit=reg.township, period=reg.small.period(10))
    report(reg.food_park, ledger, Status.UNDER_CONSTRUCTION, 8000)
    derive_ledger(ledger)
    started = entry(ledger, reg.started_rate)
    assert (started.value, started.review_status) == (D(50), "pending")
    assert derive_ledger(ledger) == []  # nothing changed: nothing written


def test_unverified_row_keeps_the_last_verified_figure(reg):
    """Week 10 all verified: 开工率 1 of 2 = 50. Week 11 reports the sewage plant started
    (2 of 2 = 100) but stays pending: the entry is pending at 100 and rule 1 still finds 50
    (week 10). Once the week 11 report is verified: 100."""
    _ledger10, reports = story_week(reg, week=10)
    for r in reports:
        verify_row(kind="project", row_id=r.pk, user=reg.small.reviewer)
    ledger11 = hand_in(reg.small, week=11)  # its reports prefilled from week 10's
    sewage = report(reg.sewage, ledger11, Status.UNDER_CONSTRUCTION, 500)
    derive_ledger(ledger11)
    this_week = entry(ledger11, reg.started_rate)
    assert (this_week.value, this_week.review_status) == (D(100), "pending")
    for other in ledger11.project_reports.exclude(pk=sewage.pk):
        verify_row(kind="project", row_id=other.pk, user=reg.small.reviewer)
    assert entry(ledger11, reg.started_rate).review_status == "pending"

    def rule_one():
        figures = latest_verified(reg.small.year, indicator=reg.started_rate)
        return figures[(reg.township.pk, reg.started_rate.pk)].verified

    assert rule_one() == D(50)
    verify_row(kind="project", row_id=sewage.pk, user=reg.small.reviewer)
    assert rule_one() == D(100)
    # 投资完成率: food park 8000 and logistics 6000 (prefilled from week 10) + sewage 500.
    assert entry(ledger11, reg.investment_rate).verified_value == D("40.2778")


def test_corrected_investment_counts_the_reviewers_figure(reg):
    """食品产业园 corrected from 8000 to 7000: verified (7000 + 0 + 6000) ÷ 36000 = 36.1111 %,
    reported stays 38.8889 %."""
    ledger, reports = story_week(reg)
    verify_row(
        kind="project",
        row_id=reports[0].pk,
        user=reg.small.reviewer,
        corrected=D(7000),
        comment="1000万元为设备预付款，不计入",
    )
    for r in reports[1:]:
        verify_row(kind="project", row_id=r.pk, user=reg.small.reviewer)
    rate = entry(ledger, reg.investment_rate)
    assert (rate.value, rate.verified_value) == (D("38.8889"), D("36.1111"))
    reports[0].refresh_from_db()
    assert (reports[0].investment_to_date, reports[0].verified_investment) == (D(8000), D(7000))


def test_signings_count_once_verified(reg):
    """A 12000 万元 signing of this week: reported 1.2 亿元, verified once the row is."""
    ledger = hand_in(reg.small, week=10)
    signing = SignedProject.objects.create(
        year=reg.small.year,
        unit=reg.township,
        ledger=ledger,
        name="冷链物流项目",
        investor="某央企",
        investor_class="central_soe",
        amount=D(12000),
        signed_on=ledger.period.starts_on,
    )
    derive_ledger(ledger)
    amount = entry(ledger, reg.signed_amount)
    assert (amount.value, amount.review_status) == (D("1.2"), "pending")
    verify_row(kind="signed", row_id=signing.pk, user=reg.small.reviewer)
    amount = entry(ledger, reg.signed_amount)
    assert (amount.review_status, amount.verified_value) == ("verified", D("1.2"))
    assert ledger.__class__.objects.get(pk=ledger.pk).status != WeeklyLedger.Status.RETURNED
