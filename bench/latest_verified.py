"""Benchmark and check: rule 1's latest verified read (campaigns/verified_figures.py).

Times `latest_verified` against the DISTINCT ON read it replaced (kept below as
`previous_read`, the oracle), and checks that both give identical answers — and the same as a
plain Python pass over every verified entry — for every quarter bound, a spread of week
bounds and the filters the pages pass. Then it makes the awkward cases on the same data, in a
transaction it rolls back: ledgers handed in late (their entries have the newest ids but old
weeks), units that stopped reporting, latest entries sent back to pending or returned,
entries verified with no figure, an indicator dropped mid-year and pairs never verified; and
checks again.

PostgreSQL only (the oracle is DISTINCT ON). Builds (or reuses) the ledgers of bench/pages.py's
year; run it on a database of its own, e.g. a copy of a city demo (`CREATE DATABASE …
TEMPLATE …`), or an empty migrated one:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_bench_latest
    .venv/bin/python bench/latest_verified.py --scale city

Times are the median of `--runs` calls after a warm-up: wall, this process's CPU and, when
the database runs on this machine, the PostgreSQL backend's CPU (from /proc) — on a shared
machine the wall time swings with other load, CPU time much less.
"""

import argparse
import random
import statistics
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import time_machine
from common import SCALES
from dashboards import AS_SEEN_ON, YEAR
from django.db import connection, transaction

from accounts.demo import build_county
from campaigns.demo import build_year
from campaigns.models import AssessmentYear, Inspection, LedgerEntry, WeeklyLedger
from campaigns.verified_figures import VERIFIED, VerifiedFigure, latest_verified

BOUNDS = [{"through_quarter": q} for q in (1, 2, 3, 4)] + [
    {"through_week": w} for w in (0, 1, 5, 13, 14, 20, 26, 27, 28, 40, 53)
]
BOUNDS.append({"through_quarter": 2, "through_week": 20})


def previous_read(year, *, through_quarter=None, through_week=None, **filters):
    """The read latest_verified replaced (DISTINCT ON, PostgreSQL), kept as the oracle."""
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
        entries.order_by("ledger__unit_id", "indicator_id", "-ledger__period__iso_week")
        .distinct("ledger__unit_id", "indicator_id")
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
    return {(u, i): VerifiedFigure(pk, w, v, r, d) for u, i, pk, w, v, r, d in rows}


def every_verified(year):
    """(unit, indicator, week, quarter, figure) of every verified entry, for the Python pass."""
    return [
        (u, i, w, q, VerifiedFigure(pk, w, v, r, d))
        for u, i, w, q, pk, v, r, d in LedgerEntry.objects.filter(
            ledger__period__year=year, review_status=VERIFIED
        )
        .order_by()
        .values_list(
            "ledger__unit_id",
            "indicator_id",
            "ledger__period__iso_week",
            "ledger__period__quarter",
            "pk",
            "verified_value",
            "value",
            "done_on",
        )
    ]


def by_hand(rows, *, through_quarter=None, through_week=None):
    """Rule 1 in plain Python: the verified entry of the largest week per pair, in bounds."""
    if through_week is not None and through_week < 1:
        return {}
    latest = {}
    for unit_id, indicator_id, week, quarter, figure in rows:
        if through_quarter is not None and quarter > through_quarter:
            continue
        if through_week is not None and week > through_week:
            continue
        key = (unit_id, indicator_id)
        if key not in latest or latest[key].iso_week < week:
            latest[key] = figure
    return latest


def filter_cases(year):
    """The filters pages pass (campaigns/comparisons.py, weak_items.py, tests)."""
    entry = LedgerEntry.objects.filter(ledger__period__year=year).order_by("pk").first()
    indicators = list(
        LedgerEntry.objects.filter(ledger__period__year=year)
        .order_by("indicator_id")
        .values_list("indicator_id", flat=True)
        .distinct()[:3]
    )
    return [
        {},
        {"indicator_id__in": indicators},
        {"ledger__unit__group_id": entry.ledger.unit.group_id},
        {"ledger__unit_id": entry.ledger.unit_id},
        {"indicator__lead_unit_id": entry.indicator.lead_unit_id},
        {"indicator": entry.indicator},
    ]


def compare(year, label, before=None):
    """Check every bound and filter; returns the answer through Q2, and says how many pairs
    of it moved since `before` (so the awkward cases show they changed something)."""
    rows = every_verified(year)
    checked = 0
    for bound in BOUNDS:
        for filters in filter_cases(year):
            new = latest_verified(year, **bound, **filters)
            old = previous_read(year, **bound, **filters)
            assert new == old, (label, bound, filters, len(new), len(old))
            if not filters:
                assert new == by_hand(rows, **bound), (label, bound)
            checked += 1
    sizes = {str(bound): len(latest_verified(year, **bound)) for bound in BOUNDS[:4] + BOUNDS[-2:]}
    print(f"{label}: identical in {checked} reads (bounds x filters); pairs {sizes}")
    through_q2 = latest_verified(year, through_quarter=2)
    if before is not None:
        moved = sum(1 for key, found in before.items() if through_q2.get(key) != found)
        print(f"  through Q2: {moved} of {len(before)} pairs' latest verified entry changed")
    return through_q2


def make_awkward_cases(year, seed=14):
    """Edge cases on the built year, written row by row (the caller rolls them back)."""
    rng = random.Random(seed)
    periods = {p.iso_week: p for p in year.periods.all()}
    periods_with_ledgers = set(
        WeeklyLedger.objects.filter(period__year=year).values_list("period__iso_week", flat=True)
    )
    units = sorted(
        set(WeeklyLedger.objects.filter(period__year=year).values_list("unit_id", flat=True))
    )
    rng.shuffle(units)
    late, stopped, dropped, never = units[:30], units[30:60], units[60:80], units[80:90]

    entries = LedgerEntry.objects.filter(ledger__period__year=year)

    def drop(gone):
        # On-site checks keep their entry (PROTECT): they go first.
        Inspection.objects.filter(entry__in=gone).delete()
        gone.delete()

    # Handed in late: the week-8 entries deleted and typed again, so they carry the newest
    # ids while weeks 9.. stay; and nothing after week 19, so week 8 is not the latest.
    for unit_id in late:
        drop(entries.filter(ledger__unit_id=unit_id, ledger__period__iso_week__gte=20))
        week_8 = entries.filter(ledger__unit_id=unit_id, ledger__period=periods[8])
        again = list(
            week_8.values("ledger_id", "indicator_id", "value", "verified_value", "done_on")
        )
        drop(week_8)
        for entry in again:
            LedgerEntry.objects.create(review_status=VERIFIED, **entry)
    # Stopped reporting after week 12.
    for unit_id in stopped:
        drop(entries.filter(ledger__unit_id=unit_id, ledger__period__iso_week__gt=12))
    # One indicator dropped from the unit's tasks after week 5.
    for unit_id in dropped:
        indicator_id = (
            entries.filter(ledger__unit_id=unit_id).values_list("indicator_id", flat=True).first()
        )
        drop(
            entries.filter(
                ledger__unit_id=unit_id, indicator_id=indicator_id, ledger__period__iso_week__gt=5
            )
        )
    # Never verified: every entry of one pair back to pending.
    for unit_id in never:
        unit_entries = entries.filter(ledger__unit_id=unit_id)
        for entry in unit_entries.filter(indicator_id=unit_entries.first().indicator_id):
            entry.review_status = LedgerEntry.ReviewStatus.PENDING
            entry.verified_value = None
            entry.save()
    # The last weeks' figures sent back to pending or returned (a reopened review), and
    # verified entries with no figure.
    recent = list(
        LedgerEntry.objects.filter(
            ledger__period__year=year,
            ledger__period__iso_week__gte=max(periods_with_ledgers) - 3,
            review_status=VERIFIED,
        ).values_list("pk", flat=True)
    )
    for pk in rng.sample(recent, min(400, len(recent))):
        entry = LedgerEntry.objects.get(pk=pk)
        entry.review_status = rng.choice(
            [LedgerEntry.ReviewStatus.PENDING, LedgerEntry.ReviewStatus.RETURNED]
        )
        entry.verified_value = None
        entry.save()
    for pk in rng.sample(recent, min(200, len(recent))):
        entry = LedgerEntry.objects.get(pk=pk)
        if entry.review_status == VERIFIED:
            entry.verified_value = None
            entry.save()


def backend_cpu():
    """CPU seconds of this connection's PostgreSQL backend, if it runs on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return None
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in USER_HZ ticks


def timed(reads, year, bound, runs):
    """Per read: median wall, this process's CPU and the backend's CPU over `runs` calls. The
    reads take turns, so a burst of other load on the machine falls on all of them alike."""
    for read in reads.values():
        read(year, **bound)  # warm-up
    wall, cpu, server = (defaultdict(list) for _ in range(3))
    for _ in range(runs):
        for name, read in reads.items():
            server_started = backend_cpu()
            started, started_cpu = time.perf_counter(), time.process_time()
            read(year, **bound)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            if server_started is not None:
                server[name].append(backend_cpu() - server_started)
    for name in reads:
        shown = f"wall median {statistics.median(wall[name]) * 1000:.0f} ms"
        shown += f" (max {max(wall[name]) * 1000:.0f})"
        shown += f", CPU here {statistics.median(cpu[name]) * 1000:.0f} ms"
        if server[name]:
            shown += f", PostgreSQL CPU {statistics.median(server[name]) * 1000:.0f} ms"
        yield name, shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"scale {args.scale} {SCALES[args.scale]}, database {connection.vendor}, year {YEAR}")
    with time_machine.travel(AS_SEEN_ON, tick=True):
        started = time.perf_counter()
        county = build_county(**SCALES[args.scale])
        build_year(county=county, year=YEAR, weeks=None, now=AS_SEEN_ON)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would do soon after a bulk load
        print(f"demo year ready: {time.perf_counter() - started:.1f} s")
    year = AssessmentYear.objects.get(year=YEAR)
    print(f"{LedgerEntry.objects.filter(ledger__period__year=year).count():,} entries")
    for label, bound in (
        ("through Q2", {"through_quarter": 2}),
        ("through week 28", {"through_week": 28}),
        ("through Q4", {"through_quarter": 4}),
    ):
        reads = {"previous": previous_read, "latest_verified": latest_verified}
        for name, shown in timed(reads, year, bound, args.runs):
            print(f"{name} {label}: {shown}")
    as_built = compare(year, "as built")
    with transaction.atomic():
        with time_machine.travel(AS_SEEN_ON + timedelta(days=1), tick=True):
            make_awkward_cases(year)
        compare(year, "with the awkward cases", as_built)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
