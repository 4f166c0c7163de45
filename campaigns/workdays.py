"""China's working calendar: the one place that says which days are working days (DESIGN §8).

A day is a working day when it is Monday–Friday, unless the Holiday table makes it a 休息日,
or when the table makes a weekend day a 调休上班日. Days are local days in settings.TIME_ZONE:
a moment is turned into its local date before it is counted, never into its UTC date.
"""

from datetime import date, datetime, timedelta

from chinese_calendar.constants import holidays as PACKAGE_HOLIDAYS
from chinese_calendar.constants import workdays as PACKAGE_WORKDAYS
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .models import Holiday

# chinese_calendar names its holidays in English; the office reads Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _name(value) -> str:
    text = getattr(value, "value", value) or ""
    return HOLIDAY_NAMES.get(text, text)[:50]


@transaction.atomic
def load_holidays(*, year: int) -> int:
    """Fill the table for `year` from the chinese_calendar package; returns rows added.

    Idempotent and never overrides the office: a date the table holds, or has ever held (its
    history keeps deleted rows), is left alone, so an edited or deleted day stays as the
    office left it. Years the package does not know add nothing.
    """
    known = {d: Holiday.Kind.REST for d in PACKAGE_HOLIDAYS if d.year == year}
    known |= {d: Holiday.Kind.WORKDAY for d in PACKAGE_WORKDAYS if d.year == year}
    if not known:
        return 0
    first, last = date(year, 1, 1), date(year, 12, 31)
    seen = set(Holiday.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    seen |= set(Holiday.history.filter(date__range=(first, last)).values_list("date", flat=True))
    names = PACKAGE_HOLIDAYS | PACKAGE_WORKDAYS
    rows = [
        Holiday(date=day, kind=kind, name=_name(names[day]))
        for day, kind in sorted(known.items())
        if day not in seen
    ]
    if rows:
        bulk_create_with_history(rows, Holiday, default_change_reason="chinese_calendar 预置")
    return len(rows)


class Calendar:
    """Working days between two dates, read from the table in one query."""

    def __init__(self, first: date, last: date):
        self.first, self.last = first, last
        self.overrides = dict(
            Holiday.objects.filter(date__range=(first, last)).values_list("date", "kind")
        )

    def is_working_day(self, day: date) -> bool:
        if not self.first <= day <= self.last:
            return is_working_day(day)
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == Holiday.Kind.WORKDAY
        return day.weekday() < 5


def is_working_day(day: date) -> bool:
    return Calendar(day, day).is_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time, `days` working days after the local day of `start`.

    Counted on the local calendar: Saturday 07:00 in Beijing is Friday 23:00 UTC, and the
    first working day after it is Monday, not Saturday.
    """
    local = timezone.localtime(start)
    day = local.date()
    calendar = Calendar(day, day + timedelta(days=days * 2 + 30))  # holidays last ≤ 9 days
    while days > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return timezone.make_aware(datetime.combine(day, local.time()))


def working_days_between(start: date, end: date, calendar: Calendar | None = None) -> int:
    """How many working days lie after `start`, up to and including `end` (0 if end <= start).

    "The first working day after the due date" is the day this first reaches 1. Pass a
    Calendar covering the range to count many spans with one query.
    """
    if end <= start:
        return 0
    calendar = calendar or Calendar(start, end)
    days = (end - start).days
    return sum(calendar.is_working_day(start + timedelta(days=n)) for n in range(1, days + 1))


def previous_working_day(day: date) -> date:
    """The last working day before `day`."""
    calendar = Calendar(day - timedelta(days=30), day)
    day -= timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def weekly_deadline_day(monday: date, weekday: int, calendar: Calendar | None = None) -> date:
    """The day a week's ledger falls due, given the year's rule (`weekday`, 0 = Monday).

    The rule's day when it is a working day; otherwise the last working day before it in the
    same week (National Day 2026: Friday 2 October → Wednesday 30 September); if the week has
    none before it (the Spring Festival week), the first working day after it. A make-up
    Saturday (调休上班日) does not move a Friday deadline: the Friday is itself a working day.
    """
    rule_day = monday + timedelta(days=weekday)
    calendar = calendar or Calendar(monday, monday + timedelta(days=30))
    day = rule_day
    while day >= monday:
        if calendar.is_working_day(day):
            return day
        day -= timedelta(days=1)
    day = rule_day + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day
