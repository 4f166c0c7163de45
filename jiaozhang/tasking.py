"""Sending a Celery task to the broker Django's settings name right now.

Eager mode and the broker's address are read from Django's settings at the moment of sending,
not from the Celery app's copy taken at start-up, so they follow the settings wherever the
request runs. Callers decide what a broker outage means for them (queue and retry, or run the
work in the request), so an outage is raised, not swallowed.

Services find the tasks they start by name (`task_named`), never by importing a tasks module:
a task is a thin wrapper that imports its service, so the arrow points one way, tasks →
services, and no import cycle needs hiding inside a function. Each app's `ready()` imports its
tasks modules, so the names are registered in the web process, the worker and beat alike.
"""

from django.conf import settings
from kombu.exceptions import OperationalError

from .celery import app

# What a failed publish raises: kombu wraps the transport's errors, but a refused socket may
# surface as the builtin ConnectionError (an OSError) first.
BROKER_ERRORS = (OperationalError, ConnectionError, OSError)

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
        return task.apply_async(
            args=args, connection=connection, retry=True, retry_policy=RETRY_POLICY, **options
        )
