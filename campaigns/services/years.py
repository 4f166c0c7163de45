"""Setting up an assessment year: its weekly periods and the targets units carry.

Services take keyword-only arguments, run in one transaction, `full_clean` before saving and
raise LedgerError with Chinese messages on bad input, leaving the database as it was. They
save a row only when a value differs, so re-running them adds nothing to the change history.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..errors import LedgerError
from ..models import AssessmentYear, Indicator, Milestone, Period, Target

QUARTER_FRACTIONS = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("1"))
FIGURE_PLACES = 4  # decimal places of FIGURE fields (annual_value) and of Milestone.fraction


def iso_weeks_in(year: int) -> int:
    """52 or 53: 28 December always lies in the ISO year's last week."""
    return date(year, 12, 28).isocalendar().week


def _week_rule(year: AssessmentYear, monday: date) -> tuple[datetime, datetime]:
    """The deadline and lock time of the week starting `monday` under the year's rule."""
    zone = ZoneInfo(settings.TIME_ZONE)
    day = monday + timedelta(days=year.deadline_weekday)
    deadline = datetime.combine(day, year.deadline_time, tzinfo=zone)
    return deadline, deadline + timedelta(days=year.lock_after_days)


@transaction.atomic
def generate_periods(*, year: AssessmentYear) -> list[Period]:
    """One period per ISO week of ISO year `year.year`; idempotent.

    Existing periods are brought to the year's current deadline rule, missing ones are
    created. A period beyond the last week (possible only if the year number was changed) is
    deleted when it has no ledgers; one with ledgers makes the whole call fail.
    """
    weeks = iso_weeks_in(year.year)
    existing = {p.iso_week: p for p in Period.objects.select_for_update().filter(year=year)}
    stray = [p for week, p in existing.items() if week > weeks]
    with_ledgers = [p for p in stray if p.ledgers.exists()]
    if with_ledgers:
        raise LedgerError(
            [f"{p}已有周帐，不能删除；{year.year}年只有{weeks}周。" for p in with_ledgers]
        )
    for period in stray:
        period.delete()

    periods = []
    for week in range(1, weeks + 1):
        monday = date.fromisocalendar(year.year, week, 1)
        deadline, locks_at = _week_rule(year, monday)
        values = {
            "starts_on": monday,
            "ends_on": monday + timedelta(days=6),
            # A week belongs to the quarter of its Thursday (DESIGN §3, the ISO rule).
            "quarter": ((monday + timedelta(days=3)).month - 1) // 3 + 1,
            "deadline": deadline,
            "locks_at": locks_at,
        }
        period = existing.get(week) or Period(year=year, iso_week=week)
        changed = [name for name, value in values.items() if getattr(period, name) != value]
        if period.pk is None or changed:
            for name, value in values.items():
                setattr(period, name, value)
            period.full_clean()
            period.save()
        periods.append(period)
    return periods


def current_period(*, year: AssessmentYear, now: datetime) -> Period | None:
    """The period whose week contains `now` (its local date), or None outside the year."""
    today = timezone.localtime(now).date()
    return Period.objects.filter(year=year, starts_on__lte=today, ends_on__gte=today).first()


def default_milestones(*, year: int) -> list[tuple[date, Decimal]]:
    """25 / 50 / 75 / 100 % at the calendar quarter ends (DESIGN §3)."""
    ends = [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]
    return list(zip(ends, QUARTER_FRACTIONS, strict=True))


def _as_decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        # str() first: a float such as 0.1 becomes Decimal("0.1"), not its binary expansion.
        return Decimal(str(value))
    except InvalidOperation:
        raise LedgerError(f"“{value}”不是数字。") from None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


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
    if _places(value) > FIGURE_PLACES:
        return f"年度目标值最多{FIGURE_PLACES}位小数。"
    if abs(value) >= Decimal(10) ** (18 - FIGURE_PLACES):
        return "年度目标值过大。"
    return None


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
        elif _places(fraction) > FIGURE_PLACES:
            errors.append(f"时间节点{due:%Y-%m-%d}的比例最多{FIGURE_PLACES}位小数。")
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


def _replace_milestones(target: Target, wanted: list[tuple[date, Decimal]]) -> bool:
    """Make the target's milestones exactly `wanted`, touching only rows that differ."""
    changed = False
    by_date = {m.due_date: m for m in target.milestones.all()}
    wanted_dates = {due for due, _ in wanted}
    for due, milestone in by_date.items():
        if due not in wanted_dates:
            milestone.delete()
            changed = True
    for due, fraction in wanted:
        milestone = by_date.get(due)
        if milestone is not None and milestone.fraction == fraction:
            continue
        milestone = milestone or Milestone(target=target, due_date=due)
        milestone.fraction = fraction
        milestone.full_clean()
        milestone.save()
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
    value = _as_decimal(annual_value)
    errors = []
    problem = check_annual_value(indicator, value)
    if problem:
        errors.append(problem)
    year = indicator.campaign.year.year
    wanted = None
    if milestones is not None:
        wanted = [(due, _as_decimal(fraction)) for due, fraction in milestones]
        errors += check_milestones(year, wanted)
    if errors:
        raise LedgerError([f"{unit} · {indicator}：{e}" for e in errors])

    target = Target.objects.filter(indicator=indicator, unit=unit).first()
    target = target or Target(indicator=indicator, unit=unit)
    if target.pk is None or target.annual_value != value or target.note != note:
        target.annual_value = value
        target.note = note
        target.full_clean()
        target.save()
    if wanted is None and not target.milestones.exists():
        wanted = default_milestones(year=year)
    if wanted is not None:
        _replace_milestones(target, wanted)
    return target
