"""The office's completeness matrix (周帐完成情况): each unit's state on each week, read once
for the page, the workbook and the dashboards."""

from datetime import datetime

from django.utils import timezone

from .models import AssessmentYear, Period, Target, WeeklyLedger

HANDED_IN = WeeklyLedger.HANDED_IN


class Cell:
    """How a unit stands on one period, for the completeness matrix."""

    VERIFIED = "verified", "已核实"
    RETURNED = "returned", "被退回"
    ON_TIME = "on_time", "按时"
    LATE = "late", "迟报"
    MISSING = "missing", "缺报"
    OVERDUE = "overdue", "逾期未交"
    OPEN = "open", "未到期"


def cell_state(ledger: WeeklyLedger | None, period: Period, now: datetime) -> tuple[str, str]:
    if ledger is None:
        return ledger_state(None, None, None, period, now)
    return ledger_state(ledger.status, ledger.submitted_at, ledger.reopened_until, period, now)


def ledger_state(status, submitted_at, reopened_until, period: Period, now: datetime):
    """A cell's (code, label) from a ledger's three values (all None: no ledger)."""
    if status not in HANDED_IN or submitted_at is None:
        if now > period.locks_at and not (reopened_until and now <= reopened_until):
            return Cell.MISSING
        return Cell.OVERDUE if now > period.deadline else Cell.OPEN
    if status == WeeklyLedger.Status.VERIFIED:
        return Cell.VERIFIED
    if status == WeeklyLedger.Status.RETURNED:
        return Cell.RETURNED
    return {
        Period.ON_TIME: Cell.ON_TIME,
        Period.LATE: Cell.LATE,
        Period.MISSING: Cell.MISSING,
    }[period.punctuality(submitted_at)]


def completeness_matrix(user, *, year: AssessmentYear, group_id=None, periods=None, now=None):
    """Units × periods, each cell (period, state code, label); a constant number of queries.

    Ledgers are read as value tuples, not models: a city's matrix has ~25k cells, and building
    a model instance for each was most of the page's time (issue 14). The page and the
    workbook both read it here."""
    from accounts.selectors import units_visible_to

    from .selectors import ledgers_visible_to  # selectors re-exports this module's names

    now = now or timezone.now()
    # Only units that carry a task this year owe a weekly ledger.
    carrying = Target.objects.filter(indicator__campaign__year=year).values("unit_id")
    units = units_visible_to(user).filter(active=True, pk__in=carrying)
    if group_id:
        units = units.filter(group_id=group_id)
    units = units.order_by("group__sort_order", "sort_order")
    periods = list(periods if periods is not None else year.periods.order_by("iso_week"))
    ledgers = {
        (unit_id, period_id): rest
        for unit_id, period_id, *rest in ledgers_visible_to(user)
        .filter(period__in=[p.pk for p in periods], unit__in=units.values("pk"))
        .select_related(None)
        .values_list("unit_id", "period_id", "status", "submitted_at", "reopened_until")
    }
    # A week without a ledger reads the same for every unit: worked out once per week.
    no_ledger = {p.pk: (p, *ledger_state(None, None, None, p, now)) for p in periods}
    rows = []
    for unit in units.select_related("group"):
        cells = []
        for p in periods:
            values = ledgers.get((unit.pk, p.pk))
            cells.append((p, *ledger_state(*values, p, now)) if values else no_ledger[p.pk])
        rows.append((unit, cells))
    return periods, rows
