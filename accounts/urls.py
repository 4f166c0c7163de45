"""URLs of the role home pages."""

from django.urls import path

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
]
