"""The 绩误档案 pages: a unit sees only its own file, the office filters everything and adds
hand entries with evidence, leaders read all; another unit's id typed in is a 404."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.models import AssessmentYear
from campaigns.services.years import generate_periods
from scoring.models import FileEntry
from tests.helpers import count_queries, make_user, pdf_bytes

YEAR = 2026


@pytest.fixture
def files(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    county = build_county(townships=3, departments=3, parks=1)
    year = AssessmentYear.objects.create(year=YEAR, status=AssessmentYear.Status.ACTIVE)
    generate_periods(year=year)
    a, b = county.units[0], county.units[1]  # two townships
    park = county.units[-1]
    people = {
        "office": make_user("office", Role.OFFICE),
        "leader": make_user("leader", Role.LEADER),
        "reviewer": make_user("reviewer", Role.REVIEWER, unit=county.units[3]),
        "a": make_user("ra", Role.REPORTER, unit=a),
        "a_head": make_user("ha", Role.UNIT_HEAD, unit=a),
        "b": make_user("rb", Role.REPORTER, unit=b),
    }

    def entry(unit, quarter, merit, source, text):
        return FileEntry.objects.create(
            unit=unit,
            year=year,
            quarter=quarter,
            recorded_on=date(YEAR, 3 * quarter, 20),
            merit=merit,
            kind=source,
            source=source,
            description=text,
        )

    entry(a, 1, True, FileEntry.Source.EVALUATION, "第一季度交帐亮相先进")
    entry(a, 2, False, FileEntry.Source.LATE_LEDGER, "第12周周帐迟报")
    entry(b, 1, False, FileEntry.Source.EVALUATION, "第一季度交帐亮相后进，责令检讨")
    entry(park, 2, False, FileEntry.Source.FOLLOW_UP, "交办事项逾期未办结")
    return year, (a, b, park), people


def _texts(response):
    return [e.description for e in (response.context.get("page") or response.context["entries"])]


def test_unit_is_sent_to_its_own_file_and_sees_only_it(client, files):
    _, (a, b, _), people = files
    client.force_login(people["a"])
    response = client.get(reverse("file-list"))
    assert response.status_code == 302 and response.url == reverse("file-unit", args=[a.pk])
    response = client.get(response.url)
    assert _texts(response) == ["第一季度交帐亮相先进", "第12周周帐迟报"]
    assert response.context["summary"]["merits"] == 1
    assert client.get(reverse("file-unit", args=[b.pk])).status_code == 404
    client.force_login(people["a_head"])
    assert client.get(reverse("file-unit", args=[b.pk])).status_code == 404


def test_reviewer_has_no_file_pages(client, files):
    _, (a, _, _), people = files
    client.force_login(people["reviewer"])
    assert client.get(reverse("file-list")).status_code == 403
    assert client.get(reverse("file-unit", args=[a.pk])).status_code == 403


@pytest.mark.parametrize(
    "query,expected",
    [
        (
            "",
            {
                "第一季度交帐亮相先进",
                "第12周周帐迟报",
                "第一季度交帐亮相后进，责令检讨",
                "交办事项逾期未办结",
            },
        ),
        ("merit=1", {"第一季度交帐亮相先进"}),
        ("merit=0&quarter=1", {"第一季度交帐亮相后进，责令检讨"}),
        ("source=late_ledger", {"第12周周帐迟报"}),
        ("quarter=2", {"第12周周帐迟报", "交办事项逾期未办结"}),
    ],
)
def test_office_filters_the_year(client, files, query, expected):
    _, _, people = files
    client.force_login(people["office"])
    response = client.get(reverse("file-list") + "?" + query)
    assert response.status_code == 200 and set(_texts(response)) == expected


def test_office_filters_by_unit_and_group_and_leader_sees_all(client, files):
    _, (_, b, park), people = files
    client.force_login(people["office"])
    response = client.get(reverse("file-list"), {"unit": b.pk})
    assert _texts(response) == ["第一季度交帐亮相后进，责令检讨"]
    response = client.get(reverse("file-list"), {"group": park.group_id})
    assert _texts(response) == ["交办事项逾期未办结"]
    client.force_login(people["leader"])
    assert len(_texts(client.get(reverse("file-list")))) == 4
    assert client.get(reverse("file-unit", args=[b.pk])).status_code == 200


def test_list_queries_do_not_grow_with_entries(client, files):
    year, (a, _, _), people = files
    client.force_login(people["office"])
    url = reverse("file-list")
    client.get(url)
    with count_queries() as few:
        client.get(url)
    FileEntry.objects.bulk_create(
        FileEntry(
            unit=a,
            year=year,
            quarter=3,
            recorded_on=date(YEAR, 8, 1),
            merit=False,
            kind="x",
            source=FileEntry.Source.MISSING_LEDGER,
            description=f"缺报{n}",
        )
        for n in range(30)
    )
    with count_queries() as many:
        client.get(url)
    assert len(many) == len(few)


def test_office_adds_a_hand_entry_with_evidence(client, files):
    _, (a, _, _), people = files
    client.force_login(people["office"])
    assert client.get(reverse("file-add")).status_code == 200
    response = client.post(
        reverse("file-add"),
        {
            "unit": a.pk,
            "person": people["a"].pk,
            "recorded_on": f"{YEAR}-05-08",
            "merit": "1",
            "kind": "上级表彰",
            "description": "获省级脱贫攻坚先进集体",
            "points": "1.5",
            "counts_for_year": "on",
            "evidence": SimpleUploadedFile("表彰文件.pdf", pdf_bytes(), "application/pdf"),
        },
    )
    assert response.status_code == 302 and response.url == reverse("file-unit", args=[a.pk])
    entry = FileEntry.objects.get(source=FileEntry.Source.OFFICE)
    assert (entry.person, entry.quarter, entry.points, entry.counts_for_year) == (
        people["a"],
        2,
        1.5,
        True,
    )
    assert client.get(reverse("file-evidence", args=[entry.pk])).status_code == 200
    client.force_login(people["a"])
    response = client.get(reverse("file-evidence", args=[entry.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(people["b"])
    assert client.get(reverse("file-evidence", args=[entry.pk])).status_code == 404


def test_hand_entry_form_shows_the_services_refusals(client, files):
    _, (a, _, _), people = files
    client.force_login(people["office"])
    response = client.post(
        reverse("file-add"),
        {
            "unit": a.pk,
            "person": people["b"].pk,
            "recorded_on": f"{YEAR}-05-08",
            "merit": "0",
            "kind": "督查通报",
            "description": "台账不实",
            "points": "2",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "“误”的分值不能为正数（扣分请填负数）。",
        "所选人员不属于该单位。",
    ]
    assert not FileEntry.objects.filter(source=FileEntry.Source.OFFICE).exists()
    client.force_login(people["a"])
    assert client.get(reverse("file-add")).status_code == 403


def test_hand_entry_evidence_is_checked_by_content(client, files, settings):
    """HTML called x.pdf is refused with the ledger evidence checker's words; nothing is saved."""
    _, (a, _, _), people = files
    client.force_login(people["office"])
    response = client.post(
        reverse("file-add"),
        {
            "unit": a.pk,
            "recorded_on": f"{YEAR}-05-08",
            "merit": "1",
            "kind": "上级表彰",
            "description": "获省级表彰",
            "points": "1",
            "evidence": SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "依据材料：文件「x.pdf」的内容不是 PDF（实际为无法识别的文件类型），"
        "只接受 JPG/PNG/WebP 图片和 PDF 文件。"
    ]
    assert not FileEntry.objects.filter(source=FileEntry.Source.OFFICE).exists()
    assert not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_counts_for_year_only_for_office_entries(files):
    year, (a, _, _), _ = files
    entry = FileEntry(
        unit=a,
        year=year,
        quarter=1,
        recorded_on=date(YEAR, 3, 1),
        merit=True,
        kind="adjustment",
        source=FileEntry.Source.ADJUSTMENT,
        description="加分",
        points=2,
        counts_for_year=True,
    )
    with pytest.raises(ValidationError) as refused:
        entry.full_clean()
    assert refused.value.messages == ["只有考核办录入的事项可以计入年度得分。"]
