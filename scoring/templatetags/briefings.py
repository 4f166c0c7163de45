"""Filters for the weekly briefing's stored facts (JSON: figures as text, dates as ISO text),
shown the way every screen and document shows them."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

from ..briefings.facts import percent
from ..display import shown

register = template.Library()


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def figure(value) -> str:
    """ "1.2000" → "1.20"."""
    number = _decimal(value)
    return "" if number is None else shown(number)


@register.filter
def share(value) -> str:
    """ "0.1" → "10.0%"."""
    number = _decimal(value)
    return "" if number is None else percent(number)


@register.filter
def iso_day(value) -> str:
    """ "2026-03-22" → "2026年3月22日"."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


@register.filter
def iso_moment(value) -> str:
    """An ISO time → "2026年3月23日 07:30" (local time)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
