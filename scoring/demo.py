"""The demo county's results: the quarters that are over, computed, reviewed and published.

Registered with campaigns' `after_demo_built` in ScoringConfig.ready (campaigns builds the demo
and never imports scoring); `manage.py seed_demo` runs it through `build_demo(results=True)`.
Everything goes through the real services of `services/evaluations.py` as the demo's office
account, so the leader's 待办, the results pages, the 通报, the scorecards and the 绩误档案 read
what a real county would have.

Decisions a reader should know:

- A quarter is taken when the demo holds ledgers for every one of its weeks: `seed_demo
  --weeks 3` builds no earlier history, and a quarter of nothing but missing ledgers would
  fill the 绩误档案 with noise.
- The office works on the calendar it would have had, never later than `now`: it computes at
  09:30 on the first working day after the quarter's last week locked and its last entry was
  reviewed (so the figures are final and no period is still open), the appeal window runs the
  year's working days from there (`compute_quarter` sets it), the office reviews half an hour
  after the window closes and publishes the same day at 16:00. A step whose time is after
  `now` does not happen: a quarter whose window is still open stays in its appeal window (the
  office's 待办 shows it), and later quarters wait, since quarters are published in order.
- Document numbers are 〔year〕N号 with N the quarter (the office types its own on the page).
- Idempotent: a published quarter is left alone; a quarter an earlier run computed is not
  recomputed, only taken further when its time has come. A service's refusal (for example an
  adjustment approved on the demo after the quarter was computed) is reported, not raised.
- One bonus (加减分) entered by `office` in the current quarter and not approved, so `office2`
  can try the four-eyes approval; entered once (kept as it is once approved).
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Unit, User
from accounts.roles import Role
from campaigns.demo import SEAT_TOWN, DemoSummary
from campaigns.models import AssessmentYear, LedgerEntry, Period, WeeklyLedger
from campaigns.quarters import quarter_name
from campaigns.selectors import period_containing
from campaigns.workdays import add_working_days

from .errors import ScoringError
from .models import Adjustment, FileEntry, QuarterlyEvaluation, UnitScore
from .services.adjustments import enter_adjustment
from .services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
    unsettled_quarters,
)

Status = QuarterlyEvaluation.Status
Tier = UnitScore.Tier
COMPUTE_TIME, PUBLISH_TIME = time(9, 30), time(16, 0)
REVIEW_AFTER_WINDOW = timedelta(minutes=30)
BONUS = {
    "kind": Adjustment.Kind.COMMENDATION,
    "points": "1",
    "reason": "在全市重点项目观摩推进会上作典型发言，获市委、市政府通报表扬",
}


def _local(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _on_day_of(moment: datetime, clock: time) -> datetime:
    """`clock` on the local day of `moment`."""
    return timezone.make_aware(datetime.combine(timezone.localtime(moment).date(), clock))


def compute_time(year: AssessmentYear, quarter: int) -> datetime | None:
    """When the office computes `quarter`: 09:30 on the first working day after its last week
    locked and its last entry was reviewed; None while the demo holds no ledgers for some of
    its weeks."""
    periods = dict(Period.objects.filter(year=year, quarter=quarter).values_list("pk", "locks_at"))
    covered = set(
        WeeklyLedger.objects.filter(period_id__in=periods)
        .values_list("period_id", flat=True)
        .distinct()
    )
    if not periods or covered != set(periods):
        return None
    reviewed = LedgerEntry.objects.filter(ledger__period_id__in=periods).aggregate(
        last=Max("reviewed_at")
    )["last"]
    settled = max(filter(None, (max(periods.values()), reviewed)))
    return _on_day_of(add_working_days(settled, 1), COMPUTE_TIME)


def _published(evaluation: QuarterlyEvaluation) -> str:
    tiers = dict.fromkeys((Tier.ADVANCED, Tier.LAGGING), 0)
    for tier in evaluation.current_version.unit_scores.filter(tier__in=list(tiers)).values_list(
        "tier", flat=True
    ):
        tiers[tier] += 1
    entries = FileEntry.objects.filter(evaluation_version=evaluation.current_version).count()
    return (
        f"{evaluation.title}考评已发布（{evaluation.document_number}，"
        f"{_local(evaluation.published_at)}）：先进 {tiers[Tier.ADVANCED]} 个、"
        f"后进 {tiers[Tier.LAGGING]} 个单位，绩误档案 {entries} 条。"
    )


def _take_quarter(year, quarter, *, office, now) -> tuple[str, bool]:
    """Take one quarter as far as `now` allows: (what was done, whether it is published)."""
    evaluation = QuarterlyEvaluation.objects.filter(year=year, quarter=quarter).first()
    if evaluation is None or evaluation.current_version_id is None:
        computed = compute_time(year, quarter)
        if computed is None or computed > now:
            return "", False  # no evaluation row is opened before its time
        evaluation = open_evaluation(year=year, quarter=quarter)
        compute_quarter(evaluation=evaluation, user=office, now=computed)
        evaluation.refresh_from_db()
    if evaluation.status == Status.APPEAL:
        reviewed = evaluation.appeal_deadline + REVIEW_AFTER_WINDOW
        if reviewed > now:
            return (
                f"{evaluation.title}考评已计算，申诉期至 {_local(evaluation.appeal_deadline)}。",
                False,
            )
        evaluation = review_quarter(evaluation=evaluation, user=office, now=reviewed)
    published = _on_day_of(evaluation.reviewed_at, PUBLISH_TIME)
    if published > now:
        return f"{evaluation.title}考评已审定，待发布。", False
    year = evaluation.year.year
    evaluation = publish_quarter(
        evaluation=evaluation,
        user=office,
        document_number=f"〔{year}〕{evaluation.quarter}号",
        now=published,
    )
    return _published(evaluation), True


def publish_quarters(year: AssessmentYear, *, office: User, now: datetime) -> list[str]:
    """Q1, Q2 … in order, each as far as `now` allows; stops at the first not yet published."""
    lines, kept, skipped = [], [], []
    # Settled: published, or recorded by the office as not evaluated (季度不考评).
    unsettled = unsettled_quarters(year, (1, 2, 3, 4))
    published_before = set(
        QuarterlyEvaluation.objects.filter(year=year, status=Status.PUBLISHED).values_list(
            "quarter", flat=True
        )
    )
    for quarter in (1, 2, 3, 4):
        if quarter not in unsettled:
            (kept if quarter in published_before else skipped).append(quarter_name(quarter))
            continue
        try:
            line, published = _take_quarter(year, quarter, office=office, now=now)
        except ScoringError as error:
            line, published = (
                f"{year.year}年{quarter_name(quarter)}考评未能发布：{'；'.join(error.messages)}",
                False,
            )
        if line:
            lines.append(line)
        if not published:
            break
    if skipped:
        lines.insert(0, f"{year.year}年{'、'.join(skipped)}已登记为不考评。")
    if kept:
        lines.insert(0, f"{year.year}年{'、'.join(kept)}考评此前已发布，保持不变。")
    if not lines:
        lines.append(f"{year.year}年尚无已结束的季度，未计算考评。")
    return lines


def pending_bonus(year: AssessmentYear, *, unit, office: User, approver: User, now) -> list[str]:
    """One bonus of the current quarter entered by `office`, for `approver` to approve."""
    period = period_containing(year, now)
    if period is None or Adjustment.objects.filter(year=year, reason=BONUS["reason"]).exists():
        return []
    try:
        adjustment = enter_adjustment(
            unit=unit, year=year, quarter=period.quarter, user=office, **BONUS
        )
    except ScoringError as error:
        return [f"演示加减分未录入：{'；'.join(error.messages)}"]
    return [
        f"待审核加减分：{unit.name}{quarter_name(adjustment.quarter)}加分 {BONUS['points']} 分"
        f"（{adjustment.get_kind_display()}），由 {office.username} 录入，"
        f"请用 {approver.username} 登录审核（四眼原则）。"
    ]


@transaction.atomic
def build_results(summary: DemoSummary) -> list[str]:
    """The demo's quarters and its pending bonus (registered with `after_demo_built`)."""
    offices = [a.username for a in summary.accounts if a.role == Role.OFFICE]
    if len(offices) < 2:
        return []
    office, approver = (User.objects.get(username=name) for name in offices[:2])
    year, now = summary.year.year, summary.now or timezone.now()
    townships = [u for u in summary.county.units if u.kind == Unit.Kind.TOWNSHIP]
    seat = next((u for u in townships if u.name == SEAT_TOWN), townships[0] if townships else None)
    lines = publish_quarters(year, office=office, now=now)
    if seat is not None:
        lines += pending_bonus(year, unit=seat, office=office, approver=approver, now=now)
    return lines
