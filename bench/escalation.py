"""Benchmark: the follow-up escalation run (黄牌 / 红牌 / 绩误档案) for a county or a city.

Prints figures; docs/benchmarks.md records them. Run against PostgreSQL on a database of its
own (the script adds a 2026 year and its follow-ups; re-running adds nothing new):

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jz_c_bench' \\
        -c 'CREATE DATABASE jz_c_bench'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_c_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/escalation.py --scale county     # or --scale city

Every unit holds FOLLOW_UPS_PER_UNIT sent follow-ups (待签收), one reporter and one head, all
due Fri 13 Feb 2026: the run on Sat 14 Feb (a 调休 working day) gives every one its 黄牌 and
file entry; a second run that morning finds nothing to do; the run on Sat 28 Feb gives the
红牌s. Each escalated follow-up is its own transaction (row lock, event, file entry,
notifications to the unit's people and the issuer), so the first and third runs grow with the
number of overdue follow-ups; the idempotent re-run must stay a couple of queries.
"""

import argparse
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from common import SCALES
from django.contrib.auth.models import Group
from django.db import connection

from accounts.demo import build_county
from accounts.models import User
from accounts.roles import Role
from campaigns.models import AssessmentYear, FollowUp
from campaigns.services.years import generate_periods
from scoring.models import FileEntry
from scoring.services.escalation import escalate_overdue_follow_ups

FOLLOW_UPS_PER_UNIT = 2
SHANGHAI = ZoneInfo("Asia/Shanghai")


def build(scale: str):
    county = build_county(**SCALES[scale])
    year, _ = AssessmentYear.objects.get_or_create(year=2026, defaults={"status": "active"})
    generate_periods(year=year, now=datetime(2025, 12, 1, 9, tzinfo=SHANGHAI))
    office_unit = county.units[-1]
    groups = {role: Group.objects.get(name=role.group_name) for role in Role}
    for unit in county.units:
        for role in (Role.REPORTER, Role.UNIT_HEAD):
            name = f"b{unit.pk}{role.value[:3]}"
            user, created = User.objects.get_or_create(
                username=name, defaults={"full_name": name, "unit": unit}
            )
            if created:
                user.groups.add(groups[role])
    issuer, created = User.objects.get_or_create(
        username="bench-office", defaults={"full_name": "督查室", "unit": office_unit}
    )
    if created:
        issuer.groups.add(groups[Role.OFFICE])
    if not FollowUp.objects.filter(year=year).exists():
        issued = datetime(2026, 2, 2, 9, tzinfo=SHANGHAI)
        rows = [
            FollowUp(
                year=year,
                number=n + 1,
                status=FollowUp.Status.ISSUED,
                issuer_unit=office_unit,
                unit=unit,
                title=f"第{k + 1}项工作滞后",
                problem="进度滞后",
                requirement="限期整改",
                due_on=date(2026, 2, 13),
                issued_by=issuer,
                issued_at=issued,
            )
            for n, (unit, k) in enumerate(
                (u, k) for u in county.units for k in range(FOLLOW_UPS_PER_UNIT)
            )
        ]
        FollowUp.objects.bulk_create(rows, batch_size=1000)
    return county


def timed(label: str, moment: datetime) -> None:
    queries = []  # counted, not logged: Django's query log keeps only the last 9,000

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        summary = escalate_overdue_follow_ups(now=moment)
    elapsed = time.perf_counter() - started
    steps = len(summary.yellow) + len(summary.red)
    per = (
        f", {elapsed / steps * 1000:.1f} ms and {len(queries) / steps:.1f} queries a card"
        if steps
        else ""
    )
    print(
        f"{label}: {elapsed * 1000:.0f} ms, {len(queries)} queries, "
        f"{len(summary.yellow)} 黄牌, {len(summary.red)} 红牌{per}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    parser.add_argument("--profile", action="store_true", help="cProfile the 黄牌 run, top 30")
    args = parser.parse_args()
    county = build(args.scale)
    if args.profile:
        import cProfile
        import pstats

        moment = datetime(2026, 2, 14, 8, 30, tzinfo=SHANGHAI)
        profiler = cProfile.Profile()
        profiler.runcall(escalate_overdue_follow_ups, now=moment)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    overdue = FollowUp.objects.filter(status=FollowUp.Status.ISSUED, card="").count()
    print(
        f"scale {args.scale}: {len(county.units)} units, {overdue} overdue follow-ups, no card yet"
    )
    timed("run Sat 14 Feb 08:30 (黄牌)", datetime(2026, 2, 14, 8, 30, tzinfo=SHANGHAI))
    timed("re-run Sat 14 Feb 09:30 (idempotent)", datetime(2026, 2, 14, 9, 30, tzinfo=SHANGHAI))
    timed("run Sun 22 Feb (rest day)", datetime(2026, 2, 22, 8, 30, tzinfo=SHANGHAI))
    timed("run Sat 28 Feb 08:30 (红牌)", datetime(2026, 2, 28, 8, 30, tzinfo=SHANGHAI))
    timed("re-run Sat 28 Feb 09:30 (idempotent)", datetime(2026, 2, 28, 9, 30, tzinfo=SHANGHAI))
    print(f"file entries: {FileEntry.objects.filter(source='follow_up').count()}")


if __name__ == "__main__":
    main()
