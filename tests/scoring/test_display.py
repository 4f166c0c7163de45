"""One rounding for every score shown (issue 11, scoring/display.py): a total of 93.455 reads
93.46 in the table, the chart, the PDF and the workbook. It used to read 93.45 in the chart,
which rounded a float (93.455 is 93.45499999999999829… as a binary float)."""

import re
import zipfile
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from scoring.display import rounded, shown
from scoring.models import UnitScore
from scoring.reports import pdf
from scoring.reports.charts import sparkline_svg
from scoring.views.results import _chart_data
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal
TOTAL = D("93.455")


def test_the_helper_rounds_half_up_once():
    assert round(float(TOTAL), 2) == 93.45  # what the chart used to show
    assert shown(TOTAL) == "93.46" and rounded(TOTAL) == D("93.46")
    assert shown(D("93.455000")) == "93.46"  # as stored (6 places)
    assert shown(D("-2.675")) == "-2.68" and shown(D("-0.001")) == "0.00"
    assert shown(D("75")) == "75.00" and shown(None) == "" and rounded(None) is None
    assert shown(D("92.25"), 1) == "92.3" and shown(D("92.5"), 0) == "93"


def test_the_table_filter_shows_it_as_the_helper_does():
    page = Template(
        '{% load scores %}{{ a|points }} {{ b|points|default:"未参评" }} {{ a|points:1 }}'
    )
    assert page.render(Context({"a": TOTAL, "b": None})) == "93.46 未参评 93.5"


def test_the_chart_data_carries_the_rounded_figure_and_its_text():
    unit = SimpleNamespace(short_name="城关镇", name="城关镇")
    rows = [
        SimpleNamespace(total=TOTAL, unit=unit, tier="advanced", vetoed=False),
        SimpleNamespace(total=None, unit=unit, tier="", vetoed=False),
    ]
    group = SimpleNamespace(pk=1, name="乡镇组")
    chart = _chart_data([(group, rows)], [])
    (data,) = chart["groups"]
    assert data["labels"] == ["93.46", None]
    assert data["totals"] == [93.46, None]
    # The histogram counts 93.46 (rounded once) in the 90–100 band; the unscored unit nowhere.
    assert chart["histogram"]["counts"]["advanced"] == [0, 0, 0, 0, 1, 0]
    assert chart["histogram"]["names"][4] == ["城关镇"]


def test_the_pdf_sparkline_label_rounds_half_up():
    # 92.5 % of the target: Python's round(92.5) is 92 (half to even); people read 93.
    assert ">93%<" in sparkline_svg([(1, 0.5), (2, 0.925)], first_week=1, last_week=2)


@pytest.fixture
def at_93_455(db):
    small, evaluation, units = published_quarter()
    UnitScore.objects.filter(version=evaluation.current_version, unit=units[0]).update(total=TOTAL)
    return small, evaluation, units


def test_the_results_page_table_and_chart_agree(client, at_93_455):
    _small, evaluation, _units = at_93_455
    client.force_login(make_user("leader", Role.LEADER))
    page = client.get(reverse("results-detail", args=[evaluation.pk]))
    html = page.content.decode()
    assert "93.46" in html and "93.45<" not in html
    data = page.context["chart_data"]["groups"][0]
    assert data["labels"][0] == "93.46" and data["totals"][0] == 93.46


def test_the_pdf_notice_shows_the_same_figure(at_93_455):
    _small, evaluation, _units = at_93_455
    html = render_to_string(
        "reports/quarter_notice.html",
        {"office": "x", **pdf.quarter_notice_context(evaluation), "printed_at": None},
    )
    assert "93.46" in html and "93.45<" not in html


def test_the_workbook_holds_the_exact_decimal_shown_to_two_places(client, at_93_455):
    """A workbook is data people add up: the cell holds the stored Decimal, written as its
    decimal text (never through a float), and the "0.00" format shows it — half up, as the
    spreadsheet rounds what it displays — as 93.46."""
    _small, evaluation, _units = at_93_455
    client.force_login(make_user("leader", Role.LEADER))
    response = client.get(
        reverse("results-export", args=["ranking_xlsx"]), {"evaluation_id": evaluation.pk}
    )
    sheet = load_workbook(BytesIO(response.content))["乡镇组"]
    total = sheet["F2"]
    assert total.number_format == "0.00" and D(str(total.value)) == TOTAL
    xml = zipfile.ZipFile(BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r"<v>93\.455(0*)</v>", xml)
