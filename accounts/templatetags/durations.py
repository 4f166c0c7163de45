"""Durations as people read them: `1小时30分钟`, never an ISO `PT1H30M`."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration_zh(value) -> str:
    """A timedelta (or a number of minutes) in 天/小时/分钟; whole minutes, at least 1."""
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
    elif isinstance(value, int | float):
        minutes = int(value)
    else:
        return ""
    minutes = max(minutes, 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else ""]
    parts.append(f"{minutes}分钟" if minutes else "")
    return "".join(parts)
