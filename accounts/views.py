"""Sign-in landing: send each user to the home page of their role, and render those pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from .models import Unit, User
from .permissions import role_required, user_acts_as
from .roles import Role
from .selectors import (
    groups_with_units,
    locked_accounts,
    notifications_of,
    recent_changes_visible_to,
    role_counts,
    users_visible_to,
)

# The page a user lands on when holding several roles: the widest view first.
LANDING_ORDER = [
    Role.OFFICE,
    Role.LEADER,
    Role.REVIEWER,
    Role.UNIT_HEAD,
    Role.REPORTER,
    Role.ADMIN,
]


def landing_role(user) -> Role | None:
    # user_acts_as: a superuser without roles lands as the administrator, by the one rule.
    return next((role for role in LANDING_ORDER if user_acts_as(user, role)), None)


@login_required
def home(request):
    role = landing_role(request.user)
    if role is None:
        return render(request, "accounts/no_role.html", status=403)
    return redirect(f"home-{role.value.replace('_', '-')}")


# Links each role can follow today, besides its home page and the password change.
def _open_items(role: Role) -> list[tuple[str, str]]:
    admin_links = {
        Role.OFFICE: [
            ("单位管理", "admin:accounts_unit_changelist"),
            ("考核组别管理", "admin:accounts_rankinggroup_changelist"),
        ],
        Role.ADMIN: [
            ("用户管理（新建、重置密码、停用）", "admin:accounts_user_changelist"),
            ("角色与权限（只读）", "admin:auth_group_changelist"),
            ("角色变更记录", "admin:accounts_rolechange_changelist"),
            ("单位管理", "admin:accounts_unit_changelist"),
            ("登录失败与锁定记录", "admin:axes_accessattempt_changelist"),
        ],
    }
    pages = {
        Role.REPORTER: [("本周周帐（填报、提交、查看退回）", "ledger-current")],
        Role.UNIT_HEAD: [("本周周帐（审阅、确认报送）", "ledger-current")],
        Role.REVIEWER: [("实帐核实（核实、核减、退回、实地查看）", "review-queue")],
        Role.OFFICE: [("周帐完成情况（按单位、按周）", "completeness")],
        Role.LEADER: [("周帐完成情况（按单位、按周）", "completeness")],
    }
    links = pages.get(role, []) + admin_links.get(role, [])
    return [(label, reverse(name)) for label, name in links]


def _render_home(request, role: Role, **context):
    context.update(role=role, open_items=_open_items(role))
    return render(request, f"accounts/home/{role.value}.html", context)


def _colleagues(user):
    return (
        users_visible_to(user)
        .filter(unit_id=user.unit_id, is_active=True)
        .prefetch_related("groups")
    )


@role_required(Role.REPORTER)
def reporter_home(request):
    return _render_home(request, Role.REPORTER, colleagues=_colleagues(request.user))


@role_required(Role.UNIT_HEAD)
def unit_head_home(request):
    return _render_home(request, Role.UNIT_HEAD, colleagues=_colleagues(request.user))


@role_required(Role.REVIEWER)
def reviewer_home(request):
    return _render_home(request, Role.REVIEWER, groups=groups_with_units(request.user))


@role_required(Role.OFFICE)
def office_home(request):
    return _render_home(
        request,
        Role.OFFICE,
        groups=groups_with_units(request.user),
        role_counts=role_counts(users_visible_to(request.user)),
        recent_unit_changes=recent_changes_visible_to(request.user, Unit),
        recent_user_changes=recent_changes_visible_to(request.user, User),
    )


@role_required(Role.LEADER)
def leader_home(request):
    return _render_home(request, Role.LEADER, groups=groups_with_units(request.user))


@role_required(Role.ADMIN)
def admin_home(request):
    users = users_visible_to(request.user)
    return _render_home(
        request,
        Role.ADMIN,
        role_counts=role_counts(users),
        inactive_count=users.filter(is_active=False).count(),
        locked=locked_accounts(),
        recent_user_changes=recent_changes_visible_to(request.user, User),
    )


@login_required
def notifications(request):
    """The user's notifications, newest first; opening the page marks them read."""
    from .services import mark_notifications_read

    items = notifications_of(request.user)
    if request.method == "POST":
        mark_notifications_read(user=request.user)
        return redirect("notifications")
    return render(request, "accounts/notifications.html", {"items": items})
