"""Sending a Celery task to the broker Django's settings name right now.

Eager mode and the broker's address are read from Django's settings at the moment of sending,
not from the Celery app's copy taken at start-up, so they follow the settings wherever the
request runs. Callers decide what a broker outage means for them (queue and retry, or run the
work in the request), so an outage is raised, not swallowed.

Services find the tasks they start by name (`task_named`), never by importing a tasks module:
a task is a thin wrapper that imports its service, so the arrow points one way, tasks →
services, and no import cycle needs hiding inside a function. Each app's `ready()` imports its
tasks modules, so the names are registered in the web process, the worker and beat alike.

A task a change causes is `enqueue`d: one outbox row (accounts.OutboxTask) written in the
change's transaction, published after commit and marked sent. If the broker is down the row
stays pending and beat's `flush_outbox` publishes it when the broker is back, so no task is
lost. A row can be published twice (sent, then the database fails before it is marked), so
every task enqueued this way must be safe to deliver twice.
"""

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from .celery import app

# What a failed publish raises: kombu wraps the transport's errors, but a refused socket may
# surface as the builtin ConnectionError (an OSError) first.
BROKER_ERRORS = (OperationalError, ConnectionError, OSError)

logger = logging.getLogger(__name__)

RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def task_named(name: str):
    """The Celery task registered as `name` (e.g. "accounts.tasks.send_notification_emails")."""
    return app.tasks[name]


def runs_eagerly() -> bool:
    return settings.CELERY_TASK_ALWAYS_EAGER


def send(task, *, args, queue: str | None = None):
    """Publish `task`: its AsyncResult, or one of BROKER_ERRORS raised if the broker is down."""
    options = {"queue": queue} if queue else {}
    with task.app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
        try:
            return task.apply_async(
                args=args, connection=connection, retry=True, retry_policy=RETRY_POLICY, **options
            )
        except RuntimeError as error:
            # The Redis result backend subscribes to the task's result before publishing; with
            # Redis down its reconnect gives up with a RuntimeError: the same outage.
            raise OperationalError(str(error).strip()) from error


def _outbox():
    # The model lives in accounts (the lowest app); looked up by name, so this project-level
    # module imports no app at import time.
    return apps.get_model("accounts", "OutboxTask")


def enqueue(name: str, args: list, *, queue: str = ""):
    """Send task `name` after the current transaction commits; never lost if the broker is down.

    Eager mode (no broker) runs the task after commit, as `.delay()` would.
    """
    if runs_eagerly():
        transaction.on_commit(lambda: task_named(name).apply(args=args))
        return None
    row = _outbox().objects.create(name=name, args=args, queue=queue)
    transaction.on_commit(lambda: publish_outbox_row(row))
    return row


def publish_outbox_row(row) -> bool:
    """Publish one outbox row and mark it sent; False (row kept pending) if the broker is down."""
    Outbox = _outbox()
    queue = row.queue or getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None)
    try:
        result = send(task_named(row.name), args=row.args, queue=queue)
    except BROKER_ERRORS as error:
        logger.warning("task %s stays in the outbox, broker unavailable: %s", row.name, error)
        Outbox.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, last_error=str(error)[:1000]
        )
        return False
    Outbox.objects.filter(pk=row.pk).update(
        sent_at=timezone.now(), task_id=result.id, attempts=F("attempts") + 1
    )
    return True


# Rows younger than this are left to the publish their own commit runs.
FLUSH_AFTER = timedelta(seconds=30)


def flush_outbox(*, older_than: timedelta = FLUSH_AFTER, limit: int = 500) -> int:
    """Publish pending outbox rows (beat, every minute); how many were sent.

    Stops at the first broker error: the next run tries again.
    """
    Outbox = _outbox()
    cutoff = timezone.now() - older_than
    pending = Outbox.objects.filter(sent_at__isnull=True, created_at__lte=cutoff)
    sent = 0
    for row in pending.order_by("created_at", "pk")[:limit]:
        if not publish_outbox_row(row):
            break
        sent += 1
    return sent
