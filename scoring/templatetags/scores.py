"""`{{ value|points }}`: a score as text, rounded once (scoring/display.py); `|points:1` for one
place. Like `floatformat`, anything that is not a number shows as "" (so `|default:"—"` works).
"""

from decimal import InvalidOperation

from django import template

from ..display import shown

register = template.Library()


@register.filter
def points(value, places=2):
    try:
        return shown(value, int(places))
    except (TypeError, ValueError, InvalidOperation):
        return ""
