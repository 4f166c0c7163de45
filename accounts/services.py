"""Write side of accounts: operations on sign-in records and accounts."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiaozhang.tasking import task_named

from .roles import Role

# Started by name through jiaozhang.tasking: accounts.tasks imports this module, not back.
SEND_NOTIFICATION_EMAILS = "accounts.tasks.send_notification_emails"


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


def notify(*, recipients, kind: str, title: str, body: str = "", url: str = "") -> int:
    """In-app notification to each recipient, and an email to those with an address.

    Emails go out from a Celery task after the transaction commits, so a slow mail server
    never holds a page and a rolled-back operation sends nothing.
    """
    from .models import Notification

    recipients = list(recipients)
    created = Notification.objects.bulk_create(
        [Notification(recipient=r, kind=kind, title=title, body=body, url=url) for r in recipients]
    )
    ids = [n.pk for n, r in zip(created, recipients, strict=True) if r.email]
    if ids:
        transaction.on_commit(lambda: task_named(SEND_NOTIFICATION_EMAILS).delay(ids))
    return len(created)


def send_notification_emails_now(notification_ids: list[int]) -> int:
    from django.core.mail import send_mail

    from .models import Notification

    sent = 0
    pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
    for n in pending.select_related("recipient"):
        # Claim the row first: a retried task (acks_late) never mails the same notice twice.
        if not Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        ):
            continue
        sent += send_mail(
            subject=f"【交帐亮相】{n.title}",
            message=f"{n.body}\n\n{n.url}".strip(),
            from_email=None,
            recipient_list=[n.recipient.email],
        )
    return sent


def mark_notifications_read(*, user, ids=None) -> int:
    from .models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


class RoleChangeRefused(ValidationError):
    """A refused role change; `messages` are shown as they are and nothing was changed."""


def check_role_change(*, actor, user, roles) -> None:
    """Refuse (RoleChangeRefused) unless `actor` may give `user` exactly `roles`.

    Only the system administrator assigns roles, and nobody changes their own (not even the
    administrator: a second one must). So the last administrator can never lose the role:
    whoever could withdraw it is an administrator too, and remains one.
    """
    from .permissions import user_acts_as

    current = set(user.roles) if user.pk else set()
    wanted = set(roles)
    if not user_acts_as(actor, Role.ADMIN):
        raise RoleChangeRefused("只有系统管理员可以分配或撤销角色。")
    if wanted == current:
        return
    if user.pk is not None and user.pk == actor.pk:
        raise RoleChangeRefused("不能修改自己的角色，请由另一位系统管理员操作。")


def _labels(roles) -> str:
    return "、".join(str(role.label) for role in Role if role in roles)


@transaction.atomic
def set_roles(*, actor, user, roles):
    """Give `user` exactly `roles` and record who did it; every role change goes through here.

    Returns the RoleChange written, or None when the roles were already these.
    """
    from django.contrib.auth.models import Group

    from .models import RoleChange

    check_role_change(actor=actor, user=user, roles=roles)
    current = set(user.roles)
    wanted = set(roles)
    added, removed = wanted - current, current - wanted
    if not added and not removed:
        return None
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=[r.group_name for r in removed]))
    if added:
        user.groups.add(*Group.objects.filter(name__in=[r.group_name for r in added]))
    user.__dict__.pop("roles", None)  # the cached roles are stale now
    return RoleChange.objects.create(
        user=user, changed_by=actor, added=_labels(added), removed=_labels(removed)
    )
