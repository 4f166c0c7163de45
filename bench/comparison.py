"""Benchmark: the comparison view (前后比 / 左右比) and the weak items at county and city scale.

Prints figures; docs/benchmarks.md records them with the machine and date. Run it against
PostgreSQL, on a database of its own that it fills with the demo builder (campaigns.demo):

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jz_b_bench_county' \\
        -c 'CREATE DATABASE jz_b_bench_county'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_b_bench_county
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/comparison.py --scale county     # or --scale city

Scales as in bench/ledger_year.py (DESIGN §7). The year is ISO 2025 as seen from Wednesday
2025-07-16 (week 29): 28 weeks of ledgers, almost all verified, the half-year past — so the
weak-items list also reads every target against its half-year target. Each page is fetched
through the test client as its user (one warm-up, then the median of five timed requests, with
the query count); `half_year_weak_items` (the automatic drafts' input, every unit) is timed as a
function. On a database that already holds the year the builder adds nothing, so the script can
be re-run for the timings alone.
"""

import argparse
import statistics
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from common import SCALES
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

from accounts.demo import build_county, build_role_accounts
from accounts.models import User
from campaigns.demo import build_year
from campaigns.weak_items import half_year_weak_items

YEAR = 2025
AS_SEEN_ON = datetime(2025, 7, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RUNS = 5


def timed(call):
    call()  # warm-up
    times, counts, result = [], [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = call()
        times.append(time.perf_counter() - started)
        counts.append(len(queries))
    return statistics.median(times), min(times), max(times), counts[-1], result


def page(client, url):
    def fetch():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return fetch


def export(identifier, year):
    return reverse("results-export", args=[identifier]) + f"?year_id={year.pk}&scope=all"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    args = parser.parse_args()
    print(f"scale {args.scale} {SCALES[args.scale]}, database {connection.vendor}, year {YEAR}")
    started = time.perf_counter()
    with time_machine.travel(AS_SEEN_ON, tick=True):
        county = build_county(**SCALES[args.scale])
        build_role_accounts(password="bench-pass-2025")
        demo = build_year(county=county, year=YEAR, weeks=None, now=AS_SEEN_ON)
        print(
            f"demo year: {time.perf_counter() - started:.1f} s — {len(county.units)} units, "
            f"{demo.targets:,} targets, {demo.entries:,} entries"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        setup_test_environment()
        office = User.objects.get(username="office")
        cases = []
        for username in ("office", "reviewer", "reporter"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            cases += [
                (f"comparison (first indicator, all units) as {username}", client,
                 reverse("comparison")),
                (f"weak items (week 29) as {username}", client, reverse("weak-items")),
            ]  # fmt: skip
        client = Client()
        client.force_login(office)
        unit = User.objects.get(username="reporter").unit
        cases += [
            ("comparison (one unit's indicators) as office", client,
             reverse("comparison") + f"?unit={unit.pk}"),
            ("comparison Excel as office", client, export("comparison_xlsx", demo.year)),
            ("weak items Excel as office", client, export("weak_items_xlsx", demo.year)),
        ]  # fmt: skip
        for label, client, url in cases:
            median, low, high, queries, response = timed(page(client, url))
            rows = response.content.count(b"<tr data-testid=")
            print(
                f"{label}: median {median * 1000:.0f} ms of {RUNS} (min {low * 1000:.0f}, "
                f"max {high * 1000:.0f}), {queries} queries, {len(response.content) / 1024:.0f} KiB"
                + (f", {rows} rows" if rows else "")
            )
        median, low, high, queries, items = timed(
            lambda: half_year_weak_items(demo.year, as_of=date(2025, 7, 16))
        )
        print(
            f"half_year_weak_items (every unit): median {median * 1000:.0f} ms of {RUNS} "
            f"(min {low * 1000:.0f}, max {high * 1000:.0f}), {queries} queries, "
            f"{len(items)} items under half"
        )


if __name__ == "__main__":
    main()
