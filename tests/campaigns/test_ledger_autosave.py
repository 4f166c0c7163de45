"""The week page keeps what is typed: row autosave, errors once on the field, evidence by htmx.

The clock is pinned in week 24 of 2026 (8–14 June), so "this week" is open whatever today is.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Evidence, LedgerEntry, WeeklyLedger
from campaigns.selectors import current_year, period_containing
from tests.campaigns.builders import build_small_year
from tests.campaigns.test_evidence import jpeg, upload

pytestmark = pytest.mark.clock("2026-06-10 10:00")


@pytest.fixture
def small(db):
    return build_small_year()


@pytest.fixture
def week(small):
    return period_containing(current_year(), timezone.now())


def draft(client, small, week, indicator, **fields):
    data = {f"e{indicator.pk}-{name}": value for name, value in fields.items()}
    url = reverse("ledger-autosave", args=[week.pk, indicator.pk])
    return client.post(url, data)


def entry(small, week, indicator) -> LedgerEntry:
    return LedgerEntry.objects.get(
        ledger__unit=small.reporter.unit, ledger__period=week, indicator=indicator
    )


def test_autosave_stores_one_rows_draft(client, small, week):
    client.force_login(small.reporter)
    client.get(reverse("ledger-week", args=[week.pk]))  # opens the ledger
    response = draft(client, small, week, small.investment, value="3.5", progress="主体完工")
    assert response.status_code == 200, response.content
    assert response.json()["ok"] is True
    saved = entry(small, week, small.investment)
    assert (saved.value, saved.progress) == (Decimal("3.5"), "主体完工")
    assert saved.history.first().history_change_reason == "填报"
    assert entry(small, week, small.cases).value is None  # other rows untouched
    assert saved.ledger.status == WeeklyLedger.Status.DRAFT


def test_autosave_refuses_a_bad_value_on_its_field_and_stores_nothing(client, small, week):
    client.force_login(small.reporter)
    client.get(reverse("ledger-week", args=[week.pk]))
    bad = draft(client, small, week, small.investment, value="三点五")
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == [f"id_e{small.investment.pk}-value"]
    assert "应为数字" in bad.json()["errors"][f"id_e{small.investment.pk}-value"][0]
    negative = draft(client, small, week, small.cases, value="-1")
    assert negative.json()["errors"] == {
        f"id_e{small.cases.pk}-value": ["不能为负数（填写的是-1）"]
    }
    assert entry(small, week, small.investment).value is None
    assert entry(small, week, small.cases).value is None


def test_autosave_signed_out_is_sent_to_the_login_page(client, small, week):
    response = draft(client, small, week, small.investment, value="3")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_autosave_of_a_date_takes_only_the_iso_form(client, small, week):
    """Week 24 runs 8–14 June 2026: 2026-06-09 is a valid completion date."""
    client.force_login(small.reporter)
    client.get(reverse("ledger-week", args=[week.pk]))
    slashed = draft(client, small, week, small.flood, done_on="06/09/2026")
    assert slashed.status_code == 400
    assert slashed.json()["errors"][f"id_e{small.flood.pk}-done_on"] == [
        "应为日期，格式如 2026-06-30"
    ]
    assert draft(client, small, week, small.flood, done_on="2026-06-09").status_code == 200
    assert str(entry(small, week, small.flood).done_on) == "2026-06-09"


def test_implausible_figure_needs_a_note_then_is_saved_flagged(client, small, week):
    """Annual target 12 (亿元): 36 is exactly 3× and passes; 99999999999 > 36 asks for a note."""
    client.force_login(small.reporter)
    client.get(reverse("ledger-week", args=[week.pk]))
    assert draft(client, small, week, small.investment, value="36").status_code == 200
    assert entry(small, week, small.investment).plausibility_flagged is False

    asked = draft(client, small, week, small.investment, value="99999999999")
    assert asked.status_code == 400
    [message] = asked.json()["errors"][f"id_e{small.investment.pk}-plausibility_note"]
    assert "超过年度目标（12亿元）的 3 倍" in message and "请确认并填写异常说明" in message
    assert entry(small, week, small.investment).value == Decimal("36")  # not stored

    note = "含省重点项目一次性入库"
    confirmed = draft(
        client, small, week, small.investment, value="99999999999", plausibility_note=note
    )
    assert confirmed.status_code == 200
    saved = entry(small, week, small.investment)
    assert (saved.value, saved.plausibility_flagged) == (Decimal("99999999999"), True)
    assert saved.plausibility_note == note
    assert saved.history.first().plausibility_note == note  # kept in the entry's history


def full_form(small, action="save", investment="3.5", cases="4", flood="", **extra):
    return {
        "action": action,
        f"e{small.investment.pk}-value": investment,
        f"e{small.investment.pk}-progress": "安置小区主体完工",
        f"e{small.cases.pk}-value": cases,
        f"e{small.flood.pk}-done_on": flood,
        **extra,
    }


def test_format_and_rule_errors_come_in_one_pass_each_on_its_field(client, small, week):
    """Investment "三点五" cannot be read, cases -1 breaks a rule, the flood date is after
    the week (14 June): all three in one answer, each field marked, typed values kept."""
    client.force_login(small.reporter)
    url = reverse("ledger-week", args=[week.pk])
    response = client.post(
        url, full_form(small, investment="三点五", cases="-1", flood="2026-06-20")
    )
    assert response.status_code == 400
    page = response.content.decode()
    summary = page.split('data-testid="errors"')[1].split("</ul>")[0]
    for anchor in (
        f'href="#id_e{small.investment.pk}-value"',
        f'href="#id_e{small.cases.pk}-value"',
        f'href="#id_e{small.flood.pk}-done_on"',
    ):
        assert anchor in summary
    assert page.count("is-invalid") == 3
    assert 'value="三点五"' in page and 'value="-1"' in page and 'value="2026-06-20"' in page
    assert "安置小区主体完工" in page
    assert not LedgerEntry.objects.filter(value__isnull=False).exists()


def test_incomplete_submission_says_so_once_and_marks_each_empty_figure(client, small, week):
    client.force_login(small.reporter)
    url = reverse("ledger-week", args=[week.pk])
    response = client.post(url, full_form(small, action="submit", investment="", cases=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("已保存为草稿，但未能提交") == 1
    assert page.count("尚未填写累计数") == 1
    assert "尚未填写累计数：「固定资产投资完成额」、「刑事案件发案数」" in page
    assert page.count("请填写本周累计数") == 2  # under each empty field
    assert WeeklyLedger.objects.get(unit=small.reporter.unit, period=week).status == "draft"


def test_a_reopened_week_says_until_when_and_is_listed(client, small, week):
    """Week 5 locked in February; the office reopens it until 12 June 18:00. Week 5 is 19
    weeks back, outside the 12 recent weeks, and is listed because it is open again."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from campaigns.services.ledger import reopen_ledger

    old = small.period(5)
    until = datetime(2026, 6, 12, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    reopen_ledger(
        unit=small.reporter.unit, period=old, user=small.office, until=until, reason="系统故障"
    )
    client.force_login(small.reporter)
    page = client.get(reverse("ledger-week", args=[old.pk])).content.decode()
    assert "考核办已重新开放，可补报至 2026年6月12日 18:00" in page
    assert "帐期已锁定" not in page
    assert f'name="e{small.investment.pk}-value"' in page  # editable
    this_week = client.get(reverse("ledger-week", args=[week.pk]))
    listed = [(p.iso_week, label) for p, label, _ in this_week.context["weeks"]]
    assert (5, "补报中，至2026年6月12日 18:00") in listed
    assert len(listed) == 13


def test_a_workbook_figure_out_of_range_is_saved_flagged_and_submit_asks_for_the_note(small):
    """The workbook has no note column: its implausible figure (60 > 3 × 12) is saved
    flagged, and the submission names the missing note."""
    from campaigns.errors import LedgerError
    from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger

    ledger = open_ledger(unit=small.reporter.unit, period=small.period(24))
    changes = {
        small.investment.pk: EntryInput(value=Decimal("60")),
        small.cases.pk: EntryInput(value=Decimal("4")),
    }
    save_entries(ledger=ledger, user=small.reporter, changes=changes)
    flagged = ledger.entries.get(indicator=small.investment)
    assert (flagged.plausibility_flagged, flagged.plausibility_note) == (True, "")
    with pytest.raises(LedgerError, match="请确认并填写异常说明"):
        submit_ledger(ledger=ledger, user=small.reporter)


def test_evidence_upload_by_htmx_answers_with_the_rows_evidence_list(client, small, week):
    client.force_login(small.reporter)
    client.get(reverse("ledger-week", args=[week.pk]))
    target = entry(small, week, small.investment)
    url = reverse("evidence-upload", args=[target.pk])
    response = client.post(url, {"files": [upload("现场.jpg", jpeg())]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="evidence-{target.pk}"' in page
    assert 'hx-swap-oob="true"' in page  # the delete form of the new photo comes along
    assert "已上传「现场.jpg」" in page
    photo = Evidence.objects.get(entry=target)
    assert f'id="del-{photo.pk}"' in page
    gone = client.post(reverse("evidence-delete", args=[photo.pk]), HTTP_HX_REQUEST="true")
    assert "已删除「现场.jpg」" in gone.content.decode()
    assert not Evidence.objects.filter(entry=target).exists()
    # Without htmx, the page is reloaded as before.
    plain = client.post(url, {"files": [upload("现场.jpg", jpeg())]})
    assert plain.status_code == 302


def test_week_page_has_the_camera_input_and_no_inline_script(client, small, week):
    client.force_login(small.reporter)
    page = client.get(reverse("ledger-week", args=[week.pk])).content.decode()
    assert 'accept="image/*" capture="environment"' in page
    assert 'type="date"' not in page and 'placeholder="例：2026-06-30"' in page
    assert "<script>" not in page and "onclick=" not in page
    assert "js/ledger.js" in page


def test_autosave_after_hand_in_changes_nothing_and_says_why(client, small, week):
    client.force_login(small.reporter)
    url = reverse("ledger-week", args=[week.pk])
    assert client.post(url, full_form(small, action="submit", flood="")).status_code == 302
    refused = draft(client, small, week, small.investment, value="9")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        f"row-{small.investment.pk}": ["当前不可修改（已提交或帐期已锁定）"]
    }
    assert entry(small, week, small.investment).value == Decimal("3.5")
