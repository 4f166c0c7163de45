"""What the weekly register reports share: who may edit them, when, parsing and re-deriving.

A register report (project, village) or signing is edited like a ledger entry: by the
responsible unit's reporters and heads, while the ledger is a draft within its window, or
after hand-in when the reviewer returned it (campaigns.services.ledger's rules, reused).
"""

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date

from ....errors import LedgerError
from ....figures import FigureError, parse_figure
from ....models import Period, WeeklyLedger
from ....register_models import ReviewStatus
from ...ledger import is_unit_member, window_open

# A status move that needs no explanation; anything else (a skipped or backward step) does.
PROJECT_STEPS = {
    ("not_started", "building"),
    ("building", "suspended"),
    ("suspended", "building"),
    ("building", "completed"),
    ("completed", "operating"),
}
SIGNING_STEPS = {("signed", "registered"), ("registered", "started"), ("started", "operating")}
TRUE_WORDS = {"on", "true", "1", "yes", "是"}


def locked_ledger(ledger_id: int) -> WeeklyLedger:
    """The ledger, row-locked: a save and a submission of the same ledger serialise here."""
    return (
        WeeklyLedger.objects.select_for_update()
        .select_related("period", "period__year", "unit")
        .get(pk=ledger_id)
    )


def check_member(user, unit_id: int, message: str) -> None:
    if not is_unit_member(user, unit_id):
        raise LedgerError(message)


def report_editable(ledger: WeeklyLedger, review_status: str, *, now: datetime) -> bool:
    """A draft within its window, or (after hand-in) a report the reviewer returned."""
    if ledger.status in WeeklyLedger.NOT_HANDED_IN:
        return window_open(ledger, now=now)
    return review_status == ReviewStatus.RETURNED


def check_editable(ledger, review_status, *, now, what: str) -> None:
    if not report_editable(ledger, review_status, now=now):
        raise LedgerError(f"{what}当前不可修改（已提交或帐期已锁定）。")


def year_first_day(period: Period) -> date:
    """The first day of the period's (ISO) assessment year, as the ledger's milestone rule."""
    return period.starts_on - timedelta(weeks=period.iso_week - 1)


def local_today(now: datetime) -> date:
    return timezone.localdate(now)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def amount_text(value) -> str:
    return f"{value.normalize():f}"


class Collector:
    """Reads a form's or a test's raw values, gathering every Chinese problem before raising."""

    def __init__(self, data: dict):
        self.data = data
        self.problems: list[str] = []

    def text(self, name: str, *, limit: int | None = None, label: str = "") -> str:
        """The trimmed text; longer than `limit` is a problem (never cut: nothing typed is
        silently lost)."""
        value = str(self.data.get(name) or "").strip()
        if limit and len(value) > limit:
            self.add(f"「{label or name}」最多 {limit} 个字，现有 {len(value)} 个字")
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        if isinstance(value, bool):
            return value
        return str(value or "").strip().lower() in TRUE_WORDS

    def figure(self, name: str, field, label: str, *, required: bool = True):
        raw = self.data.get(name)
        try:
            number = parse_figure(raw, field)
        except FigureError as error:
            self.problems.append(f"「{label}」{error}")
            return None
        if number is None and required:
            self.problems.append(f"请填写「{label}」")
        elif number is not None and number < 0:
            self.problems.append(f"「{label}」不能为负数")
            return None
        return number

    def day(self, name: str, label: str) -> date | None:
        raw = self.data.get(name)
        if raw in (None, ""):
            return None
        if isinstance(raw, date):
            return raw
        parsed = None
        try:
            parsed = parse_date(str(raw).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            self.problems.append(f"「{label}」应为日期，如 2026-06-30")
        return parsed

    def add(self, message: str) -> None:
        self.problems.append(message)

    def raise_if_any(self) -> None:
        if self.problems:
            raise LedgerError(self.problems)


def rederive(ledger: WeeklyLedger, *, user=None, reason: str = "") -> None:
    """Recompute the ledger's derived entries from its register data (the "derive" area)."""
    from ..derive import derive_ledger  # it imports services.ledger, which imports us lazily

    derive_ledger(ledger, user=user, **({"reason": reason} if reason else {}))
