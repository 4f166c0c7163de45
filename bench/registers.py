"""Benchmark: derivation of the register-derived entries and the register pages (issue 13).

Run against PostgreSQL on a database of its own, freshly created (see bench/ledger_year.py):

    .venv/bin/python bench/registers.py --scale county     # or --scale city

Builds the demo year (campaigns.demo, registers included: its derived entries are filled in
bulk) as seen from 2026-01-02, then times the service derive_ledger over all ledgers of one week
and over the whole year (`--sample 20`: every 20th ledger, extrapolated — for the city), and
renders the register pages by URL name (skipped with a message when a name does not resolve
yet). A register page a role may not open is reported as its HTTP status.
"""

import argparse
import logging
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from common import SCALES
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import NoReverseMatch, reverse

from accounts.demo import build_county, build_role_accounts
from accounts.models import User
from campaigns.demo import build_year
from campaigns.models import Indicator, WeeklyLedger
from campaigns.services.registers.derive import derive_ledger

YEAR = 2025
AS_SEEN_ON = datetime(2026, 1, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RENDERS = 5
PAGES = ["register-projects", "register-villages", "register-contracted"]


def timed(label, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def derive_all(ledgers) -> int:
    for ledger in ledgers:
        derive_ledger(ledger)
    return len(ledgers)


def render(client, name):
    try:
        url = reverse(name)
    except NoReverseMatch:
        print(f"{name}: URL name does not resolve yet, skipped")
        return
    response = client.get(url)
    if response.status_code != 200:
        print(f"{name}: HTTP {response.status_code}, not measured")
        return
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        times.append(time.perf_counter() - started)
    print(
        f"{name}: median {statistics.median(times) * 1000:.0f} ms of {RENDERS}, "
        f"{len(queries)} queries"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default="county")
    parser.add_argument(
        "--sample", type=int, default=1,
        help="derive every Nth ledger of the year and extrapolate (a city year takes long)",
    )  # fmt: skip
    args = parser.parse_args()
    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the expected 403s
    county = timed("county", build_county, **SCALES[args.scale])
    build_role_accounts(password="bench-pass-1")
    year = timed("year with registers", build_year, county=county, year=YEAR, weeks=None,
                 now=AS_SEEN_ON)  # fmt: skip
    print(year.registers)
    derived = WeeklyLedger.objects.filter(
        period__year=year.year, entries__indicator__source__in=Indicator.Source.values[1:]
    ).distinct()
    week = list(derived.filter(period__iso_week=30).select_related("period"))
    timed(f"derive_ledger, one week ({len(week)} ledgers)", derive_all, week)
    every = list(derived.select_related("period").order_by("pk"))
    sample = every[:: args.sample]
    started = time.perf_counter()
    derive_all(sample)
    seconds = time.perf_counter() - started
    print(
        f"derive_ledger, the year ({len(every)} ledgers; {len(sample)} derived): "
        f"{seconds:.2f} s, {seconds / len(sample) * 1000:.1f} ms a ledger"
        + (f", {seconds * len(every) / len(sample):.0f} s extrapolated" if args.sample > 1 else "")
    )
    for username in ("office", "leader", "reviewer"):  # reviewer: not the 分包 view (403)
        client = Client()
        client.force_login(User.objects.get(username=username))
        print(f"-- as {username}")
        for name in PAGES:
            render(client, name)


if __name__ == "__main__":
    main()
