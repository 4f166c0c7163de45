"""The PDF documents, read back from the real file: fonts, text, pages, and nothing fetched.

The published quarter (Q1 of the current ISO year, tests.campaigns.builders.build_small_year):
three townships hand in weeks 6 and 13 of the quarter; week 13 is verified.
- 固定资产投资完成额 (10 points, T = 12 × 25 % = 3): 城关镇 3.6 → r 1.2 → 12; 青山镇 2.4 → 0.8 → 8;
  白沙镇 0.6 → 0.2 → 2.
- 刑事案件发案数 (lower-better, 5 points, T = 10): 8 → 5; 12 → 0.8 → 4; 14 → 0.6 → 3.
- 防汛物资到位 (milestone due 07-31): not scored in Q1.
Base 100 × Σ / 15: 113.33, 80, 33.33. Eleven weeks missing each: −5 (the cap).
Totals 108.33, 75, 28.33 → ranks 1, 2, 3; 城关镇 先进 (rank 1 of 3, ≥ 85), 白沙镇 后进 (< 60).
白沙镇 is renamed `<img src=file:///etc/passwd>白沙镇`: it must print as text.
"""

import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.models import LedgerEntry
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import verify_entries
from campaigns.services.years import set_target
from scoring.reports import pdf
from scoring.reports.charts import sparkline_svg
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

D = Decimal
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EVIL = "<img src=file:///etc/passwd>"

pytestmark = [
    pytest.mark.skipif(
        not shutil.which("pdffonts") or not shutil.which("pdftoppm"),
        reason="需要 poppler-utils（pdffonts、pdftoppm、pdftotext）",
    ),
    # Q1 2026 is over and locked, Q2 is running: "now" for computing and publishing Q1.
    pytest.mark.clock("2026-04-15 10:00"),
]


def build_published_quarter(*, year: int | None = None):
    small = build_small_year(year=year)
    a, b, c = small.county.units[:3]
    c.name = f"{EVIL}白沙镇"
    c.save()
    zfw = make_user("zfw", Role.REVIEWER, unit=small.cases.lead_unit)
    reporters = {
        a: small.reporter,
        b: small.other_reporter,
        c: make_user("rc", Role.REPORTER, unit=c),
    }
    figures = {a: ("3.6", "8"), b: ("2.4", "12"), c: ("0.6", "14")}
    for unit in (a, b, c):  # 防汛物资到位 falls due on 07-31: not scored in Q1
        set_target(
            indicator=small.flood,
            unit=unit,
            annual_value=None,
            milestones=[(date(small.year.year, 7, 31), D(1))],
        )
    weeks = list(small.year.periods.filter(quarter=1).order_by("iso_week"))
    for period, share in ((weeks[5], D("0.5")), (weeks[-1], D(1))):
        moment = period.deadline - timedelta(hours=5)
        for unit in (a, b, c):
            ledger = open_ledger(unit=unit, period=period)
            save_entries(
                ledger=ledger,
                user=reporters[unit],
                now=moment,
                changes={
                    small.investment.pk: EntryInput(value=D(figures[unit][0]) * share),
                    small.cases.pk: EntryInput(value=(D(figures[unit][1]) * share).quantize(D(1))),
                    small.flood.pk: EntryInput(),
                },
            )
            submit_ledger(ledger=ledger, user=reporters[unit], now=moment)
    last = LedgerEntry.objects.filter(ledger__period=weeks[-1])
    verify_entries(
        entry_ids=list(last.filter(indicator=small.investment).values_list("pk", flat=True)),
        user=small.reviewer,
    )
    verify_entries(
        entry_ids=list(last.filter(indicator=small.cases).values_list("pk", flat=True)), user=zfw
    )
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=small.office)
    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )
    publish_quarter(evaluation=evaluation, user=small.office, document_number="〔2026〕3号")
    evaluation.refresh_from_db()
    return small, evaluation, (a, b, c)


@pytest.fixture
def published(db):
    return build_published_quarter()


def save(tmp_path, content: bytes, name="doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def fonts(path: Path) -> list[dict]:
    """pdffonts' table as dicts: name, type, emb, sub."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = []
    for line in lines.stdout.splitlines()[2:]:
        cells = line.split()
        # name type [type…] encoding emb sub uni object ID
        rows.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4]})
    return rows


def flat(text: str) -> str:
    return "".join(text.split())


def text_of(path: Path, *, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    out = subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True)
    return flat(out.stdout)  # table cells wrap: compare without whitespace


def png_of_first_page(path: Path, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(target),
        ],
        check=True,
    )
    return target.with_suffix(".png")


def assert_cjk_subset_fonts_only(path: Path):
    found = fonts(path)
    assert found, "no fonts in the PDF"
    for font in found:
        assert (font["emb"], font["sub"]) == ("yes", "yes"), font
        assert "CJK" in font["name"], font


def test_quarter_notice_reads_back_as_the_ranking(published, tmp_path):
    small, evaluation, (a, b, c) = published
    filename, content_type, content = pdf.render_quarter_notice({"evaluation_id": evaluation.pk})
    assert content_type == "application/pdf" and content.startswith(b"%PDF")
    assert filename == f"{small.year.year}年第一季度交帐亮相考评结果通报（第1版）.pdf"
    path = save(tmp_path, content)
    assert_cjk_subset_fonts_only(path)

    text = text_of(path)
    title = f"关于{small.year.year}年第一季度“交帐亮相”考评结果的通报"
    assert title in text and "中共示范县委督查室" in text and "〔2026〕3号" in text
    assert "一、考评排名" in text and "二、通报表扬" in text and "三、责令检讨" in text
    # The ranking table lists 城关镇, 青山镇, 白沙镇 in rank order with their totals.
    table = text[text.index("乡镇组") : text.index("二、通报表扬")]
    positions = [table.index(name) for name in (a.name, b.name, "白沙镇")]
    assert positions == sorted(positions)
    assert "108.33" in table and "75.00" in table and "28.33" in table
    praise = text[text.index("二、通报表扬") : text.index("三、责令检讨")]
    blame = text[text.index("三、责令检讨") : text.index("四、一票否决")]
    assert a.name in praise and b.name not in praise
    assert flat(c.name) in blame and a.name not in blame  # the name, markup and all, as text
    assert "本季度无一票否决事项" in text
    assert "第1版" in text and "打印时间" in text  # the footer: version and print date

    reader = PdfReader(BytesIO(content))
    assert 1 <= len(reader.pages) <= 3
    assert all(not page.images for page in reader.pages)  # the <img> never became an image
    png = png_of_first_page(path, "quarter-notice-page1")
    assert png.stat().st_size > 10_000


def test_the_renderer_fetches_only_the_print_css(published):
    _, evaluation, _ = published
    html = render_to_string(
        "reports/quarter_notice.html",
        {"office": "x", **pdf.quarter_notice_context(evaluation), "printed_at": None},
    )
    assert "&lt;img src=file:///etc/passwd&gt;" in html  # autoescaped
    fetcher = pdf.StaticOnlyFetcher()
    pdf.render_pdf(html, fetcher=fetcher)
    assert fetcher.refused == []
    assert [url.rsplit("/", 2)[-2:] for url in fetcher.fetched] == [["reports", "print.css"]]


def test_the_fetcher_refuses_anything_outside_static(tmp_path, settings):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    html = (
        f'<p>图</p><img src="file:///etc/passwd"><img src="{secret.as_uri()}">'
        '<img src="http://127.0.0.1:9/x.png"><img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="../../../../../../etc/passwd">'
    )
    fetcher = pdf.StaticOnlyFetcher()
    content = pdf.render_pdf(html, fetcher=fetcher)
    # The relative path resolves to file:///etc/passwd again (asked once, cached).
    assert len(fetcher.refused) == 4 and fetcher.fetched == []
    assert all(not page.images for page in PdfReader(BytesIO(content)).pages)
    assert fetcher.allowed_path("file:///etc/passwd") is None
    static_css = Path(settings.STATICFILES_DIRS[0]) / "reports" / "print.css"
    assert fetcher.allowed_path(static_css.resolve().as_uri()) == static_css.resolve()


def test_a_long_notice_repeats_the_table_header_and_keeps_rows_whole(db, tmp_path):
    """70 townships in one group: the ranking table runs over several pages."""
    small = build_small_year()
    county = build_county(townships=70, departments=4, parks=1)
    townships = [u for u in county.units if u.kind == "township"]
    for unit in townships:
        set_target(indicator=small.investment, unit=unit, annual_value=D(12))
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=small.office)
    evaluation.refresh_from_db()
    _, _, content = pdf.render_quarter_notice({"evaluation_id": evaluation.pk})
    path = save(tmp_path, content)
    pages = len(PdfReader(BytesIO(content)).pages)
    assert 3 <= pages <= 8
    assert_cjk_subset_fonts_only(path)
    header = "名次单位基础分报送扣分加减分总分较上季度等次"
    assert header in text_of(path, page=1) and header in text_of(path, page=2)
    assert "未发布稿" in text_of(path, page=1)  # the office's preview says so
    # Nobody handed anything in: the 67 townships carrying only the investment indicator
    # read "<name> 0.00 -5.00 0.00 -5.00 — 后进". Each row's cells sit together on one page
    # (a row never splits), and every unit is listed once.
    row_tail = "0.00-5.000.00-5.00—后进"
    page_texts = [text_of(path, page=n) for n in range(1, pages + 1)]
    ranking = []  # each page's share of the ranking tables, up to section 二
    for text in page_texts:
        ranking.append(text.split("二、通报表扬")[0])
        if "二、通报表扬" in text:
            break
    for unit in townships[3:]:
        assert sum(t.count(f"{unit.name}{row_tail}") for t in ranking) == 1, unit.name
    assert all(sum(t.count(unit.name) for t in ranking) == 1 for unit in townships)
    png_of_first_page(path, "quarter-notice-long-page1")


def test_scorecard_has_indicators_trend_chart_and_file(published, tmp_path):
    _small, evaluation, (a, _, _) = published
    filename, _, content = pdf.render_unit_scorecard(
        {"evaluation_id": evaluation.pk, "unit_id": a.pk}
    )
    assert filename.startswith(a.name) and filename.endswith(".pdf")
    path = save(tmp_path, content)
    assert_cjk_subset_fonts_only(path)
    text = text_of(path)
    assert "固定资产投资完成额" in text and "刑事案件发案数" in text
    assert "各会战逐周完成趋势" in text and "项目建设会战" in text
    assert "第一季度交帐亮相先进" in text  # the quarter's file entry
    assert "1/3" in text and "先进" in text
    png_of_first_page(path, "unit-scorecard-page1")


def test_sparkline_is_plain_svg_with_gaps():
    svg = sparkline_svg([(1, 0.1), (2, None), (3, 0.5), (4, 0.8)], last_week=13, caption="<x>")
    assert svg.startswith("<svg") and "<script" not in svg and "&lt;x&gt;" in svg
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 1  # week 1 alone, 3–4 a line
    assert "80%" in svg
    assert "暂无填报" in sparkline_svg([(1, None)], last_week=13)


def test_unit_file_and_annual_notice_render_what_exists(published, tmp_path):
    small, _evaluation, (_a, _, c) = published
    _, _, content = pdf.render_unit_file({"unit_id": c.pk, "year_id": small.year.pk})
    path = save(tmp_path, content, "file.pdf")
    assert_cjk_subset_fonts_only(path)
    text = text_of(path)
    assert flat(f"{EVIL}白沙镇{small.year.year}年度绩误档案") in text
    assert "第一季度交帐亮相后进，责令检讨" in text and "28.33" in text
    png_of_first_page(path, "unit-file-page1")

    # No annual evaluation yet: the annual notice says so instead of failing.
    _, _, content = pdf.render_annual_notice({"year_id": small.year.pk})
    text = text_of(save(tmp_path, content, "annual.pdf"))
    assert f"{small.year.year}年度实绩评定尚未计算" in text and "未发布稿" in text
