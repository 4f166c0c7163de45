"""Benchmark: how fast the guarded workbook reader refuses zip bombs, and what it costs a real file.

Prints figures; docs/benchmarks.md records them with the machine and date. Needs no database:

    .venv/bin/python bench/upload_guard.py

The bombs are the audit's (issue 9): a ledger workbook of ~450 KB whose shared strings unpack
to 195 MB (it held a request for 126 s and +1 GB), and a ~1 MB year set-up workbook that
unpacks to 450 MB (the audit's took 268 s and 3 GB). Both are real workbooks with the part
declared, so openpyxl would parse it; `campaigns.excel.read_workbook` refuses them from the
archive's central directory. The real file is a 2,000-row workbook the shape of a ledger
sheet, opened and read through the reader, against openpyxl alone.
"""

import resource
import time
import zipfile
from io import BytesIO

import common  # noqa: F401  (sets Django up first)
from openpyxl import Workbook, load_workbook

from campaigns.errors import LedgerError
from campaigns.excel import check_archive, read_workbook
from campaigns.services.ledger_workbook import MAX_UNPACKED_BYTES as LEDGER_BUDGET
from campaigns.services.year_import import MAX_UNPACKED_BYTES as YEAR_BUDGET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>'
)
RUNS = 5


def real_workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "周帐"
    sheet.append(["指标编号", "会战", "指标", "计量单位", "年度目标", "本周累计", "本周进展"])
    for number in range(rows):
        sheet.append(
            [number, "项目建设会战", f"基准指标{number:04d}", "亿元", 100, 6.25, "按计划推进"]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def bomb(unpacked: int) -> bytes:
    """A real workbook with a declared shared strings part of `unpacked` bytes."""
    base = real_workbook(10)
    out = BytesIO()
    chunk = (b"<si><t>" + b"A" * 1000 + b"</t></si>") * 100
    with (
        zipfile.ZipFile(BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.decode().replace("</Types>", SHARED_STRINGS_TYPE).encode()
            target.writestr(info, data)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{MAIN}">'.encode())
            for _ in range(unpacked // len(chunk)):
                part.write(chunk)
            part.write(b"</sst>")
    return out.getvalue()


def refusal(label: str, content: bytes, budget: int) -> None:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        try:
            with read_workbook(content, max_unpacked=budget, unreadable="无法读取"):
                pass
        except LedgerError as error:
            message = error.messages[0]
        else:
            raise SystemExit(f"{label}: not refused")
        times.append(time.perf_counter() - started)
    print(
        f"{label}: {len(content) / 1024:,.0f} KiB unpacking to {unpacked / 2**20:,.0f} MiB, "
        f"refused in {min(times) * 1000:.1f} ms (best of {RUNS}, max {max(times) * 1000:.1f} ms)"
        f" — {message}"
    )


def read_all(book) -> int:
    return sum(1 for _ in book.active.iter_rows(values_only=True))


def real_file(rows: int) -> None:
    content = real_workbook(rows)
    plain, guarded, checks = [], [], []
    for _ in range(RUNS):  # interleaved, so a busy machine weighs on both alike
        started = time.perf_counter()
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
        read_all(book)
        book.close()
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        with read_workbook(content, max_unpacked=LEDGER_BUDGET, unreadable="无法读取") as book:
            read_all(book)
        guarded.append(time.perf_counter() - started)
        started = time.perf_counter()
        check_archive(content, max_unpacked=LEDGER_BUDGET, unreadable="无法读取")
        checks.append(time.perf_counter() - started)
    with zipfile.ZipFile(BytesIO(content)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    print(
        f"real {rows:,}-row workbook ({len(content) / 1024:,.0f} KiB, unpacked "
        f"{unpacked / 2**20:.1f} MiB): openpyxl alone {min(plain) * 1000:.0f} ms, "
        f"through the reader {min(guarded) * 1000:.0f} ms (best of {RUNS}); the archive check "
        f"itself {min(checks) * 1000:.2f} ms"
    )


def main() -> None:
    print(
        f"budgets: ledger {LEDGER_BUDGET / 2**20:.0f} MiB, "
        f"year set-up {YEAR_BUDGET / 2**20:.0f} MiB"
    )
    started = time.perf_counter()
    ledger_bomb = bomb(195 * 2**20)
    year_bomb = bomb(450 * 2**20)
    print(f"(building the two bombs took {time.perf_counter() - started:.1f} s)")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    refusal("ledger bomb", ledger_bomb, LEDGER_BUDGET)
    refusal("year set-up bomb", year_bomb, YEAR_BUDGET)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory before/after the refusals: {before:.0f} / {after:.0f} MiB")
    real_file(2000)


if __name__ == "__main__":
    main()
