"""`{{ value|points }}`: a score as text, rounded once (scoring/display.py); `|points:1` for one
place. Like `floatformat`, anything that is not a number shows as "" (so `|default:"—"` works).
`{{ q|quarter }}`: 第二季度, and `{{ kind|file_kind }}`: a file entry's kind in Chinese.
"""

from decimal import InvalidOperation

from django import template

from campaigns.quarters import quarter_name

from ..display import file_kind, shown

register = template.Library()


@register.filter
def points(value, places=2):
    try:
        return shown(value, int(places))
    except (TypeError, ValueError, InvalidOperation):
        return ""


@register.filter
def quarter(value):
    """`{{ 2|quarter }}` → 第二季度: the one way a quarter is written (campaigns/quarters.py)."""
    return quarter_name(value)


register.filter("file_kind", file_kind)
