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


def locked_accounts(limit: int = 20):
    """Sign-in records that have reached the lockout limit, newest first."""
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("-attempt_time")[:limit]


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


def notifications_of(user, *, limit: int = 100) -> list[Notification]:
    """The user's own notifications, newest first."""
    if not user.is_authenticated:
        return []
    return list(Notification.objects.filter(recipient=user)[:limit])
