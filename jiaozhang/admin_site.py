"""The admin site in Chinese, open to the evaluation office and the system administrator by role."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class JiaozhangAdminSite(admin.AdminSite):
    site_header = "交帐亮相 管理后台"
    site_title = "交帐亮相"
    index_title = "考核年度与单位管理"

    def has_permission(self, request):
        # Roles decide who works in the admin, so there is no separate is_staff flag to forget.
        user = request.user
        return user.is_authenticated and user.may_use_admin_site


class ReadOnly:
    """Rows to look at: written by services, never by hand (no add, change or delete). Mixed
    into a ModelAdmin or an inline; the one definition every app's admin uses."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """A list to look at: rows are written by services, never by hand."""


class JiaozhangAdminConfig(AdminConfig):
    default_site = "jiaozhang.admin_site.JiaozhangAdminSite"
