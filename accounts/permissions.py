"""Who may open a page: role checks shared by every app's views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import Role


def user_acts_as(user, role: Role) -> bool:
    """Whether `user` (signed in or not) may act in `role`: the one definition every app uses.

    A superuser is the system administrator and nothing else implicitly (docs/decisions.md):
    it acts as office, reviewer or leader only if it holds that role like anyone else, because
    the office's four-eyes approvals must be two named office people.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_role(role) or (role == Role.ADMIN and user.is_superuser)


def acts_as_office(user) -> bool:
    """The evaluation office (考核办): manages the year, computes and publishes results."""
    return user_acts_as(user, Role.OFFICE)


def reads_every_unit(user) -> bool:
    """The office or a county leader: reads every unit's ledgers, files and results."""
    return acts_as_office(user) or user_acts_as(user, Role.LEADER)


def role_required(*roles: Role):
    """Sign-in first, then 403 with a Chinese reason unless the user holds one of `roles`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(user_acts_as(request.user, role) for role in roles):
                names = "、".join(str(role.label) for role in roles)
                raise PermissionDenied(f"此页面仅供“{names}”使用。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
