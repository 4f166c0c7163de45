"""The office in the scoring admin: rules validated by the engine, adjustments and vetoes
entered through the services and approved by a second person, hand file entries."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import Role
from scoring.models import Adjustment, FileEntry, ScoringRules, Veto
from scoring.services.evaluations import rules_for
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal


@pytest.fixture
def small(db):
    small = build_small_year()
    small.office2 = make_user("off2", Role.OFFICE)
    return small


@pytest.fixture
def office_client(client, small):
    client.force_login(small.office)
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def adjustment_form(small, **changes):
    unit = small.county.units[0]
    return {"unit": unit.pk, "year": small.year.pk, "quarter": 1, "kind": "honour",
            "points": "2", "reason": "获省级表彰", "_save": "保存", **changes}  # fmt: skip


def test_office_opens_every_scoring_list_and_adds_no_result_by_hand(client, db):
    client.force_login(make_user("o", Role.OFFICE))
    for model in (
        "scoringrules",
        "adjustment",
        "veto",
        "fileentry",
        "quarterlyevaluation",
        "evaluationversion",
        "appeal",
        "annualevaluation",
    ):
        assert client.get(reverse(f"admin:scoring_{model}_changelist")).status_code == 200
    for model in ("scoringrules", "adjustment", "veto", "fileentry"):
        assert client.get(reverse(f"admin:scoring_{model}_add")).status_code == 200
    for model in ("quarterlyevaluation", "evaluationversion", "appeal", "annualevaluation"):
        assert client.get(reverse(f"admin:scoring_{model}_add")).status_code == 403


def test_a_rule_set_that_does_not_validate_is_refused_and_nothing_saved(office_client, small):
    rules = rules_for(small.year)
    url = reverse("admin:scoring_scoringrules_change", args=[rules.pk])
    form = office_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(q4_weight="0.4", top_share="1.5", _save="保存")
    page = office_client.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "季度权重之和须为1" in text and "先进比例须在0到1之间" in text
    rules.refresh_from_db()
    assert (rules.q4_weight, rules.top_share) == (D("0.3"), D("0.3"))
    data.update(q4_weight="0.3", top_share="0.35")
    assert office_client.post(url, data).status_code == 302
    rules.refresh_from_db()
    assert rules.top_share == D("0.35")
    assert rules.history.latest("history_date").history_user == small.office


def test_an_adjustment_above_its_cap_is_refused(office_client, small):
    page = office_client.post(
        reverse("admin:scoring_adjustment_add"), adjustment_form(small, points="6")
    )
    assert page.status_code == 200
    assert "超过季度加分上限" in page.content.decode()
    assert not Adjustment.objects.exists()


def test_adjustment_evidence_is_checked_by_content(office_client, small, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    program = SimpleUploadedFile("表彰.pdf", b"MZ\x90\x00" + b"\x00" * 60)
    page = office_client.post(
        reverse("admin:scoring_adjustment_add"), adjustment_form(small, evidence=program)
    )
    assert page.status_code == 200
    assert "文件「表彰.pdf」的内容不是 PDF（实际为 Windows 可执行程序）" in page.content.decode()
    assert not Adjustment.objects.exists()
    assert not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_approval_needs_a_second_office_user(client, office_client, small):
    response = office_client.post(reverse("admin:scoring_adjustment_add"), adjustment_form(small))
    assert response.status_code == 302
    item = Adjustment.objects.get()
    assert (item.entered_by, item.approved) == (small.office, False)

    changelist = reverse("admin:scoring_adjustment_changelist")
    action = {"action": "approve_selected", "_selected_action": [item.pk]}
    response = office_client.post(changelist, action)
    assert any("录入人以外" in m for m in said(response))
    assert not Adjustment.objects.get().approved

    client.force_login(small.office2)
    response = client.post(changelist, action)
    assert any("已审核通过 1 项" in m for m in said(response))
    item.refresh_from_db()
    assert item.approved_by == small.office2
    # Approved rows are read-only, even for the person who entered them.
    page = office_client.get(reverse("admin:scoring_adjustment_change", args=[item.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_an_unapproved_row_is_corrected_only_by_whoever_entered_it(client, office_client, small):
    office_client.post(reverse("admin:scoring_adjustment_add"), adjustment_form(small))
    item = Adjustment.objects.get()
    url = reverse("admin:scoring_adjustment_change", args=[item.pk])
    page = office_client.post(url, {"kind": "honour", "points": "9", "reason": "x", "_save": "1"})
    assert "超过季度加分上限" in page.content.decode()
    client.force_login(small.office2)
    assert 'name="_save"' not in client.get(url).content.decode()


def test_a_veto_is_entered_and_approved_like_an_adjustment(client, office_client, small):
    data = adjustment_form(small, kind="veto", reason="发生较大安全事故")
    data.pop("points")
    assert office_client.post(reverse("admin:scoring_veto_add"), data).status_code == 302
    veto = Veto.objects.get()
    assert veto.entered_by == small.office and not veto.approved
    client.force_login(small.office2)
    client.post(
        reverse("admin:scoring_veto_changelist"),
        {"action": "approve_selected", "_selected_action": [veto.pk]},
    )
    veto.refresh_from_db()
    assert veto.approved_by == small.office2


def test_hand_file_entries_are_the_offices_and_count_for_the_year(office_client, small):
    data = {
        "unit": small.county.units[0].pk, "year": small.year.pk, "recorded_on": "2026-06-30",
        "merit": "True", "kind": "表彰", "description": "获评省级文明乡镇", "points": "1",
        "counts_for_year": "on", "_save": "保存",
    }  # fmt: skip
    url = reverse("admin:scoring_fileentry_add")
    page = office_client.post(url, {**data, "merit": "False"})  # a fault cannot add points
    assert "“误”的分值不能为正数" in page.content.decode() and not FileEntry.objects.exists()
    assert office_client.post(url, data).status_code == 302
    entry = FileEntry.objects.get()
    assert (entry.source, entry.entered_by, entry.counts_for_year) == ("office", small.office, True)
    published = FileEntry.objects.create(
        unit=entry.unit,
        year=small.year,
        quarter=1,
        recorded_on=entry.recorded_on,
        merit=True,
        kind="tier",
        source="evaluation",
        description="第1季度交帐亮相先进",
    )
    page = office_client.get(reverse("admin:scoring_fileentry_change", args=[published.pk]))
    assert 'name="_save"' not in page.content.decode()


def test_leaders_and_units_stay_out_of_the_scoring_admin(client, small):
    client.force_login(small.head)
    assert client.get(reverse("admin:scoring_adjustment_changelist")).status_code == 302
    assert ScoringRules.objects.count() == 0
