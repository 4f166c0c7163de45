"""Admin of the registers: the office keeps the project and village lists (also by Excel
import on /registers/import/); weekly reports and signings are read here, written only by
the reporting and review services."""

from django.contrib import admin

from jiaozhang.admin_site import ReadOnlyAdmin, SimpleHistoryAdmin

from .figures import FIGURE_INPUT
from .models import (
    KeyProject,
    PilotVillage,
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
)


@admin.register(KeyProject)
class KeyProjectAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "unit",
        "campaign",
        "leader",
        "category",
        "annual_plan",
        "planned_start",
        "status",
        "strategic",
        "showcase",
        "active",
    ]
    list_filter = ["year", "campaign", "status", "category", "strategic", "showcase", "active"]
    search_fields = ["name", "unit__name", "leader__full_name"]
    list_select_related = ["unit", "campaign", "leader"]
    formfield_overrides = FIGURE_INPUT
    # The latest verified state is kept by the review service, never typed here.
    readonly_fields = ["status", "started_on", "investment_to_date", "created_at"]


class VillageTaskInline(admin.TabularInline):
    model = VillageTask
    fields = ["name", "due_on", "completion", "sort_order"]
    readonly_fields = ["completion"]  # the latest verified completion (review service)
    formfield_overrides = FIGURE_INPUT
    extra = 0


@admin.register(PilotVillage)
class PilotVillageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "township", "level", "leader", "active"]
    list_filter = ["year", "level", "active", "township"]
    search_fields = ["name", "township__name", "leader__full_name"]
    list_select_related = ["township", "leader"]
    formfield_overrides = FIGURE_INPUT
    readonly_fields = ["highlights", "created_at"]
    inlines = [VillageTaskInline]


class TaskProgressInline(admin.TabularInline):
    model = VillageTaskProgress
    fields = ["task", "completion", "done_on"]
    readonly_fields = fields
    formfield_overrides = FIGURE_INPUT
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProjectReport)
class ProjectReportAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["project", "ledger", "status", "investment_to_date", "review_status"]
    list_filter = ["review_status", "status", "project__year"]
    search_fields = ["project__name", "project__unit__name"]
    list_select_related = ["project", "ledger__period", "ledger__unit"]


@admin.register(VillageReport)
class VillageReportAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["village", "ledger", "review_status"]
    list_filter = ["review_status", "village__year"]
    search_fields = ["village__name", "village__township__name"]
    list_select_related = ["village__township", "ledger__period", "ledger__unit"]
    inlines = [TaskProgressInline]


@admin.register(SignedProject)
class SignedProjectAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = [
        "name",
        "unit",
        "investor",
        "investor_class",
        "amount",
        "signed_on",
        "stage",
        "review_status",
    ]
    list_filter = ["year", "investor_class", "stage", "review_status"]
    search_fields = ["name", "investor", "unit__name"]
    list_select_related = ["unit"]
