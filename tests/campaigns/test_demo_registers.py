"""campaigns.demo_registers: the demo county's registers, leaders and weekly register history."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.demo import build_county, build_role_accounts
from accounts.models import User
from accounts.roles import Role
from campaigns.demo import build_year
from campaigns.models import (
    Indicator,
    Inspection,
    KeyProject,
    LedgerEntry,
    PilotVillage,
    ProjectReport,
    SignedProject,
    Target,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
    WeeklyLedger,
)
from campaigns.services.registers.derive import derive_ledger

Source = Indicator.Source
# Thursday of ISO week 27 of 2026: weeks 19–26 are built, most planned starts are behind.
NOW = datetime(2026, 7, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo(db):
    county = build_county(townships=4, departments=8, parks=1)
    build_role_accounts()
    year = build_year(county=county, year=2026, weeks=8, seed=7, now=NOW)
    year.county = county
    return year


def test_six_leaders_each_contract_projects_and_villages(demo):
    leaders = User.objects.filter(groups__name=Role.LEADER.group_name).order_by("username")
    assert [u.username for u in leaders] == ["leader"] + [f"leader{n}" for n in range(2, 7)]
    assert {u.title for u in leaders} >= {"副县长", "县委副书记、县长", "县委常委、常务副县长"}
    assert all(u.contact_units.exists() for u in leaders[:2])  # a small county: 4 townships
    contracting = set(KeyProject.objects.values_list("leader_id", flat=True))
    assert {u.pk for u in leaders} <= contracting
    assert not KeyProject.objects.filter(leader=None).exists()
    assert not PilotVillage.objects.filter(leader=None).exists()


def test_every_register_backed_target_has_rows_behind_it(demo):
    targets = Target.objects.exclude(indicator__source=Source.LEDGER).select_related(
        "indicator", "unit"
    )
    assert targets.exists()
    for target in targets:
        indicator, unit = target.indicator, target.unit
        if indicator.register == "projects":
            rows = KeyProject.objects.filter(unit=unit, campaign=indicator.campaign)
            assert rows.filter(registered_status="not_started").exists(), (indicator, unit)
        elif indicator.register == "villages":
            village = PilotVillage.objects.filter(township=unit).first()
            assert village and 6 <= village.tasks.count() <= 10, (indicator, unit)
    assert SignedProject.objects.exists()
    assert KeyProject.objects.filter(strategic=True).exists()
    assert KeyProject.objects.filter(showcase=True, campaign__name="县城建设会战").exists()


def test_reports_follow_the_ledgers_review(demo):
    """A report is reviewed like its ledger's derived entries: never verified before the ledger
    was handed in, reviewed by the lead of a derived indicator of its register."""
    reports = ProjectReport.objects.select_related("ledger", "reviewer", "project__campaign")
    assert reports.count() == KeyProject.objects.count() * 8 - sum(
        8 - p.reports.count() for p in KeyProject.objects.all()
    )
    states = defaultdict(int)
    for report in reports:
        states[report.review_status] += 1
        if report.ledger.submitted_at is None:
            assert report.review_status == "pending"
        if report.review_status == "verified":
            leads = Indicator.objects.filter(
                campaign=report.project.campaign, lead_unit=report.reviewer.unit
            ).exclude(source=Source.LEDGER)
            assert leads.exists()
            assert report.reviewed_at > report.ledger.submitted_at
    assert states["verified"] > states["pending"] > 0
    assert VillageTaskProgress.objects.count() == sum(
        r.village.tasks.count() for r in VillageReport.objects.select_related("village")
    )


def _verified_started_rate(unit, campaign, week) -> Decimal:
    """开工率 by hand: per project of the unit, its latest verified report up to `week`
    (else its registered status); started new projects ÷ new projects × 100."""
    new = started = 0
    for project in KeyProject.objects.filter(unit=unit, campaign=campaign, active=True):
        if not project.is_new:
            continue
        new += 1
        last = (
            project.reports.filter(review_status="verified", ledger__period__iso_week__lte=week)
            .order_by("-ledger__period__iso_week")
            .first()
        )
        status = last.status if last else project.registered_status
        started += status in KeyProject.STARTED
    return Decimal(started * 100) / new if new else Decimal(0)


def test_verified_started_rate_is_derived_from_verified_reports(demo):
    entries = LedgerEntry.objects.filter(
        indicator__source=Source.PROJECTS_STARTED_RATE, review_status="verified"
    ).select_related("ledger__unit", "ledger__period", "indicator__campaign")
    assert entries.count() > 10
    rising = False
    for entry in entries:
        expected = _verified_started_rate(
            entry.ledger.unit, entry.indicator.campaign, entry.ledger.period.iso_week
        )
        assert entry.verified_value == expected.quantize(Decimal("0.0001")), entry
        rising |= Decimal(0) < expected < Decimal(100)
    assert rising


def test_derive_ledger_finds_nothing_to_change(demo):
    """The demo fills derived entries in bulk with the same pure functions and rules: the
    service, run over every ledger afterwards, agrees on every figure and review state."""
    for ledger in WeeklyLedger.objects.filter(period__year=demo.year):
        status = ledger.status
        assert derive_ledger(ledger) == [], ledger
        ledger.refresh_from_db()
        assert ledger.status == status


def test_register_rows_show_their_latest_verified_state(demo):
    for project in KeyProject.objects.all():
        last = project.reports.filter(review_status="verified").order_by(
            "-ledger__period__iso_week"
        )
        last = last.first()
        if last is None:
            assert project.status == project.registered_status
            continue
        assert (project.status, project.started_on) == (last.status, last.started_on)
        assert project.investment_to_date == last.counted_investment
        assert project.investment_to_date <= project.total_investment
    late = KeyProject.objects.filter(status="not_started", planned_start__lt=NOW.date())
    assert late.exists()
    assert all(p.blocker_labels for p in late if p.reports.filter(review_status="verified"))
    tasks = VillageTask.objects.all()
    assert tasks.exists() and any(t.completion > 0 for t in tasks)


def test_on_site_checks_of_rows_vary(demo):
    checks = Inspection.objects.exclude(project=None) | Inspection.objects.exclude(village=None)
    assert checks.exists()
    assert all(c.visited_on < NOW.date() for c in checks)
    assert KeyProject.objects.filter(inspections=None).exists()


def test_second_run_changes_no_register_row(demo):
    models = (KeyProject, ProjectReport, SignedProject, PilotVillage, VillageReport, Inspection)

    def counts():
        return [m.objects.count() for m in models] + [
            m.history.count() for m in models if m is not Inspection
        ]

    before = counts()
    again = build_year(county=demo.county, year=2026, weeks=8, seed=7, now=NOW)
    assert counts() == before
    assert "本次新建周报和签约 0 份" in again.registers
