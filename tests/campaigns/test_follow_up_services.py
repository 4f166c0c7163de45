"""The follow-up (交办单) services: every step of the lifecycle, and every bad input refused
with a Chinese message and nothing saved (issue 12, "Bad input")."""

import threading
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import Notification
from accounts.roles import Role
from campaigns.models import Evidence, Extension, FollowUp, FollowUpEvent
from campaigns.services import follow_ups
from campaigns.services.follow_ups import FollowUpError
from tests.campaigns.follow_up_builders import DUE, NOW, build_setting, photo
from tests.helpers import make_user

pytestmark = pytest.mark.django_db
Status = FollowUp.Status
Kind = FollowUpEvent.Kind


@pytest.fixture
def s():
    return build_setting()


def kinds(follow_up) -> list[str]:
    return list(follow_up.events.order_by("at", "id").values_list("kind", flat=True))


def refused(call, message: str, **kwargs):
    """`call` raises FollowUpError containing `message`, and changes no row."""
    before = (
        FollowUp.objects.count(),
        FollowUpEvent.objects.count(),
        Extension.objects.count(),
        Evidence.objects.count(),
        list(FollowUp.objects.order_by("pk").values_list("status", "due_on", "number")),
    )
    with pytest.raises(FollowUpError) as caught:
        call(**kwargs)
    assert any(message in text for text in caught.value.messages), caught.value.messages
    after = (
        FollowUp.objects.count(),
        FollowUpEvent.objects.count(),
        Extension.objects.count(),
        Evidence.objects.count(),
        list(FollowUp.objects.order_by("pk").values_list("status", "due_on", "number")),
    )
    assert after == before


# --- sending --------------------------------------------------------------------------------


def test_serial_numbers_count_up_per_year_and_drafts_have_none(s):
    """Draft → no number; sent ones 1, 2 in the order they are sent (not drafted); a withdrawn
    draft takes no number."""
    draft = follow_ups.create_and_issue(send=False, **s.fields())
    assert draft.status == Status.DRAFT and draft.serial == ""
    withdrawn = follow_ups.create_and_issue(send=False, **s.fields(title="另一事项"))
    follow_ups.withdraw(follow_up=withdrawn, user=s.reviewer, now=NOW)
    first = s.issue(title="第一件")
    second = follow_ups.issue_follow_up(follow_up=draft, user=s.reviewer, now=NOW)
    assert (first.serial, second.serial) == ("督办〔2026〕1号", "督办〔2026〕2号")
    assert first.status == Status.ISSUED and first.issued_by == s.reviewer
    assert kinds(first) == [Kind.ISSUED]


def test_sending_tells_the_units_people_with_a_link(s):
    follow_up = s.issue()
    notes = Notification.objects.filter(kind="follow_up")
    assert {n.recipient for n in notes} == {s.reporter, s.small.head}
    assert all(n.url == f"/follow-ups/{follow_up.pk}/" for n in notes)
    assert "督办〔2026〕1号" in notes.first().title
    # Acknowledged: the unit's notices about it are answered (read), the bell drops.
    follow_ups.acknowledge(follow_up=follow_up, user=s.small.head, now=NOW)
    assert not notes.filter(read_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_issuers_sending_at_once_get_different_numbers():
    """Two drafts sent from two threads at the same moment: 1 and 2, never 1 twice (the year
    row is locked while max()+1 is read)."""
    s = build_setting()
    drafts = [follow_ups.create_and_issue(send=False, **s.fields(title=f"事项{n}")) for n in (1, 2)]
    barrier = threading.Barrier(2)
    errors = []

    def send(draft):
        try:
            barrier.wait()
            follow_ups.issue_follow_up(follow_up=draft, user=s.reviewer, now=NOW)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(FollowUp.objects.values_list("number", flat=True)) == [1, 2]


def test_who_may_task_whom(s):
    """The reviewer (发改委) tasks a township carrying its indicator; not about an indicator
    政法委 leads, not without an indicator, not a unit without that target, not its own unit;
    the office tasks any active unit; a reporter tasks nobody."""
    small = s.small
    year = small.year
    township, far = s.unit, small.county.units_named("县农业农村局")
    assert follow_ups.may_task(s.reviewer, township, indicator=small.investment, year=year) is None
    assert "不是本单位牵头" in follow_ups.may_task(
        s.reviewer, township, indicator=small.cases, year=year
    )
    assert "请选择指标" in follow_ups.may_task(s.reviewer, township, year=year)
    assert "没有目标任务" in follow_ups.may_task(
        s.reviewer, far, indicator=small.investment, year=year
    )
    assert "本单位" in follow_ups.may_task(s.reviewer, s.reviewer.unit, year=year)
    assert follow_ups.may_task(s.office, far, year=year) is None
    assert "只有" in follow_ups.may_task(s.reporter, far, year=year)
    far.active = False
    far.save()
    assert "已停用" in follow_ups.may_task(s.office, far, year=year)


def test_a_unit_the_issuer_may_not_task_is_refused_and_nothing_saved(s):
    far = s.small.county.units_named("县农业农村局")
    refused(follow_ups.create_and_issue, "没有目标任务", **s.fields(unit=far))
    refused(follow_ups.create_and_issue, "不是本单位牵头", **s.fields(indicator=s.small.cases))


def test_a_due_date_in_the_past_is_refused(s):
    """Now is 2 June 2026: 1 June is past, 2 June (today) is accepted."""
    refused(follow_ups.create_and_issue, "不能早于今天", **s.fields(due_on=date(2026, 6, 1)))
    assert s.issue(due_on=date(2026, 6, 2)).due_on == date(2026, 6, 2)


def test_a_draft_whose_due_date_passed_is_not_sent(s):
    draft = follow_ups.create_and_issue(send=False, **s.fields())
    later = NOW + timedelta(days=30)
    refused(follow_ups.issue_follow_up, "不能早于今天", follow_up=draft, user=s.reviewer, now=later)


def test_empty_text_is_refused(s):
    refused(follow_ups.create_and_issue, "请填写存在问题", **s.fields(problem="  "))


def test_system_drafts_are_idempotent_and_sent_by_the_office(s):
    """ensure_draft twice → one draft (created, then found); the office sends it although it
    is 发改委's (a system draft); a reporter may not."""
    fields = {
        "year": s.small.year,
        "unit": s.unit,
        "origin": FollowUp.Origin.WEAK_ITEM,
        "indicator": s.small.investment,
        "issuer_unit": s.reviewer.unit,
        "title": "半年未过半",
        "problem": "完成半年目标的40%",
        "requirement": "整改",
        "due_on": DUE,
    }
    first = follow_ups.ensure_draft(**fields)
    again = follow_ups.ensure_draft(**fields)
    assert (first.created, again.created, again.pk) == (True, False, first.pk)
    assert first.created_by is None and first.status == Status.DRAFT
    refused(follow_ups.issue_follow_up, "只有交办单位", follow_up=first, user=s.reporter, now=NOW)
    sent = follow_ups.issue_follow_up(follow_up=first, user=s.office, now=NOW)
    assert sent.serial == "督办〔2026〕1号" and sent.issuer_unit == s.reviewer.unit


def test_a_draft_is_edited_by_its_issuer_only(s):
    draft = follow_ups.create_and_issue(send=False, **s.fields())
    follow_ups.update_draft(follow_up=draft, user=s.reviewer, title="改过的事项", now=NOW)
    assert FollowUp.objects.get(pk=draft.pk).title == "改过的事项"
    other = make_user("rev_zfw", Role.REVIEWER, unit=s.small.county.units_named("县委政法委员会"))
    refused(follow_ups.update_draft, "只有交办单位", follow_up=draft, user=other, title="x")
    sent = follow_ups.issue_follow_up(follow_up=draft, user=s.reviewer, now=NOW)
    refused(follow_ups.update_draft, "不能修改", follow_up=sent, user=s.reviewer, title="y")


# --- the whole loop -------------------------------------------------------------------------


def test_issue_acknowledge_reply_with_a_photo_ask_to_close_close(s):
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW + timedelta(hours=1))
    event = follow_ups.reply(
        follow_up=follow_up,
        user=s.reporter,
        text="已召开专题会，落实三个项目开工。",
        files=[photo()],
        now=NOW + timedelta(days=1),
    )
    assert [e.original_name for e in event.evidence.all()] == ["现场.jpg"]
    follow_ups.request_close(follow_up=follow_up, user=s.reporter, now=NOW + timedelta(days=2))
    closed = follow_ups.close(follow_up=follow_up, user=s.reviewer, now=NOW + timedelta(days=3))
    assert closed.status == Status.CLOSED and closed.closed_by == s.reviewer
    assert kinds(follow_up) == [
        Kind.ISSUED,
        Kind.ACKNOWLEDGED,
        Kind.REPLY,
        Kind.CLOSE_REQUESTED,
        Kind.CLOSED,
    ]
    # Every write is in the history, each naming who made it.
    people = list(closed.history.order_by("history_date").values_list("history_user", flat=True))
    reviewer, reporter = s.reviewer.pk, s.reporter.pk
    assert people == [reviewer, reviewer, reporter, reporter, reporter, reviewer]
    assert Notification.objects.filter(recipient=s.reviewer, kind="follow_up").count() == 2


def test_a_reply_to_a_closed_follow_up_is_refused(s):
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW)
    follow_ups.reply(follow_up=follow_up, user=s.reporter, text="已办", now=NOW)
    follow_ups.request_close(follow_up=follow_up, user=s.reporter, now=NOW)
    follow_ups.close(follow_up=follow_up, user=s.reviewer, now=NOW)
    refused(follow_ups.reply, "已办结", follow_up=follow_up, user=s.reporter, text="再补充")


def test_the_unit_acknowledges_before_replying_and_only_its_people_may(s):
    follow_up = s.issue()
    refused(follow_ups.reply, "请先签收", follow_up=follow_up, user=s.reporter, text="已办")
    refused(
        follow_ups.acknowledge, "只有承办单位", follow_up=follow_up, user=s.small.other_reporter
    )
    refused(follow_ups.acknowledge, "只有承办单位", follow_up=follow_up, user=s.reviewer)


def test_a_bad_file_refuses_the_whole_reply(s):
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW)
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not a photo")
    refused(
        follow_ups.reply,
        "内容不是图片",
        follow_up=follow_up,
        user=s.reporter,
        text="已办",
        files=[photo(), fake],
    )


def test_asking_to_close_needs_a_reply_and_a_new_one_after_a_return(s):
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW)
    refused(follow_ups.request_close, "请先反馈", follow_up=follow_up, user=s.reporter)
    follow_ups.reply(follow_up=follow_up, user=s.reporter, text="已办", now=NOW)
    refused(follow_ups.close, "尚未申请办结", follow_up=follow_up, user=s.reviewer)
    follow_ups.request_close(follow_up=follow_up, user=s.reporter, now=NOW)
    refused(
        follow_ups.return_for_redo,
        "请填写退回理由",
        follow_up=follow_up,
        user=s.reviewer,
        reason="",
    )
    later = NOW + timedelta(hours=2)
    back = follow_ups.return_for_redo(
        follow_up=follow_up, user=s.reviewer, reason="未见开工照片", now=later
    )
    assert back.status == Status.ACKNOWLEDGED
    refused(follow_ups.request_close, "请先反馈", follow_up=follow_up, user=s.reporter)
    follow_ups.reply(follow_up=follow_up, user=s.reporter, text="补充照片", now=later)
    assert follow_ups.request_close(follow_up=follow_up, user=s.reporter, now=later).status == (
        Status.CLOSING
    )


def test_urging_is_recorded_and_told(s):
    follow_up = s.issue()
    follow_ups.urge(follow_up=follow_up, user=s.reviewer, now=NOW)
    assert kinds(follow_up)[-1] == Kind.URGED
    assert follow_up.events.last().text == "请抓紧办理，按时反馈。"
    assert Notification.objects.filter(recipient=s.reporter, title__contains="催办").exists()
    refused(follow_ups.urge, "只有交办单位", follow_up=follow_up, user=s.reporter)


# --- extensions -----------------------------------------------------------------------------


def test_an_extension_asked_twice_at_once_is_refused(s):
    """Due 12 June: a request to 19 June is pending; a second one is refused (the service's
    message, before the database constraint); a date not after 12 June is refused."""
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW)
    refused(
        follow_ups.request_extension,
        "须晚于当前办理时限",
        follow_up=follow_up,
        user=s.reporter,
        reason="雨季停工",
        due_on=DUE,
    )
    follow_ups.request_extension(
        follow_up=follow_up, user=s.reporter, reason="雨季停工", due_on=date(2026, 6, 19), now=NOW
    )
    refused(
        follow_ups.request_extension,
        "已有一项延期申请",
        follow_up=follow_up,
        user=s.small.head,
        reason="再延",
        due_on=date(2026, 6, 26),
    )


def test_a_granted_extension_moves_the_due_date_a_refused_one_needs_a_reason(s):
    follow_up = s.issue()
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=NOW)
    ask = follow_ups.request_extension(
        follow_up=follow_up, user=s.reporter, reason="雨季停工", due_on=date(2026, 6, 19), now=NOW
    )
    refused(
        follow_ups.decide_extension,
        "请填写不同意延期的理由",
        extension=ask,
        user=s.reviewer,
        grant=False,
    )
    follow_ups.decide_extension(extension=ask, user=s.reviewer, grant=True, now=NOW)
    follow_up.refresh_from_db()
    assert follow_up.due_on == date(2026, 6, 19)
    assert follow_up.events.last().kind == Kind.EXTENSION_GRANTED
    refused(follow_ups.decide_extension, "已批复", extension=ask, user=s.reviewer, grant=True)
    again = follow_ups.request_extension(
        follow_up=follow_up, user=s.reporter, reason="再延", due_on=date(2026, 6, 26), now=NOW
    )
    follow_ups.decide_extension(extension=again, user=s.reviewer, grant=False, note="不宜再延")
    follow_up.refresh_from_db()
    assert follow_up.due_on == date(2026, 6, 19)
    assert kinds(follow_up)[-1] == Kind.EXTENSION_REFUSED


# --- 责令检讨 ---------------------------------------------------------------------------------


def test_a_self_review_needs_text_and_measures_from_the_unit_itself(s):
    """A 责令检讨 from the office: 检讨 from another unit refused, without 整改措施 refused;
    accepted by the office (close)."""
    review = follow_ups.create_and_issue(
        **s.fields(
            user=s.office,
            indicator=None,
            kind=FollowUp.Kind.SELF_REVIEW,
            title="第一季度交帐亮相后进，责令检讨",
        )
    )
    follow_ups.acknowledge(follow_up=review, user=s.small.head, now=NOW)
    refused(
        follow_ups.reply,
        "只有承办单位",
        follow_up=review,
        user=s.small.other_reporter,
        text="检讨",
        measures="措施",
    )
    refused(follow_ups.reply, "请填写整改措施", follow_up=review, user=s.small.head, text="检讨")
    follow_ups.reply(
        follow_up=review, user=s.small.head, text="深刻检讨", measures="三条措施", now=NOW
    )
    follow_ups.request_close(follow_up=review, user=s.small.head, now=NOW)
    assert follow_ups.close(follow_up=review, user=s.office, now=NOW).status == Status.CLOSED


# --- withdrawing ----------------------------------------------------------------------------


def test_withdrawing_a_sent_follow_up_needs_a_reason(s):
    follow_up = s.issue()
    refused(follow_ups.withdraw, "撤销理由", follow_up=follow_up, user=s.reviewer, reason="")
    follow_ups.withdraw(follow_up=follow_up, user=s.reviewer, reason="重复交办", now=NOW)
    assert FollowUp.objects.get(pk=follow_up.pk).status == Status.WITHDRAWN
    refused(follow_ups.acknowledge, "已撤销", follow_up=follow_up, user=s.reporter)


# --- the people ------------------------------------------------------------------------------


def test_follow_up_people(s):
    follow_up = s.issue()
    people = follow_ups.follow_up_people(follow_up)
    assert set(people["unit_users"]) == {s.reporter, s.small.head}
    assert people["heads"] == [s.small.head]
    assert people["issuer"] == s.reviewer
    assert people["issuer_reviewers"] == [s.reviewer]
    assert set(people["everyone"]) == {s.reporter, s.small.head, s.reviewer}
