"""Admin for units, ranking groups and users, with their change history."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from simple_history.admin import SimpleHistoryAdmin

from .models import RankingGroup, Unit, User


@admin.register(RankingGroup)
class RankingGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "sort_order", "description"]
    search_fields = ["name"]
    ordering = ["sort_order", "id"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "group", "sort_order", "active"]
    list_filter = ["kind", "group", "active"]
    list_editable = ["sort_order"]
    search_fields = ["name", "short_name"]
    list_select_related = ["group"]
    actions = ["deactivate"]

    @admin.action(description="停用所选单位", permissions=["change"])
    def deactivate(self, request, queryset):
        changed = 0
        for unit in queryset.filter(active=True):
            unit.active = False
            unit.save(update_fields=["active"])  # save(), not update(): history records it
            changed += 1
        self.message_user(request, f"已停用 {changed} 个单位。", messages.SUCCESS)


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "full_name", "unit", "title", "phone", "groups"]


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = ["username", "full_name", "unit", "title", "phone", "email"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["username", "full_name", "unit", "title", "role_names", "is_active"]
    list_filter = ["is_active", "groups", "unit__group", "unit__kind"]
    search_fields = ["username", "full_name", "phone", "unit__name"]
    ordering = ["username"]
    autocomplete_fields = ["unit"]
    actions = ["deactivate"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["full_name", "unit", "title", "phone", "email"]}),
        ("角色与状态", {"fields": ["is_active", "groups"]}),
        ("重要日期", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "full_name",
                    "unit",
                    "title",
                    "phone",
                    "groups",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    filter_horizontal = ["groups"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit").prefetch_related("groups")

    @admin.display(description="角色")
    def role_names(self, obj):
        return "、".join(group.name for group in obj.groups.all())

    @admin.action(description="停用所选用户", permissions=["change"])
    def deactivate(self, request, queryset):
        changed = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            user.is_active = False
            user.save(update_fields=["is_active"])
            changed += 1
        self.message_user(request, f"已停用 {changed} 个用户（不能停用自己）。", messages.SUCCESS)
