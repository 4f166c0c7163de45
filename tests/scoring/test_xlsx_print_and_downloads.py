"""Every workbook prints as a 督查室 would file it, and every download carries its Chinese name.

Print set-up (campaigns.excel.print_setup, one helper for all): A4 landscape, every column on
one page's width (fitToWidth 1, fitToHeight 0 = as many pages down as needed), the header
row(s) repeated on each page, "第 n 页，共 m 页" in the footer. Names: RFC 6266/5987 —
`filename="<ASCII>"` for old clients and `filename*=utf-8''<percent-encoded Chinese>`.
Quarter: Q1 2026 of tests.scoring.test_pdf_reports.build_published_quarter.
"""

from io import BytesIO
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from campaigns.models import WeeklyLedger
from campaigns.services.ledger_workbook import ledger_workbook
from campaigns.services.year_import import indicator_template, target_template
from scoring.models import IndicatorScore, ReportJob
from scoring.reports.registry import load_exports
from scoring.services.briefings import generate_briefing
from tests.helpers import make_user
from tests.scoring.test_pdf_reports import build_published_quarter

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def published(db):
    return build_published_quarter()


@pytest.fixture
def eager(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    return settings


def assert_prints_landscape_fit_to_width(sheet, *, title_rows: str):
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    # One page wide: fitToWidth 1, which is also its default when absent (ECMA-376 Part 1,
    # 18.3.1.64) — XlsxWriter leaves the default out, openpyxl writes it.
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
    assert sheet.print_title_rows == title_rows
    assert sheet.oddFooter.center.text.endswith("第 &P 页，共 &N 页")


@pytest.mark.parametrize(
    ("identifier", "params"),
    [
        ("ranking_xlsx", {"evaluation_id": None}),
        ("indicator_detail_xlsx", {"evaluation_id": None}),
        ("completeness_xlsx", {"year_id": None}),
    ],
)
def test_every_export_workbook_prints_landscape_with_its_header_repeated(
    client, published, identifier, params
):
    small, evaluation, _units = published
    values = {"evaluation_id": evaluation.pk, "year_id": small.year.pk}
    client.force_login(make_user("leader", Role.LEADER))
    response = client.get(
        reverse("results-export", args=[identifier]), {k: values[k] for k in params}
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.worksheets
    for sheet in book.worksheets:
        assert_prints_landscape_fit_to_width(sheet, title_rows="$1:$1")


def test_the_ledger_workbook_prints_landscape_with_its_header_row_repeated(published):
    """The ledger sheet's header is row 3 (title and instructions above it)."""
    _small, _evaluation, (a, _b, _c) = published
    ledger = WeeklyLedger.objects.filter(unit=a).order_by("-period__iso_week").first()
    book = load_workbook(BytesIO(ledger_workbook(ledger=ledger)))
    sheet = book["周帐"]
    assert_prints_landscape_fit_to_width(sheet, title_rows="$3:$3")
    assert sheet.oddFooter.center.text.startswith(a.name)


def _params(small, evaluation, unit, briefing) -> dict[str, dict]:
    """Parameters of each registered export, for the office (who may have every one)."""
    return {
        "quarter_notice": {"evaluation_id": evaluation.pk},
        "unit_scorecard": {"evaluation_id": evaluation.pk, "unit_id": unit.pk},
        "unit_file": {"unit_id": unit.pk, "year_id": small.year.pk},
        "annual_notice": {"year_id": small.year.pk},
        "ranking_xlsx": {"evaluation_id": evaluation.pk},
        "indicator_detail_xlsx": {"evaluation_id": evaluation.pk},
        "completeness_xlsx": {"year_id": small.year.pk},
        "comparison_xlsx": {"year_id": small.year.pk, "scope": "all"},
        "weak_items_xlsx": {"year_id": small.year.pk, "scope": "all"},
        "weekly_briefing": {"briefing_id": briefing.pk},
        "weekly_briefing_xlsx": {"briefing_id": briefing.pk},
        "showcase_deck": {"evaluation_id": evaluation.pk},
        "register_projects_xlsx": {"viewer": small.office.pk},
        "register_signed_xlsx": {"viewer": small.office.pk},
        "register_villages_xlsx": {"viewer": small.office.pk},
    }


def test_every_export_is_sent_under_its_chinese_name_with_an_ascii_fallback(
    client, published, eager, django_capture_on_commit_callbacks
):
    small, evaluation, (a, _b, _c) = published
    exports = load_exports()
    last_week = small.year.periods.filter(quarter=1).order_by("-iso_week").first()
    params = _params(small, evaluation, a, generate_briefing(period=last_week))
    assert set(params) == set(exports), "a new export needs its parameters here"
    client.force_login(small.office)
    for identifier, export in exports.items():
        if export.synchronous:
            response = client.get(reverse("results-export", args=[identifier]), params[identifier])
        else:
            with django_capture_on_commit_callbacks(execute=True):
                client.post(
                    reverse("report-request"), {"identifier": identifier, **params[identifier]}
                )
            job = ReportJob.objects.filter(identifier=identifier).latest("id")
            assert job.status == "done", (identifier, job.error)
            response = client.get(reverse("report-download", args=[job.pk]))
        assert response.status_code == 200, identifier
        disposition = response["Content-Disposition"]
        fallback, encoded = disposition.removeprefix("attachment; ").split("; ")
        assert fallback.startswith('filename="') and fallback.isascii(), disposition
        assert encoded.startswith("filename*=utf-8''") and encoded.isascii(), disposition
        name = unquote(encoded.removeprefix("filename*=utf-8''"))
        assert quote(name, safe="") == encoded.removeprefix("filename*=utf-8''")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in name), name  # the Chinese name
        assert name.endswith(".xlsx" if export.synchronous else ".pdf"), name


def test_the_indicator_detail_names_the_rank_method_and_rank(client, published):
    """城关镇's investment row scored by rank (r 1.2, first of the 3 townships) reads
    "排名法 第1/3"; the completion-rate rows read "完成率法"."""
    _small, evaluation, (a, _b, _c) = published
    IndicatorScore.objects.filter(
        unit_score__version=evaluation.current_version,
        unit_score__unit=a,
        indicator__name="固定资产投资完成额",
    ).update(method="rank", rank=1, rank_of=3)
    client.force_login(make_user("leader", Role.LEADER))
    response = client.get(
        reverse("results-export", args=["indicator_detail_xlsx"]),
        {"evaluation_id": evaluation.pk},
    )
    sheet = load_workbook(BytesIO(response.content))["指标得分明细"]
    header = [c.value for c in sheet[1]]
    unit, indicator, method = (header.index(h) for h in ("单位", "指标", "计分方法"))
    rows = {
        (r[unit], r[indicator]): r[method] for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows[(a.name, "固定资产投资完成额")] == "排名法 第1/3"
    assert rows[(a.name, "刑事案件发案数")] == "完成率法"


def test_the_year_set_up_templates_print_with_their_headers_repeated(published):
    """The office prints the 指标 and 目标任务 templates to check them on paper: the target
    sheet's header is rows 1–3 (会战, 单位/指标, 计量单位); the others' is row 1."""
    small, _evaluation, _units = published
    indicators = load_workbook(BytesIO(indicator_template(small.year)))
    assert_prints_landscape_fit_to_width(indicators["指标"], title_rows="$1:$1")
    targets = load_workbook(BytesIO(target_template(small.year)))
    assert_prints_landscape_fit_to_width(targets["目标任务"], title_rows="$1:$3")
    assert_prints_landscape_fit_to_width(targets["时间节点"], title_rows="$1:$1")
