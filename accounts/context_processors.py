"""Template context shared by every page: the signed-in user's roles, for the navigation bar."""

from .roles import Role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    ordered = [role for role in Role if role in user.roles]
    return {"user_roles": ordered, "Role": Role}
