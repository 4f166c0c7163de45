"""Benchmark: time and peak memory to render the quarterly 通报 PDF for a county and a city.

Prints figures; docs/benchmarks.md records them with the machine and date. The ranking a
通报 prints is stored data (UnitScore rows of one evaluation version), so the script writes
those rows directly — groups, units, a computed version with totals, ranks, tiers and last
quarter's ranks — inside a transaction it rolls back at the end; any migrated database will
do, and it is left as it was:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaozhang_bench   # migrated
    .venv/bin/python bench/report_pdf.py --scale county
    .venv/bin/python bench/report_pdf.py --scale city

Run each scale in its own process: the peak memory printed is the process's maximum RSS.
Scales (the issue): a county of 80 units in 5 groups; a city of 10 such counties, each with
its own 5 groups (800 units, 50 group tables).
"""

import argparse
import random
import resource
import statistics
import time
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import common  # noqa: F401  (sets Django up first)
from django.db import connection, transaction

from accounts.models import RankingGroup, Unit, User
from campaigns.models import AssessmentYear
from scoring.models import EvaluationVersion, QuarterlyEvaluation, UnitScore
from scoring.reports.pdf import render_quarter_notice

# (group, units per county, kind)
GROUPS = [("乡镇组", 20, "township"), ("经济部门组", 25, "department"),
          ("社会事业部门组", 15, "department"), ("党群部门组", 12, "department"),
          ("园区组", 8, "park")]  # fmt: skip
SCALES = {"county": 1, "city": 10}
YEAR = 2091  # far from any real year, so the rows never meet real data
RENDERS = 3
TZ = ZoneInfo("Asia/Shanghai")


class Rollback(Exception):
    pass


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(counties: int) -> QuarterlyEvaluation:
    rng = random.Random(7)
    office = User.objects.create_user(username=f"bench-office-{YEAR}", full_name="基准")
    year = AssessmentYear.objects.create(year=YEAR)
    evaluation = QuarterlyEvaluation.objects.create(
        year=year,
        quarter=2,
        status=QuarterlyEvaluation.Status.PUBLISHED,
        published_at=datetime(YEAR, 7, 10, 9, tzinfo=TZ),
        document_number=f"〔{YEAR}〕3号",
    )
    version = EvaluationVersion.objects.create(
        evaluation=evaluation,
        number=1,
        computed_at=datetime(YEAR, 7, 5, 9, tzinfo=TZ),
        computed_by=office,
        rules={},
        quarter_end=date(YEAR, 6, 30),
    )
    evaluation.current_version = version
    evaluation.save()
    scores = []
    order = 0
    for c in range(1, counties + 1):
        prefix = f"第{c}县" if counties > 1 else ""
        for g, (group_name, size, kind) in enumerate(GROUPS, 1):
            group = RankingGroup.objects.create(
                name=f"{prefix}{group_name}（基准{YEAR}）", sort_order=c * 10 + g
            )
            units = Unit.objects.bulk_create(
                Unit(
                    name=f"{prefix}{group_name[:-1]}单位{n:02d}（基准）",
                    short_name=f"单位{n:02d}",
                    kind=kind,
                    group=group,
                    sort_order=order + n,
                )
                for n in range(1, size + 1)
            )
            order += size
            totals = sorted(
                ((Decimal(rng.uniform(40, 115)).quantize(Decimal("0.000001")), u) for u in units),
                key=lambda t: -t[0],
            )
            previous = list(range(1, size + 1))
            rng.shuffle(previous)
            for position, (total, unit) in enumerate(totals, 1):
                tier = (
                    "advanced"
                    if position <= max(1, round(0.3 * size)) and total >= 85
                    else "lagging"
                    if total < 60 or position > size - max(1, size // 10)
                    else "standard"
                )
                scores.append(
                    UnitScore(
                        version=version,
                        unit=unit,
                        group=group,
                        sort_order=unit.sort_order,
                        scored_points=Decimal(100),
                        earned_points=total,
                        base=total + 2,
                        late_ledgers=1,
                        missing_ledgers=1,
                        timeliness=Decimal("-1.5"),
                        bonus=Decimal("0.5"),
                        penalty=Decimal(0),
                        total=total,
                        group_size=size,
                        rank=position,
                        position=position,
                        units_below=size - position,
                        tier=tier,
                        previous_rank=previous[position - 1],
                    )
                )
    UnitScore.objects.bulk_create(scores, batch_size=2000)
    return evaluation


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="county")
    args = parser.parse_args()
    print(f"database: {connection.vendor}; scale: {args.scale}")
    started = time.perf_counter()
    try:
        with transaction.atomic():
            evaluation = build(SCALES[args.scale])
            units = UnitScore.objects.filter(version=evaluation.current_version).count()
            print(
                f"built {units} unit scores in {time.perf_counter() - started:.1f} s; "
                f"peak {peak_mib():.0f} MiB before rendering"
            )
            times = []
            for _ in range(RENDERS):
                t0 = time.perf_counter()
                filename, _, content = render_quarter_notice({"evaluation_id": evaluation.pk})
                times.append(time.perf_counter() - t0)
            from io import BytesIO

            from pypdf import PdfReader

            pages = len(PdfReader(BytesIO(content)).pages)
            print(f"通报 {filename}: {pages} pages, {len(content) / 1024:.0f} KiB")
            print(
                "render times: "
                + ", ".join(f"{t:.2f} s" for t in times)
                + f"; median {statistics.median(times):.2f} s"
            )
            print(f"peak memory (max RSS of the process): {peak_mib():.0f} MiB")
            raise Rollback
    except Rollback:
        pass
    print(f"whole script {time.perf_counter() - started:.1f} s (rows rolled back)")


if __name__ == "__main__":
    main()
