"""Sign-in landing: send each user to the home page of their role, and render those pages."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import AccountFilterForm, AccountForm
from .models import Unit, User
from .permissions import role_required, user_acts_as
from .roles import Role
from .selectors import (
    account_history,
    groups_with_units,
    locked_accounts,
    managed_account,
    managed_accounts,
    notification_of,
    notifications_of,
    recent_changes_visible_to,
    role_counts,
    units_visible_to,
    users_visible_to,
)
from .services import (
    create_account,
    end_sessions,
    mark_notifications_read,
    reset_password,
    set_active,
    unlock_account,
    update_account,
)
from .todo import todo_items

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
        Role.ADMIN: [("单位管理", "admin:accounts_unit_changelist")],
    }
    pages = {
        Role.REPORTER: [("本周周帐（填报、提交、查看退回）", "ledger-current")],
        Role.UNIT_HEAD: [("本周周帐（审阅、确认报送）", "ledger-current")],
        Role.REVIEWER: [("实帐核实（核实、核减、退回、实地查看）", "review-queue")],
        Role.OFFICE: [("周帐完成情况（按单位、按周）", "completeness")],
        Role.LEADER: [("周帐完成情况（按单位、按周）", "completeness")],
        Role.ADMIN: [
            ("账号管理（新建、角色、重置密码、解锁、停用）", "account-list"),
            ("被锁定的账号", "account-list"),
        ],
    }
    links = pages.get(role, []) + admin_links.get(role, [])
    return [(label, reverse(name)) for label, name in links]


def _render_home(request, role: Role, **context):
    context.update(role=role, open_items=_open_items(role), todo=todo_items(request.user, role))
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
    """The user's notifications, newest first; 全部标为已读 marks them all read."""
    items = notifications_of(request.user)
    if request.method == "POST":
        mark_notifications_read(user=request.user)
        return redirect("notifications")
    return render(request, "accounts/notifications.html", {"items": items})


@login_required
def notification_open(request, notification_id):
    """Follow a notification's link and mark it read. Someone else's (or no) notification
    leads to one's own list: the answer is the same whether the id exists or not."""
    notification = notification_of(request.user, notification_id)
    if notification is None:
        return redirect("notifications")
    mark_notifications_read(user=request.user, ids=[notification.pk])
    safe = url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(notification.url if notification.url and safe else "notifications")


# --- the system administrator's account pages ----------------------------------------------


@role_required(Role.ADMIN)
def account_list(request):
    units = units_visible_to(request.user)
    form = AccountFilterForm(request.GET or None, units=units)
    accounts = managed_accounts(request.user, **form.filters())
    return render(
        request,
        "accounts/account_list.html",
        {"form": form, "accounts": accounts, "filtered": bool(request.GET)},
    )


@role_required(Role.ADMIN)
def account_create(request):
    """New account: on success the next page shows its password, once (never stored)."""
    form = AccountForm(request.POST or None, units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            account, password = create_account(
                actor=request.user,
                username=form.cleaned_data["username"],
                roles=form.chosen_roles(),
                **form.account_fields(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return _show_password(request, account, password, created=True)
    return render(request, "accounts/account_form.html", {"form": form}, status=_status(form))


@role_required(Role.ADMIN)
def account_detail(request, account_id):
    account = managed_account(request.user, account_id)
    if account is None:
        raise Http404("没有该账号。")
    form = AccountForm(request.POST or None, units=units_visible_to(request.user), account=account)
    if request.method == "POST" and form.is_valid():
        try:
            update_account(
                actor=request.user,
                user=account,
                roles=form.chosen_roles(),
                **form.account_fields(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已保存账号“{account.username}”。")
            return redirect("account-detail", account.pk)
    context = {"form": form, "account": account, "history": account_history(account)}
    return render(request, "accounts/account_form.html", context, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _show_password(request, account, password: str, *, created: bool):
    # Rendered as the answer to the POST, never redirected through a session or a message:
    # the password exists only in this response (not cached), and only its hash is stored.
    response = render(
        request,
        "accounts/account_password.html",
        {"account": account, "password": password, "created": created},
    )
    add_never_cache_headers(response)  # no-store: no browser or proxy keeps a copy
    return response


def _managed_or_404(request, account_id) -> User:
    account = managed_account(request.user, account_id)
    if account is None:
        raise Http404("没有该账号。")
    return account


@require_POST
@role_required(Role.ADMIN)
def account_password(request, account_id):
    account = _managed_or_404(request, account_id)
    return _show_password(request, account, reset_password(actor=request.user, user=account),
                          created=False)  # fmt: skip


@require_POST
@role_required(Role.ADMIN)
def account_unlock(request, account_id):
    account = _managed_or_404(request, account_id)
    if unlock_account(actor=request.user, user=account):
        messages.success(request, f"已解除“{account}”的登录锁定，该账号可以重新登录。")
    else:
        messages.info(request, f"“{account}”当前未被锁定。")
    return _back(request, account)


@require_POST
@role_required(Role.ADMIN)
def account_end_sessions(request, account_id):
    """结束该账号的全部会话: every browser signed in as the account is signed out on its next
    request. The administrator's own current session is kept if it is their own account."""
    account = _managed_or_404(request, account_id)
    try:
        ended = end_sessions(user=account, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request, account)
    if ended.pk == request.user.pk:
        update_session_auth_hash(request, ended)  # one's own: every other browser, not this one
    messages.success(request, f"已结束“{account}”的全部会话：该账号须在各处重新登录。")
    return _back(request, account)


@require_POST
@role_required(Role.ADMIN)
def account_active(request, account_id):
    account = _managed_or_404(request, account_id)
    active = request.POST.get("active") == "1"
    try:
        set_active(actor=request.user, user=account, active=active)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}账号“{account}”。")
    return _back(request, account)


def _back(request, account):
    """Back to the page the button was on: the list (with its filters), the administrator's
    home or the account."""
    target = request.POST.get("next", "")
    pages = (reverse("account-list"), reverse("home-admin"))
    if target.startswith(pages) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect("account-detail", account.pk)
