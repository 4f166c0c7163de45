"""Deadline reminders and missing-ledger notices, idempotent by ReminderLog's unique key.

Beat runs these every hour; whichever run first finds a unit due for a reminder records it in
ReminderLog and notifies the unit, and every later run (or a retried task) finds the log row
and sends nothing again.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit
from accounts.services import notify

from ..models import AssessmentYear, Period, ReminderLog, Target, WeeklyLedger
from ..workdays import is_working_day, previous_working_day

# The working day before a deadline lies at most one holiday (≤ 9 days) earlier.
REMINDER_HORIZON_DAYS = 14

HANDED_IN = WeeklyLedger.HANDED_IN


def _units_without_ledger(period: Period):
    """Active units that carry an indicator this year and have not handed this period in."""
    carrying = Target.objects.filter(indicator__campaign__year_id=period.year_id).values("unit_id")
    handed_in = WeeklyLedger.objects.filter(period=period, status__in=HANDED_IN).values("unit_id")
    return Unit.objects.filter(active=True, pk__in=carrying).exclude(pk__in=handed_in)


def _record_once(unit: Unit, period: Period, kind: str) -> bool:
    """True when this call is the one that records (and so sends) the reminder."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(unit=unit, period=period, kind=kind)
    except IntegrityError:
        return False
    return True


def _notify_unit(unit: Unit, *, kind: str, title: str, body: str, period: Period) -> None:
    notify(
        recipients=unit.users.filter(is_active=True),
        kind=kind,
        title=title,
        body=body,
        url=reverse("ledger-week", args=[period.pk]),
    )


def send_deadline_reminders(*, now: datetime | None = None) -> int:
    """On the working day before the deadline day and on the deadline day, remind units
    that have not handed in. Days are working days of China's calendar (campaigns.workdays):
    nobody is reminded on a holiday, and a deadline after a holiday is announced on the
    last working day before it. The deadline is the period's own (the office may move it)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_working_day(today):
        return 0
    sent = 0
    periods = Period.objects.filter(
        year__status=AssessmentYear.Status.ACTIVE, deadline__gt=now
    ).filter(deadline__lte=now + timedelta(days=REMINDER_HORIZON_DAYS))
    for period in periods:
        deadline = timezone.localtime(period.deadline)
        deadline_day = deadline.date()
        if today == deadline_day:
            kind, when = ReminderLog.Kind.DEADLINE_DAY, "今天"
        elif today >= period.starts_on and today == previous_working_day(deadline_day):
            # Not before the week begins: Spring Festival's week is due after the holiday.
            kind = ReminderLog.Kind.DAY_BEFORE
            when = "明天" if deadline_day - today == timedelta(days=1) else f"{deadline:%m月%d日}"
        else:
            continue
        for unit in _units_without_ledger(period):
            if _record_once(unit, period, kind):
                _notify_unit(
                    unit,
                    kind="reminder",
                    title=f"{period}周帐{when}{deadline:%H:%M}截止",
                    body=(
                        f"{unit.name}{period}的周帐尚未报送，"
                        f"请于{deadline:%m月%d日 %H:%M}前填报提交。"
                    ),
                    period=period,
                )
                sent += 1
    return sent


def mark_missing_ledgers(*, now: datetime | None = None) -> int:
    """When a period locks, each unit that never handed it in gets a 缺报 notice, once."""
    now = now or timezone.now()
    marked = 0
    locked = Period.objects.filter(
        year__status=AssessmentYear.Status.ACTIVE, locks_at__lte=now
    ).filter(locks_at__gt=now - timedelta(days=14))  # recent locks only; older ones are done
    for period in locked:
        for unit in _units_without_ledger(period):
            if _record_once(unit, period, ReminderLog.Kind.MISSING):
                _notify_unit(
                    unit,
                    kind="missing",
                    title=f"{period}周帐缺报",
                    body=(
                        f"{unit.name}{period}的周帐未在锁定前报送，已记为缺报。"
                        "如有特殊情况请联系考核办。"
                    ),
                    period=period,
                )
                marked += 1
    return marked
