"""Only the system administrator manages accounts, passwords and roles (issue 9): every admin
page and POST the office could use to make itself an administrator or a second 考核办 is
refused, nobody changes their own roles, and every role change records who made it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import RoleChange, User
from accounts.roles import Role
from accounts.services import RoleChangeRefused, set_roles
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _group(role: Role) -> Group:
    return Group.objects.get(name=role.group_name)


def _change_data(user: User, *roles: Role) -> dict:
    """The user change form as the admin page posts it, with `roles` ticked."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "unit": user.unit_id or "",
        "title": user.title,
        "phone": user.phone,
        "email": user.email,
        "is_active": "on",
        "groups": [_group(role).pk for role in roles],
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
    }


# --- the office ------------------------------------------------------------------------------


def test_office_admin_index_shows_no_account_management(client, role_users):
    client.force_login(role_users[Role.OFFICE])
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:accounts_unit_changelist") in page  # units stay the office's
    for name in [
        "admin:accounts_user_changelist",
        "admin:auth_group_changelist",
        "admin:accounts_rolechange_changelist",
        "admin:axes_accessattempt_changelist",
    ]:
        assert reverse(name) not in page, name


def test_office_home_links_to_no_account_management(client, role_users):
    client.force_login(role_users[Role.OFFICE])
    page = client.get(reverse("home-office")).content.decode()
    assert reverse("admin:accounts_user_changelist") not in page
    assert reverse("admin:axes_accessattempt_changelist") not in page


@pytest.mark.parametrize(
    "name, needs_user",
    [
        ("admin:accounts_user_changelist", False),
        ("admin:accounts_user_add", False),
        ("admin:accounts_user_change", True),
        ("admin:accounts_user_history", True),
        ("admin:auth_user_password_change", True),
        ("admin:accounts_user_delete", True),
        ("admin:auth_group_changelist", False),
        ("admin:auth_group_add", False),
        ("admin:accounts_rolechange_changelist", False),
        ("admin:axes_accessattempt_changelist", False),
    ],
)
def test_office_opens_no_account_page(client, role_users, name, needs_user):
    client.force_login(role_users[Role.OFFICE])
    args = [role_users[Role.ADMIN].pk] if needs_user else []
    assert client.get(reverse(name, args=args)).status_code in (403, 404)


def test_office_cannot_create_a_second_office_account(client, role_users, county):
    client.force_login(role_users[Role.OFFICE])
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "office2",
            "full_name": "第二考核办",
            "unit": county.units_named("县委办公室").pk,
            "groups": [_group(Role.OFFICE).pk],
            "usable_password": "true",
            "password1": "Office-two-2026",
            "password2": "Office-two-2026",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="office2").exists()


@pytest.mark.parametrize("whose", [Role.OFFICE, Role.REPORTER])
def test_office_cannot_add_roles_to_itself_or_others(client, role_users, whose):
    office = role_users[Role.OFFICE]
    target = role_users[whose]
    client.force_login(office)
    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        _change_data(target, whose, Role.ADMIN),
    )
    assert response.status_code == 403
    assert User.objects.get(pk=target.pk).roles == {whose}
    assert not RoleChange.objects.exists()


def test_office_cannot_set_the_administrators_password(client, role_users):
    sysadmin = role_users[Role.ADMIN]
    client.force_login(role_users[Role.OFFICE])
    url = reverse("admin:auth_user_password_change", args=[sysadmin.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"password1": "Taken-over-2026", "password2": "Taken-over-2026"})
    assert response.status_code == 403
    sysadmin.refresh_from_db()
    assert sysadmin.check_password(PASSWORD)


def test_nobody_adds_or_edits_role_groups_in_the_admin(client, role_users):
    office_group = _group(Role.OFFICE)
    before = set(office_group.permissions.values_list("pk", flat=True))
    for who in (Role.OFFICE, Role.ADMIN):
        client.force_login(role_users[who])
        assert client.post(reverse("admin:auth_group_add"), {"name": "x"}).status_code == 403
        response = client.post(
            reverse("admin:auth_group_change", args=[office_group.pk]),
            {"name": "超级考核办", "permissions": []},
        )
        assert response.status_code == 403
    office_group.refresh_from_db()
    assert office_group.name == Role.OFFICE.group_name
    assert set(office_group.permissions.values_list("pk", flat=True)) == before
    assert not Group.objects.filter(name="x").exists()
    # The administrator reads them.
    page = client.get(reverse("admin:auth_group_change", args=[office_group.pk]))
    assert page.status_code == 200


def test_office_role_holds_no_account_permission(role_users):
    office = role_users[Role.OFFICE]
    for perm in [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.change_group",
        "auth.add_group",
        "axes.view_accessattempt",
    ]:
        assert not office.has_perm(perm), perm


# --- the system administrator ----------------------------------------------------------------


def test_admin_grants_a_role_to_another_and_it_is_recorded(client, role_users):
    sysadmin = role_users[Role.ADMIN]
    target = role_users[Role.REPORTER]
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        _change_data(target, Role.REPORTER, Role.UNIT_HEAD),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=target.pk).roles == {Role.REPORTER, Role.UNIT_HEAD}
    change = RoleChange.objects.get(user=target)
    assert (change.changed_by, change.added, change.removed) == (sysadmin, "单位负责人", "")

    history = client.get(reverse("admin:accounts_user_history", args=[target.pk]))
    page = history.content.decode()
    assert "角色变更记录" in page and "单位负责人" in page and str(sysadmin) in page


def test_admin_cannot_grant_a_role_to_itself(client, role_users):
    sysadmin = role_users[Role.ADMIN]
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[sysadmin.pk]),
        _change_data(sysadmin, Role.ADMIN, Role.OFFICE),
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "不能修改自己的角色" in response.content.decode()
    assert User.objects.get(pk=sysadmin.pk).roles == {Role.ADMIN}
    assert not RoleChange.objects.exists()


def test_admin_cannot_deactivate_itself_in_the_form(client, role_users):
    sysadmin = role_users[Role.ADMIN]
    client.force_login(sysadmin)
    data = _change_data(sysadmin, Role.ADMIN)
    del data["is_active"]
    response = client.post(reverse("admin:accounts_user_change", args=[sysadmin.pk]), data)
    assert "不能停用自己的账号" in response.content.decode()
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_accounts_are_never_deleted_in_the_admin(client, role_users):
    client.force_login(role_users[Role.ADMIN])
    target = role_users[Role.REPORTER]
    url = reverse("admin:accounts_user_delete", args=[target.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


# --- the service every role change goes through ----------------------------------------------


def test_set_roles_refuses_anyone_but_the_administrator(role_users):
    target = role_users[Role.REPORTER]
    for who in (Role.OFFICE, Role.LEADER, Role.REPORTER):
        with pytest.raises(RoleChangeRefused, match="只有系统管理员"):
            set_roles(actor=role_users[who], user=target, roles={Role.OFFICE})
    assert User.objects.get(pk=target.pk).roles == {Role.REPORTER}


def test_set_roles_refuses_ones_own_roles_even_withdrawing(role_users):
    sysadmin = role_users[Role.ADMIN]
    with pytest.raises(RoleChangeRefused, match="不能修改自己的角色"):
        set_roles(actor=sysadmin, user=sysadmin, roles=set())
    assert User.objects.get(pk=sysadmin.pk).roles == {Role.ADMIN}


def test_set_roles_records_added_and_removed_and_skips_no_change(role_users):
    sysadmin = role_users[Role.ADMIN]
    target = role_users[Role.REVIEWER]
    change = set_roles(actor=sysadmin, user=target, roles={Role.LEADER})
    assert (change.added, change.removed, change.changed_by) == (
        "县领导",
        "牵头部门审核员",
        sysadmin,
    )
    assert target.roles == {Role.LEADER}
    assert set_roles(actor=sysadmin, user=target, roles={Role.LEADER}) is None
    assert RoleChange.objects.count() == 1


def test_a_second_admin_is_needed_to_withdraw_an_admin_role(role_users):
    first = role_users[Role.ADMIN]
    second = make_user("a2", Role.ADMIN)
    set_roles(actor=second, user=first, roles=set())
    assert User.objects.get(pk=first.pk).roles == frozenset()
    # The last administrator left can withdraw the role from nobody, itself included.
    with pytest.raises(RoleChangeRefused):
        set_roles(actor=second, user=second, roles=set())


def test_roles_change_only_through_set_roles():
    """A new page or task that writes group membership itself would skip the checks and the
    record: outside set_roles, only set-up code (demo county, benchmarks) may."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    setup = {"accounts/services.py", "accounts/demo.py", "campaigns/demo.py"}
    writes = re.compile(r"groups\.(add|set|remove|clear)\(|groups\.through|user_set\.")
    found = [
        f"{name}:{number}"
        for app in ["accounts", "campaigns", "scoring", "jiaozhang"]
        for path in sorted((root / app).rglob("*.py"))
        if (name := path.relative_to(root).as_posix()) not in setup and "/migrations/" not in name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line)
    ]
    assert not found, "roles change through accounts.services.set_roles: " + ", ".join(found)
