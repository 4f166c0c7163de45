"""The report jobs in the admin: what was asked, by whom, its state, and "重新生成".

A module of its own (imported by ScoringConfig.ready()) so it does not touch scoring/admin.py.
The office reads and regenerates jobs here by role, the way it works in the rest of the
admin; jobs are made by requests, never typed in, so nobody adds or edits one by hand.
"""

from django.contrib import admin, messages

from accounts.permissions import acts_as_office, user_acts_as
from accounts.roles import Role

from .models import ReportJob
from .services.reports import regenerate_reports


def _office(request) -> bool:
    return acts_as_office(request.user)


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "identifier", "cache_key", "requested_by", "status", "progress",
                    "filename", "created_at", "finished_at"]  # fmt: skip
    list_filter = ["status", "identifier"]
    search_fields = ["filename", "cache_key", "requested_by__username", "requested_by__full_name"]
    readonly_fields = ["requested_by", "identifier", "params", "cache_key", "status",
                       "progress", "file", "filename", "content_type", "error", "created_at",
                       "finished_at"]  # fmt: skip
    actions = ["regenerate"]
    date_hierarchy = "created_at"

    @admin.action(description="重新生成所选报表（按当前数据重新渲染）")
    def regenerate(self, request, queryset):
        count = regenerate_reports(jobs=list(queryset), user=request.user)
        self.message_user(
            request, f"已重新排队 {count} 个报表，生成后可在任务页下载。", messages.SUCCESS
        )

    def has_module_permission(self, request):
        return _office(request)

    def has_view_permission(self, request, obj=None):
        return _office(request)

    def has_change_permission(self, request, obj=None):
        # Needed for the action; every field is read-only.
        return _office(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return user_acts_as(request.user, Role.ADMIN)
