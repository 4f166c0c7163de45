"""Template context shared by every page: the signed-in user's roles, for the navigation bar."""

from .permissions import reads_every_unit, user_acts_as
from .roles import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    ordered = [role for role in Role if role in user.roles]
    return {
        "user_roles": ordered,
        "Role": Role,
        "is_unit_member": bool(user.roles & {Role.REPORTER, Role.UNIT_HEAD}),
        "is_reviewer": Role.REVIEWER in user.roles,
        "sees_completeness": reads_every_unit(user),
        "manages_accounts": user_acts_as(user, Role.ADMIN),
        # Lazy: counted only when the navigation bar renders it.
        "unread_notifications": lambda: user.notifications.filter(read_at__isnull=True).count(),
    }
