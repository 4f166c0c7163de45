"""Reviewer's flags for many entries at once: loads the plain data campaigns.flags judges.

Four queries whatever the number of entries or units: the entries' own keys, the previous
weeks' figures of the same (unit, indicator) pairs, the entries' evidence, and other entries
carrying the same evidence content.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F

from . import flags
from .flags import Flag, PhotoMatch
from .models import Evidence, LedgerEntry, WeeklyLedger

HISTORY_WEEKS = 8


def _figure(row) -> Decimal | None:
    # As in ledger.last_figures: what a reviewer verified counts over what was reported.
    if (
        row["review_status"] == LedgerEntry.ReviewStatus.VERIFIED
        and row["verified_value"] is not None
    ):
        return row["verified_value"]
    return row["value"]


def flags_for_entries(entries: Iterable[LedgerEntry]) -> dict[int, list[Flag]]:
    """Each entry's flags, keyed by entry id (an entry without flags maps to [])."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return {}
    rows = list(
        LedgerEntry.objects.filter(pk__in=ids).values(
            "id",
            "ledger_id",
            "indicator_id",
            "value",
            cumulative=F("indicator__cumulative"),
            unit_id=F("ledger__unit_id"),
            year_id=F("ledger__period__year_id"),
            year=F("ledger__period__year__year"),
            iso_week=F("ledger__period__iso_week"),
            starts_on=F("ledger__period__starts_on"),
        )
    )

    # One range query over the pairs' units × indicators; the few extra pairs it brings are
    # cheaper than a query per pair. Only handed-in ledgers: a draft is not yet a figure.
    weeks = [row["iso_week"] for row in rows]
    past = (
        LedgerEntry.objects.filter(
            ledger__unit_id__in={row["unit_id"] for row in rows},
            indicator_id__in={row["indicator_id"] for row in rows},
            ledger__period__year_id__in={row["year_id"] for row in rows},
            ledger__period__iso_week__gte=min(weeks) - HISTORY_WEEKS,
            ledger__period__iso_week__lt=max(weeks),
        )
        .exclude(ledger__status__in=WeeklyLedger.NOT_HANDED_IN)
        .values(
            "indicator_id",
            "value",
            "verified_value",
            "review_status",
            unit_id=F("ledger__unit_id"),
            year_id=F("ledger__period__year_id"),
            iso_week=F("ledger__period__iso_week"),
        )
    )
    history: dict[tuple, dict[int, tuple]] = defaultdict(dict)
    for row in past:
        key = (row["unit_id"], row["indicator_id"], row["year_id"])
        history[key][row["iso_week"]] = (row["value"], _figure(row))

    own = defaultdict(list)
    for row in Evidence.objects.filter(entry_id__in=ids).values(
        "entry_id", "sha256", "captured_at"
    ):
        own[row["entry_id"]].append(row)
    hashes = {e["sha256"] for evidence in own.values() for e in evidence}
    elsewhere = defaultdict(list)
    if hashes:
        for row in Evidence.objects.filter(sha256__in=hashes, entry__isnull=False).values(
            "sha256",
            ledger_id=F("entry__ledger_id"),
            unit_id=F("entry__ledger__unit_id"),
            unit_name=F("entry__ledger__unit__short_name"),
            iso_week=F("entry__ledger__period__iso_week"),
            year=F("entry__ledger__period__year__year"),
        ):
            elsewhere[row["sha256"]].append(row)

    result: dict[int, list[Flag]] = {}
    for row in rows:
        weeks_before = history[(row["unit_id"], row["indicator_id"], row["year_id"])]
        span = range(max(1, row["iso_week"] - HISTORY_WEEKS), row["iso_week"])
        reported = [weeks_before.get(week, (None, None))[0] for week in span]
        figures = [weeks_before.get(week, (None, None))[1] for week in span]
        previous = next((f for f in reversed(figures) if f is not None), None)
        matches = [
            PhotoMatch(m["year"], m["iso_week"], m["unit_id"], m["unit_name"])
            for evidence in own[row["id"]]
            for m in elsewhere[evidence["sha256"]]
            if m["ledger_id"] != row["ledger_id"]
        ]
        taken = [e["captured_at"] for e in own[row["id"]] if e["captured_at"] is not None]
        found = [
            flags.decreased(previous, row["value"], row["cumulative"]),
            flags.unusual_increment(figures, row["value"]) if row["cumulative"] else None,
            flags.unchanged_for_weeks([*reported, row["value"]]),
            flags.reused_photo(matches, unit_id=row["unit_id"], year=row["year"]),
            flags.old_photo(min(taken, default=None), row["starts_on"]),
        ]
        result[row["id"]] = [flag for flag in found if flag is not None]
    return {pk: result.get(pk, []) for pk in ids}
