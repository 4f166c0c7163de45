"""The reviewer's queue through HTTP: what the unit wrote beside each figure, one-row 核实 /
核减 / 退回 answered as the row (htmx) or a redirect back with the filters (without), and
核实所选 that never verifies a flagged row silently."""

import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse

from campaigns.models import Inspection, LedgerEntry
from tests.campaigns.builders import build_small_year, hand_in
from tests.helpers import count_queries

HTMX = {"HTTP_HX_REQUEST": "true"}
LONG_PROGRESS = "安置小区一期主体结构封顶，二期完成桩基施工；" * 3  # 66 characters: shown folded


@pytest.fixture
def small(db):
    return build_small_year()


def submitted_entry(small, unit=None, investment="3", week=10, **written) -> LedgerEntry:
    """The unit's week-`week` ledger handed in; its 固定资产投资完成额 entry (led by 发改委)."""
    ledger = hand_in(small, unit, week=week, investment=investment, **written)
    return ledger.entries.get(indicator=small.investment)


def flag_implausible(entry, note="批复投资额调增，年度目标待调整"):
    LedgerEntry.objects.filter(pk=entry.pk).update(
        plausibility_flagged=True, plausibility_note=note
    )


def row_of(page: str, entry) -> str:
    found = re.search(rf'<tr id="entry-{entry.pk}".*?</tr>', page, re.S)
    assert found, f"no row for entry {entry.pk}"
    return found.group(0)


def test_queue_shows_what_the_unit_wrote_beside_the_figure(client, small):
    entry = submitted_entry(
        small,
        progress=LONG_PROGRESS,
        problem_category="land",
        problems="二期用地报批未完成",
        next_steps="下周完成用地报批",
    )
    flag_implausible(entry)
    client.force_login(small.reviewer)
    row = row_of(client.get(reverse("review-queue")).content.decode(), entry)
    for text in (
        "本周进展",
        "存在问题（土地）",
        "二期用地报批未完成",
        "下步打算",
        "下周完成用地报批",
        "异常说明",
        "批复投资额调增，年度目标待调整",
        "数值异常",
        "已知悉该提示",
    ):
        assert text in row, text
    # The long progress text is folded (its start and 展开), the whole of it one click away.
    assert 'class="jz-more"' in row and LONG_PROGRESS in row


def test_queue_shows_the_decrease_reason_beside_the_decrease_flag(client, small):
    """Week 9: 5; week 10: 4 with its reason → 累计数下降 and the reason in the same cell."""
    submitted_entry(small, week=9, investment="5")
    entry = submitted_entry(small, week=10, investment="4", decrease_reason="一个项目退库0.8亿元")
    client.force_login(small.reviewer)
    page = client.get(reverse("review-queue") + f"?period={small.period(10).pk}")
    flags = re.search(
        rf'data-testid="flags-{entry.pk}">(.*?)</td>', row_of(page.content.decode(), entry), re.S
    ).group(1)
    assert "累计数下降" in flags and "下降原因" in flags and "一个项目退库0.8亿元" in flags


def test_round_figures_show_as_written(client, small):
    """10 亿元 is stored as 10.0000; Decimal.normalize() alone would show 1E+1."""
    entry = submitted_entry(small, investment="10")
    client.force_login(small.reviewer)
    row = row_of(client.get(reverse("review-queue")).content.decode(), entry)
    assert "1E+1" not in row and ">10" in row


def test_htmx_verify_answers_with_the_row_in_its_new_state(client, small):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    back = reverse("review-queue") + f"?status=pending&unit={entry.ledger.unit_id}"
    response = client.post(reverse("review-verify-entry", args=[entry.pk]), {"next": back}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<tr id="entry-{entry.pk}"')
    assert 'data-state="verified"' in page and "已核实" in page
    # The message comes out of band, inside a template so the row still parses as a row.
    assert re.search(r'<template><div id="review-messages"[^>]*hx-swap-oob="true"', page)
    assert "已核实城关镇「固定资产投资完成额」（第10周）" in page
    # The row's links and forms keep the queue's filters.
    assert f'value="{back}"' in page.replace("&amp;", "&")
    entry.refresh_from_db()
    assert (entry.review_status, entry.verified_value) == ("verified", Decimal("3"))


def test_htmx_correct_without_reason_marks_the_reason_field(client, small):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    url = reverse("review-correct", args=[entry.pk])
    response = client.post(url, {"verified_value": "2.4", "comment": "  "}, **HTMX)
    assert response.status_code == 200
    row = response.content.decode()
    # The 核减 panel is open again, the reason marked, the typed value kept.
    assert re.search(r'<details class="jz-pop" open><summary[^>]*>核减', row)
    assert re.search(rf'<textarea id="correct-comment-{entry.pk}"[^>]*is-invalid', row)
    error = re.search(rf'data-testid="correct-error-{entry.pk}">([^<]*)<', row).group(1)
    assert error == "请填写核减理由。"
    assert 'value="2.4"' in row
    entry.refresh_from_db()
    assert (entry.review_status, entry.verified_value) == ("pending", None)


def test_correct_without_reason_without_htmx_names_the_reason(client, small):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    url = reverse("review-correct", args=[entry.pk])
    page = client.post(url, {"verified_value": "2.4", "comment": ""}, follow=True)
    texts = [str(m) for m in page.context["messages"]]
    assert texts == ["请填写核减理由。"]


def test_htmx_correct_and_return(client, small):
    first = submitted_entry(small)
    second = submitted_entry(small, unit=small.other_reporter.unit)
    client.force_login(small.reviewer)
    corrected = client.post(
        reverse("review-correct", args=[first.pk]),
        {"verified_value": "2.4", "comment": "0.6亿元为土地款，不计入固投"},
        **HTMX,
    ).content.decode()
    assert "已核实 2.4（核减）" in corrected and "0.6亿元为土地款" in corrected
    returned = client.post(
        reverse("review-return", args=[second.pk]), {"comment": "请补充开工照片"}, **HTMX
    ).content.decode()
    assert 'data-state="returned"' in returned and "请补充开工照片" in returned
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.verified_value, first.review_comment) == (
        Decimal("2.4"),
        "0.6亿元为土地款，不计入固投",
    )
    assert second.review_status == "returned"


def test_return_without_reason_marks_the_reason_field(client, small):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    row = client.post(
        reverse("review-return", args=[entry.pk]), {"comment": ""}, **HTMX
    ).content.decode()
    assert re.search(rf'<textarea id="return-comment-{entry.pk}"[^>]*is-invalid', row)
    assert "请填写退回理由。" in row
    entry.refresh_from_db()
    assert entry.review_status == "pending"


@pytest.mark.parametrize("action", ["review-verify-entry", "review-correct", "review-return"])
def test_without_htmx_each_action_goes_back_to_the_filtered_queue(client, small, action):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    back = reverse("review-queue") + f"?status=all&unit={entry.ledger.unit_id}&page=1"
    data = {"next": back, "verified_value": "2.4", "comment": "理由"}
    response = client.post(reverse(action, args=[entry.pk]), data)
    assert (response.status_code, response.url) == (302, back)
    entry.refresh_from_db()
    assert entry.review_status != "pending"


def test_back_never_leaves_the_queue(client, small):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    for elsewhere in ("https://example.com/review/", "/admin/", "//example.com/review/"):
        response = client.post(
            reverse("review-return", args=[entry.pk]), {"next": elsewhere, "comment": ""}
        )
        assert response.url == reverse("review-queue")


# Week 10 is over on 15 April: the visit's date may not lie in the future.
@pytest.mark.clock("2026-04-15 10:00")
def test_recording_an_on_site_check_goes_back_to_the_filtered_queue(client, small):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    back = reverse("review-queue") + f"?status=all&unit={entry.ledger.unit_id}"
    url = reverse("review-inspect", args=[entry.pk])
    form = client.get(url + "?next=" + quote(back)).content.decode()
    assert f'name="next" value="{back}"' in form.replace("&amp;", "&")
    data = {
        "next": back,
        "visited_on": small.period(10).starts_on.isoformat(),
        "place": "城关镇安置小区",
        "findings": "主体结构已封顶，与填报一致",
    }
    response = client.post(url, data)
    assert (response.status_code, response.url) == (302, back)
    assert Inspection.objects.get().entry == entry


def test_bulk_verify_skips_flagged_rows_and_names_them(client, small):
    """城关镇 flagged, 青山镇 not; both ticked, no 已知悉: only 青山镇 is verified."""
    flagged = submitted_entry(small)
    plain = submitted_entry(small, unit=small.other_reporter.unit, investment="2")
    flag_implausible(flagged)
    client.force_login(small.reviewer)
    back = reverse("review-queue") + "?status=pending"
    page = client.post(
        reverse("review-verify"), {"entry": [flagged.pk, plain.pk], "next": back}, follow=True
    )
    assert page.redirect_chain == [(back, 302)]
    texts = [str(m) for m in page.context["messages"]]
    assert texts[0] == "已核实青山镇「固定资产投资完成额」（第10周）。"
    assert "未勾选「已知悉该提示」" in texts[1]
    assert "城关镇「固定资产投资完成额」（第10周）：数值异常" in texts[1]
    flagged.refresh_from_db()
    assert flagged.review_status == "pending"

    client.post(reverse("review-verify"), {"entry": [flagged.pk], "acknowledged": [flagged.pk]})
    flagged.refresh_from_db()
    assert flagged.review_status == "verified"


def test_one_row_verify_of_a_flagged_row_needs_its_acknowledgement(client, small):
    entry = submitted_entry(small)
    flag_implausible(entry)
    client.force_login(small.reviewer)
    url = reverse("review-verify-entry", args=[entry.pk])
    row = client.post(url, {}, **HTMX).content.decode()
    assert 'data-state="pending"' in row and "未勾选「已知悉该提示」" in row
    row = client.post(url, {"acknowledged": entry.pk}, **HTMX).content.decode()
    assert 'data-state="verified"' in row
    entry.refresh_from_db()
    assert entry.review_status == "verified"


def test_another_departments_entry_is_refused_through_htmx_too(client, small):
    entry = submitted_entry(small)
    other = entry.ledger.entries.get(indicator=small.cases)  # led by 政法委
    client.force_login(small.reviewer)
    for action in ("review-verify-entry", "review-correct", "review-return"):
        response = client.post(
            reverse(action, args=[other.pk]), {"verified_value": "1", "comment": "x"}, **HTMX
        )
        assert response.status_code == 404
    other.refresh_from_db()
    assert other.review_status == "pending"


def test_queue_queries_do_not_grow_with_the_rows(client, small):
    """One unit's two entries (investment with notes and a flag, the milestone); then three
    units' six: the page makes as many queries for six rows as for two."""
    first = submitted_entry(small, progress="本周新增0.3亿元", problems="资金未到位")
    flag_implausible(first)
    client.force_login(small.reviewer)
    url = reverse("review-queue")
    client.get(url)
    with count_queries() as one:
        client.get(url)
    rows_before = len(client.get(url).context["entries"])
    for unit in small.county.units[1:3]:
        entry = submitted_entry(small, unit=unit, progress="本周进展", next_steps="下步打算")
        flag_implausible(entry)
    with count_queries() as three:
        page = client.get(url)
    assert (rows_before, len(page.context["entries"])) == (2, 6)
    assert len(three) == len(one), [q["sql"] for q in three.captured_queries]


@pytest.mark.clock("2026-04-15 10:00")
def test_inspection_date_is_typed_as_iso_and_a_bad_one_is_marked(client, small):
    entry = submitted_entry(small)
    client.force_login(small.reviewer)
    url = reverse("review-inspect", args=[entry.pk])
    form = client.get(url).content.decode()
    assert re.search(r'<input type="text" name="visited_on"[^>]*value="2026-04-15"', form, re.S)
    data = {"visited_on": "04/15/2026", "place": "城关镇安置小区", "findings": "与填报一致"}
    page = client.post(url, data).content.decode()
    assert re.search(r'name="visited_on"[^>]*is-invalid', page, re.S)
    assert 'value="城关镇安置小区"' in page  # what was typed stays
    assert not Inspection.objects.exists()
