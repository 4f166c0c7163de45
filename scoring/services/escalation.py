"""Overdue follow-ups escalate: 黄牌, then 红牌, and the 绩误档案 fault (DESIGN §4.11, §8).

Run by the beat task `scoring.tasks.escalate_follow_ups` (every working day 08:30 and hourly);
idempotent, so any number of runs — also two at once — give each follow-up its 黄牌, its 红牌
and its one file entry exactly once.

The rules, in working days of campaigns/workdays.py (holidays and 调休 make-up days):
- A follow-up is escalated while it is 待签收 or 办理中 and its due date has passed. One the unit
  has asked to close (申请办结) is not: the issuer has its answer, and a late reply from the
  issuer must not punish the unit. If the issuer returns it (退回重办) it escalates again.
- 黄牌 once `year.yellow_card_after_days` working days have passed since the due date (default
  1: the first working day after it — due Friday 9 October 2026, 黄牌 on Saturday 10 October,
  a 调休 working day).
- 红牌 once `year.red_card_after_days` working days have passed since the day the 黄牌 was
  given (default 5), and the follow-up is still at the 黄牌 stage of its current due date. The
  count starts from the day the unit was actually warned, so a run missed by beat never turns
  a follow-up red before the unit has had its full warning period, and one run gives one step.
- Cards are given only on working days: a run on a Sunday does nothing; the card comes with
  the next working day's run.
- An extension granted after a card keeps the card (it was deserved on the old date); the 红牌
  then waits until the new due date has passed by the 黄牌 delay as well.
- The fault is written at the 黄牌: ONE FileEntry per follow-up (a unique constraint is the
  backstop), 0 points (rule 11 gives none; the office may add a penalty by hand), in the
  assessment year and quarter of the week it was written in. At the 红牌 the same entry's
  description changes from （黄牌） to （红牌）; its history keeps the first wording.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.services import notify
from campaigns.models import FollowUp, FollowUpEvent, Period
from campaigns.services.follow_ups import follow_up_people, record_event
from campaigns.workdays import Calendar, is_working_day, working_days_between

from ..display import file_kind
from ..models import FileEntry

logger = logging.getLogger(__name__)
Card = FollowUp.Card
# 申请办结 waits for the issuer and is not escalated (see the module docstring).
ESCALATING = (FollowUp.Status.ISSUED, FollowUp.Status.ACKNOWLEDGED)
CARD_NAMES = {Card.YELLOW: "黄牌", Card.RED: "红牌"}


@dataclass
class EscalationSummary:
    """What one run did: the follow-ups (ids) that got a 黄牌 or a 红牌."""

    day: date
    working_day: bool
    yellow: list[int] = field(default_factory=list)
    red: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "working_day": self.working_day,
            "yellow": len(self.yellow),
            "red": len(self.red),
            "failed": len(self.failed),
        }


def due_card(follow_up: FollowUp, today: date, calendar: Calendar | None = None) -> str:
    """The card `follow_up` should carry on working day `today` (Card.NONE, YELLOW or RED).

    Pure reading of the rules above, given the card it already has; never a step back.
    """
    if follow_up.status not in ESCALATING or follow_up.card == Card.RED:
        return follow_up.card
    year = follow_up.year
    past_due = working_days_between(follow_up.due_on, today, calendar)
    if past_due < year.yellow_card_after_days:
        return follow_up.card
    if follow_up.card == Card.NONE:
        return Card.YELLOW
    since_yellow = working_days_between(follow_up.yellow_card_on, today, calendar)
    return Card.RED if since_yellow >= year.red_card_after_days else Card.YELLOW


def escalate_overdue_follow_ups(*, now: datetime | None = None) -> EscalationSummary:
    """Give every overdue follow-up the card it has earned by `now` (local day); see above.

    Each follow-up is escalated in its own transaction under a row lock, so two runs at once
    wait for each other and the second finds the card already given.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    summary = EscalationSummary(day=today, working_day=is_working_day(today))
    if not summary.working_day:
        return summary
    candidates = list(
        FollowUp.objects.filter(status__in=ESCALATING, due_on__lt=today)
        .exclude(card=Card.RED)
        .select_related("year")
        .order_by("due_on", "pk")
    )
    if not candidates:
        return summary
    dates = [f.due_on for f in candidates] + [
        f.yellow_card_on for f in candidates if f.yellow_card_on
    ]
    calendar = Calendar(min(dates), today)  # one query for every count below
    week = Period.objects.filter(starts_on__lte=today, ends_on__gte=today).select_related("year")
    period = week.first()  # the week the faults are filed in, the same for the whole run
    for candidate in candidates:
        if due_card(candidate, today, calendar) == candidate.card:
            continue
        try:
            card = _escalate(candidate.pk, today=today, now=now, calendar=calendar, period=period)
        except Exception:
            # One broken row must not stop every other unit's card; the next run retries it.
            logger.exception("逾期警示失败：交办事项 %s", candidate.pk)
            summary.failed.append(candidate.pk)
            continue
        if card == Card.YELLOW:
            summary.yellow.append(candidate.pk)
        elif card == Card.RED:
            summary.red.append(candidate.pk)
    return summary


@transaction.atomic
def _escalate(pk: int, *, today: date, now: datetime, calendar: Calendar, period) -> str:
    """One step for one follow-up under its row lock; the card given, or "" if none was due."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("year", "unit", "issuer_unit")
        .get(pk=pk)
    )
    card = due_card(follow_up, today, calendar)
    if card == follow_up.card:
        return ""  # another run got here first, or the unit closed it meanwhile
    follow_up.card = card
    if card == Card.YELLOW:
        follow_up.yellow_card_on = today
    else:
        follow_up.red_card_on = today
    changed = ["card", "yellow_card_on", "red_card_on"]
    # Validate what this step changes; the rest of the row was validated when it was written.
    follow_up.full_clean(
        exclude=[f.name for f in FollowUp._meta.fields if f.name not in changed],
        validate_unique=False,
        validate_constraints=False,
    )
    follow_up.save(update_fields=[*changed, "updated_at"])
    name = CARD_NAMES[card]
    text = _event_text(follow_up, name)
    kind = FollowUpEvent.Kind.YELLOW_CARD if card == Card.YELLOW else FollowUpEvent.Kind.RED_CARD
    record_event(follow_up, kind=kind, actor=None, text=text, now=now)
    _write_file_entry(follow_up, name=name, today=today, period=period)
    notify(
        recipients=_people(follow_up),
        kind="escalation",
        title=f"{follow_up.serial}逾期未办结，亮{name}",
        body=text,
        url=reverse("follow-up-detail", args=[follow_up.pk]),
    )
    return card


def _event_text(follow_up: FollowUp, name: str) -> str:
    due = f"{follow_up.due_on.year}年{follow_up.due_on.month}月{follow_up.due_on.day}日"
    if name == "黄牌":
        return f"“{follow_up.title}”办理时限为{due}，逾期未办结，亮黄牌，已记入绩误档案。"
    return f"“{follow_up.title}”亮黄牌后仍未办结，亮红牌，绩误档案已更新为红牌。"


def file_description(follow_up: FollowUp, name: str) -> str:
    """督办〔2026〕12号“…”逾期未办结（黄牌）."""
    return f"{follow_up.serial}“{follow_up.title}”逾期未办结（{name}）"[:300]


def _write_file_entry(follow_up: FollowUp, *, name: str, today: date, period) -> FileEntry:
    """The one overdue fault of `follow_up`: written at the 黄牌, reworded at the 红牌."""
    entry = FileEntry.objects.select_for_update().filter(follow_up=follow_up).first()
    if entry is not None:
        entry.description = file_description(follow_up, name)
        entry._change_reason = f"逾期{name}"
        entry.full_clean()
        entry.save()
        return entry
    year, quarter = _year_and_quarter(follow_up, today, period)
    entry = FileEntry(
        unit=follow_up.unit,
        year=year,
        quarter=quarter,
        recorded_on=today,
        merit=False,
        kind=file_kind("overdue_followup"),
        source=FileEntry.Source.FOLLOW_UP,
        description=file_description(follow_up, name),
        points=0,
        follow_up=follow_up,
    )
    entry._change_reason = f"逾期{name}"
    entry.full_clean()
    entry.save()
    return entry


def _year_and_quarter(follow_up: FollowUp, day: date, period: Period | None):
    """The assessment year and quarter of the week `day` lies in (`period`; its quarter is
    the quarter of its Thursday); the follow-up's own year and the ISO rule when no year holds
    that week yet."""
    if period is not None:
        return period.year, period.quarter
    iso = day.isocalendar()
    thursday = date.fromisocalendar(iso.year, iso.week, 4)
    if thursday.year != follow_up.year.year:
        return follow_up.year, 4 if thursday.year > follow_up.year.year else 1
    return follow_up.year, (thursday.month - 1) // 3 + 1


def _people(follow_up: FollowUp) -> list:
    """The unit's users (its head among them), the issuer and the issuing unit's reviewers."""
    return follow_up_people(follow_up)["everyone"]
