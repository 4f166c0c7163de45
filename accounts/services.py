"""Write side of accounts: operations on sign-in records and accounts."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiaozhang.tasking import enqueue

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


def record_sign_in(sender, user, **kwargs) -> None:
    """Django's update_last_login without a history row: signing in is not a change of the
    account, and the administrator's 账号变更记录 would otherwise fill with sign-ins."""
    user.last_login = timezone.now()
    user.skip_history_when_saving = True  # django-simple-history's switch for one save
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving


def notify(*, recipients, kind: str, title: str, body: str = "", url: str = "") -> int:
    """In-app notification to each recipient, and an email to those with an address.

    Emails go out from a Celery task sent through the outbox (`enqueue`) after the
    transaction commits, so a slow mail server never holds a page, a rolled-back operation
    sends nothing and a broker outage loses nothing; the task claims each notice, so a second
    delivery mails nobody twice.
    """
    from .models import Notification

    recipients = list(recipients)
    created = Notification.objects.bulk_create(
        [Notification(recipient=r, kind=kind, title=title, body=body, url=url) for r in recipients]
    )
    ids = [n.pk for n, r in zip(created, recipients, strict=True) if r.email]
    if ids:
        enqueue(SEND_NOTIFICATION_EMAILS, [ids])
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


def mark_notices_done(*, unit_id: int, url: str, kinds, now=None) -> int:
    """Mark read the unread notices of `kinds` about `url` sent to a unit's people: the work
    they announced is done (e.g. the ledger they were about has been handed in)."""
    from .models import Notification

    return Notification.objects.filter(
        recipient__unit_id=unit_id, url=url, kind__in=list(kinds), read_at__isnull=True
    ).update(read_at=now or timezone.now())


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


# --- the system administrator's account management ---------------------------------------


class AccountError(ValidationError):
    """A refused account change; `messages` are shown as they are and nothing was changed."""


# No 0/O, 1/l/I: a password read out over the phone or copied from the screen by hand.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 14


def random_password() -> str:
    """A new random password that passes the site's password rules."""
    import secrets

    from django.contrib.auth.password_validation import validate_password

    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        try:
            validate_password(password)
        except ValidationError:
            continue  # practically never: a random 14 characters is neither common nor numeric
        return password


def require_admin(actor) -> None:
    from .permissions import user_acts_as

    if not user_acts_as(actor, Role.ADMIN):
        raise AccountError("只有系统管理员可以管理账号。")


def _recorded(user, *, actor, reason: str):
    """The next history row of `user` names `actor` and `reason` (django-simple-history)."""
    user._history_user = actor
    user._change_reason = reason
    return user


ACCOUNT_FIELDS = ("full_name", "unit", "title", "phone", "email")
# Roles whose pages are their unit's (ledgers, the review queue of the indicators it leads).
UNIT_ROLES = frozenset({Role.REPORTER, Role.UNIT_HEAD, Role.REVIEWER})


def _apply_fields(user, fields: dict, roles) -> list[str]:
    """Set the account's own fields (unset blank); refuse what cannot work. Returns the
    names of the fields that changed."""
    changed = []
    for name in ACCOUNT_FIELDS:
        value = fields.get(name)
        if name != "unit":
            value = (value or "").strip()
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    errors = []
    if not user.full_name:
        errors.append("请填写姓名。")
    if user.unit is None and UNIT_ROLES & set(roles):
        names = "、".join(str(r.label) for r in Role if r in UNIT_ROLES & set(roles))
        errors.append(f"{names}须有所属单位，请选择单位。")
    if errors:
        raise AccountError(errors)
    return changed


@transaction.atomic
def create_account(*, actor, username: str, roles, **fields):
    """A new active account with its unit and roles and a random password.

    Returns (user, password): the password is for the page that shows it once; only its
    hash is stored, and it is never logged.
    """
    from .models import User

    require_admin(actor)
    username = username.strip()
    if not username:
        raise AccountError("请填写用户名。")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"用户名“{username}”已被使用。")
    user = User(username=username, is_active=True)
    _apply_fields(user, fields, roles)
    password = random_password()
    user.set_password(password)
    user.must_change_password = True  # the administrator has seen it: changed at first sign-in
    user.full_clean()
    _recorded(user, actor=actor, reason="新建账号").save()
    set_roles(actor=actor, user=user, roles=roles)
    return user, password


@transaction.atomic
def update_account(*, actor, user, roles, **fields):
    """Change an account's name, unit, contact details and roles (roles through set_roles)."""
    from .models import User

    require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if _apply_fields(user, fields, roles):
        user.full_clean()
        _recorded(user, actor=actor, reason="修改账号信息").save()
    set_roles(actor=actor, user=user, roles=roles)
    return user


@transaction.atomic
def reset_password(*, actor, user) -> str:
    """A new random password for `user`, returned to be shown once (only its hash is kept)."""
    from .models import User

    require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    password = random_password()
    user.set_password(password)
    user.must_change_password = True  # the administrator has seen it: changed at next sign-in
    # The changed hash ends the account's open sessions (Django checks the session auth hash).
    _recorded(user, actor=actor, reason="重置密码").save()
    return password


@transaction.atomic
def unlock_account(*, actor, user) -> int:
    """Lift the sign-in lockout of `user` (axes' reset for the username) and record who did.

    Returns how many failed-attempt records were removed (0: the account was not locked).
    """
    from axes.utils import reset

    require_admin(actor)
    removed = reset(username=user.username)
    if removed:
        user.history.bulk_history_create(
            [user], update=True, default_user=actor, default_change_reason="解除登录锁定"
        )
    return removed


@transaction.atomic
def set_active(*, actor, user, active: bool):
    """Disable (停用) or re-enable an account; a disabled one cannot sign in. Nobody disables
    their own account (a second administrator must)."""
    from .models import User

    require_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk and not active:
        raise AccountError("不能停用自己的账号，请由另一位系统管理员操作。")
    if user.is_active == active:
        return user
    user.is_active = active
    # An inactive account's sessions end on its next request (the backend refuses it).
    _recorded(user, actor=actor, reason="启用账号" if active else "停用账号").save()
    return user


@transaction.atomic
def end_sessions(*, user, by, reason: str = ""):
    """End every session of `user` at once (a lost phone, a shared computer, a departure):
    the raised session generation is part of the session hash, so each open session fails its
    check on its next request, whichever browser holds it. The password is not changed."""
    from .models import User

    require_admin(by)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.session_generation += 1
    reason = reason.strip()[:80]  # the history row keeps 100 characters of reason
    why = "结束全部会话" + (f"：{reason}" if reason else "")
    _recorded(user, actor=by, reason=why).save(update_fields=["session_generation"])
    return user


@transaction.atomic
def change_own_password(*, user, password: str):
    """The user's own new password (the form has validated it); it clears the first-sign-in
    flag, and the history row says so."""
    reason = "首次登录修改密码" if user.must_change_password else "修改密码"
    user.set_password(password)
    user.must_change_password = False
    _recorded(user, actor=user, reason=reason).save()
    return user
