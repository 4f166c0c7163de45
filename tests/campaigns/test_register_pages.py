"""The register lists and row pages: who sees what, the filters, the Chinese display."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from campaigns.models import Inspection, KeyProject, ProjectReport, SignedProject
from campaigns.services.ledger import open_ledger
from tests.campaigns.register_builders import build_register_year
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-05-15 10:00")]


@pytest.fixture
def reg():
    return build_register_year(year=2026)


def _names(response, testid="project-row"):
    return response.content.decode().count(f'data-testid="{testid}"')


def test_reporter_sees_only_own_projects_and_other_ids_are_404(client, reg):
    client.force_login(reg.small.reporter)
    page = client.get(reverse("register-projects")).content.decode()
    assert "城关镇食品产业园" in page and "城关镇物流中心" in page
    assert "青山镇光伏电站" not in page
    own = client.get(reverse("register-project", args=[reg.food_park.pk]))
    assert own.status_code == 200
    other = client.get(reverse("register-project", args=[reg.other_project.pk]))
    assert other.status_code == 404
    assert client.get(reverse("register-village", args=[reg.village.pk])).status_code == 200


def test_other_township_sees_none_of_chengguan(client, reg):
    client.force_login(reg.small.other_reporter)
    assert client.get(reverse("register-project", args=[reg.food_park.pk])).status_code == 404
    assert client.get(reverse("register-village", args=[reg.village.pk])).status_code == 404
    page = client.get(reverse("register-villages")).content.decode()
    assert "东村" not in page


def test_reviewers_see_the_registers_they_review(client, reg):
    """发改委 leads 开工率: it sees every unit's projects, not the villages (农业农村局's)."""
    client.force_login(reg.small.reviewer)
    page = client.get(reverse("register-projects")).content.decode()
    assert "青山镇光伏电站" in page and "城关镇食品产业园" in page
    assert client.get(reverse("register-village", args=[reg.village.pk])).status_code == 404
    client.force_login(reg.village_reviewer)
    assert client.get(reverse("register-village", args=[reg.village.pk])).status_code == 200


def test_office_and_leader_see_everything_admin_nothing(client, reg):
    for user in (reg.small.office, reg.leader):
        client.force_login(user)
        assert _names(client.get(reverse("register-projects"))) == 4
    client.force_login(make_user("adm", Role.ADMIN))
    assert client.get(reverse("register-projects")).status_code == 403
    assert client.get(reverse("register-project", args=[reg.food_park.pk])).status_code == 404


def test_project_filters(client, reg):
    client.force_login(reg.small.office)
    url = reverse("register-projects")
    assert _names(client.get(url, {"unit": reg.township.pk})) == 3
    assert _names(client.get(url, {"leader": reg.leader.pk})) == 1
    assert _names(client.get(url, {"status": "building"})) == 1
    # 15 May: 食品产业园 (start 1 Mar), 光伏电站 (1 Apr) are late; 污水处理厂 (1 May) too.
    assert _names(client.get(url, {"red": "1"})) == 3
    KeyProject.objects.filter(pk=reg.sewage.pk).update(strategic=True)
    assert _names(client.get(url, {"strategic": "1"})) == 1
    assert _names(client.get(url, {"campaign": reg.small.investment.campaign.pk})) == 4
    assert _names(client.get(url, {"unit": "abc"})) == 4  # a junk id filters nothing


def test_project_list_shows_chinese_labels_amounts_and_checks(client, reg):
    reg.food_park.blocked_land = True
    reg.food_park.blocked_funds = True
    reg.food_park.save()
    Inspection.objects.create(
        unit=reg.township,
        project=reg.food_park,
        inspector=reg.small.office,
        visited_on=date(2026, 4, 1),
        place="工地",
        findings="未开工",
    )
    Inspection.objects.create(
        unit=reg.township,
        project=reg.sewage,
        inspector=reg.small.office,
        visited_on=date(2026, 5, 5),
        place="工地",
        findings="正在平整场地",
    )
    client.force_login(reg.small.office)
    page = client.get(reverse("register-projects")).content.decode()
    assert "50,000" in page and "20,000" in page  # 万元 with thousands separators
    assert "2026年3月1日" in page and "2026-03-01" not in page
    assert "<td>在建</td>" in page and "<td>未开工 <span" in page  # labels, not codes
    assert ">土地<" in page and ">资金<" in page
    assert "44天前查看" in page  # 1 Apr → 15 May, red (over 30)
    assert "10天前查看" in page
    assert "从未实地查看" in page  # 物流中心


def test_project_page_reports_newest_first_and_checks(client, reg):
    small = reg.small
    for week, figure in ((18, 100), (19, 250)):
        ledger = open_ledger(unit=reg.township, period=small.period(week))
        ProjectReport.objects.update_or_create(
            project=reg.food_park,
            ledger=ledger,
            defaults={
                "status": KeyProject.Status.UNDER_CONSTRUCTION,
                "investment_to_date": Decimal(figure),
                "progress": f"第{week}周进展",
                "review_status": "verified" if week == 18 else "pending",
            },
        )
    client.force_login(small.reporter)
    page = client.get(reverse("register-project", args=[reg.food_park.pk])).content.decode()
    assert page.index("第19周进展") < page.index("第18周进展")
    assert "已核实" in page and "待核实" in page
    assert "从未实地查看" in page
    assert "王县长" in page


def test_village_page_tasks_funds_and_dates(client, reg):
    client.force_login(reg.small.reporter)
    page = client.get(reverse("register-village", args=[reg.village.pk])).content.decode()
    for task in ("村道硬化", "污水管网", "文化广场", "庭院美化"):
        assert task in page
    assert "2026年7月31日" in page
    assert "270" in page  # planned funds in all
    assert "尚无已核实的周报" in page


def test_signed_list_detail_and_filters(client, reg):
    ledger = open_ledger(unit=reg.township, period=reg.small.period(19))
    big = SignedProject.objects.create(
        year=reg.small.year,
        unit=reg.township,
        ledger=ledger,
        name="央企光伏基地",
        investor="某央企",
        investor_class=SignedProject.InvestorClass.CENTRAL_SOE,
        amount=Decimal("150000"),
        signed_on=date(2026, 5, 8),
    )
    SignedProject.objects.create(
        year=reg.small.year,
        unit=reg.township,
        ledger=ledger,
        name="农产品加工",
        investor="某公司",
        amount=Decimal("3000"),
        signed_on=date(2026, 4, 2),
    )
    client.force_login(reg.small.reporter)
    url = reverse("register-signed")
    assert _names(client.get(url), "signed-row") == 2
    assert _names(client.get(url, {"investor_class": "central_soe"}), "signed-row") == 1
    assert _names(client.get(url, {"from": "2026-05-01"}), "signed-row") == 1
    assert _names(client.get(url, {"to": "2026-04-30"}), "signed-row") == 1
    assert _names(client.get(url, {"review": "verified"}), "signed-row") == 0
    detail = client.get(reverse("register-signed-detail", args=[big.pk])).content.decode()
    assert "150,000" in detail and "央企" in detail and "2026年5月8日" in detail
    assert "登记" in detail  # its history
    client.force_login(reg.small.other_reporter)
    assert client.get(reverse("register-signed-detail", args=[big.pk])).status_code == 404


def test_nav_shows_the_registers(client, reg):
    client.force_login(reg.small.reporter)
    page = client.get(reverse("register-projects")).content.decode()
    assert f'href="{reverse("register-projects")}">台帐<' in page


def test_admin_lists_the_registers(client, reg):
    client.force_login(reg.small.office)  # the office keeps the lists in the admin
    for model in ("keyproject", "pilotvillage", "projectreport", "villagereport", "signedproject"):
        assert client.get(reverse(f"admin:campaigns_{model}_changelist")).status_code == 200
    page = client.get(reverse("admin:campaigns_pilotvillage_change", args=[reg.village.pk]))
    assert page.status_code == 200 and "村道硬化" in page.content.decode()
