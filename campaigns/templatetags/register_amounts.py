"""`{{ amount|wan }}`: a register amount (万元) with thousands separators — 50,000 · 1,234.5.

The Chinese locale groups no digits, but county project lists write 万元 amounts the way
Excel shows them; two decimals at most, trailing zeros dropped. Not a number shows as "".
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def wan(value) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
