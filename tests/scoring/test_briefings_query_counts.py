"""The weekly briefing's generation and pages read in a fixed number of queries: the same for a
county of 10 townships as for one of 60 (each with a verified ledger, a problem and an overdue
follow-up)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.demo import build_county
from campaigns.models import FollowUp, LedgerEntry, WeeklyLedger
from campaigns.services.years import set_target
from scoring.models import WeeklyBriefing
from scoring.services.briefings import generate_briefing, issue_briefing
from tests.campaigns.builders import build_small_year
from tests.helpers import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-03-24 09:00")]
MONDAY = datetime(2026, 3, 23, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _grow(small, townships: int) -> None:
    """Townships up to `townships`, each with the target, two verified weeks (week 12 with a
    problem) and an overdue follow-up; the units already grown are left as they are."""
    county = build_county(townships=townships, departments=4, parks=1)
    units = [u for u in county.units[:townships] if not u.ledgers.exists()]
    for unit in units:
        set_target(indicator=small.investment, unit=unit, annual_value=Decimal("12"))
    verified = LedgerEntry.ReviewStatus.VERIFIED
    for week, value in ((11, Decimal("1")), (12, Decimal("2"))):
        period = small.period(week)
        ledgers = WeeklyLedger.objects.bulk_create(
            WeeklyLedger(unit=u, period=period, status=WeeklyLedger.Status.VERIFIED,
                         submitted_at=period.deadline - timedelta(hours=1))
            for u in units
        )  # fmt: skip
        LedgerEntry.objects.bulk_create(
            LedgerEntry(ledger=ledger, indicator=small.investment, value=value + i,
                        verified_value=value + i, review_status=verified,
                        problems="资金未到位" if week == 12 else "", problem_category="funds")
            for i, ledger in enumerate(ledgers)
        )  # fmt: skip
    FollowUp.objects.bulk_create(
        FollowUp(year=small.year, number=u.pk, status=FollowUp.Status.ISSUED,
                 issuer_unit=small.reviewer.unit, unit=u, title="加快进度", problem="滞后",
                 requirement="整改", due_on=date(2026, 3, 16), card=FollowUp.Card.YELLOW)
        for u in units
    )  # fmt: skip


def _counts(client, small, townships: int) -> dict[str, int]:
    _grow(small, townships)
    WeeklyBriefing.objects.all().delete()
    counts = {}
    with count_queries() as generation:
        briefing = generate_briefing(period=small.period(12), now=MONDAY)
    counts["generate"] = len(generation)
    assert briefing.facts["completeness"]["units"] == townships
    assert len(briefing.facts["overdue"]) == townships
    client.force_login(small.office)
    for name, args in (("briefing-detail", [briefing.pk]), ("briefing-list", [])):
        with count_queries() as page:
            assert client.get(reverse(name, args=args)).status_code == 200
        counts[f"office {name}"] = len(page)
    issue_briefing(briefing=briefing, user=small.office, now=MONDAY)
    client.force_login(small.reporter)
    with count_queries() as page:
        assert client.get(reverse("briefing-detail", args=[briefing.pk])).status_code == 200
    counts["reporter detail"] = len(page)
    return counts


def test_generation_and_pages_are_flat_from_10_to_60_units(client):
    small = build_small_year(year=2026)
    assert _counts(client, small, 10) == _counts(client, small, 60)
