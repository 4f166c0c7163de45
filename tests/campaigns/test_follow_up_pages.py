"""The follow-up pages: the 交办 form prefilled from the weak-items link, a thread and its
steps through the client, refusals shown with the typed text kept, another unit's id."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Notification
from campaigns.models import FollowUp
from campaigns.services import follow_ups
from campaigns.services.review import verify_entries
from tests.campaigns.builders import hand_in
from tests.campaigns.follow_up_builders import NOW, build_setting, photo

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-06-02 10:00")]


@pytest.fixture
def s():
    return build_setting()


def test_the_new_form_is_prefilled_from_the_target_and_the_verified_figure(client, s):
    """城关镇 handed in week 20 with 3亿元 cumulative, verified; its target is 12亿元 →
    "截至第20周核实累计3亿元（完成年度目标的25%）"."""
    hand_in(s.small, week=20, investment="3")
    entry = s.small.period(20).ledgers.get(unit=s.unit).entries.get(indicator=s.small.investment)
    verify_entries(entry_ids=[entry.pk], user=s.reviewer)
    client.force_login(s.reviewer)
    url = reverse("follow-up-new") + f"?unit={s.unit.pk}&indicator={s.small.investment.pk}"
    html = client.get(url + "&due=2026-06-19").content.decode()
    assert "截至第20周核实累计3亿元（完成年度目标的25%）" in html
    assert "年度目标12亿元" in html
    assert 'value="2026-06-19"' in html
    assert f'<option value="{s.unit.pk}" selected>' in html


def test_issuing_from_the_form(client, s):
    client.force_login(s.reviewer)
    response = client.post(
        reverse("follow-up-new"),
        {
            "unit": s.unit.pk,
            "indicator": s.small.investment.pk,
            "kind": "task",
            "title": "投资进度滞后",
            "problem": "完成25%",
            "requirement": "整改",
            "due_on": "2026-06-19",
            "issue": "1",
        },
    )
    follow_up = FollowUp.objects.get()
    assert response.status_code == 302 and response.url == f"/follow-ups/{follow_up.pk}/"
    assert follow_up.serial == "督办〔2026〕1号"
    assert Notification.objects.filter(recipient=s.reporter, kind="follow_up").count() == 1


def test_a_refusal_on_the_form_keeps_what_was_typed(client, s):
    """A due date in the past (now 2 June): the reason under the field, the text still there,
    nothing saved."""
    client.force_login(s.reviewer)
    response = client.post(
        reverse("follow-up-new"),
        {
            "unit": s.unit.pk,
            "indicator": s.small.investment.pk,
            "kind": "task",
            "title": "投资进度滞后",
            "problem": "完成25%的详细情况",
            "requirement": "整改",
            "due_on": "2026-05-29",
            "issue": "1",
        },
    )
    html = response.content.decode()
    assert "办理时限不能早于今天" in html and "完成25%的详细情况" in html
    assert not FollowUp.objects.exists()


def test_the_unit_acknowledges_replies_with_a_photo_and_asks_to_close(client, s):
    follow_up = s.issue()
    url = reverse("follow-up-detail", args=[follow_up.pk])
    client.force_login(s.reporter)
    assert 'data-testid="acknowledge"' in client.get(url).content.decode()
    step = lambda action, **data: client.post(  # noqa: E731
        reverse("follow-up-action", args=[follow_up.pk, action]), data
    )
    assert step("acknowledge").status_code == 302
    assert step("reply", text="已召开专题会", files=[photo()]).status_code == 302
    assert step("close-request").status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.CLOSING
    html = client.get(url).content.decode()
    assert (
        "已召开专题会" in html
        and reverse(
            "evidence-thumbnail", args=[follow_up.events.get(kind="reply").evidence.get().pk]
        )
        in html
    )
    # The photo is served to the issuer too.
    client.force_login(s.reviewer)
    evidence = follow_up.events.get(kind="reply").evidence.get()
    assert client.get(reverse("evidence-file", args=[evidence.pk])).status_code == 200
    assert 'data-testid="close"' in client.get(url).content.decode()


def test_a_refused_step_shows_the_reason_and_keeps_the_text(client, s):
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW)
    client.force_login(s.reporter)
    response = client.post(
        reverse("follow-up-action", args=[follow_up.pk, "extend"]),
        {"reason": "雨季停工三周", "due_on": "2026-06-10"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "申请延至的日期须晚于当前办理时限" in html and "雨季停工三周" in html
    assert not follow_up.extensions.exists()


def test_a_pasted_document_as_a_reply_is_refused_and_nothing_is_saved(client, s):
    """A reply is bounded (5,000 characters, enough for a 检讨 with its 整改措施): 5,001 are
    refused with a Chinese message on the page and no event is written."""
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW)
    client.force_login(s.reporter)
    response = client.post(
        reverse("follow-up-action", args=[follow_up.pk, "reply"]), {"text": "长" * 5001}
    )
    assert response.status_code == 200
    assert "5000" in response.content.decode()
    assert not follow_up.events.filter(kind="reply").exists()


def test_another_units_follow_up_is_not_found(client, s):
    """青山镇's reporter types 城关镇's follow-up id: 404 for the page and for a step."""
    follow_up = s.issue()
    client.force_login(s.small.other_reporter)
    assert client.get(reverse("follow-up-detail", args=[follow_up.pk])).status_code == 404
    post = client.post(reverse("follow-up-action", args=[follow_up.pk, "acknowledge"]))
    assert post.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.ISSUED


def test_a_unit_never_sees_a_draft(client, s):
    draft = follow_ups.create_and_issue(send=False, **s.fields())
    client.force_login(s.reporter)
    assert client.get(reverse("follow-up-detail", args=[draft.pk])).status_code == 404
    client.force_login(s.reviewer)
    edit = reverse("follow-up-edit", args=[draft.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "indicator": s.small.investment.pk,
            "kind": "task",
            "title": "改过的标题",
            "problem": "p",
            "requirement": "r",
            "due_on": "2026-06-30",
            "issue": "1",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status, draft.due_on) == ("改过的标题", "issued", date(2026, 6, 30))


def test_the_list_filters_by_status_unit_and_card(client, s):
    a = s.issue(title="甲事项")
    s.issue(title="乙事项")
    FollowUp.objects.filter(pk=a.pk).update(card="yellow")
    client.force_login(s.office)
    html = client.get(reverse("follow-up-list") + "?card=yellow").content.decode()
    assert "甲事项" in html and "乙事项" not in html and "黄牌" in html
    html = client.get(reverse("follow-up-list") + f"?status=issued&unit={s.unit.pk}").content
    assert "乙事项" in html.decode()
