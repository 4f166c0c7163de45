"""The unit's weekly register sections: GET and POST, a refusal keeps what was typed and
saves nothing, another unit's ids are 404, the week page links them, flat query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import KeyProject, ProjectReport, SignedProject, VillageReport
from campaigns.services.ledger import open_ledger
from tests.campaigns.register_builders import build_register_year
from tests.helpers import count_queries

pytestmark = pytest.mark.clock("2026-05-15 10:00")
WEEK = 20


@pytest.fixture
def reg(db):
    return build_register_year(year=2026)


@pytest.fixture
def reporter_client(client, reg):
    client.force_login(reg.small.reporter)
    return client


def url(reg, name, *more):
    return reverse(name, args=[reg.small.period(WEEK).pk, *more])


def report_of(reg, project):
    open_ledger(unit=project.unit, period=reg.small.period(WEEK))
    return ProjectReport.objects.get(project=project, ledger__period__iso_week=WEEK)


def project_post(report, **changes):
    data = {
        "report": report.pk,
        f"p{report.pk}-status": "building",
        f"p{report.pk}-started_on": "2026-05-06",
        f"p{report.pk}-investment_to_date": "1200",
        f"p{report.pk}-progress": "厂房基础施工",
    }
    data.update({f"p{report.pk}-{k}": v for k, v in changes.items()})
    return data


def test_projects_page_lists_own_projects_only(reporter_client, reg):
    response = reporter_client.get(url(reg, "register-week-projects"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "城关镇食品产业园" in page and "城关镇物流中心" in page
    assert "青山镇光伏电站" not in page


def test_project_report_saved(reporter_client, reg):
    report = report_of(reg, reg.food_park)
    response = reporter_client.post(url(reg, "register-week-projects"), project_post(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.investment_to_date) == ("building", Decimal("1200"))


def test_refused_project_report_keeps_what_was_typed(reporter_client, reg):
    report = report_of(reg, reg.food_park)
    data = project_post(report, investment_to_date="50001", progress="这段文字要保留")
    response = reporter_client.post(url(reg, "register-week-projects"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "本年累计完成投资不能超过项目总投资 50000 万元" in page
    assert 'value="50001"' in page and "这段文字要保留" in page
    report.refresh_from_db()
    assert report.investment_to_date == Decimal("0") and report.progress == ""


def test_overlong_and_hostile_text_as_a_user_types_it(reporter_client, reg):
    """A 5,001-character progress is refused naming the field, nothing saved, the typed
    reason kept; markup and a formula-like text are saved as text and shown escaped."""
    report = report_of(reg, reg.food_park)
    data = project_post(report, progress="进" * 5001, status_reason="这段说明要保留")
    response = reporter_client.post(url(reg, "register-week-projects"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "「本周进展」最多 5000 个字，现有 5001 个字。" in page
    assert "这段说明要保留" in page
    report.refresh_from_db()
    assert report.progress == "" and report.status_reason == ""

    hostile = '<script>alert("x")</script>=1+1'
    data = project_post(report, progress=hostile)
    assert reporter_client.post(url(reg, "register-week-projects"), data).status_code == 302
    page = reporter_client.get(url(reg, "register-week-projects")).content.decode()
    assert hostile not in page and "&lt;script&gt;" in page


def test_another_units_report_is_404(reporter_client, reg):
    other = report_of(reg, reg.other_project)
    response = reporter_client.post(url(reg, "register-week-projects"), project_post(other))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.investment_to_date == Decimal("0")
    photo = url(reg, "register-week-project-photo", other.pk)
    assert reporter_client.post(photo, {}).status_code == 404


def test_village_report_refusal_and_save(reporter_client, reg):
    reporter_client.get(url(reg, "register-week-villages"))
    report = VillageReport.objects.get(village=reg.village)
    task = reg.tasks[0]
    prefix = f"v{report.pk}"
    data = {
        "report": report.pk,
        f"{prefix}-funds_central": "60",
        f"{prefix}-t{task.pk}-completion": "120",
        f"{prefix}-highlights": "亮点不丢",
    }
    response = reporter_client.post(url(reg, "register-week-villages"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "完成进度须在 0–100% 之间" in page and 'value="120"' in page and "亮点不丢" in page
    report.refresh_from_db()
    assert report.funds_central == 0
    for other in reg.tasks[1:]:
        data[f"{prefix}-t{other.pk}-completion"] = "0"
    data[f"{prefix}-t{task.pk}-completion"] = "100"
    data[f"{prefix}-t{task.pk}-done_on"] = "2026-05-12"
    response = reporter_client.post(url(reg, "register-week-villages"), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.funds_central == Decimal("60")
    assert report.tasks.get(task=task).completion == Decimal("100")


def signing(**changes):
    data = {
        "new-name": "预制菜加工",
        "new-investor": "某食品集团",
        "new-investor_class": "china500",
        "new-amount": "12000",
        "new-signed_on": "2026-05-12",
        "new-stage": "signed",
    }
    data.update({f"new-{k}": v for k, v in changes.items()})
    return data


def test_signings_add_duplicate_and_edit(reporter_client, reg):
    page_url = url(reg, "register-week-signed")
    assert reporter_client.post(page_url, signing()).status_code == 302
    response = reporter_client.post(page_url, signing(investor="另一家投资方"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "不能重复登记" in page and "另一家投资方" in page
    assert SignedProject.objects.count() == 1
    row = SignedProject.objects.get()
    edit = url(reg, "register-week-signed-edit", row.pk)
    assert reporter_client.get(edit).status_code == 200
    data = {k.replace("new-", "s-"): v for k, v in signing(amount="15000").items()}
    assert reporter_client.post(edit, data).status_code == 302
    row.refresh_from_db()
    assert row.amount == Decimal("15000")
    reporter_client.force_login(reg.small.other_reporter)
    assert reporter_client.get(edit).status_code == 404


def test_photo_upload_to_a_project_report(reporter_client, reg):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    report = report_of(reg, reg.food_park)
    upload = SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")
    response = reporter_client.post(
        url(reg, "register-week-project-photo", report.pk), {"files": [upload]}
    )
    assert response.status_code == 302
    assert report.evidence.count() == 1
    page = reporter_client.get(url(reg, "register-week-projects")).content.decode()
    assert reverse("evidence-thumbnail", args=[report.evidence.get().pk]) in page
    evidence = reporter_client.get(reverse("evidence-file", args=[report.evidence.get().pk]))
    assert evidence.status_code == 200


def test_week_page_links_the_sections_and_shows_derived_read_only(reporter_client, reg):
    page = reporter_client.get(reverse("ledger-week", args=[reg.small.period(WEEK).pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="register-box"' in text and "重点项目周报" in text
    assert "由重点项目库自动生成" in text and "由试点村库自动生成" in text
    assert url(reg, "register-week-projects") in text
    assert f'name="e{reg.started_rate.pk}-value"' not in text  # never typed


def _add_projects(reg, count, *, start=0):
    for n in range(start, start + count):
        KeyProject.objects.create(
            year=reg.small.year,
            campaign=reg.food_park.campaign,
            name=f"城关镇批量项目{n}",
            unit=reg.township,
            category=KeyProject.Category.INDUSTRY,
            total_investment=Decimal("1000"),
            annual_plan=Decimal("500"),
            leader=reg.leader,
        )


def test_projects_section_query_count_is_flat(reporter_client, reg):
    """10 then 60 projects of the unit: the same number of queries."""
    _add_projects(reg, 10)
    reporter_client.get(url(reg, "register-week-projects"))  # opens the reports
    with count_queries() as small:
        assert reporter_client.get(url(reg, "register-week-projects")).status_code == 200
    _add_projects(reg, 50, start=10)
    reporter_client.get(url(reg, "register-week-projects"))
    with count_queries() as large:
        assert reporter_client.get(url(reg, "register-week-projects")).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
