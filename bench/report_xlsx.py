"""Benchmark: the Excel exports (ranking, indicator detail, completeness) and the results page.

Prints figures; docs/benchmarks.md records them with the machine and date. Run it against
PostgreSQL, on a database of its own that it fills with the demo builder (campaigns.demo):

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jiaozhang_bench_xlsx' \\
        -c 'CREATE DATABASE jiaozhang_bench_xlsx'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaozhang_bench_xlsx
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/report_xlsx.py --scale city      # or --scale county

Scales as in bench/ledger_year.py (DESIGN §7); each export's line also gives its time per 10k
rows (issue 14's aim for the indicator detail: under 1 s of CPU). bench/xlsx_writer.py measures
the same write path on 10k synthetic rows, without a database. The year is ISO 2025 as seen
from Friday 2025-04-04: the thirteen weeks of Q1 are over, their ledgers handed in and mostly
verified, and Q1 is computed once (`compute_quarter`). At city scale the quarter's indicator
detail is ~12k rows (one per unit and indicator it carries): the "10,000-row export" of issue
6. Each export is rendered through the registry (`get_export(identifier).render(params)`, what
the download view and the report jobs call): one warm-up, then the median of three timed
renders; peak memory is measured on a separate render under tracemalloc (Python allocations),
and the process's peak RSS is printed at the end. On a database that already holds the year the
builder adds nothing, so the script can be re-run for the timings alone.
"""

import argparse
import gc
import resource
import statistics
import time
import tracemalloc
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from common import SCALES
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from openpyxl import load_workbook

from accounts.demo import build_county, build_role_accounts
from accounts.models import User
from campaigns.demo import build_year
from scoring.models import IndicatorScore, QuarterlyEvaluation
from scoring.reports.registry import get_export
from scoring.services.evaluations import compute_quarter, open_evaluation

YEAR = 2025
AS_SEEN_ON = datetime(2025, 4, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RUNS = 3


def timed(function, runs=RUNS):
    """Median wall-clock and CPU seconds of `runs` calls after a warm-up, and the last result.

    CPU time is printed beside wall time: on a shared 2-vCPU machine the wall time of a
    single-threaded render swings with other load, its CPU time much less."""
    function()  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    timed.cpu = statistics.median(cpu)
    return statistics.median(times), result


def peak_mib(function) -> float:
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="city")
    args = parser.parse_args()

    print(f"scale {args.scale} {SCALES[args.scale]}, database {connection.vendor}, year {YEAR}")
    started = time.perf_counter()
    county = build_county(**SCALES[args.scale])
    build_role_accounts(password="bench-pass-2025")
    year = build_year(county=county, year=YEAR, weeks=13, now=AS_SEEN_ON)
    print(
        f"demo year: {time.perf_counter() - started:.1f} s — {len(county.units)} units, "
        f"{year.targets:,} targets, {year.ledgers:,} ledgers, {year.entries:,} entries"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    office = User.objects.get(username="office")
    evaluation = open_evaluation(year=year.year, quarter=1)
    if evaluation.current_version_id is None:
        started = time.perf_counter()
        compute_quarter(
            evaluation=evaluation, user=office, confirm_open_periods=True, now=AS_SEEN_ON
        )
        print(f"compute Q1: {time.perf_counter() - started:.1f} s")
    evaluation = QuarterlyEvaluation.objects.get(pk=evaluation.pk)
    items = IndicatorScore.objects.filter(unit_score__version=evaluation.current_version).count()
    print(f"Q1 version {evaluation.current_version_id}: {items:,} indicator scores")

    # A web worker renders with a small heap; here the builder's objects are still alive, and
    # the garbage collector's full passes over them would be timed with the export. Freeze them.
    gc.collect()
    gc.freeze()
    cases = [
        ("ranking_xlsx", {"evaluation_id": evaluation.pk}, "考评排名, every group"),
        ("indicator_detail_xlsx", {"evaluation_id": evaluation.pk}, "指标得分明细, every unit"),
        ("completeness_xlsx", {"year_id": year.year.pk}, "周帐完成情况, every unit"),
    ]
    for identifier, params, label in cases:
        export = get_export(identifier)
        seconds, (filename, _type, content) = timed(lambda e=export, p=params: e.render(p))
        memory = peak_mib(lambda e=export, p=params: e.render(p))
        book = load_workbook(BytesIO(content), read_only=True)
        rows = sum(sum(1 for _ in sheet.iter_rows()) - 1 for sheet in book.worksheets)
        per_10k = 10_000 / max(rows, 1)
        print(
            f"{identifier} ({label}): {seconds * 1000:,.0f} ms (CPU {timed.cpu * 1000:,.0f} ms), "
            f"{rows:,} rows in "
            f"{len(book.sheetnames)} sheet(s) — per 10k rows {seconds * per_10k:.2f} s "
            f"(CPU {timed.cpu * per_10k:.2f} s), {len(content) / 2**10:,.0f} KiB, "
            f"peak {memory:.1f} MiB allocated — {filename}"
        )
        book.close()

    # The results page for the office (the computed quarter) and its query count.
    setup_test_environment()
    client = Client()
    client.force_login(office)
    url = reverse("results-detail", args=[evaluation.pk])
    seconds, response = timed(lambda: client.get(url))
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(
        f"results page (office, all groups): {seconds * 1000:,.0f} ms "
        f"(CPU {timed.cpu * 1000:,.0f} ms), {len(queries)} queries, "
        f"{len(response.content) / 2**10:,.0f} KiB, status {response.status_code}"
    )
    export_url = reverse("results-export", args=["indicator_detail_xlsx"])
    seconds, response = timed(lambda: client.get(export_url, {"evaluation_id": evaluation.pk}))
    print(
        f"download view, indicator detail: {seconds * 1000:,.0f} ms "
        f"(CPU {timed.cpu * 1000:,.0f} ms), status {response.status_code}"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
