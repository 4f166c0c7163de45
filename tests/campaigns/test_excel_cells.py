"""Every workbook we write keeps formula-like text as text (`campaigns.excel.append_safe`).

Units, their group, a campaign and indicators are named `=1+1`, `+cmd`, `-2`, `@SUM(A1)`;
then every export of the registry, the office's completeness download, the reporter's ledger
workbook and the year's two templates are written and reopened with openpyxl: each name comes
back exactly, as a text cell marked as text (quotePrefix), and no cell anywhere is a formula.
A new export registered later is covered without touching this test.
"""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from campaigns.excel import append_safe, write_safe
from campaigns.models import WeeklyLedger
from campaigns.services.year_import import indicator_template, target_template
from scoring.reports.registry import load_exports
from scoring.services.briefings import generate_briefing
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTILE = ["=1+1", "+cmd", "-2", "@SUM(A1)"]
# A moment after the small year's Q1 is published (the builders build the clock's ISO year).
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def text_cells(content: bytes) -> dict[str, list]:
    """Every text cell of the workbook by its text; fails on any formula cell."""
    book = load_workbook(BytesIO(content))
    cells: dict[str, list] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    cells.setdefault(cell.value, []).append(cell)
    return cells


def assert_kept(content: bytes, names) -> None:
    cells = text_cells(content)
    for name in names:
        assert name in cells, f"{name!r} missing"
        for cell in cells[name]:
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


@pytest.fixture
def hostile(db):
    with time_machine.travel(NOW, tick=True):
        small, evaluation, units = published_quarter()
        for unit, name in zip(units, HOSTILE, strict=False):
            unit.name = unit.short_name = name
            unit.save()
        group = units[0].group
        group.name = HOSTILE[3]
        group.save()
        campaign = small.investment.campaign
        campaign.name = HOSTILE[1]
        campaign.save()
        for indicator, name in [(small.investment, HOSTILE[3]), (small.cases, HOSTILE[0])]:
            indicator.name = name
            indicator.save()
        _registers(small, units)
        yield small, evaluation, units


def test_every_registered_export_keeps_formula_like_names_as_text(hostile):
    small, evaluation, units = hostile
    last_week = small.year.periods.filter(quarter=1).order_by("-iso_week").first()
    with time_machine.travel(NOW, tick=False):
        briefing = generate_briefing(period=last_week, now=NOW)
    county = {"evaluation_id": evaluation.pk, "year_id": small.year.pk, "briefing_id": briefing.pk}
    one_unit = {**county, "unit_id": units[0].pk}  # the scorecard and the unit's file
    own_view = {"year": small.year.pk, "viewer": small.office.pk}  # the register sheets
    rendered, sheets = set(), set()
    for identifier, export in load_exports().items():
        params = next(
            (p for p in (county, one_unit, own_view) if export.allowed(small.office, p) is None),
            None,
        )
        if params is None:
            continue  # e.g. the annual notice: no annual evaluation in this data
        _filename, content_type, content = export.render(params)
        assert content
        rendered.add(identifier)
        if content_type == XLSX:
            assert_kept(content, HOSTILE[:3])
            sheets.add(identifier)
    assert sheets >= {
        "ranking_xlsx",
        "indicator_detail_xlsx",
        "completeness_xlsx",
        "weekly_briefing_xlsx",
        "register_projects_xlsx",
        "register_signed_xlsx",
        "register_villages_xlsx",
    }
    assert rendered >= sheets | {"quarter_notice", "unit_scorecard"}


def test_office_completeness_download_keeps_them(client, hostile):
    small, _evaluation, _units = hostile
    client.force_login(small.office)
    response = client.get(reverse("completeness-xlsx"))
    assert response.status_code == 200
    assert_kept(response.content, HOSTILE)  # three units and their group


def test_ledger_workbook_download_keeps_them(client, hostile):
    small, _evaluation, units = hostile
    ledger = WeeklyLedger.objects.filter(unit=units[0]).select_related("period").first()
    reporter = make_user("hostile-reporter", *small.reporter.roles, unit=units[0])
    client.force_login(reporter)
    response = client.get(reverse("ledger-xlsx", args=[ledger.period_id]))
    assert response.status_code == 200
    assert_kept(response.content, [HOSTILE[3], HOSTILE[0], HOSTILE[1]])  # indicators, campaign
    title = next(text for text in text_cells(response.content) if text.startswith("=1+1 · "))
    assert title  # the sheet's title starts with the unit's name


def test_year_templates_keep_them(hostile):
    small, _evaluation, _units = hostile
    assert_kept(indicator_template(small.year), [HOSTILE[3], HOSTILE[0], HOSTILE[1]])
    assert_kept(target_template(small.year), HOSTILE)


@pytest.mark.parametrize("write_only", [True, False])
def test_append_safe_escapes_values_and_styled_cells(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else book.active
    styled = WriteOnlyCell(sheet, value="=HYPERLINK(1)")
    append_safe(sheet, [*HOSTILE, styled, WriteOnlyCell(None, value="@x"), 12, -3.5, None])
    if not write_only:
        write_safe(sheet, row=2, column=1, value="-9")
    out = BytesIO()
    book.save(out)
    cells = text_cells(out.getvalue())
    assert set(cells) == {*HOSTILE, "=HYPERLINK(1)", "@x", *([] if write_only else ["-9"])}
    assert all(c.quotePrefix for found in cells.values() for c in found)
    row = next(load_workbook(BytesIO(out.getvalue())).worksheets[-1].iter_rows(values_only=True))
    assert row[6:8] == (12, -3.5)


def _registers(small, units):
    """A project, a signing and a pilot village of each hostile unit (the register sheets)."""
    from datetime import date
    from decimal import Decimal

    from campaigns.models import KeyProject, PilotVillage, SignedProject
    from campaigns.services.ledger import open_ledger

    for number, unit in enumerate(units[:3]):
        KeyProject.objects.create(
            year=small.year,
            campaign=small.investment.campaign,
            name=f"项目{number}",
            unit=unit,
            category=KeyProject.Category.OTHER,
            total_investment=Decimal(10),
            annual_plan=Decimal(5),
        )
        SignedProject.objects.create(
            year=small.year,
            unit=unit,
            ledger=open_ledger(unit=unit, period=small.period(10)),
            name=f"签约{number}",
            investor="某公司",
            amount=Decimal(10),
            signed_on=date(small.year.year, 3, 2),
        )
        PilotVillage.objects.create(
            year=small.year, township=unit, name=f"村{number}", level="county_aid"
        )
