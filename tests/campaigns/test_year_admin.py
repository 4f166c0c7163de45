"""The office sets up the year in the admin: periods, Excel imports, targets; others cannot."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from campaigns.models import Indicator, Period, Target
from campaigns.services.year_import import indicator_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(content: bytes, name="指标.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def filled_indicator_template(year, **cells) -> bytes:
    workbook = load_workbook(io.BytesIO(indicator_template(year)))
    row = {"A2": "项目建设会战", "B2": "新签约项目数", "C2": "个", "D2": "越高越好", "E2": 6,
           "F2": "完成率法", "G2": "县投资促进局", "H2": "是"}  # fmt: skip
    for ref, value in {**row, **cells}.items():
        workbook["指标"][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def office_client(client, role_users):
    client.force_login(role_users[Role.OFFICE])
    return client


@pytest.mark.parametrize(
    "url",
    [
        "admin:campaigns_assessmentyear_changelist",
        "admin:campaigns_campaign_changelist",
        "admin:campaigns_indicator_changelist",
        "admin:campaigns_target_changelist",
        "admin:campaigns_period_changelist",
        "admin:campaigns_ledgerreopening_changelist",
        "admin:campaigns_reminderlog_changelist",
        "admin:campaigns_target_add",
    ],
)
def test_office_opens_the_year_pages(office_client, year_2026, url):
    assert office_client.get(reverse(url)).status_code == 200


def test_periods_are_read_only(office_client, year_2026):
    period = year_2026.periods.first()
    assert office_client.get(reverse("admin:campaigns_period_add")).status_code == 403
    page = office_client.get(reverse("admin:campaigns_period_change", args=[period.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_generate_periods_action(office_client, year_2026):
    Period.objects.filter(iso_week__gt=50).delete()
    response = office_client.post(
        reverse("admin:campaigns_assessmentyear_changelist"),
        {"action": "generate_periods_action", "_selected_action": [year_2026.pk]},
        follow=True,
    )
    assert "已生成帐期，共 53 周" in response.content.decode()
    assert year_2026.periods.count() == 53


def test_office_downloads_the_templates(office_client, year_2026):
    for kind in ("indicators", "targets"):
        url = reverse(f"admin:campaigns_assessmentyear_{kind}_template", args=[year_2026.pk])
        response = office_client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert "attachment" in response["Content-Disposition"]
        load_workbook(io.BytesIO(response.content))  # a real workbook


def test_office_imports_indicators(office_client, year_2026):
    url = reverse("admin:campaigns_assessmentyear_indicators", args=[year_2026.pk])
    page = office_client.get(url).content.decode()
    assert "下载2026年度指标模板" in page and 'type="file"' in page
    response = office_client.post(
        url, {"file": upload(filled_indicator_template(year_2026))}, follow=True
    )
    assert "指标导入成功：新增 1 项，更新 0 项，未变 0 项" in response.content.decode()
    assert Indicator.objects.get().history.get().history_user.username == "o1"


def test_a_bad_file_shows_every_message_and_imports_nothing(office_client, year_2026):
    url = reverse("admin:campaigns_assessmentyear_indicators", args=[year_2026.pk])
    content = filled_indicator_template(year_2026, E2="十", D2="越大越好")
    page = office_client.post(url, {"file": upload(content)}).content.decode()
    assert "文件未导入" in page
    assert "工作表「指标」第2行「分值」：应为不小于0的数字，实际为“十”" in page
    assert "工作表「指标」第2行「方向」" in page
    assert not Indicator.objects.exists()
    page = office_client.post(url, {"file": upload(b"hello", "a.xlsx")}).content.decode()
    assert "无法读取该文件" in page


def test_office_imports_targets(office_client, year_2026, county):
    campaign = year_2026.campaigns.get(name="项目建设会战")
    Indicator.objects.create(
        campaign=campaign,
        name="固定资产投资",
        measure="亿元",
        direction="higher",
        points=10,
        lead_unit=campaign.lead_unit,
    )
    template = reverse("admin:campaigns_assessmentyear_targets_template", args=[year_2026.pk])
    workbook = load_workbook(io.BytesIO(office_client.get(template).content))
    workbook["目标任务"]["C4"] = 12
    out = io.BytesIO()
    workbook.save(out)
    url = reverse("admin:campaigns_assessmentyear_targets", args=[year_2026.pk])
    response = office_client.post(url, {"file": upload(out.getvalue())}, follow=True)
    assert "目标任务导入成功：新增 1 项" in response.content.decode()
    assert Target.objects.get().unit == county.units[0]


def test_target_added_in_admin_gets_default_milestones_and_is_validated(
    office_client, year_2026, county
):
    campaign = year_2026.campaigns.get(name="严打整治会战")
    cases = Indicator.objects.create(
        campaign=campaign,
        name="刑事案件发案数",
        measure="件",
        direction="lower",
        points=5,
        lead_unit=campaign.lead_unit,
    )
    url = reverse("admin:campaigns_target_add")
    data = {
        "indicator": cases.pk,
        "unit": county.units[0].pk,
        "annual_value": "-1",
        "note": "",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
    }
    page = office_client.post(url, data)
    assert page.status_code == 200 and "年度目标值不能为负数" in page.content.decode()
    response = office_client.post(url, {**data, "annual_value": "0"})
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.annual_value == Decimal(0)
    assert target.milestones.count() == 4


@pytest.mark.parametrize("who", [Role.REPORTER, Role.REVIEWER, Role.LEADER])
def test_others_are_sent_to_the_admin_login(client, role_users, year_2026, who):
    client.force_login(role_users[who])
    for name in (
        "admin:campaigns_assessmentyear_indicators",
        "admin:campaigns_assessmentyear_targets_template",
    ):
        response = client.get(reverse(name, args=[year_2026.pk]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    response = client.post(
        reverse("admin:campaigns_assessmentyear_indicators", args=[year_2026.pk]),
        {"file": upload(filled_indicator_template(year_2026))},
    )
    assert response.status_code == 302 and not Indicator.objects.exists()


def test_office_permissions(role_users):
    office, leader = role_users[Role.OFFICE], role_users[Role.LEADER]
    assert office.has_perms(["campaigns.change_target", "campaigns.view_historicaltarget"])
    assert not office.has_perm("campaigns.delete_indicator")
    assert leader.has_perm("campaigns.view_target")
    assert not leader.has_perm("campaigns.change_target")


def test_year_page_links_to_both_imports(office_client, year_2026):
    page = office_client.get(
        reverse("admin:campaigns_assessmentyear_change", args=[year_2026.pk])
    ).content.decode()
    assert reverse("admin:campaigns_assessmentyear_indicators", args=[year_2026.pk]) in page
    assert reverse("admin:campaigns_assessmentyear_targets", args=[year_2026.pk]) in page
