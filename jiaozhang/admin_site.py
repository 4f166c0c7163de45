"""The admin site in Chinese, open to the evaluation office and the system administrator by role."""

from datetime import date, datetime

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin as BaseHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper


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


def boolean_icon(value):
    """Django's yes/no icon, its alternative text in Chinese (Django writes alt="True")."""
    name, text = {True: ("yes", "是"), False: ("no", "否"), None: ("unknown", "未知")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


# The admin looks the icon up in admin_list each time it draws one (admin.utils and
# admin.helpers import it inside their functions), so this one assignment reaches every
# list, read-only field and history page; Django offers no setting for the text.
admin_list._boolean_icon = boolean_icon


class ChineseHistoryHelper(HistoricalRecordContextHelper):
    """A history row's changes as people read them: choice labels instead of stored codes,
    是/否, local times, "（空）" for nothing (simple-history shows the raw values)."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "（空）"
        if isinstance(value, DeletedObject):  # simple-history writes "Deleted … (pk=3)"
            return f"（已删除的{value.model._meta.verbose_name}）"
        if getattr(field, "choices", None) and not isinstance(value, list):
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, datetime):
            moment = timezone.localtime(value)
            return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
        if isinstance(value, date):
            return value.isoformat()
        return value


class SimpleHistoryAdmin(BaseHistoryAdmin):
    """simple-history's admin with the changes column in Chinese; every app's admin uses it."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseHistoryHelper(self.model, historical_record)
