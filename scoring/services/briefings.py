"""The weekly briefing (周通报): generate it from last week's verified ledgers, let the office
edit its text, issue it with the next number of its own 文号 series, and tell units and leaders.

Whoever triggers it — the Monday beat task, the office's 生成 button, the admin, a shell — goes
through these functions. An issued briefing is never changed again.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import notify
from campaigns.history import recorded_as
from campaigns.models import AssessmentYear, Period, Target

from ..briefings.facts import briefing_facts
from ..briefings.prose import compose_body, title_for
from ..errors import ScoringError
from ..models import WeeklyBriefing
from .evaluations import require_office

Status = WeeklyBriefing.Status
BODY_MAX = 20000  # characters: a 通报 is a few pages, not a book
ISSUED_UNCHANGED = "该周通报已经签发，不能再修改或重新生成。"


def document_number(year: int, number: int) -> str:
    """The briefing's 文号, its own series: 交帐亮相周通报〔2026〕第12期 (the one place it is
    formatted)."""
    return f"交帐亮相周通报〔{year}〕第{number}期"


def body_was_edited(briefing: WeeklyBriefing) -> bool:
    """Whether the office changed the text: it differs from what the stored facts give."""
    return bool(briefing.facts) and briefing.body != compose_body(briefing.facts)


@transaction.atomic
def generate_briefing(
    *, period: Period, now: datetime | None = None, user=None, rewrite_body: bool = False
) -> WeeklyBriefing:
    """The briefing of `period`: created, or — while a draft — refreshed with today's figures.

    Idempotent: a second run the same day gives the same briefing. The office's edited text is
    kept when the figures are refreshed (the text it has not touched follows the figures),
    unless `rewrite_body` asks for the generated text again. An issued briefing is refused.
    `user` None is the system (the beat task); a person must be the office.
    """
    if user is not None:
        require_office(user)
    now = now or timezone.now()
    if timezone.localdate(now) <= period.ends_on:
        raise ScoringError(f"{period}尚未结束，不能生成该周通报。")
    briefing = WeeklyBriefing.objects.select_for_update().filter(period=period).first()
    if briefing is not None and briefing.status == Status.ISSUED:
        raise ScoringError(ISSUED_UNCHANGED)
    facts = briefing_facts(period=period, now=now)
    body = compose_body(facts)
    if briefing is None:
        briefing = WeeklyBriefing(year=period.year, period=period)
    elif body_was_edited(briefing) and not rewrite_body:
        body = briefing.body
    briefing.facts = facts
    briefing.body = body
    briefing.title = title_for(facts)
    briefing.generated_at = now
    briefing.full_clean(validate_constraints=False)
    with recorded_as(user):
        try:
            with transaction.atomic():
                briefing.save()
        except IntegrityError:
            # Another run created the week's briefing meanwhile: refresh that one instead.
            briefing = WeeklyBriefing.objects.select_for_update().get(period=period)
            if briefing.status == Status.ISSUED:
                raise ScoringError(ISSUED_UNCHANGED) from None
            briefing.facts, briefing.title, briefing.generated_at = facts, title_for(facts), now
            if not body_was_edited(briefing):
                briefing.body = body
            briefing.save()
    return briefing


def last_week(now: datetime) -> Period | None:
    """The period holding the day a week before `now` (on a Monday: the week just ended) of a
    running (or closed) year; None when no year has one."""
    day = timezone.localdate(now) - timedelta(days=7)
    return (
        Period.objects.select_related("year")
        .filter(starts_on__lte=day, ends_on__gte=day)
        .exclude(year__status=AssessmentYear.Status.DRAFT)
        .first()
    )


def generate_weekly_briefing(*, now: datetime | None = None) -> WeeklyBriefing | None:
    """The Monday run (beat): last week's briefing as a draft for the office, idempotently —
    a repeated run refreshes the draft, and leaves an issued one as it is."""
    now = now or timezone.now()
    period = last_week(now)
    if period is None:
        return None
    issued = WeeklyBriefing.objects.filter(period=period, status=Status.ISSUED).first()
    if issued is not None:
        return issued
    return generate_briefing(period=period, now=now)


@transaction.atomic
def edit_briefing(*, briefing: WeeklyBriefing, user, title: str, body: str) -> WeeklyBriefing:
    """The office's text; the facts stay as generated."""
    require_office(user)
    briefing = WeeklyBriefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.status == Status.ISSUED:
        raise ScoringError(ISSUED_UNCHANGED)
    title, body = title.strip(), body.strip()
    errors = []
    if not title:
        errors.append("请填写标题。")
    if not body:
        errors.append("请填写通报正文。")
    if len(body) > BODY_MAX:
        errors.append(f"通报正文不能超过{BODY_MAX}字。")
    if errors:
        raise ScoringError(errors)
    briefing.title, briefing.body = title, body
    briefing.full_clean(validate_constraints=False)
    with recorded_as(user):
        briefing.save()
    return briefing


def briefing_readers(briefing: WeeklyBriefing):
    """Who is told of an issued briefing: the people of every unit that carries a task this
    year, and the county leaders."""
    units = Target.objects.filter(
        indicator__campaign__year_id=briefing.year_id, unit__active=True
    ).values("unit_id")
    people = User.objects.filter(is_active=True, unit__in=units) | User.objects.filter(
        is_active=True, groups__name=Role.LEADER.group_name
    )
    return people.distinct()


@transaction.atomic
def issue_briefing(
    *, briefing: WeeklyBriefing, user, now: datetime | None = None
) -> WeeklyBriefing:
    """Sign and send a draft: the next number of the year (under a lock on the year's row, so
    two offices issuing at once get 1 and 2), its 文号, who and when; units and leaders are
    notified. Issuing twice is refused."""
    require_office(user)
    now = now or timezone.now()
    year = AssessmentYear.objects.select_for_update().get(pk=briefing.year_id)
    briefing = WeeklyBriefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.status == Status.ISSUED:
        raise ScoringError(f"该周通报已经签发（{briefing.document_number}），不能重复签发。")
    if not briefing.body.strip():
        raise ScoringError("通报正文为空，不能签发。")
    last = WeeklyBriefing.objects.filter(year=year).aggregate(last=Max("number"))["last"]
    briefing.number = (last or 0) + 1
    briefing.document_number = document_number(year.year, briefing.number)
    briefing.status = Status.ISSUED
    briefing.issued_by, briefing.issued_at = user, now
    briefing.full_clean(validate_constraints=False)
    with recorded_as(user):
        briefing.save()
    notify(
        recipients=briefing_readers(briefing),
        kind="briefing",
        title=f"{briefing.document_number}已印发",
        body=briefing.title,
        url=reverse("briefing-detail", args=[briefing.pk]),
    )
    return briefing
