"""Rule 1's reads (看真帐): the figures reviewers verified, for the engine and every page.

One definition of "the latest verified figure" and "the verified completion date", read by the
quarter's computation (scoring/services/loading.py), the comparison view and weak items
(campaigns/analysis_data.py), the dashboards and the weekly briefing — so a figure a leader sees
on a dashboard is the one the quarter will count.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import F

from .models import AssessmentYear, LedgerEntry

VERIFIED = LedgerEntry.ReviewStatus.VERIFIED


@dataclass(frozen=True)
class VerifiedFigure:
    """The latest verified entry of a (unit, indicator): the figure counts as `verified`
    (the review service stores the reported value there, or the reviewer's 核减); milestone
    entries carry no figure, only `done_on`."""

    entry_id: int
    iso_week: int
    verified: Decimal | None
    reported: Decimal | None
    done_on: date | None


def latest_verified(
    year: AssessmentYear,
    *,
    through_quarter: int | None = None,
    through_week: int | None = None,
    **filters,
) -> dict[tuple[int, int], VerifiedFigure]:
    """Per (unit, indicator) the latest verified entry in a period up to `through_quarter`
    (by the period's quarter) and/or `through_week` (ISO week); `filters` narrow the entries.
    One row per pair on PostgreSQL (DISTINCT ON); elsewhere the first row per pair is kept."""
    if through_week is not None and through_week < 1:
        return {}
    entries = LedgerEntry.objects.filter(
        ledger__period__year=year, review_status=VERIFIED, **filters
    )
    if through_quarter is not None:
        entries = entries.filter(ledger__period__quarter__lte=through_quarter)
    if through_week is not None:
        entries = entries.filter(ledger__period__iso_week__lte=through_week)
    rows = (
        entries.annotate(unit_id=F("ledger__unit_id"), iso_week=F("ledger__period__iso_week"))
        .order_by("ledger__unit_id", "indicator_id", "-ledger__period__iso_week")
        .values_list(
            "unit_id", "indicator_id", "pk", "iso_week", "verified_value", "value", "done_on"
        )
    )
    if connection.features.can_distinct_on_fields:
        rows = rows.distinct("ledger__unit_id", "indicator_id")
    latest: dict[tuple[int, int], VerifiedFigure] = {}
    for unit_id, indicator_id, pk, week, verified, reported, done_on in rows:
        latest.setdefault(
            (unit_id, indicator_id), VerifiedFigure(pk, week, verified, reported, done_on)
        )
    return latest


def verified_completions(
    year: AssessmentYear, *, by: date, **filters
) -> dict[tuple[int, int], date]:
    """Per (unit, milestone indicator) the earliest completion date a reviewer verified, on or
    before `by`.

    Rule 3: the completion *date* decides, not the period it was reported in. A milestone done
    on 30 June is often reported in the week holding 29 June–5 July, a Q3 period (its Thursday
    is in July), so every period of the year is read; only the date is bounded.
    """
    rows = (
        LedgerEntry.objects.filter(
            ledger__period__year=year,
            review_status=VERIFIED,
            done_on__isnull=False,
            done_on__lte=by,
            **filters,
        )
        .order_by("done_on")
        .values_list("ledger__unit_id", "indicator_id", "done_on")
    )
    earliest: dict[tuple[int, int], date] = {}
    for unit_id, indicator_id, done_on in rows:
        earliest.setdefault((unit_id, indicator_id), done_on)
    return earliest
