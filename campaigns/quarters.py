"""The quarters of an assessment year, their names and a target's default milestones (DESIGN §3).

Pure (standard library only), so the scoring engine reads the same definition as the year's
set-up, the admin and the import templates.
"""

from datetime import date
from decimal import Decimal

# By the end of each calendar quarter, this share of the annual target (cumulative).
DEFAULT_FRACTIONS = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("1"))


# One way to write a quarter on every screen, sheet and document: 第二季度, never 第2季度.
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def quarter_name(quarter: int) -> str:
    """第一季度 … 第四季度 for 1–4 (anything else as it is, for a message about bad input)."""
    return QUARTER_NAMES.get(quarter, f"第{quarter}季度")


def quarter_end(year: int, quarter: int) -> date:
    """The last day of a quarter (the day rules 1–3 measure at)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1–4, got {quarter}")
    month = 3 * quarter
    return date(year, month, 31 if month in (3, 12) else 30)


def default_milestones(*, year: int) -> list[tuple[date, Decimal]]:
    """25 / 50 / 75 / 100 % at the calendar quarter ends: (due date, fraction) pairs."""
    return [(quarter_end(year, q), f) for q, f in enumerate(DEFAULT_FRACTIONS, start=1)]


def default_milestones_text() -> str:
    """The defaults in words, for templates' help: “3-31 / 6-30 / … 25% / 50% / …”."""
    ends = " / ".join(f"{due.month}-{due.day}" for due, _ in default_milestones(year=2001))
    shares = " / ".join(f"{f * 100:.0f}%" for f in DEFAULT_FRACTIONS)
    return f"默认节点为 {ends}，累计完成 {shares}"
