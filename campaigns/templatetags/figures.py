"""`{{ value|figure }}`: a typed figure as people write it — 10, 5.98, 0.3 — never 1E+1.

`Decimal.normalize()` alone turns 10.0000 into 1E+1; this drops trailing zeros and keeps the
plain notation. Anything that is not a number shows as "" (so `|default:"—"` works).
"""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def figure(value) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not number.is_finite():
        return ""
    text = f"{number.normalize():f}"
    return "0" if text == "-0" else text
