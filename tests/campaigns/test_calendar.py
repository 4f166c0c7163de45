"""China's working calendar (issue 9): holidays and 调休 in one table, working days counted on
Beijing days, weekly deadlines and reminders that respect them, and periods whose past
deadlines change only by an office action with a reason.

The 2026 arrangement (State Council, as in the chinese_calendar package): Mid-autumn Fri 25 –
Sun 27 Sep; National Day Thu 1 – Wed 7 Oct; make-up working days Sun 20 Sep and Sat 10 Oct.
Spring Festival Sun 15 – Mon 23 Feb, make-up days Sat 14 and Sat 28 Feb; New Year Thu 1 –
Sat 3 Jan, make-up day Sun 4 Jan.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import Holiday, Period, ReminderLog
from campaigns.services.reminders import send_deadline_reminders
from campaigns.services.years import change_period_deadline, generate_periods
from campaigns.workdays import add_working_days, is_working_day, load_holidays
from scoring.services import evaluations
from tests.campaigns.builders import build_small_year

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def week(year, number) -> Period:
    return Period.objects.get(year=year, iso_week=number)


# --- the Holiday table ---------------------------------------------------------------------


def forget_2026():
    """Start from an empty 2026, as on a fresh install before the year is loaded."""
    Holiday.objects.filter(date__year=2026).delete()
    Holiday.history.filter(date__year=2026).delete()


def test_load_holidays_fills_2026_from_the_package(db):
    """2026: 33 holiday days (3 + 9 + 3 + 5 + 3 + 3 + 7) and 6 make-up working days."""
    forget_2026()
    assert load_holidays(year=2026) == 39
    national_day = Holiday.objects.get(date=date(2026, 10, 1))
    assert (national_day.kind, national_day.name) == (Holiday.Kind.REST, "国庆节")
    make_up = Holiday.objects.get(date=date(2026, 10, 10))
    assert (make_up.kind, make_up.name) == (Holiday.Kind.WORKDAY, "国庆节")
    assert Holiday.objects.filter(date__year=2026, kind=Holiday.Kind.WORKDAY).count() == 6


def test_loading_again_adds_nothing_and_keeps_the_office_edits(db):
    """The office renames 10 Oct, deletes 25 Sep (say the county works that day) and adds
    31 Dec; loading 2026 again changes none of it."""
    forget_2026()
    load_holidays(year=2026)
    renamed = Holiday.objects.get(date=date(2026, 10, 10))
    renamed.name = "国庆调休上班"
    renamed.save()
    Holiday.objects.get(date=date(2026, 9, 25)).delete()
    Holiday.objects.create(date=date(2026, 12, 31), kind=Holiday.Kind.REST, name="县里放假")

    assert load_holidays(year=2026) == 0
    assert Holiday.objects.get(date=date(2026, 10, 10)).name == "国庆调休上班"
    assert not Holiday.objects.filter(date=date(2026, 9, 25)).exists()
    assert Holiday.objects.get(date=date(2026, 12, 31)).kind == Holiday.Kind.REST
    assert is_working_day(date(2026, 9, 25)) and not is_working_day(date(2026, 12, 31))


def test_a_year_the_package_does_not_know_adds_nothing(db):
    assert load_holidays(year=2099) == 0


def test_national_day_2026_working_days(db):
    """Wed 30 Sep works; Thu 1 – Wed 7 Oct rest (Sat 3 and Sun 4 too); Thu 8 works; Sat 10
    Oct and Sun 20 Sep are make-up working days; an ordinary Sunday (11 Oct) rests."""
    load_holidays(year=2026)
    assert is_working_day(date(2026, 9, 30))
    assert not any(is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(date(2026, 10, 8))
    assert is_working_day(date(2026, 10, 10)) and is_working_day(date(2026, 9, 20))
    assert not is_working_day(date(2026, 10, 11))


# --- counting working days (the appeal window) --------------------------------------------


def test_saturday_morning_in_beijing_counts_from_beijing_saturday(db):
    """Sat 2026-11-14 07:00 Beijing = Fri 13 Nov 23:00 UTC. Three working days after it:
    Mon 16, Tue 17, Wed 18 → Wed 18 Nov 07:00 Beijing. Counting UTC days would start from
    Friday, take Sun 15 23:00 UTC (Monday in Beijing) as a weekend day and end on Thursday."""
    start = datetime(2026, 11, 13, 23, 0, tzinfo=UTC)
    assert add_working_days(start, 3) == beijing(2026, 11, 18, 7, 0)


def test_a_make_up_sunday_counts_as_a_working_day(db):
    """Sat 2026-09-19 07:00 Beijing (Fri 18 Sep 23:00 UTC): Sun 20 Sep is 调休上班 (1), Mon 21
    (2), Tue 22 (3) → Tue 22 Sep 07:00 Beijing."""
    load_holidays(year=2026)
    assert add_working_days(datetime(2026, 9, 18, 23, 0, tzinfo=UTC), 3) == beijing(
        2026, 9, 22, 7, 0
    )


def test_national_day_holidays_do_not_count(db):
    """Wed 2026-09-30 10:00: 1–7 Oct rest; Thu 8 (1), Fri 9 (2), Sat 10 调休 (3) →
    Sat 10 Oct 10:00."""
    load_holidays(year=2026)
    assert add_working_days(beijing(2026, 9, 30, 10, 0), 3) == beijing(2026, 10, 10, 10, 0)


def test_the_appeal_window_uses_the_one_working_day_counter():
    assert evaluations.add_working_days is add_working_days


def test_appeal_deadline_of_a_quarter_computed_on_a_beijing_saturday_morning(db):
    """Q3 2026 computed Sat 2026-10-17 08:00 Beijing (Fri 16 Oct 00:00 UTC): the 3-working-day
    window ends Wed 21 Oct 08:00 Beijing (Mon 19, Tue 20, Wed 21)."""
    small = build_small_year(year=2026)
    evaluation = evaluations.open_evaluation(year=small.year, quarter=3)
    moment = datetime(2026, 10, 17, 0, 0, tzinfo=UTC)
    evaluations.compute_quarter(
        evaluation=evaluation, user=small.office, now=moment, confirm_open_periods=True
    )
    evaluation.refresh_from_db()
    assert evaluation.appeal_deadline == beijing(2026, 10, 21, 8, 0)


# --- weekly deadlines ----------------------------------------------------------------------


def test_a_friday_deadline_on_a_holiday_moves_to_the_last_working_day_before_it(year_2026):
    """Week 40 (Mon 28 Sep – Sun 4 Oct): Fri 2 Oct is National Day, Thu 1 too → Wed 30 Sep
    18:00; locks 3 days later, Sat 3 Oct 18:00. Week 39: Fri 25 Sep is Mid-autumn → Thu 24
    Sep. Week 1: Fri 2 and Thu 1 Jan are New Year → Wed 31 Dec 2025."""
    assert week(year_2026, 40).deadline == beijing(2026, 9, 30, 18, 0)
    assert week(year_2026, 40).locks_at == beijing(2026, 10, 3, 18, 0)
    assert week(year_2026, 39).deadline == beijing(2026, 9, 24, 18, 0)
    assert week(year_2026, 1).deadline == beijing(2025, 12, 31, 18, 0)


def test_a_week_without_a_working_day_is_due_on_the_first_working_day_after(year_2026):
    """Week 8 (Mon 16 – Sun 22 Feb) is all Spring Festival, as is Mon 23 → Tue 24 Feb 18:00."""
    assert week(year_2026, 8).deadline == beijing(2026, 2, 24, 18, 0)


def test_a_make_up_saturday_does_not_move_the_friday_deadline(year_2026):
    """Week 9: Sat 28 Feb is 调休上班, Fri 27 Feb works → the deadline stays Fri 18:00."""
    assert week(year_2026, 9).deadline == beijing(2026, 2, 27, 18, 0)


# --- reminders -----------------------------------------------------------------------------


def test_reminders_follow_the_moved_deadline_and_skip_holidays(db):
    """Week 40's deadline is Wed 30 Sep 18:00: reminded Tue 29 Sep (明天) and Wed 30 Sep
    (今天), three townships each time."""
    small = build_small_year(year=2026)
    assert send_deadline_reminders(now=beijing(2026, 9, 29, 9, 0)) == 3
    assert send_deadline_reminders(now=beijing(2026, 9, 30, 9, 0)) == 3
    titles = set(
        Notification.objects.filter(recipient=small.other_reporter).values_list("title", flat=True)
    )
    assert titles == {"2026年第40周周帐明天18:00截止", "2026年第40周周帐今天18:00截止"}


def test_no_reminder_on_a_holiday(db):
    """Sun 2026-02-22 (Spring Festival), two days before week 8's Tue 24 Feb deadline, and
    Mon 23 Feb, the last holiday day: nothing is sent. Week 8 began on Mon 16 Feb, so the
    working day before its deadline is — after the holiday — only the deadline day itself:
    Tue 24 Feb sends the 今天 reminder."""
    small = build_small_year(year=2026)
    assert send_deadline_reminders(now=beijing(2026, 2, 22, 9, 0)) == 0
    assert send_deadline_reminders(now=beijing(2026, 2, 23, 9, 0)) == 0
    assert send_deadline_reminders(now=beijing(2026, 2, 24, 9, 0)) == 3
    assert set(ReminderLog.objects.values_list("period__iso_week", "kind").distinct()) == {
        (8, ReminderLog.Kind.DEADLINE_DAY)
    }
    assert small.period(8).deadline == beijing(2026, 2, 24, 18, 0)


# --- period history: regeneration and the office's change ---------------------------------


def test_regeneration_leaves_past_deadlines_alone(year_2026):
    """On Wed 2026-06-10 the office changes the rule to Thursday 17:00 and regenerates.
    Week 23 (Fri 5 Jun, passed) keeps its deadline and gains no history; week 24 (Fri 12
    Jun, still ahead) becomes Thu 11 Jun 17:00."""
    past, future = week(year_2026, 23), week(year_2026, 24)
    past_history = past.history.count()
    year_2026.deadline_weekday, year_2026.deadline_time = 3, time(17, 0)
    year_2026.save()
    generate_periods(year=year_2026, now=beijing(2026, 6, 10, 12, 0))
    assert week(year_2026, 23).deadline == past.deadline == beijing(2026, 6, 5, 18, 0)
    assert week(year_2026, 23).history.count() == past_history
    assert week(year_2026, 24).deadline == beijing(2026, 6, 11, 17, 0)
    assert future.history.count() == 2  # generated, then updated by the new rule


def test_the_office_changes_a_past_deadline_with_a_reason(year_2026, role_users):
    """Week 23's deadline Fri 5 Jun 18:00 moves to Mon 8 Jun 12:00 (a network outage); the
    lock moves with it, keeping its 3 days; the history names the office and the reason.
    Regenerating later leaves the office's deadline in place."""
    office = role_users[Role.OFFICE]
    period = change_period_deadline(
        period=week(year_2026, 23),
        deadline=beijing(2026, 6, 8, 12, 0),
        reason="6月5日全县网络中断，截止顺延",
        user=office,
        now=beijing(2026, 6, 8, 9, 0),
    )
    assert (period.deadline, period.locks_at) == (
        beijing(2026, 6, 8, 12, 0),
        beijing(2026, 6, 11, 12, 0),
    )
    record = period.history.first()
    assert (record.history_change_reason, record.history_user) == (
        "6月5日全县网络中断，截止顺延",
        office,
    )
    assert record.prev_record.deadline == beijing(2026, 6, 5, 18, 0)
    generate_periods(year=year_2026, now=beijing(2026, 5, 1, 9, 0))
    assert week(year_2026, 23).deadline == beijing(2026, 6, 8, 12, 0)


@pytest.mark.parametrize(
    ("role", "deadline", "reason", "message"),
    [
        (Role.REPORTER, beijing(2026, 6, 8, 12, 0), "理由", "只有考核办"),
        (Role.OFFICE, beijing(2026, 6, 8, 12, 0), "  ", "请填写修改原因"),
        (Role.OFFICE, beijing(2026, 6, 8, 12, 0), "长" * 101, "最多100字"),
        (Role.OFFICE, beijing(2026, 5, 31, 12, 0), "理由", "不能早于"),
        (Role.OFFICE, datetime(2026, 6, 8, 12, 0), "理由", "完整的截止日期"),
        (Role.OFFICE, beijing(2026, 6, 5, 18, 0), "理由", "相同"),
    ],
)
def test_a_refused_deadline_change_changes_nothing(
    year_2026, role_users, role, deadline, reason, message
):
    """Week 23 starts Mon 1 Jun: a deadline on 31 May is refused, as are a reporter, an
    empty or over-long reason, a naive time and the same deadline."""
    period = week(year_2026, 23)
    before = (period.deadline, period.locks_at, period.history.count())
    with pytest.raises(LedgerError, match=message):
        change_period_deadline(
            period=period, deadline=deadline, reason=reason, user=role_users[role]
        )
    period.refresh_from_db()
    assert (period.deadline, period.locks_at, period.history.count()) == before


def test_a_week_of_a_published_quarter_keeps_its_deadline(year_2026, role_users):
    """Week 23 is in Q2; once Q2 is published its punctuality is frozen in the result."""
    from scoring.models import QuarterlyEvaluation

    QuarterlyEvaluation.objects.create(year=year_2026, quarter=2, status="published")
    period = week(year_2026, 23)
    with pytest.raises(LedgerError, match="第二季度考评已发布"):
        change_period_deadline(
            period=period,
            deadline=beijing(2026, 6, 8, 12, 0),
            reason="网络中断",
            user=role_users[Role.OFFICE],
        )
    period.refresh_from_db()
    assert period.deadline == beijing(2026, 6, 5, 18, 0)


def test_the_admin_page_changes_a_deadline_for_the_office_only(client, year_2026, role_users):
    period = week(year_2026, 23)
    url = reverse("admin:campaigns_period_deadline", args=[period.pk])
    client.force_login(role_users[Role.LEADER])
    data = {"deadline_0": "2026-06-08", "deadline_1": "12:00", "reason": "网络中断"}
    assert client.post(url, data).status_code in (302, 403)
    period.refresh_from_db()
    assert period.deadline == beijing(2026, 6, 5, 18, 0)

    client.force_login(role_users[Role.OFFICE])
    page = client.get(url)
    assert page.status_code == 200 and "修改原因" in page.content.decode()
    refused = client.post(url, {**data, "deadline_0": "2026-05-01"})
    assert "不能早于" in refused.content.decode()
    assert client.post(url, data).status_code == 302
    period.refresh_from_db()
    assert period.deadline == beijing(2026, 6, 8, 12, 0)
    assert period.history.first().history_change_reason == "网络中断"
    history = client.get(reverse("admin:campaigns_period_history", args=[period.pk]))
    assert history.status_code == 200 and "网络中断" in history.content.decode()


def test_the_office_keeps_holidays_in_the_admin(client, role_users, db):
    client.force_login(role_users[Role.OFFICE])
    response = client.post(
        reverse("admin:campaigns_holiday_add"),
        {"date": "2027-10-01", "kind": "rest", "name": "国庆节"},
    )
    assert response.status_code == 302
    assert not is_working_day(date(2027, 10, 1))
    listing = client.get(reverse("admin:campaigns_holiday_changelist"))
    assert "节假日与调休" in listing.content.decode()
    client.force_login(role_users[Role.REPORTER])
    assert client.get(reverse("admin:campaigns_holiday_changelist")).status_code == 302


def test_the_holiday_list_opens_on_the_latest_arrangement(client, role_users, db):
    """The office looks for this and next year's arrangement, not for 2004's."""
    Holiday.objects.create(date=date(2027, 10, 1), kind="rest", name="国庆节")
    client.force_login(role_users[Role.OFFICE])
    listing = client.get(reverse("admin:campaigns_holiday_changelist"))
    first = listing.context["cl"].result_list[0]
    assert first.date == date(2027, 10, 1)
