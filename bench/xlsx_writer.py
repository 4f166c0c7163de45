"""Benchmark: the workbook write path alone, per 10,000 rows of the indicator detail.

No database: `--rows` synthetic rows shaped like the detail's (the 16 values it reads of each
IndicatorScore: names, Decimal figures with 2-4 places, some empty, a third with a note, some
of them formula-like text) go through `scoring.reports.xlsx.detail_workbook`, the function the
export renders its database rows with, so the figure is the export's own per-row cost without
building a city (issue 14's aim: under 1 s of CPU per 10k rows). For comparison it also times
openpyxl's write-only mode (lxml) appending the same rows as plain values, unstyled and
unescaped: the least openpyxl can do per row, which the documents used to be written with.

    .venv/bin/python bench/xlsx_writer.py            # 10,000 rows, best and median of 5 runs

CPU time (`time.process_time`) is printed beside wall time: on a shared machine the wall time
of a single-threaded render swings with other load, its CPU time much less.
"""

import argparse
import random
import statistics
import time
from decimal import Decimal
from io import BytesIO

from common import SCALES  # noqa: F401 (sets Django up)
from openpyxl import Workbook, load_workbook

from scoring.reports.xlsx import DETAIL_COLUMNS, DETAIL_FIELDS, detail_workbook

GROUPS = ["乡镇组", "县直部门组", "园区组"]
CAMPAIGNS = ["项目建设会战", "招商引资会战", "产业发展会战", "民生保障会战", "安全稳定会战"]
INDICATORS = [
    ("固定资产投资完成额", "万元"),
    ("新签约亿元以上项目个数", "个"),
    ("规模以上工业增加值增速", "%"),
    ("刑事案件发案数", "起"),
    ("城镇新增就业人数", "人"),
    ("一般公共预算收入", "万元"),
    ("=国道改线工程节点", "节点"),  # a formula-like name: escaped on every row it appears
]
NOTES = ["核实数低于序时目标，按完成率计分", "排名法：组内第3名", "+已补报佐证材料"]


def figure(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(0, 10**8)) / 10 ** rng.choice((2, 2, 4))


def synthetic_rows(count: int, seed: int = 14) -> list[tuple]:
    """`count` detail rows (tuples of DETAIL_FIELDS), the same for every run."""
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        name, measure = INDICATORS[number % len(INDICATORS)]
        method = "rank" if number % 5 == 0 else "completion"
        rows.append(
            (
                GROUPS[number // 400 % len(GROUPS)],
                f"第{number // 14 + 1}单位（乡镇街道）",
                CAMPAIGNS[number % len(CAMPAIGNS)],
                name,
                measure,
                method,
                figure(rng),
                figure(rng),
                None if number % 9 == 0 else figure(rng),
                figure(rng),
                Decimal(rng.randint(0, 15000)) / 10000,
                Decimal(rng.choice((5, 8, 10, 12))),
                Decimal(rng.randint(0, 1200)) / 100,
                NOTES[number % len(NOTES)] if number % 3 == 0 else "",
                rng.randint(1, 20) if method == "rank" else None,
                20 if method == "rank" else None,
            )
        )
    assert len(rows[0]) == len(DETAIL_FIELDS)
    return rows


def openpyxl_plain(rows) -> bytes:
    """The same rows through openpyxl's write-only mode, as plain values: no style, no escape."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("指标得分明细")
    sheet.append([text for text, _width in DETAIL_COLUMNS])
    for row in rows:
        sheet.append(row[:14])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure(function, runs: int) -> tuple[list[float], list[float], bytes]:
    """CPU and wall seconds of `runs` calls after a warm-up, and the last result."""
    function()
    cpu, wall = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        content = function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return cpu, wall, content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = synthetic_rows(args.rows)
    per_10k = 10_000 / args.rows
    cases = [
        ("indicator detail (campaigns.excel → XlsxWriter)", lambda: detail_workbook("明细", rows)),
        ("openpyxl write-only, plain values (reference)", lambda: openpyxl_plain(rows)),
    ]
    for label, function in cases:
        cpu, wall, content = measure(function, args.runs)
        book = load_workbook(BytesIO(content), read_only=True)
        written = sum(1 for _ in book.active.iter_rows()) - 1
        book.close()
        assert written == args.rows, (label, written)
        print(
            f"{label}: {args.rows:,} rows, CPU best {min(cpu) * 1000:,.0f} ms "
            f"(median {statistics.median(cpu) * 1000:,.0f} ms), wall median "
            f"{statistics.median(wall) * 1000:,.0f} ms; per 10k rows CPU best "
            f"{min(cpu) * per_10k:.2f} s, median {statistics.median(cpu) * per_10k:.2f} s; "
            f"{len(content) / 2**10:,.0f} KiB"
        )


if __name__ == "__main__":
    main()
