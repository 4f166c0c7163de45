"""Rule 1's reads (看真帐): the figures reviewers verified, for the engine and every page.

One definition of "the latest verified figure" and "the verified completion date", read by the
quarter's computation (scoring/services/loading.py), the comparison view and weak items
(campaigns/analysis_data.py), the dashboards and the weekly briefing — so a figure a leader sees
on a dashboard is the one the quarter will count.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, Max, Subquery, Value

from .models import AssessmentYear, LedgerEntry

VERIFIED = LedgerEntry.ReviewStatus.VERIFIED

# latest_verified's sort key, week * _WEEK + entry id, in one bigint: ids stay below 2**56
# (7e16) and weeks below 128, so the product never reaches 2**63 and the low bits are the id.
_WEEK = 2**56


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

    One pass that groups instead of sorting: a pair's latest entry is the one with the largest
    (week, id), packed into one integer (`_WEEK`) so a plain MAX per pair finds it, and the
    winners' figures are then read by primary key. A pair has at most one entry a week (one
    ledger per unit and period, one entry per ledger and indicator), so the id never decides,
    it only carries the winner out of the aggregate. The DISTINCT ON this replaces sorted every
    verified entry of the year by (unit, indicator, week), which at city scale (300k entries)
    spilled to disk and cost most of the read.
    """
    if through_week is not None and through_week < 1:
        return {}
    entries = LedgerEntry.objects.filter(
        ledger__period__year=year, review_status=VERIFIED, **filters
    )
    if through_quarter is not None:
        entries = entries.filter(ledger__period__quarter__lte=through_quarter)
    if through_week is not None:
        entries = entries.filter(ledger__period__iso_week__lte=through_week)
    winners = (
        entries.order_by()  # the default ordering would join indicators for nothing
        .values("ledger__unit_id", "indicator_id")
        .annotate(latest=Max(F("ledger__period__iso_week") * Value(_WEEK) + F("pk")))
        .values(entry_id=F("latest").bitand(_WEEK - 1))
    )
    rows = (
        LedgerEntry.objects.filter(pk__in=Subquery(winners))
        .order_by()
        .values_list(
            "ledger__unit_id",
            "indicator_id",
            "pk",
            "ledger__period__iso_week",
            "verified_value",
            "value",
            "done_on",
        )
    )
    return {
        (unit_id, indicator_id): VerifiedFigure(pk, week, verified, reported, done_on)
        for unit_id, indicator_id, pk, week, verified, reported, done_on in rows
    }


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
