"""URLs of the role home pages, the notifications and the administrator's account pages."""

from django.urls import path

from jiaozhang import ids  # noqa: F401  (registers <id:…>: ids the database can hold)

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/reporter/", views.reporter_home, name="home-reporter"),
    path("home/unit-head/", views.unit_head_home, name="home-unit-head"),
    path("home/reviewer/", views.reviewer_home, name="home-reviewer"),
    path("home/office/", views.office_home, name="home-office"),
    path("home/leader/", views.leader_home, name="home-leader"),
    path("home/admin/", views.admin_home, name="home-admin"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<id:notification_id>/open/", views.notification_open,
         name="notification-open"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/<id:account_id>/", views.account_detail, name="account-detail"),
    path("accounts/<id:account_id>/password/", views.account_password, name="account-password"),
    path("accounts/<id:account_id>/unlock/", views.account_unlock, name="account-unlock"),
    path("accounts/<id:account_id>/active/", views.account_active, name="account-active"),
    path("accounts/<id:account_id>/sessions/end/", views.account_end_sessions,
         name="account-end-sessions"),
]  # fmt: skip
