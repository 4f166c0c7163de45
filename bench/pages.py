"""Benchmark: the pages issue 14 measured short at city scale, and rule 1's latest verified read.

Builds (or reuses) the same year as bench/dashboards.py — run on a database of its own:

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jz_bench_pages' \\
        -c 'CREATE DATABASE jz_bench_pages'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_bench_pages
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/pages.py --scale city      # or --scale county

Each page is fetched through the test client as its user: one warm-up, then the median and the
largest of `--runs` timed requests (wall and this process's CPU time: on a shared 2-core machine
the wall time swings with other load, the CPU time much less), the query count and the size.
Pages: the completeness matrix (default group, and 全部), the reviewer queue (pending, and all
statuses), the results and evaluation pages of Q2, the register lists and the 全部 分包 view.
Then `latest_verified` (campaigns/verified_figures.py) through Q2 and through the last week.
`--only TEXT` (repeatable) times only the pages whose URL contains TEXT, e.g.
`--only contracted --only status=all`; `--only latest_verified` for that read.
"""

import argparse
import statistics
import time

import time_machine
from common import SCALES
from dashboards import AS_SEEN_ON, YEAR, follow_ups, publish
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

from accounts.demo import build_county, build_role_accounts
from accounts.models import Unit, User
from campaigns.demo import build_year
from campaigns.models import AssessmentYear
from campaigns.verified_figures import latest_verified
from scoring.models import QuarterlyEvaluation


def timed(function, runs):
    function()  # warm-up
    wall, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), max(wall), statistics.median(cpu), result


def page(client, url, runs):
    def get():
        # The log holds the last 9,000 queries: full after a first build, it would count none.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(queries), len(response.content)

    median, worst, cpu, (queries, size) = timed(get, runs)
    print(
        f"{url}: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms, "
        f"CPU {cpu * 1000:.0f} ms, {queries} queries, {size / 1024:.0f} KiB"
    )


def chosen(only: list[str] | None, name: str) -> bool:
    return not only or any(text in name for text in only)


def build(scale):
    county = build_county(**SCALES[scale])
    build_role_accounts(password="bench-pass-2025")
    demo = build_year(county=county, year=YEAR, weeks=None, now=AS_SEEN_ON)
    office = User.objects.get(username="office")
    for quarter in (1, 2):
        publish(demo.year, quarter, office)
    units = [unit for unit in county.units if unit.active]
    follow_ups(demo.year, units, Unit.objects.get(name="县委办公室"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="time only the pages whose URL contains TEXT (repeatable; `latest_verified` for "
        "rule 1's read); default: everything",
    )
    args = parser.parse_args()
    print(f"scale {args.scale} {SCALES[args.scale]}, database {connection.vendor}, year {YEAR}")
    with time_machine.travel(AS_SEEN_ON, tick=True):
        started = time.perf_counter()
        build(args.scale)
        print(f"demo year ready: {time.perf_counter() - started:.1f} s")
        setup_test_environment()
        evaluation = QuarterlyEvaluation.objects.get(year__year=YEAR, quarter=2)
        pages = {
            "office": [
                reverse("completeness"),
                reverse("completeness") + "?group=all",
                reverse("evaluation-detail", args=[evaluation.pk]),
                reverse("register-projects"),
                reverse("register-signed"),
                reverse("register-villages"),
                reverse("register-contracted") + "?leader=all",
            ],
            "leader": [reverse("results-detail", args=[evaluation.pk])],
            "reviewer": [reverse("review-queue"), reverse("review-queue") + "?status=all"],
        }
        for username, urls in pages.items():
            urls = [url for url in urls if chosen(args.only, url)]
            if not urls:
                continue
            client = Client()
            client.force_login(User.objects.get(username=username))
            print(f"-- as {username}")
            for url in urls:
                page(client, url, args.runs)
        if not chosen(args.only, "latest_verified"):
            return
        year = AssessmentYear.objects.get(year=YEAR)
        bounds = {"through Q2": {"through_quarter": 2}, "through week 28": {"through_week": 28}}
        for label, bound in bounds.items():
            median, worst, _cpu, found = timed(lambda b=bound: latest_verified(year, **b), 3)
            print(
                f"latest_verified {label}: median {median * 1000:.0f} ms, "
                f"max {worst * 1000:.0f} ms, {len(found):,} pairs"
            )


if __name__ == "__main__":
    main()
