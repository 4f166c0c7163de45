"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import OwnPasswordChangeForm

from . import ids, views  # noqa: F401  (ids registers the <id:…> path converter)

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("campaigns.urls")),
    path("", include("scoring.urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={
                "allowed_failures": settings.AXES_FAILURE_LIMIT - 1,
                "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        # The account's own form: saving clears the first-sign-in flag (accounts.services).
        auth_views.PasswordChangeView.as_view(form_class=OwnPasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("healthz/", views.healthz, name="healthz"),
    # Where browsers post Content-Security-Policy violations (settings.CONTENT_SECURITY_POLICY).
    path("csp-report/", views.csp_report, name="csp-report"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links; an asset, not a page (no name,
    # so not in the permission matrix): sent on to the flag icon every page links to.
    path("favicon.ico", views.favicon),
]

handler400 = views.bad_request
handler500 = views.server_error
