"""The registers' Excel exports: the list page's filters, the viewer's scope, escaping."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import Inspection, KeyProject
from scoring.reports.registry import get_export
from tests.campaigns.register_builders import build_register_year
from tests.campaigns.test_excel_cells import assert_kept

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-05-15 10:00")]


@pytest.fixture
def reg():
    return build_register_year(year=2026)


def _rows(response, sheet):
    book = load_workbook(BytesIO(response.content))
    return [[c.value for c in row] for row in book[sheet].iter_rows()]


def test_the_list_link_downloads_its_filters(client, reg):
    Inspection.objects.create(
        unit=reg.township,
        project=reg.food_park,
        inspector=reg.small.office,
        visited_on=date(2026, 5, 5),
        place="工地",
        findings="已进场",
    )
    client.force_login(reg.small.office)
    page = client.get(reverse("register-projects"), {"unit": reg.township.pk})
    link = page.context["export_url"].replace("&amp;", "&")
    assert f"unit={reg.township.pk}" in link and f"viewer={reg.small.office.pk}" in link
    rows = _rows(client.get(link), "重点项目")
    assert rows[0][0] == "项目名称"
    assert [r[0] for r in rows[1:]] == ["城关镇食品产业园", "城关镇污水处理厂", "城关镇物流中心"]
    food = rows[1]
    assert food[6] == 50000 and food[7] == 20000  # 万元 figures as numbers
    assert food[9] == "2026年3月1日" and food[10] == "未开工"
    assert food[16] == "是"  # not started after its planned start
    assert food[17] == "2026年5月5日（10天前）"
    assert rows[3][17] == "从未实地查看"


def test_a_unit_downloads_its_own_rows_only_and_nobody_elses_view(client, reg):
    client.force_login(reg.small.other_reporter)
    own = {"viewer": reg.small.other_reporter.pk}
    rows = _rows(
        client.get(reverse("results-export", args=["register_projects_xlsx"]), own), "重点项目"
    )
    assert [r[0] for r in rows[1:]] == ["青山镇光伏电站"]
    office = {"viewer": reg.small.office.pk}
    refused = client.get(reverse("results-export", args=["register_projects_xlsx"]), office)
    assert refused.status_code == 403


def test_villages_and_signed_sheets(client, reg):
    client.force_login(reg.small.office)
    params = {"viewer": reg.small.office.pk}
    villages = client.get(reverse("results-export", args=["register_villages_xlsx"]), params)
    assert _rows(villages, "试点村")[1][:7] == [
        "东村",
        reg.township.name,
        "省级",
        "王县长",
        4,
        0,
        0,
    ]
    assert len(_rows(villages, "建设任务")) == 5
    signed = client.get(reverse("results-export", args=["register_signed_xlsx"]), params)
    assert _rows(signed, "招商签约")[0][0] == "项目名称"


def test_formula_like_names_stay_text(reg):
    KeyProject.objects.filter(pk=reg.food_park.pk).update(name="=1+1", blocking_note="@SUM(A1)")
    reg.village.name = "+cmd"
    reg.village.save()
    params = {"viewer": reg.small.office.pk}
    for identifier, names in (
        ("register_projects_xlsx", ["=1+1", "@SUM(A1)"]),
        ("register_villages_xlsx", ["+cmd"]),
    ):
        _name, _type, content = get_export(identifier).render(params)
        assert_kept(content, names)


def test_without_a_viewer_nothing_is_listed(reg):
    _name, _type, content = get_export("register_projects_xlsx").render({})
    sheet = load_workbook(BytesIO(content))["重点项目"]
    assert sheet.max_row == 1  # the header only
