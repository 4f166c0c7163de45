"""Scores as people read them: one rounding (rule 8: half up, 2 places), one way to write it.

The tables (the `points` template filter), the results charts (their JSON carries these
strings, never floats), the PDFs (the same filter, and the sparklines' labels) and the
workbooks (cells hold `rounded` values) all come through here, so a total of 93.455 reads
93.46 everywhere — never 93.45 because a float was rounded on the way.
"""

from decimal import Decimal

from .engine import display_points, to_decimal


def rounded(value, places: int = 2) -> Decimal | None:
    """`value` (Decimal, int, str or float; None passes) rounded half up to `places`."""
    if value is None:
        return None
    number = display_points(to_decimal(value), places)
    return number.copy_abs() if number.is_zero() else number  # never "-0.00"


def shown(value, places: int = 2) -> str:
    """`value` rounded as `rounded` does, as text ("" for None): "93.46", "-0.50", "12.3"."""
    number = rounded(value, places)
    return "" if number is None else f"{number:f}"


# A file entry's kind as the rules name it (scoring/engine.py quarter_file_entries); the
# office's own entries carry the kind it typed (上级表彰 …), shown as they are.
FILE_KINDS = {
    "tier": "季度考评等次",
    "late_ledger": "周帐迟报",
    "missing_ledger": "周帐缺报",
    "overdue_followup": "交办事项逾期",
    "veto": "一票否决",
    "adjustment": "加减分",
}


def file_kind(kind: str) -> str:
    """`late_ledger` → 周帐迟报; a kind typed in Chinese passes unchanged."""
    return FILE_KINDS.get(kind, kind)
