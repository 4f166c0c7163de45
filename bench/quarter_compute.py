"""Benchmark: compute one quarter end to end (load, score, store) for a county or a city.

Prints figures; docs/benchmarks.md records them with the machine and date. Run it against
PostgreSQL, on a database of its own that it fills with the demo builder (campaigns.demo):

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jiaozhang_bench2' \\
        -c 'CREATE DATABASE jiaozhang_bench2'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaozhang_bench2
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/quarter_compute.py --scale county     # or --scale city

Scales as in bench/ledger_year.py (DESIGN §7): a county is 20 townships, 60 departments and
10 parks; a city is ten counties' worth (200 / 600 / 100 units) in one assessment year. The
year is ISO 2025 as seen from Friday 2026-01-02: every week is over and almost every entry is
verified (the last weeks' still wait in the reviewers' queue, as in real life). The quarter
timed is Q4, the one that reads the most (rule 1 looks back over every verified entry of the
year). Each run is `compute_quarter` in full, so it stores a new version each time; the first
run is a warm-up and is not counted. On a database that already holds the scale's year the
builder adds nothing, so the script can be re-run for the timings alone.
"""

import argparse
import resource
import statistics
import time
import tracemalloc
from datetime import datetime
from zoneinfo import ZoneInfo

from common import SCALES
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from accounts.demo import build_county, build_role_accounts
from accounts.models import User
from campaigns.demo import build_year
from scoring.models import IndicatorScore, UnitScore
from scoring.services.evaluations import compute_quarter, open_evaluation

YEAR = 2025
QUARTER = 4
AS_SEEN_ON = datetime(2026, 1, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RUNS = 3


def compute(evaluation, office):
    return compute_quarter(
        evaluation=evaluation,
        user=office,
        reason="基准测试",
        confirm_open_periods=True,
        now=AS_SEEN_ON,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    parser.add_argument("--profile", action="store_true", help="cProfile one run, top 25")
    args = parser.parse_args()

    print(f"scale {args.scale} {SCALES[args.scale]}, database {connection.vendor}, year {YEAR}")
    started = time.perf_counter()
    county = build_county(**SCALES[args.scale])
    build_role_accounts(password="bench-pass-2025")
    year = build_year(county=county, year=YEAR, weeks=None, now=AS_SEEN_ON)
    print(
        f"demo year: {time.perf_counter() - started:.1f} s — {len(county.units)} units, "
        f"{year.targets:,} targets, {year.ledgers:,} ledgers, {year.entries:,} entries"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would do soon after a bulk load

    office = User.objects.get(username="office")
    evaluation = open_evaluation(year=year.year, quarter=QUARTER)
    compute(evaluation, office)  # warm-up: imports, query plans, connection

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(compute, evaluation, office)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    times, counts = [], []
    for _ in range(RUNS):
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            version = compute(evaluation, office)
        times.append(time.perf_counter() - started)
        counts.append(len(queries))
    units = UnitScore.objects.filter(version=version).count()
    items = IndicatorScore.objects.filter(unit_score__version=version).count()
    print(
        f"compute Q{QUARTER} (load + score + store): "
        f"median {statistics.median(times) * 1000:.0f} ms of {RUNS} "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}), "
        f"{counts[-1]} queries, {units} unit scores, {items:,} indicator scores"
    )
    by_kind: dict[str, int] = {}
    for query in queries.captured_queries:
        kind = query["sql"].split(None, 1)[0].upper()
        by_kind[kind] = by_kind.get(kind, 0) + 1
    print("  queries by statement: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())))

    tracemalloc.start()
    compute(evaluation, office)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"memory: {peak / 2**20:.1f} MiB allocated at peak by one compute; "
        f"process peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
