"""The dates a fault test works in, picked from the real clock so the test holds on any day.

Fault tests run on the real clock (real_clock: a Celery worker shares it with them, and they
stop services the other tests use), so time-machine cannot move them to a chosen week: they
run on whatever day CI does — a Friday evening, a Sunday at midnight at the end of an ISO
year, a holiday week whose deadline moved earlier.
`tests/faults/test_weeks.py` runs these helpers at such moments under time-machine.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from campaigns.models import Period
from campaigns.services.years import change_period_deadline
from tests.campaigns.builders import SmallYear, build_small_year

# Far longer than a fault test runs: its week stays open, and its deadline ahead, to the end.
AHEAD = timedelta(hours=2)
MOVED = "故障测试：截止时间须在测试结束之后"


def build_open_week(
    *, now: datetime | None = None, requires_head_confirmation: bool = False
) -> tuple[SmallYear, Period]:
    """The small year of the ISO week holding `now` (local day) and that week's period: begun,
    so the week page opens it, and with its deadline at least AHEAD after `now`, so what the
    test hands in is on time even when the test crosses midnight, a week or a year.

    The week keeps the deadline its rule gave it when that is far enough ahead; otherwise (a
    Friday evening or weekend, a holiday week whose deadline moved earlier and whose lock has
    passed) the office moves it, as it would to let units hand in after all, by the one
    service that moves a deadline.
    """
    now = now or timezone.now()
    day = timezone.localdate(now).isocalendar()
    small = build_small_year(year=day.year, requires_head_confirmation=requires_head_confirmation)
    period = small.period(day.week)
    if period.deadline < now + AHEAD:
        period = change_period_deadline(
            period=period, deadline=now + AHEAD, reason=MOVED, user=small.office
        )
    return small, period


def finished_year(now: datetime | None = None) -> int:
    """The ISO year before the one holding `now` (local day). Its first quarter locked months
    ago on any date (its last weeks may still be open in early January), so computing that
    quarter asks no confirmation of open periods."""
    return timezone.localdate(now or timezone.now()).isocalendar().year - 1
