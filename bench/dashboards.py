"""Benchmark: the leader dashboard and the office dashboard at county and city scale.

Prints figures; docs/benchmarks.md records them with the machine and date. Run it against
PostgreSQL, on a database of its own that it fills with the demo builder (campaigns.demo):

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jz_d_bench_dash' \\
        -c 'CREATE DATABASE jz_d_bench_dash'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_d_bench_dash
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/dashboards.py --scale county     # or --scale city

Scales as in bench/ledger_year.py (DESIGN §7). The year is ISO 2025 as seen from Wednesday
2025-07-16: 28 weeks of ledgers, Q1 and Q2 computed and published (so the 后进 flag and the
leader's ranks have a quarter), the half-year past (the 半年任务未过半 flag reads every target),
one open follow-up per unit with every third one carded (the flags, the office's tables), and
the demo leader linked to the county's townships (20 at county, 200 at city scale). Each
page is fetched through the test client as its user: one warm-up, then the median of five
timed requests, with the query count. On a database that already holds the year the builder
adds nothing, so the script can be re-run for the timings alone.
"""

import argparse
import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from common import SCALES
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

from accounts.demo import build_county, build_role_accounts
from accounts.models import Unit, User
from campaigns.demo import build_year
from campaigns.models import FollowUp
from scoring.models import QuarterlyEvaluation
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)

YEAR = 2025
AS_SEEN_ON = datetime(2025, 7, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RUNS = 5


def publish(year, quarter, office):
    evaluation = open_evaluation(year=year, quarter=quarter)
    if evaluation.status == QuarterlyEvaluation.Status.PUBLISHED:
        return
    at = (
        AS_SEEN_ON - timedelta(days=10)
        if quarter == 2
        else datetime(2025, 4, 10, tzinfo=AS_SEEN_ON.tzinfo)
    )
    compute_quarter(evaluation=evaluation, user=office, confirm_open_periods=True, now=at)
    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation, user=office, now=evaluation.appeal_deadline + timedelta(minutes=1)
    )
    publish_quarter(evaluation=evaluation, user=office, document_number=f"〔{YEAR}〕{quarter}号")


def follow_ups(year, units, issuer):
    # Publication may have drafted 责令检讨 follow-ups already; the bench's own are numbered
    # from 1001, out of the way of any the services number.
    if FollowUp.objects.filter(year=year, number__gt=1000).exists():
        return
    cards = ["", "", "yellow", "", "", "red"]
    FollowUp.objects.bulk_create(
        FollowUp(
            year=year,
            number=1000 + n,
            status=FollowUp.Status.ACKNOWLEDGED if n % 2 else FollowUp.Status.ISSUED,
            issuer_unit=issuer,
            unit=unit,
            title="重点项目开工滞后",
            problem="开工率低于序时进度",
            requirement="制定整改方案并按期反馈",
            due_on=date(2025, 7, 10) + timedelta(days=n % 14),
            card=cards[n % len(cards)],
        )
        for n, unit in enumerate(units, start=1)
    )


def timed(client, url):
    client.get(url)  # warm-up
    times, counts, size = [], [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append(time.perf_counter() - started)
        counts.append(len(queries))
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    return statistics.median(times), min(times), max(times), counts[-1], size


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
        office = User.objects.get(username="office")
        for quarter in (1, 2):
            publish(demo.year, quarter, office)
        units = [unit for unit in county.units if unit.active]
        follow_ups(demo.year, units, Unit.objects.get(name="县委办公室"))
        leader = User.objects.get(username="leader")
        leader.contact_units.set([u for u in units if u.kind == Unit.Kind.TOWNSHIP])
        print(
            f"demo year: {time.perf_counter() - started:.1f} s — {len(units)} units, "
            f"{demo.targets:,} targets, {demo.entries:,} entries"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        setup_test_environment()
        for user, name in ((leader, "dashboard-leader"), (office, "dashboard-office")):
            client = Client()
            client.force_login(user)
            median, low, high, queries, size = timed(client, reverse(name))
            print(
                f"{name} as {user.username}: median {median * 1000:.0f} ms of {RUNS} "
                f"(min {low * 1000:.0f}, max {high * 1000:.0f}), {queries} queries, "
                f"{size / 1024:.0f} KiB"
            )


if __name__ == "__main__":
    main()
