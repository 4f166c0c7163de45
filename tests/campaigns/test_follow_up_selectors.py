"""Who sees which follow-up, the lists' order, the acknowledgement flag on the working
calendar, and the 待办 counts."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.todo import providers_for
from campaigns.follow_up_selectors import (
    acknowledgement_overdue,
    flag_rows,
    follow_up_list,
    follow_ups_visible_to,
    todo_counts,
)
from campaigns.follow_up_todo import issuer_items, unit_items
from campaigns.models import FollowUp
from campaigns.services import follow_ups
from campaigns.workdays import load_holidays
from tests.campaigns.follow_up_builders import NOW, build_setting
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def s():
    return build_setting()


def test_who_sees_which_follow_up(s):
    """A sent one and a draft of 发改委's to 城关镇: the office sees both, a leader the sent
    one, the issuing reviewer both, 城关镇's reporter the sent one, 青山镇's reporter and
    another department's reviewer nothing, the system administrator nothing."""
    sent = s.issue()
    draft = follow_ups.create_and_issue(send=False, **s.fields(title="草稿事项"))
    leader = make_user("leader_a", Role.LEADER)
    admin = make_user("admin_a", Role.ADMIN)
    zfw = make_user("rev_zfw", Role.REVIEWER, unit=s.small.county.units_named("县委政法委员会"))

    def seen(user):
        return set(follow_ups_visible_to(user).values_list("pk", flat=True))

    assert seen(s.office) == {sent.pk, draft.pk}
    assert seen(leader) == {sent.pk}
    assert seen(s.reviewer) == {sent.pk, draft.pk}
    assert seen(s.reporter) == seen(s.small.head) == {sent.pk}
    assert seen(s.small.other_reporter) == seen(zfw) == seen(admin) == set()


def test_overdue_ones_head_the_list_then_open_ones_by_due_date(s):
    """Sent 2 June: A due 12 June, B due 5 June, C due 3 June, D closed. On 4 June C is
    overdue (first), then B, A (open, by due date), then the closed D."""
    a = s.issue(title="A")
    b = s.issue(title="B", due_on=date(2026, 6, 5))
    c = s.issue(title="C", due_on=date(2026, 6, 3))
    d = s.issue(title="D")
    follow_ups.acknowledge(follow_up=d, user=s.reporter, now=NOW)
    follow_ups.reply(follow_up=d, user=s.reporter, text="已办", now=NOW)
    follow_ups.request_close(follow_up=d, user=s.reporter, now=NOW)
    follow_ups.close(follow_up=d, user=s.reviewer, now=NOW)
    order = [f.title for f in follow_up_list(s.reviewer, now=at(2026, 6, 4, 9))]
    assert order == ["C", "B", "A", "D"]
    assert [f.pk for f in follow_up_list(s.reporter, now=NOW, status="closed")] == [d.pk]
    assert {f.pk for f in follow_up_list(s.office, now=NOW, status="open")} == {a.pk, b.pk, c.pk}
    FollowUp.objects.filter(pk=a.pk).update(card="red")
    assert [f.pk for f in follow_up_list(s.office, now=NOW, card="red")] == [a.pk]
    # A card stays on a closed follow-up as a record; it no longer heads the list.
    FollowUp.objects.filter(pk=d.pk).update(card="yellow")
    order = [f.title for f in follow_up_list(s.reviewer, now=at(2026, 6, 4, 9))]
    assert order == ["C", "A", "B", "D"]  # the overdue by due date: C 3 June, A (red) 12 June
    rows = flag_rows(follow_up_list(s.reviewer, now=at(2026, 6, 4, 9)), at(2026, 6, 4, 9))
    assert [f.overdue for f in rows] == [
        True,
        True,
        False,
        False,
    ]


def test_unacknowledged_after_one_working_day_is_flagged_on_the_holiday_calendar(s):
    """2026 National Day: 1–7 October rest, Thursday 8 October works, Saturday 10 October is a
    make-up working day. Sent Wednesday 30 September 10:00 → due to be acknowledged by
    Thursday 8 October 10:00; sent Friday 9 October 10:00 → by Saturday 10 October 10:00."""
    load_holidays(year=2026)
    follow_up = s.issue(now=at(2026, 9, 30, 10), due_on=date(2026, 10, 30))
    assert not acknowledgement_overdue(follow_up, at(2026, 10, 7, 23))
    assert not acknowledgement_overdue(follow_up, at(2026, 10, 8, 9, 59))
    assert acknowledgement_overdue(follow_up, at(2026, 10, 8, 10, 1))
    friday = s.issue(now=at(2026, 10, 9, 10), due_on=date(2026, 10, 30))
    assert acknowledgement_overdue(friday, at(2026, 10, 10, 10, 1))
    follow_ups.acknowledge(follow_up=follow_up, user=s.reporter, now=at(2026, 10, 9, 8))
    follow_up.refresh_from_db()
    assert not acknowledgement_overdue(follow_up, at(2026, 10, 9, 9))


def test_the_units_todo_lists_its_open_follow_ups_first(s):
    """城关镇 has one to acknowledge (sent 2 June, due 12 June) and one returned for redo.
    On 4 June: 待签收 1 (flagged: more than a working day), 被退回重办 1; its items are first
    on the reporter's page. The reviewer's: nothing closing after the return."""
    s.issue(title="待签收")
    returned = s.issue(title="退回")
    follow_ups.acknowledge(follow_up=returned, user=s.reporter, now=NOW)
    follow_ups.reply(follow_up=returned, user=s.reporter, text="已办", now=NOW)
    follow_ups.request_close(follow_up=returned, user=s.reporter, now=NOW)
    assert len(todo_counts(s.reviewer, NOW)["closing"]) == 1
    follow_ups.return_for_redo(follow_up=returned, user=s.reviewer, reason="不实", now=NOW)
    now = at(2026, 6, 4, 11)
    counts = todo_counts(s.reporter, now)
    assert [len(counts[k]) for k in ("to_acknowledge", "returned")] == [1, 1]
    assert providers_for(Role.REPORTER)[0] is unit_items
    assert providers_for(Role.UNIT_HEAD)[0] is unit_items
    items = unit_items(s.reporter, now)
    assert (items[0].label, items[0].count) == ("待签收的交办事项", 1)
    assert "超过一个工作日未签收" in items[0].detail
    assert (items[1].label, items[1].count) == ("被退回重办的交办事项", 1)
    assert todo_counts(s.reviewer, now)["closing"] == []


def test_the_offices_todo_has_system_drafts_and_overdue_ones(s):
    follow_ups.ensure_draft(
        year=s.small.year,
        unit=s.unit,
        origin=FollowUp.Origin.LAGGING,
        quarter=1,
        issuer_unit=s.office.unit,
        kind=FollowUp.Kind.SELF_REVIEW,
        title="第一季度交帐亮相后进，责令检讨",
        problem="总分58分",
        requirement="提交书面检讨和整改措施",
        due_on=date(2026, 6, 9),
    )
    s.issue(due_on=date(2026, 6, 3))
    labels = {i.label: i.count for i in issuer_items(s.office, at(2026, 6, 5, 9))}
    assert labels["系统起草待发出的交办单"] == 1
    assert labels["逾期的交办事项"] == 1


def test_the_todo_lines_with_no_follow_up_at_all(s):
    assert [(i.label, i.count) for i in unit_items(s.reporter, NOW)] == [("待签收的交办事项", 0)]
    assert [(i.label, i.count) for i in issuer_items(s.office, NOW)] == [
        ("待办结审核的交办事项", 0)
    ]
