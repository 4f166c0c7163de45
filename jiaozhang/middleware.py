"""Project-wide middleware: the 405 page, Permissions-Policy, the first-sign-in password change."""

from django.conf import settings
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse


class NotAllowedPageMiddleware:
    """Django's require_POST (and every view that refuses a method) returns an empty 405; a
    user who opened such an action URL (a bookmark, a copied link) would see a blank page.
    Here the empty 405 gets the site's Chinese page, keeping its status and Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        streaming = getattr(response, "streaming", False)
        if response.status_code == 405 and not streaming and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


class PermissionsPolicyMiddleware:
    """Every response says which browser features its page may use: none of those the site
    never needs (settings.PERMISSIONS_POLICY), so an injected script cannot ask for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# Pages a user who must change the password may still open: the change itself, signing out,
# the health check and the browser's CSP reports; static files (served before Django in
# production, by whitenoise here) never reach this middleware's check.
PASSWORD_CHANGE_OPEN = ("password_change", "password_change_done", "logout", "healthz",
                        "csp-report")  # fmt: skip


class PasswordChangeRequiredMiddleware:
    """A signed-in user whose account still carries a password someone else has seen (a new
    account's, a reset one, a demo account's) is sent to the password change page, whatever
    page was asked for, until the password is changed (the change clears the flag)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not self._is_open(request.path_info)
        ):
            # The page itself says why (its template reads the flag): no message piles up
            # for each page refused on the way.
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        if path.startswith(static("")):
            return True
        return path in {reverse(name) for name in PASSWORD_CHANGE_OPEN}
