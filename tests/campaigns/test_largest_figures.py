"""The largest figures the fields allow, stored directly, render on every page and export.

The parser (campaigns.figures) refuses anything larger; this is the other half of the promise:
whatever it lets through, every page that shows it answers 200 — for the reporter, the lead
department, the office and the leaders.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from campaigns.models import LedgerEntry, Target
from scoring.models import IndicatorScore, UnitScore
from scoring.reports.registry import get_export, synchronous_exports
from scoring.services.briefings import generate_briefing
from tests.scoring.test_results_pages import published_quarter

# Q1 2026 is over and locked, Q2 is running (as in the results and export tests).
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def largest(model, name) -> Decimal:
    """The largest value the model's DecimalField holds: 99999999999999.9999 for (18, 4)."""
    field = model._meta.get_field(name)
    whole = field.max_digits - field.decimal_places
    return Decimal(10) ** whole - Decimal(10) ** -field.decimal_places


def fill_to_the_brim():
    LedgerEntry.objects.filter(indicator__direction__in=["higher", "lower"]).update(
        value=largest(LedgerEntry, "value"), verified_value=largest(LedgerEntry, "verified_value")
    )
    Target.objects.exclude(annual_value=None).update(annual_value=largest(Target, "annual_value"))
    IndicatorScore.objects.update(
        **{
            name: largest(IndicatorScore, name)
            for name in (
                "points",
                "annual_target",
                "target_to_date",
                "actual",
                "reported",
                "rate",
                "score",
            )
        }
    )
    UnitScore.objects.update(
        **{
            name: largest(UnitScore, name)
            for name in (
                "scored_points",
                "earned_points",
                "base",
                "timeliness",
                "bonus",
                "penalty",
                "total",
            )
        }
    )


@pytest.fixture
def brimful(db):
    with time_machine.travel(NOW, tick=False):
        small, evaluation, units = published_quarter()
        fill_to_the_brim()
        yield small, evaluation, units


def ok(client, user, url, params=None):
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.content[:300])
    return response


def test_every_page_and_export_shows_the_largest_figures(client, brimful):
    small, evaluation, units = brimful
    entry = LedgerEntry.objects.filter(ledger__unit=units[0], indicator=small.investment).get()
    period, unit = entry.ledger.period, units[0]
    reporter = User.objects.get(username="rq0")
    with time_machine.travel(NOW, tick=False):
        briefing = generate_briefing(period=period, now=NOW)

    week = ok(client, reporter, reverse("ledger-week", args=[period.pk]))
    assert "99999999999999.9999" in week.content.decode()
    ok(client, reporter, reverse("ledger-xlsx", args=[period.pk]))
    ok(client, small.reviewer, reverse("review-queue"), {"status": "all"})
    for url in (
        reverse("ledger-view", args=[unit.pk, period.pk]),
        reverse("entry-history", args=[entry.pk]),
        reverse("completeness"),
        reverse("completeness-xlsx"),
        reverse("evaluation-detail", args=[evaluation.pk]),
        reverse("unit-score", args=[evaluation.pk, unit.pk]),
        reverse("results-list"),
        reverse("results-detail", args=[evaluation.pk]),
        reverse("file-unit", args=[unit.pk]),
        reverse("whatif", args=[evaluation.pk]),
        reverse("comparison"),
        reverse("weak-items"),
        reverse("dashboard-leader"),
        reverse("dashboard-office"),
        reverse("showcase", args=[evaluation.pk]),
        reverse("briefing-detail", args=[briefing.pk]),
    ):
        ok(client, small.office, url)
    for identifier in synchronous_exports():  # each export says so itself (issue 11)
        ok(
            client,
            small.office,
            reverse("results-export", args=[identifier]),
            # `viewer`: a register export lists the downloading user's own scope.
            {"evaluation_id": evaluation.pk, "briefing_id": briefing.pk, "viewer": small.office.pk},
        )


def test_the_pdf_reports_render_the_largest_figures(brimful):
    _, evaluation, units = brimful
    for identifier in ("quarter_notice", "unit_scorecard"):
        params = {"evaluation_id": evaluation.pk, "unit_id": units[0].pk}
        content = get_export(identifier).render(params)[2]
        assert content.startswith(b"%PDF"), identifier
