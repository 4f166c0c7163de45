"""Benchmark: the 督查督办 pages — the follow-up list, a long thread, the 交办 form, sending one.

Prints figures; docs/benchmarks.md records them with the machine and date. Run it against
PostgreSQL, on a database of its own:

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS jz_a_bench' \\
        -c 'CREATE DATABASE jz_a_bench'
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jz_a_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/follow_ups.py --scale county      # or --scale city

Scales as in bench/ledger_year.py (DESIGN §7). Every unit carries `--per-unit` follow-ups
(default 5, a busy year: 450 at county scale, 4,500 at city), rows written directly in every
state (a third carded), plus one thread of 40 steps with 10 photos. Pages are timed with
Django's test Client (`force_login`): one warm-up, then the median of three runs; sending is
`create_and_issue` (numbered under the year's row lock, the unit told).
"""

import argparse
import io
import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from common import SCALES
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from PIL import Image

from accounts.demo import build_county
from accounts.models import User
from accounts.roles import Role
from campaigns.models import AssessmentYear, FollowUp
from campaigns.services import follow_ups

NOW = datetime(2026, 6, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STATES = [
    FollowUp.Status.ISSUED,
    FollowUp.Status.ACKNOWLEDGED,
    FollowUp.Status.CLOSING,
    FollowUp.Status.CLOSED,
    FollowUp.Status.DRAFT,
]
RUNS = 3


def timed(function, runs=RUNS):
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def user(username, role, unit):
    found = User.objects.filter(username=username).first()
    if found:
        return found
    made = User.objects.create_user(username=username, password="x", full_name=username, unit=unit)
    from django.contrib.auth.models import Group

    made.groups.set(Group.objects.filter(name=role.group_name))
    return made


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "red").save(out, "JPEG")
    return out.getvalue()


def fill(year, office, units, per_unit: int) -> None:
    FollowUp.objects.filter(year=year).delete()
    rows, number = [], 0
    for n, unit in enumerate(units):
        for k in range(per_unit):
            status = STATES[(n + k) % len(STATES)]
            sent = status != FollowUp.Status.DRAFT
            number += sent
            rows.append(
                FollowUp(
                    year=year,
                    number=number if sent else None,
                    status=status,
                    issuer_unit=office.unit,
                    created_by=office,
                    issued_by=office if sent else None,
                    issued_at=NOW if sent else None,
                    unit=unit,
                    title=f"{unit.short_name}第{k + 1}项整改",
                    problem="进度滞后",
                    requirement="整改",
                    due_on=date(2026, 5, 1) + timedelta(days=(n * 7 + k) % 90),
                    card=["", "", "yellow", "red"][(n + k) % 4] if sent else "",
                )
            )
    FollowUp.objects.bulk_create(rows, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    parser.add_argument("--per-unit", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    county = build_county(**SCALES[args.scale])
    year, _ = AssessmentYear.objects.update_or_create(
        year=2026, defaults={"status": AssessmentYear.Status.ACTIVE}
    )
    office_unit = county.units_named("县委政法委员会")
    office = user("bench_office", Role.OFFICE, office_unit)
    units = [u for u in county.units if u.pk != office_unit.pk]
    fill(year, office, units, args.per_unit)
    print(f"scale {args.scale}: {len(county.units)} units, {FollowUp.objects.count()} follow-ups")

    unit = units[0]
    reporter = user("bench_reporter", Role.REPORTER, unit)
    thread = follow_ups.create_and_issue(
        year=year,
        unit=unit,
        title="长线程",
        problem="p",
        requirement="r",
        due_on=date(2026, 7, 1),
        user=office,
        now=NOW,
    )
    follow_ups.acknowledge(follow_up=thread, user=reporter, now=NOW)
    for n in range(38):
        files = [SimpleUploadedFile(f"{n}.jpg", jpeg())] if n < 10 else []
        follow_ups.reply(
            follow_up=thread, user=reporter, text=f"第{n + 1}次反馈", files=files, now=NOW
        )

    client = Client()
    pages = [
        ("office", office, reverse("follow-up-list")),
        ("office", office, reverse("follow-up-list") + "?status=open&card=any"),
        ("office", office, reverse("follow-up-detail", args=[thread.pk])),
        ("office", office, reverse("follow-up-new")),
        ("reporter", reporter, reverse("follow-up-list")),
        ("reporter", reporter, reverse("follow-up-detail", args=[thread.pk])),
    ]
    print(f"{'who':10} {'page':45} {'ms':>8} {'queries':>8}")
    for who, person, url in pages:
        client.force_login(person)
        seconds, _ = timed(lambda url=url: client.get(url))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        print(f"{who:10} {url:45} {seconds * 1000:8.1f} {len(ctx):8d}")

    counter = iter(range(10_000))

    def send():
        return follow_ups.create_and_issue(
            year=year,
            unit=units[1],
            title=f"发出{next(counter)}",
            problem="p",
            requirement="r",
            due_on=date(2026, 7, 1),
            user=office,
            now=NOW,
        )

    seconds, sent = timed(send)
    print(f"create_and_issue: {seconds * 1000:.1f} ms → {sent.serial}")


if __name__ == "__main__":
    main()
