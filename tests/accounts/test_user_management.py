"""The system administrator's account pages (outside the Django admin): list and filter,
create with unit and roles, reset a password (shown once, never stored or logged in clear),
unlock a locked-out account, disable and enable; only the administrator; every change
recorded with who and when."""

import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from accounts.models import RoleChange, User
from accounts.roles import Role
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(role_users, client):
    client.force_login(role_users[Role.ADMIN])
    return role_users[Role.ADMIN]


def _lock(username: str):
    return AccessAttempt.objects.create(
        username=username, failures_since_start=settings.AXES_FAILURE_LIMIT,
        ip_address="10.0.0.1", user_agent="", get_data="", post_data="", http_accept="",
        path_info="/login/",
    )  # fmt: skip


def _new_account(client, county, **overrides):
    data = {
        "username": "wangfang",
        "full_name": "王芳",
        "unit": county.units[1].pk,
        "title": "党政办主任",
        "phone": "0731-1234567",
        "email": "",
        "roles": [Role.REPORTER.value, Role.UNIT_HEAD.value],
    }
    data.update(overrides)
    return client.post(reverse("account-create"), data)


def test_create_shows_the_password_once_and_stores_only_its_hash(client, admin, county, caplog):
    caplog.set_level(logging.DEBUG)
    response = _new_account(client, county)
    assert response.status_code == 200
    password = response.context["password"]
    page = response.content.decode()
    assert password in page and "只显示这一次" in page
    assert "no-store" in response["Cache-Control"]
    account = User.objects.get(username="wangfang")
    assert (account.full_name, account.unit, account.is_active) == ("王芳", county.units[1], True)
    assert account.roles == {Role.REPORTER, Role.UNIT_HEAD}
    assert account.check_password(password)
    assert password not in account.password  # a hash, not the password
    assert password not in caplog.text
    # Who and when: the history row and the role change both name the administrator.
    created = account.history.earliest()
    assert (created.history_user, created.history_change_reason) == (admin, "新建账号")
    change = RoleChange.objects.get(user=account)
    assert (change.changed_by, change.added) == (admin, "填报员、单位负责人")
    # The password is not shown again: the account page never has it.
    assert password not in client.get(reverse("account-detail", args=[account.pk])).content.decode()


def test_a_unit_role_without_a_unit_is_refused_and_nothing_is_made(client, admin, county):
    response = _new_account(client, county, unit="", roles=[Role.REVIEWER.value])
    assert response.status_code == 400
    assert "牵头部门审核员须有所属单位" in response.content.decode()
    assert not User.objects.filter(username="wangfang").exists()


def test_a_taken_username_is_refused(client, admin, county):
    make_user("wangfang")
    response = _new_account(client, county)
    assert response.status_code == 400
    assert "用户名“wangfang”已被使用" in response.content.decode()


def test_edit_changes_unit_and_roles_and_records_them(client, admin, county, role_users):
    reporter = role_users[Role.REPORTER]
    response = client.post(
        reverse("account-detail", args=[reporter.pk]),
        {
            "full_name": "新名字",
            "unit": county.units[2].pk,
            "title": "",
            "phone": "",
            "email": "",
            "roles": [Role.UNIT_HEAD.value],
        },
    )
    assert response.status_code == 302
    reporter = User.objects.get(pk=reporter.pk)
    assert (reporter.full_name, reporter.unit, reporter.roles) == (
        "新名字",
        county.units[2],
        {Role.UNIT_HEAD},
    )
    assert reporter.username == "r1"  # the username is not changed from this page
    assert reporter.history.latest().history_user == admin
    page = client.get(reverse("account-detail", args=[reporter.pk])).content.decode()
    assert "修改账号信息" in page and "角色变更" in page


def test_reset_password_shows_a_new_one_once(client, admin, role_users, caplog):
    caplog.set_level(logging.DEBUG)
    reporter = role_users[Role.REPORTER]
    url = reverse("account-password", args=[reporter.pk])
    assert client.get(url).status_code == 405  # a GET never resets
    response = client.post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    reporter.refresh_from_db()
    assert reporter.check_password(password) and not reporter.check_password(PASSWORD)
    assert password not in caplog.text
    row = reporter.history.latest()
    assert (row.history_user, row.history_change_reason) == (admin, "重置密码")


def test_unlock_removes_the_lockout_and_records_who(client, admin, role_users):
    reporter = role_users[Role.REPORTER]
    _lock(reporter.username)
    listed = client.get(reverse("account-list"), {"state": "locked"}).context["accounts"]
    assert [a.username for a in listed] == [reporter.username]
    response = client.post(
        reverse("account-unlock", args=[reporter.pk]),
        {"next": reverse("account-list") + "?state=locked"},
    )
    assert response.status_code == 302
    assert response.url == reverse("account-list") + "?state=locked"
    assert not AccessAttempt.objects.filter(username=reporter.username).exists()
    row = reporter.history.latest()
    assert (row.history_user, row.history_change_reason) == (admin, "解除登录锁定")
    # The person can sign in again with their password.
    client.logout()
    response = client.post(reverse("login"), {"username": reporter.username, "password": PASSWORD})
    assert response.status_code == 302


def test_unlock_from_the_admin_home(client, admin, role_users):
    _lock(role_users[Role.REPORTER].username)
    page = client.get(reverse("home-admin")).content.decode()
    assert reverse("account-unlock", args=[role_users[Role.REPORTER].pk]) in page
    assert reverse("account-list") in page
    assert reverse("admin:accounts_user_changelist") not in page


def test_disable_and_enable(client, admin, role_users):
    reporter = role_users[Role.REPORTER]
    url = reverse("account-active", args=[reporter.pk])
    client.post(url, {"active": "0"})
    reporter.refresh_from_db()
    assert not reporter.is_active
    assert reporter.history.latest().history_change_reason == "停用账号"
    listed = client.get(reverse("account-list"), {"state": "disabled"}).context["accounts"]
    assert [a.username for a in listed] == [reporter.username]
    client.post(url, {"active": "1"})
    reporter.refresh_from_db()
    assert reporter.is_active
    assert reporter.history.latest().history_user == admin


def test_the_administrator_cannot_disable_their_own_account(client, admin):
    response = client.post(reverse("account-active", args=[admin.pk]), {"active": "0"}, follow=True)
    admin.refresh_from_db()
    assert admin.is_active
    assert "不能停用自己的账号" in response.content.decode()


def test_list_filters_by_unit_role_and_missing_unit_or_role(client, admin, county, role_users):
    make_user("norole", unit=county.units[0])
    township = county.units[0]

    def listed(**params):
        response = client.get(reverse("account-list"), params)
        assert response.status_code == 200
        return sorted(a.username for a in response.context["accounts"])

    assert listed(unit=township.pk) == ["h1", "norole", "r1"]
    assert listed(role=Role.REVIEWER.value) == ["v1"]
    assert listed(state="incomplete") == ["norole"]
    assert listed(text="r1") == ["r1"]
    assert listed(role="nonsense") == sorted(u.username for u in User.objects.all())


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_the_administrator_manages_accounts(client, role_users, role):
    client.force_login(role_users[role])
    target = role_users[Role.REPORTER]
    assert client.get(reverse("account-list")).status_code == 403
    assert client.get(reverse("account-create")).status_code == 403
    assert client.get(reverse("account-detail", args=[target.pk])).status_code == 403
    for name in ("account-password", "account-unlock", "account-active"):
        assert client.post(reverse(name, args=[target.pk]), {"active": "0"}).status_code == 403
    target.refresh_from_db()
    assert target.is_active and target.check_password(PASSWORD)


def test_the_navigation_bar_leads_only_the_administrator_to_account_management(client, role_users):
    """On every page (here: the notifications), not only on the administrator's home."""
    link = f'href="{reverse("account-list")}"'
    for role, user in role_users.items():
        client.force_login(user)
        page = client.get(reverse("notifications")).content.decode()
        assert (link in page) == (role == Role.ADMIN), role


def test_signing_in_sets_last_login_without_a_history_row(client, role_users):
    """A sign-in is not a change of the account: 账号变更记录 shows changes, not sign-ins."""
    reporter = role_users[Role.REPORTER]
    rows = reporter.history.count()
    response = client.post(reverse("login"), {"username": "r1", "password": PASSWORD})
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert reporter.last_login is not None
    assert reporter.history.count() == rows
