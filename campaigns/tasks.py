"""Celery tasks of campaigns: thin wrappers that call the reminder services."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from .services.reminders import mark_missing_ledgers as mark_missing
from .services.reminders import send_deadline_reminders as send_reminders


def _moment(at: str | None):
    # Beat passes nothing (now); tests and operators may pass an ISO time to replay a moment.
    return parse_datetime(at) if at else None


@shared_task(acks_late=True)
def send_ledger_reminders(at: str | None = None) -> int:
    """Hourly (beat): remind units the day before and on the deadline day; idempotent."""
    return send_reminders(now=_moment(at))


@shared_task(acks_late=True)
def mark_missing_ledgers(at: str | None = None) -> int:
    """Hourly (beat): notify units whose ledger was never handed in before the lock."""
    return mark_missing(now=_moment(at))
