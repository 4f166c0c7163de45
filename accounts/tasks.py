"""Celery tasks of accounts: housekeeping of sign-in records."""

from celery import shared_task

from jiaozhang import tasking

from .services import purge_expired_sign_in_records as purge
from .services import send_notification_emails_now


@shared_task(acks_late=True)
def purge_expired_sign_in_records() -> dict[str, int]:
    """Nightly (beat): drop expired sessions and lockout records past their cool-off."""
    return purge()


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email the given notifications to their recipients."""
    return send_notification_emails_now(notification_ids)


@shared_task(acks_late=True)
def flush_outbox() -> int:
    """Every minute (beat): publish the tasks a broker outage left in the outbox."""
    return tasking.flush_outbox()
