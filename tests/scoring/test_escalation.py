"""Overdue follow-ups escalate on China's working calendar: 黄牌, 红牌, one 绩误档案 fault.

The 2026 calendar behind the dates (campaigns/workdays.py, the State Council's arrangement):
- 春节: Sun 15 – Mon 23 February are rest days; Sat 14 and Sat 28 February are 调休 working days.
- 国庆/中秋: Thu 1 – Wed 7 October rest; Thu 8 and Fri 9 October ordinary working days; Sat 10
  October a 调休 working day.
Default steps: 黄牌 on the 1st working day after the due date, 红牌 5 working days after the 黄牌.

Spring Festival case, due Fri 13 Feb: the first working day after it is Sat 14 Feb (调休) → 黄牌
on Saturday. Five working days after 14 Feb: 15–23 Feb are rest, then Tue 24 (1), Wed 25 (2),
Thu 26 (3), Fri 27 (4), Sat 28 (5, 调休) → 红牌 on Saturday 28 February. Week 7 (9–15 Feb) and
week 9 (23 Feb – 1 Mar) are first-quarter weeks, so the fault is filed in the first quarter.

National Day case, due Wed 30 Sep: Thu 1 – Wed 7 Oct are rest (a run on Sunday 4 October or on
the holiday Wednesday 7 October does nothing), the first working day after is Thu 8 Oct → 黄牌.
Then Fri 9 (1), Sat 10 (2, 调休), Mon 12 (3), Tue 13 (4), Wed 14 (5) → 红牌 on Wednesday 14 October
(Tuesday 13th still 黄牌). Week 41 (5–11 Oct, Thursday 8 Oct) is in the fourth quarter.
"""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import Notification
from campaigns.models import FollowUp, FollowUpEvent
from campaigns.services.follow_ups import (
    acknowledge,
    create_and_issue,
    decide_extension,
    reply,
    request_close,
    request_extension,
)
from campaigns.workdays import working_days_between
from scoring.models import FileEntry
from scoring.services.escalation import due_card, escalate_overdue_follow_ups
from tests.campaigns.builders import build_small_year

SHANGHAI = ZoneInfo("Asia/Shanghai")
Card = FollowUp.Card


def at(month, day, hour=8, minute=30):
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def issue(small, *, due_on, issued, title="固定资产投资进度滞后"):
    """A follow-up from 发改委 (the reviewer) to 城关镇 about investment, sent on `issued`."""
    return create_and_issue(
        user=small.reviewer,
        year=small.year,
        issuer_unit=small.reviewer.unit,
        unit=small.reporter.unit,
        indicator=small.investment,
        title=title,
        problem="第6周核实投资仅完成序时目标的40%。",
        requirement="说明原因并提出赶进度措施。",
        due_on=due_on,
        now=issued,
    )


@pytest.fixture
def small(db):
    return build_small_year(year=2026)


def escalate(month, day, hour=8):
    return escalate_overdue_follow_ups(now=at(month, day, hour))


def state(follow_up):
    follow_up.refresh_from_db()
    return follow_up.card, follow_up.yellow_card_on, follow_up.red_card_on


def test_spring_festival_yellow_on_the_make_up_saturday_red_after_five_working_days(small):
    """Due Fri 13 Feb → 黄牌 Sat 14 Feb (调休) → 红牌 Sat 28 Feb (see the module docstring)."""
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))

    assert escalate(2, 13, 20).yellow == []  # the due day itself is not overdue
    summary = escalate(2, 14)
    assert summary.yellow == [follow_up.pk]
    assert state(follow_up) == (Card.YELLOW, date(2026, 2, 14), None)

    entry = FileEntry.objects.get(follow_up=follow_up)
    assert (entry.unit, entry.year, entry.quarter) == (small.reporter.unit, small.year, 1)
    assert (entry.merit, entry.source, entry.kind, entry.points) == (
        False, FileEntry.Source.FOLLOW_UP, "交办事项逾期", 0,
    )  # fmt: skip
    assert entry.description == "督办〔2026〕1号“固定资产投资进度滞后”逾期未办结（黄牌）"
    assert entry.recorded_on == date(2026, 2, 14)

    for day in (15, 20, 23, 24, 27):  # holiday days do nothing; 27 Feb is only the 4th
        assert escalate(2, day).red == []
    assert state(follow_up)[0] == Card.YELLOW
    assert escalate(2, 28).red == [follow_up.pk]
    assert state(follow_up) == (Card.RED, date(2026, 2, 14), date(2026, 2, 28))

    entry.refresh_from_db()
    assert entry.description.endswith("逾期未办结（红牌）")
    assert FileEntry.objects.filter(follow_up=follow_up).count() == 1
    wordings = list(entry.history.order_by("history_date").values_list("description", flat=True))
    assert [w[-4:] for w in wordings] == ["（黄牌）", "（红牌）"]
    kinds = list(follow_up.events.values_list("kind", "actor"))
    assert kinds[-2:] == [
        (FollowUpEvent.Kind.YELLOW_CARD, None),
        (FollowUpEvent.Kind.RED_CARD, None),
    ]


def test_national_day_holiday_and_sunday_runs_do_nothing(small):
    """Due Wed 30 Sep: nothing on Sun 4 Oct or holiday Wed 7 Oct; 黄牌 Thu 8 Oct; still 黄牌
    on Tue 13 Oct (4 working days: 9, 10 调休, 12, 13); 红牌 Wed 14 Oct; filed in Q4."""
    follow_up = issue(small, due_on=date(2026, 9, 30), issued=at(9, 21))
    for day in (4, 7):
        summary = escalate(10, day)
        assert (summary.working_day, summary.yellow) == (False, [])
    assert state(follow_up)[0] == Card.NONE
    assert escalate(10, 8).yellow == [follow_up.pk]
    assert FileEntry.objects.get(follow_up=follow_up).quarter == 4
    assert escalate(10, 13).red == []
    assert escalate(10, 14).red == [follow_up.pk]
    assert state(follow_up) == (Card.RED, date(2026, 10, 8), date(2026, 10, 14))


def test_running_twice_changes_nothing_the_second_time(small):
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))
    assert escalate(2, 14).yellow == [follow_up.pk]
    notices = Notification.objects.filter(kind="escalation").count()
    again = escalate(2, 14, 9)
    assert (again.yellow, again.red) == ([], [])
    assert Notification.objects.filter(kind="escalation").count() == notices
    assert follow_up.events.filter(kind=FollowUpEvent.Kind.YELLOW_CARD).count() == 1
    escalate(2, 28)
    escalate(2, 28, 10)
    escalate(3, 2)
    assert follow_up.events.filter(kind=FollowUpEvent.Kind.RED_CARD).count() == 1
    assert FileEntry.objects.filter(follow_up=follow_up).count() == 1


def test_the_unit_its_head_and_the_issuer_are_told(small):
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))
    escalate(2, 14)
    told = set(
        Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True)
    )
    assert told == {"rep", "head", "rev"}
    notice = Notification.objects.filter(kind="escalation").first()
    assert notice.title == "督办〔2026〕1号逾期未办结，亮黄牌"
    assert str(follow_up.pk) in notice.url


def test_a_request_to_close_waiting_for_the_issuer_is_not_escalated(small):
    """申请办结 before the due date; the issuer has not answered by 14 Feb: no card."""
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))
    acknowledge(follow_up=follow_up, user=small.reporter, now=at(2, 3))
    reply(follow_up=follow_up, user=small.reporter, text="已完成整改。", now=at(2, 10))
    request_close(follow_up=follow_up, user=small.reporter, now=at(2, 11))
    assert escalate(2, 14).yellow == []
    assert escalate(3, 2).yellow == []
    assert state(follow_up)[0] == Card.NONE
    assert not FileEntry.objects.exists()


def test_an_extension_keeps_the_yellow_card_and_delays_the_red_one(small):
    """黄牌 Thu 8 Oct; extension granted to Fri 16 Oct: on Wed 14 Oct (5 working days after the
    黄牌) it is not overdue any more, so no 红牌; 红牌 on Mon 19 Oct, the first working day after
    the new date (by then more than 5 working days since the 黄牌)."""
    follow_up = issue(small, due_on=date(2026, 9, 30), issued=at(9, 21))
    acknowledge(follow_up=follow_up, user=small.reporter, now=at(9, 22))
    escalate(10, 8)
    extension = request_extension(
        follow_up=follow_up,
        user=small.reporter,
        reason="节后施工队未到位",
        due_on=date(2026, 10, 16),
        now=at(10, 8, 10),
    )
    decide_extension(extension=extension, user=small.reviewer, grant=True, now=at(10, 9))
    assert escalate(10, 14).red == []
    assert escalate(10, 16, 17).red == []
    assert state(follow_up)[0] == Card.YELLOW  # the card already given stays
    assert escalate(10, 19).red == [follow_up.pk]


def test_working_days_between_counts_after_the_first_day_up_to_the_last(small):
    """(30 Sep, 8 Oct]: 1–7 Oct rest → 1; (8 Oct, 14 Oct]: 9, 10 (调休), 12, 13, 14 → 5;
    (13 Feb, 28 Feb]: 14 (调休), 24, 25, 26, 27, 28 (调休) → 6; an empty span → 0."""
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert working_days_between(date(2026, 10, 8), date(2026, 10, 14)) == 5
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_due_card_is_the_rule_on_plain_rows(small):
    """The rule without the database rows: a closed or red follow-up never changes."""
    row = FollowUp(year=small.year, status=FollowUp.Status.ACKNOWLEDGED, due_on=date(2026, 2, 13))
    assert due_card(row, date(2026, 2, 13)) == Card.NONE
    assert due_card(row, date(2026, 2, 14)) == Card.YELLOW
    row.card, row.yellow_card_on = Card.YELLOW, date(2026, 2, 14)
    assert due_card(row, date(2026, 2, 27)) == Card.YELLOW
    assert due_card(row, date(2026, 2, 28)) == Card.RED
    row.status = FollowUp.Status.CLOSED
    assert due_card(row, date(2026, 3, 30)) == Card.YELLOW
    small.year.yellow_card_after_days, small.year.red_card_after_days = 3, 1
    fresh = FollowUp(year=small.year, status=FollowUp.Status.ISSUED, due_on=date(2026, 2, 13))
    # 3 working days after 13 Feb: 14 (调休), 24, 25 → 黄牌 on 25 Feb.
    assert due_card(fresh, date(2026, 2, 24)) == Card.NONE
    assert due_card(fresh, date(2026, 2, 25)) == Card.YELLOW


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_give_one_card_and_one_file_entry():
    """Two threads escalate the same moment; the row lock makes the second find it done."""
    small = build_small_year(year=2026)
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(escalate(2, 14))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(len(r.yellow) for r in results) == [0, 1]
    assert [r.failed for r in results] == [[], []]
    assert follow_up.events.filter(kind=FollowUpEvent.Kind.YELLOW_CARD).count() == 1
    assert FileEntry.objects.filter(follow_up=follow_up).count() == 1
    assert Notification.objects.filter(kind="escalation").count() == 3
