"""Setting up an assessment year: its weekly periods and the targets units carry.

Services take keyword-only arguments, run in one transaction, `full_clean` before saving and
raise LedgerError with Chinese messages on bad input, leaving the database as it was. They
save a row only when a value differs, so re-running them adds nothing to the change history.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.permissions import acts_as_office

from ..errors import LedgerError
from ..figures import FigureError, check_limits, limits_of, parse_figure
from ..models import AssessmentYear, Indicator, Milestone, Period, Target
from ..quarters import default_milestones
from ..workdays import Calendar, load_holidays, weekly_deadline_day

REASON_LENGTH = 100  # simple-history's change reason column
ANNUAL_VALUE = Target._meta.get_field("annual_value")
FRACTION = Milestone._meta.get_field("fraction")

# Apps built on campaigns may freeze a week's deadline (scoring: once the week's quarter is
# published). Each check takes the period and returns a Chinese reason to refuse, or None.
# They register from their AppConfig.ready(), so campaigns never imports the apps above it.
DEADLINE_FREEZES: list[Callable[[Period], str | None]] = []


def freeze_deadlines(check: Callable[[Period], str | None]) -> None:
    """Ask `check(period)` before any deadline change; a reason it returns refuses the change."""
    if check not in DEADLINE_FREEZES:
        DEADLINE_FREEZES.append(check)


def iso_weeks_in(year: int) -> int:
    """52 or 53: 28 December always lies in the ISO year's last week."""
    return date(year, 12, 28).isocalendar().week


def _week_rule(
    year: AssessmentYear, monday: date, calendar: Calendar | None = None
) -> tuple[datetime, datetime]:
    """The deadline and lock time of the week starting `monday` under the year's rule; a
    deadline falling on a holiday moves to a working day (workdays.weekly_deadline_day)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    day = weekly_deadline_day(monday, year.deadline_weekday, calendar)
    deadline = datetime.combine(day, year.deadline_time, tzinfo=zone)
    return deadline, deadline + timedelta(days=year.lock_after_days)


@transaction.atomic
def generate_periods(*, year: AssessmentYear, now: datetime | None = None) -> list[Period]:
    """One period per ISO week of ISO year `year.year`; idempotent.

    Missing periods are created and future ones brought to the year's current deadline rule
    and holidays. A period whose deadline has passed is never changed here — that would
    re-judge handed-in weeks as late or on time; change_period_deadline does it, with a
    reason. A period beyond the last week (possible only if the year number was changed) is
    deleted when it has no ledgers; one with ledgers makes the whole call fail.
    """
    now = now or timezone.now()
    # An ISO year's weeks touch the last days of the year before and the first of the next.
    for number in (year.year - 1, year.year, year.year + 1):
        load_holidays(year=number)
    weeks = iso_weeks_in(year.year)
    calendar = Calendar(date(year.year - 1, 12, 1), date(year.year + 1, 2, 28))
    existing = {p.iso_week: p for p in Period.objects.select_for_update().filter(year=year)}
    stray = [p for week, p in existing.items() if week > weeks]
    with_ledgers = [p for p in stray if p.ledgers.exists()]
    if with_ledgers:
        raise LedgerError(
            [f"{p}已有周帐，不能删除；{year.year}年只有{weeks}周。" for p in with_ledgers]
        )
    for period in stray:
        period.delete()

    periods, new = [], []
    for week in range(1, weeks + 1):
        monday = date.fromisocalendar(year.year, week, 1)
        deadline, locks_at = _week_rule(year, monday, calendar)
        values = {
            "starts_on": monday,
            "ends_on": monday + timedelta(days=6),
            # A week belongs to the quarter of its Thursday (DESIGN §3, the ISO rule).
            "quarter": ((monday + timedelta(days=3)).month - 1) // 3 + 1,
            "deadline": deadline,
            "locks_at": locks_at,
        }
        period = existing.get(week)
        if period is None:
            # A week the year does not have yet: checked field by field and inserted with the
            # other new weeks at once (a new year's 52 weeks in one insert, with history).
            period = Period(year=year, iso_week=week, **values)
            period.clean_fields(exclude=["year"])
            new.append(period)
            periods.append(period)
            continue
        same_week = period.starts_on == monday
        if same_week and (period.deadline <= now or period.deadline_set_by_office):
            periods.append(period)
            continue
        if any(getattr(period, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(period, name, value)
            period.full_clean()
            period._change_reason = "按截止规则更新"
            period.save()
        periods.append(period)
    if new:
        bulk_create_with_history(new, Period, default_change_reason="按截止规则生成")
    return periods


@transaction.atomic
def change_period_deadline(
    *, period: Period, deadline: datetime, reason: str, user, now: datetime | None = None
) -> Period:
    """The office moves one week's deadline (and its lock time, keeping the gap), with a
    reason kept in the period's history. The only way a past deadline changes: every ledger
    of the week is judged on time or late against the new deadline from then on. Refused
    once the week's quarter is published: the published result froze its punctuality.
    `now` is taken for the services' common signature; the history records the real time."""
    now = now or timezone.now()
    if not acts_as_office(user):
        raise LedgerError("只有考核办可以修改帐期截止时间。")
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append("请填写修改原因。")
    elif len(reason) > REASON_LENGTH:
        errors.append(f"修改原因最多{REASON_LENGTH}字。")
    if deadline is None or timezone.is_naive(deadline):
        errors.append("请填写完整的截止日期和时间。")
    elif timezone.localdate(deadline) < period.starts_on:
        errors.append(f"截止时间不能早于{period}的开始日期{period.starts_on:%Y-%m-%d}。")
    if errors:
        raise LedgerError(errors)
    period = Period.objects.select_for_update().get(pk=period.pk)
    for check in DEADLINE_FREEZES:
        frozen = check(period)
        if frozen:
            raise LedgerError(frozen)
    if deadline == period.deadline:
        raise LedgerError("新的截止时间与原截止时间相同。")
    period.locks_at = deadline + (period.locks_at - period.deadline)
    period.deadline = deadline
    period.deadline_set_by_office = True
    period.full_clean()
    period._change_reason = reason
    period._history_user = user
    period.save()
    return period


def _as_decimal(value, field, what: str) -> Decimal | None:
    """`value` (text, number or None) read by the one figure parser for the model `field`."""
    try:
        return parse_figure(value, field)
    except FigureError as error:
        raise LedgerError(f"{what}：{error}。") from None


def _limit_problem(value: Decimal, field) -> str | None:
    max_digits, decimal_places = limits_of(field)
    try:
        check_limits(value, max_digits=max_digits, decimal_places=decimal_places)
    except FigureError as error:
        return str(error)
    return None


def check_annual_value(indicator: Indicator, value: Decimal | None) -> str | None:
    """Why `value` cannot be the annual target of `indicator` (None: it can)."""
    if indicator.is_milestone:
        return None if value is None else "节点类指标不填年度目标值。"
    if value is None:
        return "请填写年度目标值。"
    if not value.is_finite():
        return "年度目标值应为数字。"
    if indicator.direction == Indicator.Direction.LOWER_BETTER:
        # A lower-better target may be 0: "zero accidents" (DESIGN §4 rule 3).
        if value < 0:
            return "年度目标值不能为负数。"
    elif value <= 0:
        # A higher-better T <= 0 is never scored (rule 2), so such a target is a typo.
        return "越高越好的指标，年度目标值应大于0。"
    problem = _limit_problem(value, ANNUAL_VALUE)
    return f"年度目标值{problem}。" if problem else None


def check_milestones(year: int, milestones: Iterable[tuple[date, Decimal]]) -> list[str]:
    """Why these milestones are not acceptable for a target of `year` (empty: they are)."""
    errors = []
    items = list(milestones)
    if not items:
        return ["至少需要一个时间节点。"]
    seen = set()
    for due, fraction in items:
        if not isinstance(due, date) or isinstance(due, datetime):
            errors.append(f"时间节点日期“{due}”不是日期。")
            continue
        if due.year != year:
            errors.append(f"时间节点{due:%Y-%m-%d}不在{year}年内。")
        if due in seen:
            errors.append(f"时间节点{due:%Y-%m-%d}重复。")
        seen.add(due)
        if fraction is None or not fraction.is_finite() or not 0 <= fraction <= 1:
            errors.append(f"时间节点{due:%Y-%m-%d}的比例应在0到1之间，实际为{fraction}。")
        elif problem := _limit_problem(fraction, FRACTION):
            errors.append(f"时间节点{due:%Y-%m-%d}的比例{problem}。")
    if errors:
        return errors
    ordered = sorted(items)
    for (due_a, frac_a), (due_b, frac_b) in pairwise(ordered):
        if frac_b < frac_a:
            errors.append(
                f"时间节点比例应随日期递增：{due_b:%Y-%m-%d}的{frac_b}小于"
                f"{due_a:%Y-%m-%d}的{frac_a}。"
            )
    return errors


def _replace_milestones(
    target: Target, wanted: list[tuple[date, Decimal]], *, created: bool = False
) -> bool:
    """Make the target's milestones exactly `wanted`, touching only rows that differ (a target
    `created` just now has none to read)."""
    changed = False
    by_date = {} if created else {m.due_date: m for m in target.milestones.all()}
    wanted_dates = {due for due, _ in wanted}
    for due, milestone in by_date.items():
        if due not in wanted_dates:
            milestone.delete()
            changed = True
    new = []
    for due, fraction in wanted:
        milestone = by_date.get(due)
        if milestone is None:
            # Dates and fractions were checked by check_milestones, and the dates are new to
            # this target: only field cleaning remains, and one insert (with its history rows)
            # serves a new target's four quarter milestones.
            milestone = Milestone(target=target, due_date=due, fraction=fraction)
            milestone.clean_fields(exclude=["target"])
            new.append(milestone)
        elif milestone.fraction != fraction:
            milestone.fraction = fraction
            milestone.full_clean()
            milestone.save()
            changed = True
    if new:
        bulk_create_with_history(new, Milestone)
        changed = True
    return changed


@transaction.atomic
def set_target(
    *,
    indicator: Indicator,
    unit,
    annual_value,
    milestones: Iterable[tuple[date, Decimal]] | None = None,
    note: str = "",
) -> Target:
    """Create or update the unit's target on the indicator, with its milestones.

    `milestones` None keeps the target's milestones, or gives a new target (or one without
    any) the default quarter milestones; a list replaces them all (it may not be empty: a
    target without milestones would never be scored).
    """
    value = _as_decimal(annual_value, ANNUAL_VALUE, f"{unit} · {indicator}：年度目标值")
    errors = []
    problem = check_annual_value(indicator, value)
    if problem:
        errors.append(problem)
    year = indicator.campaign.year.year
    wanted = None
    if milestones is not None:
        wanted = [
            (due, _as_decimal(fraction, FRACTION, f"{unit} · {indicator}：时间节点{due}的比例"))
            for due, fraction in milestones
        ]
        errors += check_milestones(year, wanted)
    if errors:
        raise LedgerError([f"{unit} · {indicator}：{e}" for e in errors])

    target = Target.objects.filter(indicator=indicator, unit=unit).first()
    created = target is None
    target = target or Target(indicator=indicator, unit=unit)
    if created or target.annual_value != value or target.note != note:
        target.annual_value = value
        target.note = note
        target.full_clean()
        target.save()
    if wanted is None and (created or not target.milestones.exists()):
        wanted = default_milestones(year=year)
    if wanted is not None:
        _replace_milestones(target, wanted, created=created)
    return target
