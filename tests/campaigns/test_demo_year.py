"""campaigns.demo.build_year: a believable, consistent and idempotent year of ledgers."""

import time
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from accounts.demo import build_county
from accounts.models import Unit
from accounts.roles import Role
from campaigns.demo import SPECS, build_year
from campaigns.models import (
    Campaign,
    Indicator,
    Inspection,
    KeyProject,
    LedgerEntry,
    Milestone,
    PilotVillage,
    ProjectReport,
    SignedProject,
    Target,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
    WeeklyLedger,
)
from campaigns.services.ledger import EntryInput, check_entry, last_figures, refresh_status

REGISTER_MODELS = (
    KeyProject,
    ProjectReport,
    SignedProject,
    PilotVillage,
    VillageTask,
    VillageReport,
    VillageTaskProgress,
    Inspection,
)
Status = WeeklyLedger.Status
Review = LedgerEntry.ReviewStatus
# Thursday of ISO week 7 of 2026: weeks 1–6 are over, week 7 is the reporters' open week.
NOW = datetime(2026, 2, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo(db):
    county = build_county(townships=3, departments=6, parks=1)
    started = time.perf_counter()
    year = build_year(county=county, year=2026, weeks=6, seed=7, now=NOW)
    year.seconds = time.perf_counter() - started
    year.county = county
    return year


def test_small_county_builds_the_weeks_before_now(demo):
    # How long it takes is measured by bench/ (docs/benchmarks.md), not asserted here: a timed
    # assertion fails on a busy machine, not on slow code.
    assert demo.weeks == (1, 6)


def test_at_least_40_indicators_over_the_four_campaigns(demo):
    campaigns = Campaign.objects.filter(year=demo.year)
    assert sorted(campaigns.values_list("name", flat=True)) == sorted(
        ["项目建设会战", "县城建设会战", "美丽乡村会战", "严打整治会战"]
    )
    indicators = Indicator.objects.filter(campaign__year=demo.year)
    assert indicators.count() >= 40
    for campaign in campaigns:
        assert campaign.indicators.count() >= 8, campaign
    directions = set(indicators.values_list("direction", flat=True))
    assert directions == set(Indicator.Direction.values)
    assert indicators.filter(method=Indicator.Method.RANK).exists()
    assert indicators.filter(cumulative=False, direction="higher").exists()
    # The speech's 7月底前完成80%: a custom milestone beside the default quarter ends.
    assert Milestone.objects.filter(
        target__indicator__name="试点村建设任务完成率", due_date="2026-07-31", fraction="0.8"
    ).exists()
    assert Milestone.objects.filter(due_date="2026-09-30", fraction="0.75").exists()


def test_every_carrier_has_a_target_but_never_on_what_it_leads(demo):
    indicators = {i.name: i for i in Indicator.objects.filter(campaign__year=demo.year)}
    carried = set(Target.objects.values_list("indicator_id", "unit_id"))
    for spec in SPECS:
        indicator = indicators[spec.name]
        for unit in demo.county.units:
            if unit.kind in spec.carriers and unit.name not in spec.carriers:
                expected = unit.pk != indicator.lead_unit_id
                assert ((indicator.pk, unit.pk) in carried) == expected, (spec.name, unit.name)
    assert not Target.objects.filter(unit_id=F("indicator__lead_unit_id")).exists()
    assert not Target.objects.filter(milestones__isnull=True).exists()
    for target in Target.objects.select_related("indicator"):
        if target.indicator.is_milestone:
            assert target.annual_value is None
        elif target.indicator.direction == Indicator.Direction.HIGHER_BETTER:
            assert target.annual_value > 0


def test_ledgers_for_each_week_with_late_missing_returned_and_corrected(demo):
    ledgers = WeeklyLedger.objects.filter(period__year=demo.year).select_related("period")
    assert {ledger.period.iso_week for ledger in ledgers} == set(range(1, 7))
    carrying = set(Target.objects.values_list("unit_id", flat=True))
    handed_in = defaultdict(set)
    for ledger in ledgers:
        if ledger.submitted_at is not None:
            handed_in[ledger.unit_id].add(ledger.period.iso_week)
    missing = [(u, w) for u in carrying for w in range(1, 7) if w not in handed_in[u]]
    assert missing, "at least one missing ledger"
    assert len(missing) < len(carrying) * 6 * 0.2
    assert any(ledger.is_late for ledger in ledgers)
    assert any(not ledger.is_late for ledger in ledgers if ledger.submitted_at)

    corrected = LedgerEntry.objects.filter(review_status=Review.VERIFIED).exclude(
        verified_value=None
    )
    corrected = [e for e in corrected if e.verified_value < e.value]
    assert corrected and all(
        "核减" in e.review_comment or "核定" in e.review_comment for e in corrected
    )
    assert all(e.checked_on_site and e.inspections.exists() for e in corrected)

    returned_once = set(
        LedgerEntry.history.filter(review_status=Review.RETURNED).values_list("id", flat=True)
    )
    verified_after = LedgerEntry.objects.filter(
        pk__in=returned_once, review_status="verified", indicator__source="ledger"
    )  # a derived entry's history goes on with derive_ledger's recomputations
    assert verified_after.exists()
    for entry in verified_after:
        kinds = list(entry.history.order_by("history_date").values_list("review_status", flat=True))
        assert kinds == [Review.PENDING, Review.RETURNED, Review.PENDING, Review.VERIFIED]


def test_statuses_and_figures_are_what_the_services_would_leave(demo):
    ledgers = WeeklyLedger.objects.filter(period__year=demo.year).select_related("period", "unit")
    carried = defaultdict(set)
    for indicator_id, unit_id in Target.objects.values_list("indicator_id", "unit_id"):
        carried[unit_id].add(indicator_id)
    for ledger in ledgers:
        entries = list(ledger.entries.select_related("indicator", "reviewer__unit"))
        assert {e.indicator_id for e in entries} == carried[ledger.unit_id]  # as open_ledger
        stored = ledger.status
        refresh_status(ledger)
        assert ledger.status == stored, ledger
        if stored in (Status.DRAFT, Status.AWAITING_CONFIRMATION):
            assert ledger.submitted_at is None
            assert all(e.review_status == Review.PENDING and not e.reviewer for e in entries)
            continue
        assert ledger.submitted_by and ledger.confirmed_by and ledger.submitted_at <= NOW
        assert ledger.submitted_at <= ledger.period.locks_at
        assert ledger.confirmed_by.has_role(Role.UNIT_HEAD)
        assert ledger.submitted_by.unit_id == ledger.unit_id
        previous = last_figures(
            unit_id=ledger.unit_id, period=ledger.period, indicator_ids=carried[ledger.unit_id]
        )
        for entry in entries:
            data = EntryInput(value=entry.value, done_on=entry.done_on)
            assert not check_entry(
                entry.indicator,
                data,
                previous=previous.get(entry.indicator_id),
                period=ledger.period,
            )
            if entry.indicator.is_milestone:
                assert entry.value is None and entry.verified_value is None
            else:
                assert entry.value is not None
            if entry.review_status == Review.PENDING and entry.reviewer is None:
                continue
            reviewer = entry.reviewer
            assert reviewer.has_role(Role.REVIEWER)
            assert reviewer.unit_id == entry.indicator.lead_unit_id != ledger.unit_id
            assert ledger.submitted_at < entry.reviewed_at <= NOW
            if entry.review_status == Review.VERIFIED and entry.verified_value != entry.value:
                assert not entry.indicator.is_milestone and entry.review_comment


def test_the_current_week_is_left_open_and_weeks_follow_now(db):
    county = build_county(townships=2, departments=4, parks=0)
    thursday_week_10 = datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    year = build_year(county=county, weeks=3, seed=1, now=thursday_week_10)
    assert year.weeks == (7, 9)
    weeks = set(WeeklyLedger.objects.values_list("period__iso_week", flat=True))
    assert weeks == {7, 8, 9}


def test_second_run_adds_nothing(demo):
    def counts():
        return (
            [
                model.objects.count()
                for model in (
                    Indicator,
                    Target,
                    Milestone,
                    WeeklyLedger,
                    LedgerEntry,
                    Unit,
                    *REGISTER_MODELS,
                )
            ]
            + [Target.history.count(), Indicator.history.count(), LedgerEntry.history.count()]
            + [model.history.count() for model in REGISTER_MODELS if hasattr(model, "history")]
        )

    before = counts()
    again = build_year(county=demo.county, year=2026, weeks=6, seed=7, now=NOW)
    assert counts() == before
    assert (again.targets_created, again.ledgers_created, again.entries_created) == (0, 0, 0)
    assert again.reporters_created == 0
