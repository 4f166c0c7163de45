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
