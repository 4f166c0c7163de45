"""Benchmark: the weekly briefing (周通报) — generating it, its pages, its PDF and workbook.

Prints figures; docs/benchmarks.md records them with the machine and date. Run it against
PostgreSQL, on a database of its own that it fills with the demo builder (campaigns.demo):

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jiaozhang_bench_briefing' \\
        -c 'CREATE DATABASE jiaozhang_bench_briefing'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaozhang_bench_briefing
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/briefing.py --scale county      # or --scale city

Scales as in bench/ledger_year.py (DESIGN §7). The year is ISO 2025 with all 52 weeks of
ledgers as seen from Friday 2026-01-02; the briefing is week 52's (22–28 December, the year's
whole history of verified entries behind it), generated as on Monday 29 December 07:30 (what
the beat does). Generation is timed through `generate_briefing` (a draft refreshed each run:
the facts are read again every time); pages with Django's test Client (`force_login`); the PDF
and the workbook through the registry (`get_export(...).render`). One warm-up, then the median
of three runs.
"""

import argparse
import json
import resource
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from common import SCALES
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse

from accounts.demo import build_county, build_role_accounts
from accounts.models import User
from campaigns.demo import build_year
from scoring.models import WeeklyBriefing
from scoring.reports.registry import get_export
from scoring.services.briefings import generate_briefing

YEAR = 2025
AS_SEEN_ON = datetime(2026, 1, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MONDAY = datetime(2025, 12, 29, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
RUNS = 3


def timed(function, runs=RUNS):
    """Median wall-clock and CPU seconds of `runs` calls after a warm-up, and the last result."""
    function()
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    timed.cpu = statistics.median(cpu)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    args = parser.parse_args()
    print(f"scale {args.scale} {SCALES[args.scale]}, database {connection.vendor}, year {YEAR}")
    started = time.perf_counter()
    county = build_county(**SCALES[args.scale])
    build_role_accounts(password="bench-pass-2025")
    year = build_year(county=county, year=YEAR, weeks=52, now=AS_SEEN_ON)
    print(
        f"demo year: {time.perf_counter() - started:.1f} s — {len(county.units)} units, "
        f"{year.targets:,} targets, {year.ledgers:,} ledgers, {year.entries:,} entries"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    period = year.year.periods.get(iso_week=52)
    WeeklyBriefing.objects.filter(period=period).delete()  # a re-run measures from scratch
    seconds, briefing = timed(lambda: generate_briefing(period=period, now=MONDAY))
    with CaptureQueriesContext(connection) as queries:
        generate_briefing(period=period, now=MONDAY)
    facts = briefing.facts
    behind = sum(len(c["behind"]) for c in facts["campaigns"])
    items = sum(c["behind_items"] for c in facts["campaigns"])
    blocked = sum(len(c["blocked"]["items"]) for c in facts["campaigns"])
    size = len(json.dumps(facts, ensure_ascii=False).encode())
    print(
        f"generate week 52: {seconds * 1000:,.0f} ms (CPU {timed.cpu * 1000:,.0f} ms), "
        f"{len(queries)} queries; facts {size / 2**10:,.0f} KiB — {behind} unit rows behind "
        f"({items} items), {blocked} problems, {len(facts['overdue'])} overdue follow-ups, "
        f"body {len(briefing.body):,} characters"
    )

    setup_test_environment()
    client = Client()
    office = User.objects.get(username="office")
    reporter = User.objects.filter(unit__isnull=False, groups__name="填报员").first()
    client.force_login(office)
    for label, url in (
        ("detail page (office, draft)", reverse("briefing-detail", args=[briefing.pk])),
        ("list page (office)", reverse("briefing-list")),
    ):
        seconds, response = timed(lambda u=url: client.get(u))
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"{label}: {seconds * 1000:,.0f} ms (CPU {timed.cpu * 1000:,.0f} ms), "
            f"{len(queries)} queries, {len(response.content) / 2**10:,.0f} KiB, "
            f"status {response.status_code}"
        )
    from scoring.services.briefings import issue_briefing

    issue_briefing(briefing=briefing, user=office, now=MONDAY)
    client.force_login(reporter)
    url = reverse("briefing-detail", args=[briefing.pk])
    seconds, response = timed(lambda: client.get(url))
    print(
        f"detail page (reporter, issued): {seconds * 1000:,.0f} ms, status {response.status_code}"
    )
    for identifier in ("weekly_briefing", "weekly_briefing_xlsx"):
        export = get_export(identifier)
        params = {"briefing_id": briefing.pk}
        seconds, (filename, _type, content) = timed(lambda e=export, p=params: e.render(p))
        print(
            f"{identifier}: {seconds * 1000:,.0f} ms (CPU {timed.cpu * 1000:,.0f} ms), "
            f"{len(content) / 2**10:,.0f} KiB — {filename}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
