"""Attributing history rows (django-simple-history) to a user outside a request."""

from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords


def saved_with_history(row, *, user, reason: str, update_fields=None) -> None:
    """Save `row` with who and why in its history row: the one way a service attributes a
    single change (simple-history's change-reason column holds 100 characters)."""
    row._history_user = user
    row._change_reason = reason[:100]
    row.save(update_fields=update_fields)


@contextmanager
def recorded_as(user):
    """History rows written in the block name `user`, also in a Celery task or a shell.

    simple-history takes the author of a change from the current request; an import run
    outside one would otherwise record nobody.
    """
    had = hasattr(HistoricalRecords.context, "request")
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if had:
            HistoricalRecords.context.request = previous
        else:
            del HistoricalRecords.context.request
