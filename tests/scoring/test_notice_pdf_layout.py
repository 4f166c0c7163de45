"""The 通报 laid out as a 督查室 would sign it (GB/T 9704), read back page by page.

The published quarter is tests.scoring.test_pdf_reports.build_published_quarter (Q1 2026,
三个乡镇: 城关镇 108.33 先进, 青山镇 75.00, 白沙镇 28.33 后进; 文号〔2026〕3号, published
2026-04-15). Each layout rule is checked twice where it can be: with the rule switched off
by a CSS override, to find a notice whose body is just long enough to break the rule, and
with the real print.css, on that very notice, to show the rule holds.
"""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace as NS

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from scoring.models import IndicatorScore
from scoring.reports import pdf
from scoring.services.annual import compute_year, publish_year, review_year
from scoring.services.evaluations import record_skipped_quarter
from scoring.templatetags.documents import sentence
from tests.scoring.test_pdf_reports import build_published_quarter

pytestmark = pytest.mark.clock("2026-04-15 10:00")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
OFFICE = "中共示范县委督查室"
# The signature: office and date on their own lines; the 版记 line reads "…2026年4月15日印发".
SIGNATURE = re.compile(OFFICE + "2026年4月15日(?!印发)")
LAST_PARAGRAPH = "本次考评结果已记入各单位绩误档案，作为年度实绩评定的主要依据。"


@pytest.fixture
def published(db):
    return build_published_quarter()


def settle_the_year(small) -> None:
    """Q1 is published; Q2–Q4 are recorded as not evaluated, so the year can be computed."""
    for quarter in (2, 3, 4):
        record_skipped_quarter(year=small.year, quarter=quarter, reason="测试", user=small.office)


def pages_of(content: bytes, tmp_path: Path, name="doc.pdf") -> list[str]:
    """Each page's text, without whitespace (table cells and lines wrap)."""
    path = tmp_path / name
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return ["".join(page.split()) for page in out.split("\f")[:-1]]


def notice_html(context: dict, *, css: str = "") -> str:
    html = render_to_string(
        "reports/quarter_notice.html",
        {
            "office": OFFICE,
            "copy_to": settings.NOTICE_COPY_TO,
            "printed_at": timezone.localtime(),
            **context,
        },
    )
    return html.replace("</head>", f"<style>{css}</style></head>") if css else html


def save_pngs(content: bytes, name: str) -> None:
    """Every page at 50 dpi under test-artifacts/, to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(ARTIFACTS / name)], check=True)


def vetoes(count: int, reason="发生较大安全生产事故。"):
    """Synthetic 一票否决 paragraphs (one or two lines each) to lengthen the body."""
    return [NS(unit=NS(name=f"测试单位{i + 1}"), reason=reason) for i in range(count)]


def test_sentence_closes_typed_text_once():
    assert sentence("发生较大安全生产事故。") == "发生较大安全生产事故。"
    assert sentence("发生较大安全生产事故，") == "发生较大安全生产事故。"
    assert sentence("发生较大安全生产事故 。 ") == "发生较大安全生产事故。"
    assert sentence("发生较大安全生产事故") == "发生较大安全生产事故。"
    assert sentence("是否属实？") == "是否属实？"
    assert sentence("") == "" and sentence(None) == ""
    page = Template("{% load documents %}{{ a|sentence }}该单位")
    assert page.render(Context({"a": "事故。"})) == "事故。该单位"


def test_the_signature_never_stands_alone(published, tmp_path):
    """Lengthen the body one 一票否决 paragraph at a time until, without the closing rule
    (`.closing { break-inside: auto }`), the last paragraph ends one page and the signature
    stands alone on the next. The real print.css then keeps that notice's last paragraph,
    signature and 版记 on one page — the last."""
    _small, evaluation, _units = published
    context = pdf.quarter_notice_context(evaluation)
    found = None
    for count in range(3, 16):
        html = notice_html({**context, "vetoes": vetoes(count)}, css=".closing{break-inside:auto}")
        pages = pages_of(pdf.render_pdf(html), tmp_path)
        signature = next(i for i, text in enumerate(pages) if SIGNATURE.search(text))
        if LAST_PARAGRAPH not in pages[signature]:
            found = count
            break
    assert found, "no body length put the signature alone on a page"

    content = pdf.render_pdf(notice_html({**context, "vetoes": vetoes(found)}))
    pages = pages_of(content, tmp_path)
    signature = [i for i, text in enumerate(pages) if SIGNATURE.search(text)]
    assert signature == [len(pages) - 1]  # once, on the last page
    last = pages[-1]
    assert LAST_PARAGRAPH in last
    # The 版记 on the same (last) page, after the signature: 抄送, 印发机关, 印发日期.
    assert last.index("抄送：") > SIGNATURE.search(last).start()
    assert "".join(settings.NOTICE_COPY_TO.split()) in last
    assert last.index("2026年4月15日印发") > last.index("抄送：")  # 印发机关 … 印发日期
    assert all("抄送：" not in text for text in pages[:-1])
    save_pngs(content, "notice-signature-kept")


def test_no_doubled_punctuation_in_the_notice(published, tmp_path):
    """Reasons typed with their own full stop or a trailing comma print one 。 each."""
    _small, evaluation, _units = published
    context = pdf.quarter_notice_context(evaluation)
    reasons = ["发生较大安全生产事故。", "信访积案未化解，", "违规举债"]
    items = [NS(unit=NS(name=f"单位{i}"), reason=r) for i, r in enumerate(reasons)]
    html = notice_html({**context, "vetoes": items, "no_excellence": items[:1]})
    text = "".join(pages_of(pdf.render_pdf(html), tmp_path))
    for doubled in ("。。", "，。", "。，", "；。", "、。"):
        assert doubled not in text, doubled
    assert "发生较大安全生产事故。该单位本季度实行一票否决" in text
    assert "信访积案未化解。该单位本季度实行一票否决" in text
    assert "违规举债。该单位本季度实行一票否决" in text
    assert "发生较大安全生产事故。该单位本季度实行一票否优" in text


def _row(name: str, rank: int):
    return NS(
        tier="standard", rank=rank, unit=NS(name=name), vetoed=False, no_excellence=False,
        base=Decimal(80), timeliness=Decimal(0), adjustment=Decimal(0), total=Decimal(80),
        rank_change=None, get_tier_display=lambda: "达标",
    )  # fmt: skip


def _two_groups(context, first: int):
    a, b = NS(name="甲组", pk=1), NS(name="乙组", pk=2)
    rows_a = [_row(f"甲组单位{i}", i) for i in range(1, first + 1)]
    rows_b = [_row(f"乙组单位{i}", i) for i in range(1, 6)]
    groups = [(a, rows_a), (b, rows_b)]
    return {**context, "groups": groups, "numbered_groups": [("一", a, rows_a), ("二", b, rows_b)]}


def test_a_group_heading_keeps_its_first_three_rows(published, tmp_path):
    """Group 甲 grows a row at a time, pushing group 乙's heading (5 rows) down page 1. Without
    the rule (first-rows may break) some length leaves the heading with fewer than three of
    its rows; with print.css the heading always has at least three rows below it."""
    _small, evaluation, _units = published
    context = pdf.quarter_notice_context(evaluation)
    off = "table.rank tbody.first-rows{break-inside:auto;break-before:auto}"

    def rows_under_heading(first: int, css: str) -> int:
        pages = pages_of(
            pdf.render_pdf(notice_html(_two_groups(context, first), css=css)), tmp_path
        )
        page = next(text for text in pages if "（二）乙组" in text)
        tail = page[page.index("（二）乙组") :]
        return sum(f"乙组单位{i}" in tail for i in range(1, 6))

    broken = next((n for n in range(1, 16) if rows_under_heading(n, off) < 3), None)
    assert broken, "no length separated the heading from its first rows"
    for first in (broken - 1, broken, broken + 1):
        assert rows_under_heading(first, "") >= 3, first
    save_pngs(pdf.render_pdf(notice_html(_two_groups(context, broken))), "notice-heading-rows")


def test_the_annual_notice_has_its_number_and_edition(published, tmp_path):
    """Publishing the year gives the annual 通报 its 文号 in its own series (settings'
    ANNUAL_NOTICE_NUMBER: 年评〔2026〕1号) unless the office types one."""
    small, _evaluation, _units = published
    office = small.office
    settle_the_year(small)
    compute_year(year=small.year, user=office)
    review_year(year=small.year, user=office)
    now = timezone.now() + timedelta(days=1)
    annual = publish_year(year=small.year, user=office, now=now)
    assert annual.document_number == "年评〔2026〕1号"
    _name, _type, content = pdf.render_annual_notice({"year_id": small.year.pk})
    pages = pages_of(content, tmp_path, "annual.pdf")
    assert "年评〔2026〕1号" in pages[0]
    last = pages[-1]
    assert "本年度实绩评定结果已记入各单位绩误档案" in last
    assert re.search(OFFICE + "2026年4月16日(?!印发)", last)  # the signature, published 04-16
    assert "抄送：" in last and last.index("2026年4月16日印发") > last.index("抄送：")
    assert "。。" not in "".join(pages)
    save_pngs(content, "annual-notice")

    annual.document_number = "示督〔2027〕2号"  # as typed at publication
    annual.save()
    _name, _type, content = pdf.render_annual_notice({"year_id": small.year.pk})
    assert "示督〔2027〕2号" in pages_of(content, tmp_path, "annual2.pdf")[0]


def test_the_draft_annual_notice_has_no_number_yet(published, tmp_path):
    small, _evaluation, _units = published
    settle_the_year(small)
    compute_year(year=small.year, user=small.office)
    _name, _type, content = pdf.render_annual_notice({"year_id": small.year.pk})
    first = pages_of(content, tmp_path)[0]
    assert "未发布稿" in first and "〔2026〕" not in first


def test_the_scorecard_names_the_rank_method_and_rank(published, tmp_path):
    """城关镇's investment row scored by rank: r = 3.6 / 3 = 1.2, first of the 3 townships."""
    _small, evaluation, (a, _b, _c) = published
    IndicatorScore.objects.filter(
        unit_score__version=evaluation.current_version,
        unit_score__unit=a,
        indicator__name="固定资产投资完成额",
    ).update(method="rank", rank=1, rank_of=3)
    _name, _type, content = pdf.render_unit_scorecard(
        {"evaluation_id": evaluation.pk, "unit_id": a.pk}
    )
    text = "".join(pages_of(content, tmp_path))
    assert "计分方法" in text
    assert "排名法第1/3" in text
    assert "完成率法" in text  # 刑事案件发案数 stays a completion-rate row


def test_the_footer_is_one_line_beside_the_page_number(published, tmp_path):
    """Every word in the bottom margin (below 297 − 28 mm = 762 pt) — print time, version,
    draft mark and "— n —" — sits on one line: their tops lie within 2 pt of each other. The
    draft (computed, unpublished) quarter has the longest footer, with 未发布稿."""
    _small, evaluation, _units = published
    context = pdf.quarter_notice_context(evaluation)
    html = notice_html({**context, "published": False, "vetoes": vetoes(12)})
    path = tmp_path / "footer.pdf"
    path.write_bytes(pdf.render_pdf(html))
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = xml.split("<page ")[1:]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)
        footer = [(float(top), word) for top, word in words if float(top) > 762]
        assert any(word == str(number) for _top, word in footer), footer  # "— n —"
        assert any("未发布稿" in word for _top, word in footer), footer
        tops = [top for top, _word in footer]
        assert max(tops) - min(tops) < 2, footer
