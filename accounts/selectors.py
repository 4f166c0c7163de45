"""Read side of accounts: what a given user may see, one scoped queryset per model."""

from django.db.models import QuerySet
from simple_history.utils import get_history_model_for_model

from .models import Notification, RankingGroup, Unit, User
from .permissions import acts_as_office, reads_every_unit, user_acts_as
from .roles import Role


def units_visible_to(user) -> QuerySet[Unit]:
    """Every unit for county-wide roles; a unit's own people see only their unit."""
    units = Unit.objects.select_related("group")
    if not user.is_authenticated or not user.is_active:
        return units.none()
    if user.sees_whole_county:
        return units
    if user.unit_id is None:
        return units.none()
    return units.filter(pk=user.unit_id)


def ranking_groups_visible_to(user) -> QuerySet[RankingGroup]:
    """Every group for county-wide roles; otherwise the group of the user's own unit."""
    groups = RankingGroup.objects.all()
    if not user.is_authenticated or not user.is_active:
        return groups.none()
    if user.sees_whole_county:
        return groups
    return groups.filter(units__pk=user.unit_id).distinct()


def users_visible_to(user) -> QuerySet[User]:
    """All accounts for the office, leaders and the admin; colleagues of one's unit otherwise."""
    users = User.objects.select_related("unit")
    if not user.is_authenticated or not user.is_active:
        return users.none()
    if reads_every_unit(user) or user_acts_as(user, Role.ADMIN):
        return users
    if user.unit_id is None:
        return users.filter(pk=user.pk)
    return users.filter(unit_id=user.unit_id)


def role_counts(users: QuerySet[User]) -> list[tuple[Role, int]]:
    """How many active accounts hold each role, in one query."""
    from django.db.models import Count

    counted = dict(
        users.filter(is_active=True)
        .values_list("groups__name")
        .annotate(n=Count("pk", distinct=True))
        .values_list("groups__name", "n")
    )
    return [(role, counted.get(role.group_name, 0)) for role in Role]


def groups_with_units(user) -> list[RankingGroup]:
    """The visible ranking groups, each with its visible active units (two queries in all)."""
    from django.db.models import Prefetch

    units = units_visible_to(user).filter(active=True)
    return list(
        ranking_groups_visible_to(user).prefetch_related(
            Prefetch("units", queryset=units, to_attr="visible_units")
        )
    )


def locked_attempts(*, now=None):
    """axes' records of the usernames locked out now: failures at the limit, the last one
    within the cool-off (after it axes lets the user try again)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
    )


def locked_accounts(limit: int = 20):
    """Sign-in records of the accounts locked out now, newest first, each with the id of its
    account (`account_id`, None for a username no account has)."""
    from django.db.models import OuterRef, Subquery

    account = User.objects.filter(username=OuterRef("username")).values("pk")[:1]
    return (
        locked_attempts().annotate(account_id=Subquery(account)).order_by("-attempt_time")[:limit]
    )


def role_changes_of(user_id) -> QuerySet:
    """A user's role changes, newest first, with who made them."""
    from .models import RoleChange

    return RoleChange.objects.filter(user_id=user_id).select_related("changed_by")


def recent_changes_visible_to(user, model: type[Unit] | type[User], *, limit: int = 8):
    """The latest history rows of units or accounts with who made them (one query), for the
    home pages of the office and the administrator."""
    history = get_history_model_for_model(model)
    rows = history.objects.select_related("history_user").order_by("-history_date")
    if not (acts_as_office(user) or user_acts_as(user, Role.ADMIN)):
        return rows.none()
    return rows[:limit]


def notification_of(user, notification_id: int) -> Notification | None:
    """One of the user's own notifications (None for anyone else's)."""
    if not user.is_authenticated:
        return None
    return Notification.objects.filter(recipient=user, pk=notification_id).first()


def notifications_of(user, *, limit: int = 100) -> list[Notification]:
    """The user's own notifications, newest first."""
    if not user.is_authenticated:
        return []
    return list(Notification.objects.filter(recipient=user)[:limit])


# --- the system administrator's account management ---------------------------------------

# Roles whose pages are their unit's: an account holding one without a unit cannot work.
UNIT_ROLES = (Role.REPORTER, Role.UNIT_HEAD, Role.REVIEWER)

ACCOUNT_STATES = {
    "active": "在用",
    "disabled": "已停用",
    "locked": "已锁定",
    "incomplete": "缺少单位或角色",
}


def accounts_missing_unit_or_role(user) -> QuerySet[User]:
    """Active accounts with no role (superusers aside: they act as the administrator), or
    with a unit's role and no unit: the administrator's to complete."""
    from django.db.models import Q

    if not user_acts_as(user, Role.ADMIN):
        return User.objects.none()
    no_role = Q(groups__isnull=True, is_superuser=False)
    no_unit = Q(unit__isnull=True, groups__name__in=[r.group_name for r in UNIT_ROLES])
    missing = User.objects.filter(no_role | no_unit).values("pk")
    return User.objects.filter(is_active=True, pk__in=missing)


def managed_accounts(user, *, unit_id=None, role: Role | None = None, state="", text=""):
    """The administrator's account list, filtered: by unit, role, state (ACCOUNT_STATES) and
    a text in the username or name; each account with its groups (three queries)."""
    from django.db.models import Exists, OuterRef, Q

    if not user_acts_as(user, Role.ADMIN):
        return User.objects.none()
    accounts = users_visible_to(user).annotate(
        locked=Exists(locked_attempts().filter(username=OuterRef("username")))
    )
    if unit_id:
        accounts = accounts.filter(unit_id=unit_id)
    if role is not None:
        accounts = accounts.filter(groups__name=role.group_name)
    if state == "active":
        accounts = accounts.filter(is_active=True)
    elif state == "disabled":
        accounts = accounts.filter(is_active=False)
    elif state == "locked":
        accounts = accounts.filter(locked=True)
    elif state == "incomplete":
        accounts = accounts.filter(pk__in=accounts_missing_unit_or_role(user).values("pk"))
    if text:
        accounts = accounts.filter(Q(username__icontains=text) | Q(full_name__icontains=text))
    return accounts.prefetch_related("groups").order_by("unit__sort_order", "username")


def managed_account(user, account_id: int) -> User | None:
    """One account for the administrator's page, with whether it is locked out now."""
    from django.db.models import Exists, OuterRef

    if not user_acts_as(user, Role.ADMIN):
        return None
    return (
        users_visible_to(user)
        .annotate(locked=Exists(locked_attempts().filter(username=OuterRef("username"))))
        .filter(pk=account_id)
        .first()
    )


def account_history(account: User, *, limit: int = 50) -> list:
    """An account's recorded changes, newest first: its history rows (who, when, why) and
    role changes, merged (two queries)."""
    from .models import RoleChange

    rows = [
        (row.history_date, row.history_user, row.history_change_reason or _history_kind(row), "")
        for row in account.history.select_related("history_user").order_by("-history_date")[:limit]
    ]
    rows += [
        (change.changed_at, change.changed_by, "角色变更", str(change).split("：", 1)[-1])
        for change in RoleChange.objects.filter(user=account).select_related("changed_by")[:limit]
    ]
    return sorted(rows, key=lambda row: row[0], reverse=True)[:limit]


def _history_kind(row) -> str:
    return {"+": "新建账号", "~": "修改账号信息", "-": "删除账号"}.get(row.history_type, "")
