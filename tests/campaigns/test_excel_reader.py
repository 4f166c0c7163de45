"""The guarded workbook reader (`campaigns.excel.read_workbook`) and both uploads that use it.

Zip bombs, hostile or malformed XML and damaged archives are refused with a Chinese message,
through the real views (the reporter's ledger upload, the office's year set-up import), with a
page instead of a 500 and nothing changed. The archive checks refuse a bomb before anything is
unpacked, in milliseconds; before the reader, the 195 MB shared-strings workbook held a
request for 126 s.
"""

import struct
import zipfile
from decimal import Decimal
from io import BytesIO

import defusedxml.ElementTree
import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.worksheet import _reader as worksheet_reader

from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.excel import TOO_LARGE, check_archive, read_workbook
from campaigns.models import Indicator, LedgerEntry, Target
from campaigns.services.ledger import EntryInput, open_ledger, save_entries
from campaigns.services.ledger_workbook import MAX_UNPACKED_BYTES as LEDGER_BUDGET
from campaigns.services.ledger_workbook import ledger_workbook
from campaigns.services.year_import import MAX_UNPACKED_BYTES as YEAR_BUDGET
from campaigns.services.year_import import indicator_template, target_template
from tests.campaigns.builders import build_small_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LEDGER_SHEET, META_SHEET = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"
NOT_A_LEDGER = "不是 Excel 工作簿（.xlsx），无法读取"
NOT_A_YEAR_FILE = "无法读取该文件：请上传 Excel 工作簿（.xlsx），建议使用本页下载的模板填写。"

XXE = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="4"><c r="A4" t="inlineStr"><is><t>&xxe;</t>'
    "</is></c></row></sheetData></worksheet>"
).encode()
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="4"><c r="A4" t="inlineStr"><is>'
    "<t>&lol9;</t></is></c></row></sheetData></worksheet>"
).encode()


# --- building hostile archives ----------------------------------------------------------------


SHARED_STRINGS = "xl/sharedStrings.xml"
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>'
)


def rebuild(content: bytes, parts: dict[str, bytes], *, filler: dict[str, int] | None = None):
    """`content` re-zipped with `parts` replaced (or added) and, for each name in `filler`, a
    part of that many unpacked bytes of repetitive XML (a zip bomb's shape). openpyxl writes
    no shared strings; a shared strings part put in is declared, so openpyxl reads it."""
    parts = dict(parts)
    types = part_of(content, "[Content_Types].xml").decode()
    if SHARED_STRINGS in {*parts, *(filler or {})} and "/xl/sharedStrings.xml" not in types:
        parts["[Content_Types].xml"] = types.replace("</Types>", SHARED_STRINGS_TYPE).encode()
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename not in parts and info.filename not in (filler or {}):
                target.writestr(info, source.read(info))
        for name, data in parts.items():
            target.writestr(name, data)
        for name, size in (filler or {}).items():
            chunk = b"<si><t>" + b"A" * 1000 + b"</t></si>"
            with target.open(name, "w", force_zip64=True) as part:
                part.write(f'<sst xmlns="{MAIN}">'.encode())
                for _ in range(size // (len(chunk) * 100) + 1):
                    part.write(chunk * 100)
                part.write(b"</sst>")
    return out.getvalue()


def understated(content: bytes, name: str) -> bytes:
    """`content` with part `name` declaring a tenth of its real unpacked size (central
    directory and local header), its data unchanged: a part that unpacks beyond its word."""
    data = bytearray(content)
    with zipfile.ZipFile(BytesIO(content)) as archive:
        info = archive.getinfo(name)
    small = info.file_size // 10
    struct.pack_into("<I", data, info.header_offset + 22, small)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            struct.pack_into("<I", data, position + 24, small)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def part_of(content: bytes, name: str) -> bytes:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return archive.read(name)


# --- the reader -------------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True
    assert worksheet_reader.iterparse is defusedxml.ElementTree.iterparse


def test_budgets_are_proportionate():
    # A ledger holds ~100 rows (the 2,000-row bench workbook unpacks to 1.2 MB); a county's
    # year set-up is well under 10 MB unpacked.
    assert 5 * 1024 * 1024 <= LEDGER_BUDGET <= 32 * 1024 * 1024
    assert YEAR_BUDGET <= 10 * 1024 * 1024


def plain_workbook(rows: int = 50) -> bytes:
    book = openpyxl.Workbook()
    for number in range(rows):
        book.active.append([number, f"第{number}行"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_real_workbook_passes_and_is_read():
    with read_workbook(plain_workbook(), max_unpacked=1024 * 1024, unreadable="坏") as book:
        assert list(book.active.iter_rows(max_row=1, values_only=True)) == [(0, "第0行")]


@pytest.mark.parametrize(
    ("content", "budget"),
    [
        pytest.param(plain_workbook(2000), 20 * 1024, id="total over the budget"),
        pytest.param(
            rebuild(plain_workbook(), {}, filler={SHARED_STRINGS: 2 * 1024 * 1024}),
            10 * 1024 * 1024,
            id="one part packed over 100 times",
        ),
        pytest.param(
            rebuild(plain_workbook(), {f"xl/media/image{n}.xml": b"<x/>" for n in range(250)}),
            10 * 1024 * 1024,
            id="too many parts",
        ),
    ],
)
def test_archives_no_real_workbook_would_be_are_refused(content, budget):
    with pytest.raises(LedgerError) as refused:
        check_archive(content, max_unpacked=budget, unreadable="坏")
    assert refused.value.messages == [TOO_LARGE]


def test_a_part_unpacking_beyond_its_declared_size_is_refused():
    content = understated(plain_workbook(), "xl/worksheets/sheet1.xml")
    with (
        pytest.raises(LedgerError, match="坏"),
        read_workbook(content, max_unpacked=1024 * 1024, unreadable="坏") as book,
    ):
        list(book.active.iter_rows(values_only=True))


def test_the_blocks_own_errors_pass_through():
    with (
        pytest.raises(ZeroDivisionError),
        read_workbook(plain_workbook(), max_unpacked=1024 * 1024, unreadable="坏"),
    ):
        _ = 1 / 0


# --- the reporter's ledger upload -------------------------------------------------------------


@pytest.fixture
def week48(db):
    """The small year 2026, week 48 open for 城关镇's reporter, the clock inside that week."""
    small = build_small_year(year=2026)
    with time_machine.travel(small.during(48), tick=True):
        ledger = open_ledger(unit=small.reporter.unit, period=small.period(48))
        save_entries(
            ledger=ledger,
            user=small.reporter,
            now=small.during(48),
            changes={small.investment.pk: EntryInput(value=Decimal("5"))},
        )
        yield small, ledger


def ledger_snapshot():
    entries = LedgerEntry.objects.order_by("pk").values_list("pk", "value", "done_on", "progress")
    return list(entries), LedgerEntry.history.count()


def post_ledger(client, small, ledger, content):
    client.force_login(small.reporter)
    before = ledger_snapshot()
    response = client.post(
        reverse("ledger-xlsx-upload", args=[ledger.period_id]),
        {"file": SimpleUploadedFile("周帐.xlsx", content, content_type=XLSX)},
        follow=True,
    )
    assert response.status_code == 200
    assert ledger_snapshot() == before
    page = response.content.decode()
    assert "Excel 未导入，周帐没有任何改动" in page
    return page


def ledger_content(small, ledger) -> bytes:
    return ledger_workbook(ledger=ledger, now=small.during(48))


@pytest.mark.parametrize(
    ("part", "payload"),
    [
        pytest.param(LEDGER_SHEET, XXE, id="XXE in the ledger sheet"),
        pytest.param(LEDGER_SHEET, LAUGHS, id="billion laughs in the ledger sheet"),
        pytest.param(META_SHEET, XXE, id="XXE in the hidden meta sheet"),
        pytest.param(SHARED_STRINGS, LAUGHS, id="billion laughs in the shared strings"),
        pytest.param("xl/workbook.xml", XXE, id="XXE in the workbook part"),
    ],
)
def test_ledger_upload_refuses_hostile_xml(client, week48, part, payload):
    small, ledger = week48
    content = rebuild(ledger_content(small, ledger), {part: payload})
    page = post_ledger(client, small, ledger, content)
    assert NOT_A_LEDGER in page
    assert "root:" not in page  # nothing of /etc/passwd


@pytest.mark.parametrize("part", [LEDGER_SHEET, META_SHEET, "xl/styles.xml"])
def test_ledger_upload_refuses_malformed_xml(client, week48, part):
    small, ledger = week48
    content = ledger_content(small, ledger)
    broken = part_of(content, part)[:-40]  # cut inside the closing tags
    page = post_ledger(client, small, ledger, rebuild(content, {part: broken}))
    assert NOT_A_LEDGER in page


def test_ledger_upload_refuses_a_missing_sheet_part_and_an_understated_one(client, week48):
    small, ledger = week48
    content = ledger_content(small, ledger)
    missing = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(content)) as source,
        zipfile.ZipFile(missing, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != LEDGER_SHEET:
                target.writestr(info, source.read(info))
    page = post_ledger(client, small, ledger, missing.getvalue())
    assert "该工作簿不是本系统导出的周帐表格（缺少" in page  # openpyxl skips a missing sheet
    page = post_ledger(client, small, ledger, understated(content, LEDGER_SHEET))
    assert NOT_A_LEDGER in page


def test_ledger_upload_refuses_a_shared_strings_bomb_at_once(client, week48):
    # The audit's bomb was 195 MB of shared strings in 485 KB; twice the budget shows the rule
    # (bench/upload_guard.py times the full-size one).
    small, ledger = week48
    content = rebuild(ledger_content(small, ledger), {}, filler={SHARED_STRINGS: 2 * LEDGER_BUDGET})
    assert len(content) < 200 * 1024
    page = post_ledger(client, small, ledger, content)
    assert TOO_LARGE in page


# --- the office's year set-up import ----------------------------------------------------------


@pytest.fixture
def office_client(client, role_users):
    client.force_login(role_users[Role.OFFICE])
    return client


def year_snapshot():
    return (
        list(Indicator.objects.order_by("pk").values_list("pk", "name", "points")),
        list(Target.objects.order_by("pk").values_list("pk", "annual_value")),
        Indicator.history.count(),
    )


def post_year(client, year, kind: str, content: bytes):
    before = year_snapshot()
    response = client.post(
        reverse(f"admin:campaigns_assessmentyear_{kind}", args=[year.pk]),
        {"file": SimpleUploadedFile(f"{kind}.xlsx", content, content_type=XLSX)},
    )
    assert response.status_code == 200
    assert year_snapshot() == before
    page = response.content.decode()
    assert "文件未导入（数据库未作任何改动）" in page
    return page


TEMPLATES = {"indicators": indicator_template, "targets": target_template}


@pytest.mark.parametrize("kind", TEMPLATES)
@pytest.mark.parametrize(
    ("part", "payload"),
    [
        pytest.param("xl/worksheets/sheet1.xml", XXE, id="XXE"),
        pytest.param("xl/worksheets/sheet1.xml", LAUGHS, id="billion laughs"),
        pytest.param("xl/worksheets/sheet1.xml", None, id="malformed"),
    ],
)
def test_year_import_refuses_hostile_and_malformed_xml(
    office_client, year_2026, kind, part, payload
):
    content = TEMPLATES[kind](year_2026)
    payload = payload or part_of(content, part)[:-40]
    page = post_year(office_client, year_2026, kind, rebuild(content, {part: payload}))
    assert NOT_A_YEAR_FILE in page
    assert "root:" not in page


@pytest.mark.parametrize("kind", TEMPLATES)
def test_year_import_refuses_a_bomb_at_once(office_client, year_2026, kind):
    # The audit's year import bomb: a 1 MB file that took 268 s and 3 GB.
    content = rebuild(TEMPLATES[kind](year_2026), {}, filler={SHARED_STRINGS: 2 * YEAR_BUDGET})
    page = post_year(office_client, year_2026, kind, content)
    assert TOO_LARGE in page


def test_year_import_refuses_an_understated_part(office_client, year_2026):
    content = understated(indicator_template(year_2026), "xl/worksheets/sheet1.xml")
    page = post_year(office_client, year_2026, "indicators", content)
    assert NOT_A_YEAR_FILE in page


@pytest.mark.parametrize("kind", TEMPLATES)
def test_year_import_reads_only_the_columns_and_rows_it_needs(office_client, year_2026, kind):
    # One cell typed at the sheet's last cell made openpyxl hand over a million rows of 16,384
    # empty cells each: hours for a 5 KB file. Now the import reads the header's columns only.
    book = openpyxl.load_workbook(BytesIO(TEMPLATES[kind](year_2026)))
    book.worksheets[0]["XFD1048576"] = "多余内容"
    out = BytesIO()
    book.save(out)
    before = year_snapshot()
    response = office_client.post(
        reverse(f"admin:campaigns_assessmentyear_{kind}", args=[year_2026.pk]),
        {"file": SimpleUploadedFile(f"{kind}.xlsx", out.getvalue(), content_type=XLSX)},
    )
    assert response.status_code == 302  # imported: nothing in the template, nothing new
    assert year_snapshot()[:2] == before[:2]
