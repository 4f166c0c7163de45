"""The demo county's 督查督办 and 周通报: the follow-ups its published quarters drafted, sent and
worked through as a county would have, and the weekly briefings of the last two weeks.

Registered with campaigns' `after_demo_built` after `scoring.demo.build_results` (whose
publications draft the 责令检讨 of each 后进 unit and, at the half-year, the weak items).
Everything goes through the real services on the calendar it would have happened on, never
later than `now`: the office and the lead departments send the drafts the working day after a
publication; each unit then acknowledges, replies and asks to close, or asks for more time,
or does nothing — by a seeded draw per follow-up — and the escalation task runs every working
morning, so the units that did nothing carry 黄牌 and 红牌 and a fault in their file.

Steps of all follow-ups and the escalation runs are replayed in time order, so a unit that
closed late still got its card first. A step the services refuse (for example a reply after
the issuer withdrew) is skipped, as a person would see the refusal and stop.

Idempotent: once a follow-up of the year carries a number, the follow-ups are left alone, and
a week that has a briefing keeps it as it is.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from campaigns.demo import DemoSummary
from campaigns.models import AssessmentYear, FollowUp, Period
from campaigns.services.follow_ups import (
    FollowUpError,
    acknowledge,
    close,
    create_and_issue,
    decide_extension,
    issue_follow_up,
    reply,
    request_close,
    request_extension,
    return_for_redo,
)
from campaigns.weak_items import weak_items
from campaigns.workdays import Calendar, add_working_days, is_working_day

from .errors import ScoringError
from .models import QuarterlyEvaluation, WeeklyBriefing
from .services.briefings import generate_briefing, issue_briefing
from .services.escalation import escalate_overdue_follow_ups

ESCALATION_TIME = time(8, 30)
# What a unit does with a follow-up, by share (drawn per follow-up, seeded by its number).
FATES = (
    ("done", 0.50),
    ("late", 0.15),
    ("extended", 0.15),
    ("redo", 0.08),
    ("silent", 0.07),
    ("stalled", 0.05),
)
# Recent follow-ups the lead departments sent from the weak-items list (per lead unit, the
# largest shortfalls), so the demo also holds follow-ups in hand, not only the quarters' ones.
RECENT_PER_LEAD = 2

REPLY = "已召开专题会议分析原因，明确责任领导和时间节点，本周完成{}，相关佐证材料已报牵头部门。"
REVIEW = "我单位本季度工作推进不力、排名靠后，主要负责同志负有直接责任，现作书面检讨。"
MEASURES = "一、逐项梳理滞后指标，倒排工期；二、主要负责同志每周调度一次；三、每周五前报送进展。"


@dataclass
class Step:
    at: datetime
    run: object  # a callable taking no arguments
    order: int = 0


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _after(moment: datetime, days: int, hour: int) -> datetime:
    return _at(timezone.localdate(add_working_days(moment, days)), hour)


def _fate(rng: random.Random) -> str:
    draw, total = rng.random(), 0.0
    for fate, share in FATES:
        total += share
        if draw < total:
            return fate
    return FATES[0][0]


def _people(unit, role: Role) -> User | None:
    return (
        User.objects.filter(is_active=True, unit=unit, groups__name=role.group_name)
        .order_by("pk")
        .first()
    )


def _issuer(follow_up: FollowUp, office: User) -> User:
    if follow_up.issuer_unit_id == office.unit_id:
        return office
    return _people(follow_up.issuer_unit, Role.REVIEWER) or office


def _sent_at(follow_up: FollowUp, published: dict[int, datetime]) -> datetime | None:
    """The working day after the publication that drafted it, 09:00."""
    quarter = follow_up.quarter if follow_up.origin == FollowUp.Origin.LAGGING else 2
    moment = published.get(quarter)
    return _after(moment, 1, 9) if moment else None


def _steps(follow_up: FollowUp, *, sent: datetime, issuer: User, seed: int) -> list[Step]:
    """The follow-up's life as its unit lives it, from sending to closing (or not)."""
    unit_user = _people(follow_up.unit, Role.REPORTER) or _people(follow_up.unit, Role.UNIT_HEAD)
    rng = random.Random(seed * 7919 + follow_up.pk)
    fate = _fate(rng)

    def send():
        issue_follow_up(follow_up=follow_up, user=issuer, now=sent)

    steps = [Step(sent, send)]
    if unit_user is None or fate == "silent":
        return steps
    acked = _after(sent, 1, 10)
    steps.append(Step(acked, lambda: acknowledge(follow_up=follow_up, user=unit_user, now=acked)))
    if fate == "stalled":
        return steps

    if fate == "extended":
        asked, granted = _after(sent, 2, 15), _after(sent, 3, 11)
        new_due = timezone.localdate(add_working_days(_at(follow_up.due_on, 12), 10))

        def ask():
            request_extension(
                follow_up=follow_up,
                user=unit_user,
                reason="涉及用地报批，需待县自然资源局审批后方能完成，申请延期两周。",
                due_on=new_due,
                now=asked,
            )

        def grant():
            pending = follow_up.extensions.filter(status="pending").first()
            if pending is not None:
                decide_extension(
                    extension=pending, user=issuer, grant=True, note="同意延期。", now=granted
                )

        steps += [Step(asked, ask), Step(granted, grant)]
        replied = _after(sent, 8, 15)  # inside the extended time
    elif fate == "late":
        replied = _after(_at(follow_up.due_on, 12), 3, 15)  # after its 黄牌
    else:
        replied = _after(sent, 3, 15)
    steps += _answer_and_close(
        follow_up, unit_user=unit_user, issuer=issuer, replied=replied, redo=fate == "redo"
    )
    return steps


def _answer_and_close(follow_up, *, unit_user, issuer, replied: datetime, redo: bool) -> list:
    """Reply, ask to close, and the issuer's verdict; a 退回重办 first when `redo`."""
    review = follow_up.kind == FollowUp.Kind.SELF_REVIEW

    def answer(moment):
        return lambda: reply(
            follow_up=follow_up,
            user=unit_user,
            text=REVIEW if review else REPLY.format("阶段性任务"),
            measures=MEASURES if review else "",
            now=moment,
        )

    def ask_to_close(moment):
        return lambda: request_close(follow_up=follow_up, user=unit_user, now=moment)

    closing = replied + timedelta(hours=1)
    steps = [Step(replied, answer(replied)), Step(closing, ask_to_close(closing))]
    decided = _after(replied, 2, 11)
    if redo:
        reason = "整改措施不够具体，请补充时间节点和责任人后重新报送。"
        steps.append(
            Step(
                decided,
                lambda: return_for_redo(
                    follow_up=follow_up, user=issuer, reason=reason, now=decided
                ),
            )
        )
        replied = _after(decided, 3, 15)
        closing = replied + timedelta(hours=1)
        steps += [Step(replied, answer(replied)), Step(closing, ask_to_close(closing))]
        decided = _after(replied, 2, 11)
    verdict = "检讨深刻，整改措施具体，同意销号。" if review else "经核实已按要求办理，同意办结。"
    steps.append(
        Step(decided, lambda: close(follow_up=follow_up, user=issuer, text=verdict, now=decided))
    )
    return steps


def _working_days_before(day: date, count: int) -> date:
    while count > 0:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day


def _recent_steps(year: AssessmentYear, *, now: datetime) -> list[Step]:
    """Follow-ups the lead departments sent from this week's weak-items list: the two largest
    shortfalls of each lead unit, sent 9, 6 and 3 working days ago, so the demo holds one
    past its due date (黄牌), one in hand with an extension asked, and one not yet
    acknowledged."""
    today = timezone.localdate(now)
    by_lead: dict[int, list] = {}
    for item in weak_items(None, year, as_of=today):
        if item.follow_up or item.indicator.lead_unit_id == item.unit.pk:
            continue
        picked = by_lead.setdefault(item.indicator.lead_unit_id, [])
        if len(picked) < RECENT_PER_LEAD and all(i.unit != item.unit for i in picked):
            picked.append(item)
    steps, plans = [], ((9, 5), (6, 10), (3, 10))  # (sent working days ago, due after sending)
    for index, item in enumerate(item for items in by_lead.values() for item in items):
        reviewer = _people(item.indicator.lead_unit, Role.REVIEWER)
        unit_user = _people(item.unit, Role.REPORTER)
        if reviewer is None or unit_user is None:
            continue
        ago, allowed = plans[index % len(plans)]
        sent = _at(_working_days_before(today, ago), 9, 30)
        due = timezone.localdate(add_working_days(sent, allowed))
        holder: dict = {}

        def send(item=item, reviewer=reviewer, sent=sent, due=due, holder=holder):
            holder["follow_up"] = create_and_issue(
                user=reviewer,
                now=sent,
                year=year,
                unit=item.unit,
                indicator=item.indicator,
                title=f"「{item.indicator.name}」进度滞后",
                problem=(
                    f"截至{sent.month}月{sent.day}日，「{item.indicator.name}」核实完成率 "
                    f"{item.rate_text}，落后序时进度"
                    f"（差 {item.gap_text}{item.indicator.measure}）。"
                ),
                requirement="分析滞后原因，明确赶超措施和时间节点，按期反馈。",
                due_on=due,
            )

        steps.append(Step(sent, send))
        if ago == 3:
            continue  # not yet acknowledged
        acked = _after(sent, 1, 10)
        steps.append(
            Step(
                acked,
                lambda h=holder, u=unit_user, t=acked: acknowledge(
                    follow_up=h["follow_up"], user=u, now=t
                ),
            )
        )
        if ago == 6:
            asked = _after(sent, 2, 15)
            steps.append(
                Step(
                    asked,
                    lambda h=holder, u=unit_user, t=asked, d=due: request_extension(
                        follow_up=h["follow_up"],
                        user=u,
                        reason="项目资金待县财政拨付，申请延期一周。",
                        due_on=timezone.localdate(add_working_days(_at(d, 12), 5)),
                        now=t,
                    ),
                )
            )
    return steps


def _escalations(first: date, now: datetime) -> list[Step]:
    days, day = [], first
    calendar = Calendar(first, timezone.localdate(now))  # one query for the whole span
    while day <= timezone.localdate(now):
        moment = _at(day, ESCALATION_TIME.hour, ESCALATION_TIME.minute)
        if calendar.is_working_day(day) and moment <= now:
            days.append(Step(moment, lambda m=moment: escalate_overdue_follow_ups(now=m), 1))
        day += timedelta(days=1)
    return days


def work_follow_ups(year: AssessmentYear, *, office: User, now: datetime, seed: int) -> list[str]:
    """Send the year's drafted follow-ups and live them through to `now` (see the module)."""
    follow_ups = FollowUp.objects.filter(year=year)
    if follow_ups.filter(number__isnull=False).exists():
        return []
    published = dict(
        QuarterlyEvaluation.objects.filter(year=year, published_at__isnull=False).values_list(
            "quarter", "published_at"
        )
    )
    steps: list[Step] = []
    for follow_up in follow_ups.filter(status=FollowUp.Status.DRAFT).order_by("pk"):
        sent = _sent_at(follow_up, published)
        if sent is None or sent > now:
            continue
        steps += _steps(follow_up, sent=sent, issuer=_issuer(follow_up, office), seed=seed)
    steps += _recent_steps(year, now=now)
    if not steps:
        return []
    steps += _escalations(timezone.localdate(min(step.at for step in steps)), now)
    refused = 0
    for step in sorted(steps, key=lambda s: (s.at, s.order)):
        if step.at > now:
            continue
        try:
            step.run()
        except (FollowUpError, KeyError):  # KeyError: a recent follow-up refused at sending
            refused += 1
    counts = {
        label: follow_ups.filter(**where).count()
        for label, where in (
            ("已发出", {"number__isnull": False}),
            ("已办结", {"status": FollowUp.Status.CLOSED}),
            ("黄牌", {"card": FollowUp.Card.YELLOW}),
            ("红牌", {"card": FollowUp.Card.RED}),
        )
    }
    return [
        "交办事项："
        + "、".join(f"{label} {count} 件" for label, count in counts.items())
        + (f"（{refused} 步被服务拒绝，已跳过）" if refused else "")
        + "。"
    ]


def brief_last_weeks(year: AssessmentYear, *, office: User, now: datetime) -> list[str]:
    """The weekly briefings of the last two weeks over: the older issued on its Monday, the
    latest generated this Monday and left for the office to edit and issue."""
    today = timezone.localdate(now)
    weeks = list(
        Period.objects.filter(year=year, ends_on__lt=today - timedelta(days=today.weekday()))
        .order_by("-iso_week")
        .filter(ledgers__isnull=False)
        .distinct()[:2]
    )
    lines = []
    for index, period in enumerate(reversed(weeks)):
        monday = period.ends_on + timedelta(days=1)
        generated = _at(monday, 7, 30)
        if WeeklyBriefing.objects.filter(period=period).exists():
            continue  # a second run leaves the office's briefings as they are
        try:
            briefing = generate_briefing(period=period, now=generated)
            if index == 0 and len(weeks) == 2:
                briefing = issue_briefing(briefing=briefing, user=office, now=_at(monday, 10))
        except ScoringError as error:
            lines.append(f"演示周通报未生成：{'；'.join(error.messages)}")
            continue
        lines.append(f"周通报：{briefing.title}（{briefing.get_status_display()}）。")
    return lines


def build_supervision(summary: DemoSummary) -> list[str]:
    """The demo's follow-ups and weekly briefings (registered with `after_demo_built`)."""
    office_name = next((a.username for a in summary.accounts if a.role == Role.OFFICE), None)
    office = User.objects.filter(username=office_name).first() if office_name else None
    if office is None or office.unit_id is None:
        return []
    year = summary.year.year
    now = summary.now or timezone.now()
    return work_follow_ups(year, office=office, now=now, seed=2026) + brief_last_weeks(
        year, office=office, now=now
    )
