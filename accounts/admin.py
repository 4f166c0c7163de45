"""Admin for units, ranking groups and users, with their change history."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin, IsLockedOutFilter
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils import timezone

from jiaozhang.admin_site import ReadOnly, ReadOnlyAdmin, SimpleHistoryAdmin

from .models import RankingGroup, RoleChange, Unit, User
from .permissions import user_acts_as
from .roles import Role
from .selectors import role_changes_of
from .services import RoleChangeRefused, check_role_change, set_roles


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


def _roles_of(groups) -> set[Role]:
    return {role for role in map(Role.from_group_name, (g.name for g in groups)) if role}


class RoleCheckMixin:
    """Refuses on the form what set_roles would refuse, with its Chinese message."""

    request = None  # set by UserAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if self.request is None or "groups" not in cleaned:
            return cleaned
        try:
            check_role_change(
                actor=self.request.user, user=self.instance, roles=_roles_of(cleaned["groups"])
            )
        except RoleChangeRefused as error:
            raise forms.ValidationError(error.messages) from None
        if self.instance.pk == self.request.user.pk and cleaned.get("is_active") is False:
            raise forms.ValidationError("不能停用自己的账号。")
        return cleaned


class UserCreationForm(RoleCheckMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "full_name", "unit", "title", "phone", "groups"]


class UserEditForm(RoleCheckMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = ["username", "full_name", "unit", "title", "phone", "email"]


class AdminSetPasswordForm(AdminPasswordChangeForm):
    """The administrator types someone's password: its owner changes it at the next sign-in."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit)


def _acts_as_admin(request) -> bool:
    return user_acts_as(request.user, Role.ADMIN)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    """Accounts, passwords and roles: the system administrator's alone (issue 9). Role
    changes go through set_roles, which refuses one's own and records who changed what."""

    form = UserEditForm
    add_form = UserCreationForm
    change_password_form = AdminSetPasswordForm
    object_history_template = "admin/accounts/user/object_history.html"
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

    # Django permissions first, then the role: a permission slipped to another group (by a
    # future edit of roles.py) still opens no account page to anyone but the administrator.
    def has_module_permission(self, request):
        return _acts_as_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _acts_as_admin(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return _acts_as_admin(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        # The password page checks this too.
        return _acts_as_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted: their records point at them

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not issubclass(form, RoleCheckMixin):  # e.g. the password form
            return form
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        # A new account's password was typed by the administrator: changed at first sign-in.
        if not change and obj.has_usable_password():
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        groups = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if groups is not None:
            set_roles(actor=request.user, user=form.instance, roles=_roles_of(groups))

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "role_changes": role_changes_of(object_id),
        }
        return super().history_view(request, object_id, extra_context=extra_context)

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


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """Every role change, written by set_roles: read here, never typed in."""

    list_display = ["changed_at", "user", "added", "removed", "changed_by"]
    list_filter = ["changed_at"]
    search_fields = ["user__username", "user__full_name", "changed_by__username"]
    list_select_related = ["user", "changed_by"]
    date_hierarchy = "changed_at"

    def has_module_permission(self, request):
        return _acts_as_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _acts_as_admin(request) and super().has_view_permission(request, obj)


# Roles are groups whose names and permissions live in accounts/roles.py (re-applied after
# every migrate): the administrator reads them here; renaming one would leave no such role.
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(ReadOnly, DjangoGroupAdmin):
    def has_module_permission(self, request):
        return _acts_as_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _acts_as_admin(request) and super().has_view_permission(request, obj)


# django-axes' records, read by the administrator. Each row's own page would be titled by
# axes' English __str__ ("Access Log for … @ <UTC time>"), so the lists are all there is:
# every column is in the list, and a lockout is lifted by deleting its attempt record.
UNKNOWN = "<unknown>"  # what axes stores when the request did not say


def _known(value):
    return "未知" if value in (None, "", UNKNOWN) else value


class AxesListOnly:
    list_display_links = None

    def has_module_permission(self, request):
        return _acts_as_admin(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return obj is None and _acts_as_admin(request) and super().has_view_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="浏览器标识")
    def user_agent_shown(self, obj):
        return _known(obj.user_agent)

    @admin.display(description="访问路径")
    def path_shown(self, obj):
        return _known(obj.path_info)


admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


@admin.register(AccessAttempt)
class LockoutAttemptAdmin(AxesListOnly, AccessAttemptAdmin):
    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "user_agent_shown",
        "path_shown",
        "failures_since_start",
        "status",
    ]
    # No filter by path: axes stores "<unknown>" for requests that did not say.
    list_filter = ["attempt_time", IsLockedOutFilter]

    def get_deleted_objects(self, objs, request):
        """The delete confirmation names each record in Chinese, not by axes' __str__."""
        _, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        names = []
        for obj in objs:
            at = timezone.localtime(obj.attempt_time)
            names.append(
                f"{obj.username or '（无用户名）'} 的登录失败记录（{obj.failures_since_start} 次，"
                f"最近一次 {at.year}年{at.month}月{at.day}日 {at:%H:%M}）"
            )
        return names, counts, perms_needed, protected


@admin.register(AccessLog)
class SignInLogAdmin(AxesListOnly, AccessLogAdmin):
    list_display = [
        "attempt_time",
        "logout_time",
        "username",
        "ip_address",
        "user_agent_shown",
        "path_shown",
    ]
    list_filter = ["attempt_time", "logout_time"]


@admin.register(AccessFailureLog)
class SignInFailureAdmin(AxesListOnly, AccessFailureLogAdmin):
    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "user_agent_shown",
        "path_shown",
        "locked_out",
    ]
    list_filter = ["attempt_time", "locked_out"]
