"""Benchmark: load a year of ledgers, render the reviewers' and the office's pages, import a sheet.

Prints figures; docs/benchmarks.md records them with the machine and date. Run it against
PostgreSQL, on a database of its own that it fills with the demo builder (campaigns.demo):

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jiaozhang_bench' \\
        -c 'CREATE DATABASE jiaozhang_bench'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaozhang_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/ledger_year.py --scale county     # or --scale city

Scales (DESIGN §7): a county is 20 townships, 60 departments and 10 parks with the demo's ~60
indicators over the 52 weeks of ISO year 2025; a city is ten counties' worth (200 / 600 / 100
units). The year is built as seen from Friday 2026-01-02, so every week is over and the last
weeks' entries still wait in the reviewers' queue. Run each scale on a freshly created
database: on an existing one the builder skips the ledgers that are already there.
"""

import argparse
import importlib
import resource
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from common import SCALES
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from openpyxl import load_workbook

from accounts.demo import build_county, build_role_accounts
from accounts.models import RankingGroup, Unit, User
from accounts.roles import Role
from campaigns.demo import build_year
from campaigns.models import Campaign, Indicator, Target
from campaigns.services.ledger import open_ledger

YEAR = 2025
AS_SEEN_ON = datetime(2026, 1, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RENDERS = 5


def timed(label: str, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def render(client: Client, label: str, url: str) -> None:
    """Median of RENDERS renders after one warm-up, and the queries of one render."""
    response = client.get(url)  # warm-up: template loading, caches
    if response.status_code != 200:
        print(f"{label}: HTTP {response.status_code}, not measured")
        return
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.append(time.perf_counter() - started)
    size = len(response.content) / 1024
    print(
        f"{label}: median {statistics.median(times) * 1000:.0f} ms of {RENDERS} "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}), "
        f"{len(queries)} queries, {size:.0f} KiB"
    )


def ledger_import(year, county) -> None:
    """Download a 2,000-row ledger workbook, fill every row, and time its upload.

    A ledger of 2,000 rows needs a unit carrying 2,000 indicators: a bench-only unit and a
    fifth campaign 「导入基准」 are added for it, after the page timings above.
    """
    name = "campaigns.services.ledger_workbook"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise  # the module is there but something it imports is missing
        print("ledger import: not available yet")
        return
    rows = 2000
    lead = county.units_named("县发展和改革委员会")
    unit = Unit.objects.create(
        name="导入基准单位",
        short_name="导入基准",
        kind=Unit.Kind.PARK,
        group=county.groups["园区组"],
        sort_order=99999,
    )
    reporter = User.objects.create_user(username="bench-reporter", full_name="导入基准", unit=unit)
    reporter.groups.add(Group.objects.get(name=Role.REPORTER.group_name))
    campaign = Campaign.objects.create(year=year, name="导入基准", lead_unit=lead, sort_order=9)
    indicators = Indicator.objects.bulk_create(
        Indicator(
            campaign=campaign,
            name=f"基准指标{n:04d}",
            measure="亿元",
            direction="higher",
            points=Decimal(1),
            lead_unit=lead,
            sort_order=1000 + n,
        )
        for n in range(rows)
    )
    Target.objects.bulk_create(
        Target(indicator=i, unit=unit, annual_value=Decimal(100)) for i in indicators
    )
    period = year.periods.order_by("-iso_week").first()
    moment = period.deadline - timedelta(days=1)
    ledger = open_ledger(unit=unit, period=period)
    content = timed(
        f"ledger workbook download ({rows:,} rows)",
        module.ledger_workbook,
        ledger=ledger,
        now=moment,
    )
    workbook = load_workbook(BytesIO(content))
    sheet = workbook.worksheets[0]
    header = next(r for r in sheet.iter_rows(max_row=10) if any(c.value == "指标编号" for c in r))
    columns = {cell.value: cell.column for cell in header}
    filled = 0
    for (cell,) in sheet.iter_rows(min_row=header[0].row + 1, max_col=1):
        if isinstance(cell.value, int):
            sheet.cell(row=cell.row, column=columns["本周累计"]).value = 6 + filled % 7 / 4
            filled += 1
    buffer = BytesIO()
    workbook.save(buffer)
    result = timed(
        f"ledger import ({filled:,} rows)",
        module.import_ledger_workbook,
        ledger=ledger,
        file=buffer.getvalue(),
        user=reporter,
        now=moment,
    )
    print(f"  changed {result.changed:,}, unchanged {result.unchanged:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    args = parser.parse_args()
    setup_test_environment()  # lets the test Client in (ALLOWED_HOSTS) without a server

    vendor = connection.vendor
    print(f"scale {args.scale} {SCALES[args.scale]}, database {vendor}, year {YEAR}")
    county = timed("units and groups", build_county, **SCALES[args.scale])
    build_role_accounts(password="bench-pass-2025")
    started = time.perf_counter()
    year = build_year(county=county, year=YEAR, weeks=None, now=AS_SEEN_ON)
    seconds = time.perf_counter() - started
    print(
        f"load a year of ledgers: {seconds:.1f} s — {year.indicators} indicators, "
        f"{year.targets} targets, {year.ledgers_created:,} ledgers, "
        f"{year.entries_created:,} entries ({year.entries_created / seconds:,.0f} entries/s)"
    )
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ANALYZE")  # what autovacuum would do soon after a bulk load

    client = Client()
    client.force_login(User.objects.get(username="reviewer"))
    render(client, "reviewer queue (县发改委, pending)", reverse("review-queue"))
    render(client, "reviewer queue (all statuses)", reverse("review-queue") + "?status=all")
    client.force_login(User.objects.get(username="office"))
    render(client, "completeness matrix (all groups)", reverse("completeness"))
    townships = RankingGroup.objects.get(name="乡镇组")
    render(
        client,
        "completeness matrix (乡镇组)",
        reverse("completeness") + f"?group={townships.pk}",
    )
    ledger_import(year.year, county)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
