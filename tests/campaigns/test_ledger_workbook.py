"""The ledger as Excel: download prefilled, fill offline, upload with the form's checks.

The small year's ledger has three rows, in this order: 固定资产投资完成额 (row 4), 防汛物资到位
(row 5, a milestone), 刑事案件发案数 (row 6). Week 47 is handed in with 5 and 3, so week 48's
sheet shows them as 上周累计 and a lower investment figure needs a reason.
"""

import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from campaigns.errors import LedgerError
from campaigns.models import Indicator, LedgerEntry, Target
from campaigns.selectors import current_year, period_containing
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.ledger_workbook import (
    HEADERS,
    import_ledger_workbook,
    ledger_workbook,
)
from campaigns.services.years import set_target
from tests.campaigns.builders import build_small_year

FIRST = 4  # the first data row, under the title, the note and the header


@pytest.fixture
def small(db):
    small = build_small_year(year=2026)
    week47 = open_ledger(unit=small.reporter.unit, period=small.period(47))
    save_entries(
        ledger=week47,
        user=small.reporter,
        now=small.during(47),
        changes={
            small.investment.pk: EntryInput(value=Decimal("5")),
            small.cases.pk: EntryInput(value=Decimal("3")),
            small.flood.pk: EntryInput(),
        },
    )
    submit_ledger(ledger=week47, user=small.reporter, now=small.during(47))
    return small


@pytest.fixture
def ledger(small):
    return open_ledger(unit=small.reporter.unit, period=small.period(48))


def download(ledger, small, week=48) -> bytes:
    return ledger_workbook(ledger=ledger, now=small.during(week))


def sheet_of(content: bytes, name="周帐"):
    return load_workbook(BytesIO(content))[name]


def fill(content: bytes, rows: dict[int, dict[str, object]], edit=None) -> bytes:
    """The workbook with cells set by indicator id and header name; `edit(workbook)` for more."""
    workbook = load_workbook(BytesIO(content))
    sheet = workbook["周帐"]
    column = {cell.value: cell.column for cell in sheet[3]}
    by_id = {sheet.cell(row=r, column=1).value: r for r in range(FIRST, sheet.max_row + 1)}
    for indicator_id, values in rows.items():
        for header, value in values.items():
            sheet.cell(row=by_id[indicator_id], column=column[header]).value = value
    if edit:
        edit(workbook)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(small, ledger, content, name="周帐.xlsx", week=48):
    return import_ledger_workbook(
        ledger=ledger,
        file=SimpleUploadedFile(name, content),
        user=small.reporter,
        now=small.during(week),
    )


def snapshot():
    entries = LedgerEntry.objects.order_by("pk").values_list(
        "pk", "value", "done_on", "decrease_reason", "progress", "problem_category", "problems"
    )
    return list(entries), LedgerEntry.history.count()


def refused(small, ledger, content, *, name="周帐.xlsx") -> list[str]:
    """The messages of a refused upload, after checking that it changed nothing."""
    before = snapshot()
    with pytest.raises(LedgerError) as caught:
        upload(small, ledger, content, name=name)
    assert snapshot() == before
    return caught.value.messages


# --- download -------------------------------------------------------------------------------


def test_download_is_prefilled_with_the_units_indicators_and_last_figures(small, ledger):
    content = download(ledger, small)
    sheet = sheet_of(content)
    title = sheet["A1"].value
    assert title.startswith("城关镇 · 2026年第48周")
    assert "填报截止：2026年11月27日 18:00" in title
    assert [c.value for c in sheet[3]] == HEADERS
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=FIRST)]
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows] == [
        (small.investment.pk, "固定资产投资完成额", "亿元", 12, 5),
        (small.flood.pk, "防汛物资到位", "项", "节点任务", None),
        (small.cases.pk, "刑事案件发案数", "件", 40, 3),
    ]
    assert {r[HEADERS.index("可否修改")] for r in rows} == {"可修改"}
    assert sheet.freeze_panes == "D4"
    assert sheet.protection.sheet
    assert sheet.cell(row=FIRST, column=1).protection.locked  # 指标编号
    assert not sheet.cell(row=FIRST, column=HEADERS.index("本周累计") + 1).protection.locked
    assert sheet.cell(row=FIRST + 1, column=HEADERS.index("本周累计") + 1).protection.locked
    assert sheet.cell(row=FIRST + 1, column=HEADERS.index("完成日期") + 1).number_format == (
        "yyyy-mm-dd"
    )
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert lists == ['"土地,资金,手续,其他"']
    meta = load_workbook(BytesIO(content))["_meta"]
    assert meta.sheet_state == "veryHidden"
    values = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert values["ledger"] == ledger.pk and values["week"] == 48 and values["version"] == 1


def test_submitted_rows_are_marked_not_editable(small, ledger):
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=small.during(48),
        changes={small.investment.pk: EntryInput(value=6), small.cases.pk: EntryInput(value=4)},
    )
    ledger = submit_ledger(ledger=ledger, user=small.reporter, now=small.during(48))
    sheet = sheet_of(download(ledger, small))
    column = HEADERS.index("可否修改") + 1
    assert {sheet.cell(row=r, column=column).value for r in (4, 5, 6)} == {"不可修改"}
    assert sheet.cell(row=FIRST, column=HEADERS.index("本周累计") + 1).protection.locked


def test_formula_like_text_is_exported_as_text(small, ledger):
    unit = small.reporter.unit
    unit.name = '=HYPERLINK("http://evil.example","点我")'
    unit.save()
    Indicator.objects.filter(pk=small.cases.pk).update(name="@SUM(1+1)")
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=small.during(48),
        changes={small.investment.pk: EntryInput(value=6, progress="+cmd|' /C calc'!A0")},
    )
    ledger.refresh_from_db()
    content = download(ledger, small)
    sheet = sheet_of(content)
    assert sheet["A1"].data_type == "s"
    assert sheet["A1"].value.startswith('=HYPERLINK("http://evil.example","点我") · ')
    progress = sheet.cell(row=FIRST, column=HEADERS.index("本周进展") + 1)
    assert (progress.data_type, progress.value) == ("s", "+cmd|' /C calc'!A0")
    name = sheet.cell(row=FIRST + 2, column=HEADERS.index("指标") + 1)
    assert (name.data_type, name.value) == ("s", "@SUM(1+1)")
    meta = load_workbook(BytesIO(content))["_meta"]
    assert all(cell.data_type != "f" for row in meta.iter_rows() for cell in row)
    with zipfile.ZipFile(BytesIO(content)) as archive:
        assert all(b"<f>" not in archive.read(n) for n in archive.namelist() if "sheet" in n)
    # Read back as it was written: uploading the unchanged sheet changes nothing.
    result = upload(small, ledger, content)
    assert (result.changed, result.unchanged) == (0, 3)
    assert ledger.entries.get(indicator=small.investment).progress == "+cmd|' /C calc'!A0"


# --- round trip -----------------------------------------------------------------------------


def test_round_trip_saves_the_filled_in_figures(small, ledger):
    content = fill(
        download(ledger, small),
        {
            small.investment.pk: {
                "本周累计": 6.25,
                "本周进展": "安置小区主体完工",
                "问题类别": "土地",
            },
            small.flood.pk: {"完成日期": datetime(2026, 11, 20)},
            small.cases.pk: {"本周累计": "4", "下步打算": "继续严打"},
        },
    )
    result = upload(small, ledger, content)
    assert (result.changed, result.unchanged) == (3, 0)
    assert str(result) == "已从 Excel 导入周帐：修改 3 项，未变 0 项。"
    entries = {e.indicator_id: e for e in ledger.entries.all()}
    investment = entries[small.investment.pk]
    assert (investment.value, investment.progress, investment.problem_category) == (
        Decimal("6.25"),
        "安置小区主体完工",
        "land",
    )
    assert entries[small.flood.pk].done_on == date(2026, 11, 20)
    assert (entries[small.cases.pk].value, entries[small.cases.pk].next_steps) == (4, "继续严打")
    assert investment.history.first().history_user == small.reporter


def test_a_decrease_with_a_reason_is_accepted(small, ledger):
    content = fill(
        download(ledger, small),
        {small.investment.pk: {"本周累计": 3, "下降原因": "统计口径调整"}},
    )
    assert upload(small, ledger, content).changed == 1
    assert ledger.entries.get(indicator=small.investment).value == 3


def test_unchanged_submitted_ledger_uploads_as_no_change(small, ledger):
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=small.during(48),
        changes={
            small.investment.pk: EntryInput(value=Decimal("6.1234")),
            small.cases.pk: EntryInput(value=4, progress="第一行\r\n第二行"),
        },
    )
    ledger = submit_ledger(ledger=ledger, user=small.reporter, now=small.during(48))
    result = upload(small, ledger, download(ledger, small))
    assert (result.changed, result.unchanged) == (0, 3)


# --- bad input: a Chinese message each, and nothing changed ---------------------------------


def test_non_numeric_figure(small, ledger):
    content = fill(download(ledger, small), {small.investment.pk: {"本周累计": "abc"}})
    assert refused(small, ledger, content) == [
        "工作表「周帐」第4行「本周累计」：应为数字，实际为“abc”"
    ]


def test_negative_figure(small, ledger):
    content = fill(download(ledger, small), {small.cases.pk: {"本周累计": -1}})
    assert refused(small, ledger, content) == [
        "工作表「周帐」第6行：「刑事案件发案数」不能为负数（填写的是-1）",
        "工作表「周帐」第6行：「刑事案件发案数」累计数比上周（3）减少，须填写下降原因",
    ]


def test_decrease_without_reason(small, ledger):
    content = fill(download(ledger, small), {small.investment.pk: {"本周累计": 3}})
    assert refused(small, ledger, content) == [
        "工作表「周帐」第4行：「固定资产投资完成额」累计数比上周（5）减少，须填写下降原因"
    ]


def test_every_problem_is_listed_in_row_order_and_good_rows_are_not_saved(small, ledger):
    content = fill(
        download(ledger, small),
        {
            small.investment.pk: {"本周累计": 3},  # decrease, no reason
            small.flood.pk: {"完成日期": "明天", "问题类别": "天气"},
            small.cases.pk: {"本周累计": "七"},
        },
    )
    assert refused(small, ledger, content) == [
        "工作表「周帐」第4行：「固定资产投资完成额」累计数比上周（5）减少，须填写下降原因",
        "工作表「周帐」第5行「完成日期」：应为日期（如 2026-07-31），实际为“明天”",
        "工作表「周帐」第5行「问题类别」：只能是 土地、资金、手续、其他，实际为“天气”",
        "工作表「周帐」第6行「本周累计」：应为数字，实际为“七”",
    ]


def test_milestone_rules_apply(small, ledger):
    content = fill(download(ledger, small), {small.flood.pk: {"完成日期": datetime(2026, 12, 5)}})
    assert refused(small, ledger, content) == [
        "工作表「周帐」第5行：「防汛物资到位」完成日期不能晚于本帐期最后一天（2026-11-29）"
    ]


def test_unknown_indicator_id(small, ledger):
    content = fill(download(ledger, small), {small.investment.pk: {"指标编号": 999999}})
    assert refused(small, ledger, content) == [
        "工作表「周帐」第4行「指标编号」：本年度没有编号为 999999 的指标，请不要改动「指标编号」列"
    ]


def test_indicator_the_unit_does_not_carry(small, ledger):
    other = Indicator.objects.create(
        campaign=small.investment.campaign,
        name="园区招商引资",
        measure="亿元",
        direction="higher",
        points=Decimal("3"),
        lead_unit=small.investment.lead_unit,
    )
    set_target(indicator=other, unit=small.other_reporter.unit, annual_value=Decimal("5"))
    content = fill(download(ledger, small), {small.investment.pk: {"指标编号": other.pk}})
    assert refused(small, ledger, content) == [
        f"工作表「周帐」第4行「指标编号」：本单位没有承担指标「园区招商引资」（编号 {other.pk}），"
        "不能填报"
    ]


def test_changing_a_row_that_is_not_editable(small, ledger):
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=small.during(48),
        changes={small.investment.pk: EntryInput(value=6), small.cases.pk: EntryInput(value=4)},
    )
    ledger = submit_ledger(ledger=ledger, user=small.reporter, now=small.during(48))
    content = fill(download(ledger, small), {small.investment.pk: {"本周累计": 7}})
    assert refused(small, ledger, content) == [
        "工作表「周帐」第4行：「固定资产投资完成额」当前不可修改（已提交或帐期已锁定），"
        "请不要改动标为“不可修改”的行"
    ]


def test_workbook_of_another_week(small, ledger):
    week47 = small.period(47).ledgers.get(unit=small.reporter.unit)
    content = download(week47, small, week=47)
    assert refused(small, ledger, content) == [
        "该表格是城关镇第47周的周帐，不能导入到第48周。请在第48周的周帐页面下载表格填写，"
        "或到第47周的页面上传。"
    ]


def test_workbook_of_another_unit(small, ledger):
    theirs = open_ledger(unit=small.other_reporter.unit, period=small.period(48))
    content = download(theirs, small)
    assert refused(small, ledger, content) == [
        "该表格是其他单位（青山镇）的周帐，不能导入到城关镇的周帐。请在本单位的周帐页面下载表格填写。"
    ]


def test_another_units_reporter_cannot_import_into_this_ledger(small, ledger):
    with pytest.raises(LedgerError, match="只能填报本单位的周帐"):
        import_ledger_workbook(
            ledger=ledger, file=download(ledger, small), user=small.other_reporter
        )


def _xlsx(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_random_workbook_is_the_wrong_template(small, ledger):
    workbook = Workbook()
    workbook.active.title = "周帐"
    workbook.active.append(["指标编号", "本周累计"])
    (message,) = refused(small, ledger, _xlsx(workbook))
    assert message.startswith("该工作簿不是本系统导出的周帐表格（缺少隐藏的标识工作表）")


def test_an_old_template_version_is_refused(small, ledger):
    def old(workbook):
        workbook["_meta"]["B2"] = 0

    content = fill(download(ledger, small), {}, edit=old)
    assert refused(small, ledger, content) == [
        "该周帐表格的版本（0）已不再适用，请在周帐页面重新下载表格后填写。"
    ]


def test_a_changed_header_is_the_wrong_template(small, ledger):
    def rename(workbook):
        workbook["周帐"].cell(row=3, column=HEADERS.index("本周累计") + 1).value = "累计"

    (message,) = refused(small, ledger, fill(download(ledger, small), {}, edit=rename))
    assert "工作表「周帐」第3行缺少列：「本周累计」" in message


def test_a_png_named_xlsx_is_not_a_workbook(small, ledger):
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    assert refused(small, ledger, buffer.getvalue(), name="周帐.xlsx") == [
        "文件「周帐.xlsx」不是 Excel 工作簿（.xlsx），无法读取。请在周帐页面点击「下载 Excel」"
        "获取表格，填写后保存为 .xlsx 再上传。"
    ]


def test_a_zip_that_is_not_a_workbook_and_an_old_xls(small, ledger):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    (message,) = refused(small, ledger, buffer.getvalue(), name="周帐.xlsx")
    assert "不是 Excel 工作簿（.xlsx）" in message
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    (message,) = refused(small, ledger, old, name="周帐.xls")
    assert "旧版 Excel（.xls）" in message


def test_an_oversized_file(small, ledger, settings):
    settings.LEDGER_UPLOAD_MAX_BYTES = 1024
    content = download(ledger, small)
    assert len(content) > 1024
    (message,) = refused(small, ledger, content)
    assert message.startswith(f"文件过大（{round(len(content) / 1024)} KB），周帐表格不能超过 1 KB")
    before = snapshot()
    with pytest.raises(LedgerError, match="文件过大"):  # bytes: no declared size to trust
        import_ledger_workbook(ledger=ledger, file=content, user=small.reporter)
    assert snapshot() == before


def test_messages_are_capped_at_200(small, ledger):
    def stray_rows(workbook):
        sheet = workbook["周帐"]
        for row in range(10, 260):
            sheet.cell(row=row, column=HEADERS.index("本周进展") + 1).value = "多出来的行"

    messages = refused(small, ledger, fill(download(ledger, small), {}, edit=stray_rows))
    assert len(messages) == 201
    assert (
        messages[0]
        == "工作表「周帐」第10行「指标编号」：不能为空：请不要在表格中插入行或删除指标编号"
    )
    assert messages[-1] == "……另有 50 处问题未列出。"


# --- views ----------------------------------------------------------------------------------


@pytest.fixture
def this_week(small):
    """Week 48 of 2026, with the clock inside it (a day before its deadline)."""
    with time_machine.travel(small.during(48), tick=True):
        yield period_containing(current_year(), timezone.now())


def test_download_view_gives_the_reporter_an_attachment(client, small, this_week):
    client.force_login(small.reporter)
    response = client.get(reverse("ledger-xlsx", args=[this_week.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    name = f"周帐-城关镇-{this_week.year.year}-W{this_week.iso_week:02d}.xlsx"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith('attachment; filename="ledger-')
    assert sheet_of(response.content)["A1"].value.startswith("城关镇")


@pytest.mark.parametrize("who", ["reviewer", "office"])
def test_download_view_refuses_other_roles(client, small, this_week, who):
    client.force_login(getattr(small, who))
    assert client.get(reverse("ledger-xlsx", args=[this_week.pk])).status_code == 403


def test_week_page_offers_download_and_upload(client, small, this_week):
    client.force_login(small.reporter)
    page = client.get(reverse("ledger-week", args=[this_week.pk])).content.decode()
    assert reverse("ledger-xlsx", args=[this_week.pk]) in page
    assert reverse("ledger-xlsx-upload", args=[this_week.pk]) in page


def test_upload_view_saves_and_redirects_with_counts(client, small, this_week):
    client.force_login(small.reporter)
    content = client.get(reverse("ledger-xlsx", args=[this_week.pk])).content
    content = fill(content, {small.investment.pk: {"本周累计": 8}})
    response = client.post(
        reverse("ledger-xlsx-upload", args=[this_week.pk]),
        {"file": SimpleUploadedFile("周帐.xlsx", content)},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("ledger-week", args=[this_week.pk]), 302)]
    assert "已从 Excel 导入周帐：修改 1 项，未变 2 项。" in response.content.decode()
    entry = LedgerEntry.objects.get(ledger__period=this_week, indicator=small.investment)
    assert entry.value == 8


def test_upload_view_shows_the_problems_and_changes_nothing(client, small, this_week):
    client.force_login(small.reporter)
    content = client.get(reverse("ledger-xlsx", args=[this_week.pk])).content
    content = fill(content, {small.investment.pk: {"本周累计": "abc"}})
    before = snapshot()
    response = client.post(
        reverse("ledger-xlsx-upload", args=[this_week.pk]),
        {"file": SimpleUploadedFile("周帐.xlsx", content)},
        follow=True,
    )
    page = response.content.decode()
    assert "Excel 未导入，周帐没有任何改动" in page
    assert "工作表「周帐」第4行「本周累计」：应为数字，实际为“abc”" in page
    assert snapshot() == before


def test_upload_view_is_post_only(client, small, this_week):
    client.force_login(small.reporter)
    assert client.get(reverse("ledger-xlsx-upload", args=[this_week.pk])).status_code == 405


# --- size -----------------------------------------------------------------------------------


def test_a_2000_row_workbook_imports(small):
    """Benchmark figure: the time to import a 2,000-row ledger workbook (printed with -s)."""
    unit, campaign = small.reporter.unit, small.investment.campaign
    indicators = Indicator.objects.bulk_create(
        Indicator(
            campaign=campaign,
            name=f"指标{n:04d}",
            measure="亿元",
            direction="higher",
            points=Decimal("1"),
            lead_unit=small.investment.lead_unit,
            sort_order=10 + n,
        )
        for n in range(1997)
    )
    Target.objects.bulk_create(
        Target(indicator=i, unit=unit, annual_value=Decimal("100")) for i in indicators
    )
    ledger = open_ledger(unit=unit, period=small.period(48))
    assert ledger.entries.count() == 2000
    content = download(ledger, small)
    numbers = [*indicators, small.investment, small.cases]
    content = fill(content, {i.pk: {"本周累计": 6 + n % 7 / 4} for n, i in enumerate(numbers)})

    # Its speed is measured by bench/ledger_year.py, not asserted here.
    result = upload(small, ledger, content)
    assert (result.changed, result.unchanged) == (1999, 1)
    assert ledger.entries.filter(value__isnull=False).count() == 1999
