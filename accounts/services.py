"""Write side of accounts: operations on sign-in records and accounts."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone


@transaction.atomic
def purge_expired_sign_in_records() -> dict[str, int]:
    """Delete expired sessions and failed-sign-in records older than the cool-off.

    Idempotent: a second run finds nothing left to delete.
    """
    from axes.models import AccessAttempt

    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return {"sessions": sessions, "attempts": attempts}
