"""Who may open a page: role checks shared by every app's views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import Role


def user_acts_as(user, role: Role) -> bool:
    # A superuser without roles is the system administrator, and nothing else implicitly.
    return user.has_role(role) or (role == Role.ADMIN and user.is_superuser)


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
