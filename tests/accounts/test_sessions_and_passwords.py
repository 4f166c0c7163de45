"""Sessions and passwords (issue 14): the administrator ends every session of an account;
a password someone else has seen (a new account's, a reset one, a demo one) must be changed
at the first sign-in; the common-password list refuses weak ones in Chinese."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.demo import build_role_accounts
from accounts.models import User
from accounts.roles import Role
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Ming-yue-ji-shi-you-7"


def signed_in(username: str, password: str = PASSWORD) -> Client:
    """A browser of its own, signed in through the login form (a real session)."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "sign-in failed"
    return browser


def _lands_on_login(browser: Client, url: str) -> bool:
    response = browser.get(url)
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# --- ending sessions -------------------------------------------------------------------------


def test_admin_ends_every_session_of_an_account(role_users):
    reporter, admin = role_users[Role.REPORTER], role_users[Role.ADMIN]
    phone, desk = signed_in(reporter.username), signed_in(reporter.username)
    office = signed_in(admin.username)
    home = reverse("home-reporter")
    assert phone.get(home).status_code == 200 and desk.get(home).status_code == 200

    response = office.post(
        reverse("account-end-sessions", args=[reporter.pk]), {"reason": "手机遗失"}
    )
    assert response.status_code == 302
    assert response.url == reverse("account-detail", args=[reporter.pk])

    assert _lands_on_login(phone, home) and _lands_on_login(desk, home)
    # The administrator's own session survives, and the page says what happened, in Chinese.
    page = office.get(response.url).content.decode()
    assert "已结束" in page and "全部会话" in page
    row = User.objects.get(pk=reporter.pk).history.latest()
    assert (row.history_user, row.history_change_reason) == (admin, "结束全部会话：手机遗失")
    assert "结束全部会话：手机遗失" in page  # the account's change record shows it
    # The password is untouched: the reporter signs in again as before.
    assert signed_in(reporter.username).get(home).status_code == 200


@pytest.mark.parametrize("role", [Role.OFFICE, Role.REPORTER])
def test_only_the_administrator_ends_sessions(role_users, role):
    target = role_users[Role.UNIT_HEAD]
    victim = signed_in(target.username)
    other = signed_in(role_users[role].username)
    response = other.post(reverse("account-end-sessions", args=[target.pk]))
    assert response.status_code == 403
    assert User.objects.get(pk=target.pk).session_generation == 0
    assert victim.get(reverse("home-unit-head")).status_code == 200


# --- password change at first sign-in --------------------------------------------------------


def _change(browser: Client, old: str, new: str = NEW_PASSWORD):
    return browser.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_a_new_account_must_change_its_password_first(role_users, county):
    office = signed_in(role_users[Role.ADMIN].username)
    created = office.post(reverse("account-create"), {
        "username": "wangfang", "full_name": "王芳", "unit": county.units[1].pk,
        "title": "", "phone": "", "email": "", "roles": [Role.REPORTER.value],
    })  # fmt: skip
    password = created.context["password"]
    assert User.objects.get(username="wangfang").must_change_password

    browser = signed_in("wangfang", password)
    for url in (reverse("home"), reverse("notifications"), reverse("admin:index")):
        response = browser.get(url)
        assert (response.status_code, response.url) == (302, reverse("password_change")), url
    page = browser.get(reverse("password_change")).content.decode()
    assert "请先修改初始密码" in page

    assert _change(browser, password).status_code == 302
    account = User.objects.get(username="wangfang")
    assert not account.must_change_password and account.check_password(NEW_PASSWORD)
    home = browser.get(reverse("home"), follow=True)
    assert home.redirect_chain[-1][0] == reverse("home-reporter") and home.status_code == 200
    # Who and why, in the account's history: the flag set by the administrator, cleared by
    # the user's own change.
    reasons = [
        (r.history_user.username, r.history_change_reason, r.must_change_password)
        for r in account.history.order_by("history_date")
    ]
    assert reasons[0][1:] == ("新建账号", True)
    assert reasons[-1] == ("wangfang", "首次登录修改密码", False)


def test_a_reset_password_must_be_changed_and_sign_out_still_works(role_users):
    reporter = role_users[Role.REPORTER]
    office = signed_in(role_users[Role.ADMIN].username)
    password = office.post(reverse("account-password", args=[reporter.pk])).context["password"]
    assert User.objects.get(pk=reporter.pk).must_change_password
    browser = signed_in(reporter.username, password)
    assert browser.get(reverse("ledger-current")).url == reverse("password_change")
    assert browser.get(reverse("healthz")).status_code == 200
    assert browser.post(reverse("logout")).url == reverse("login")


def test_a_password_the_administrator_sets_in_the_django_admin_must_be_changed(role_users):
    reporter = role_users[Role.REPORTER]
    office = signed_in(role_users[Role.ADMIN].username)
    url = reverse("admin:auth_user_password_change", args=[reporter.pk])
    response = office.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=reporter.pk).must_change_password
    browser = signed_in(reporter.username, NEW_PASSWORD)
    assert browser.get(reverse("home")).url == reverse("password_change")


def test_demo_accounts_must_change_their_password_unless_told_not_to(db):
    from accounts.demo import build_county

    build_county(townships=2, departments=2, parks=1)
    build_role_accounts(password=PASSWORD, must_change_password=True)
    assert set(User.objects.values_list("must_change_password", flat=True)) == {True}
    build_role_accounts(password=PASSWORD, reset_passwords=True)  # --no-password-change
    assert set(User.objects.values_list("must_change_password", flat=True)) == {False}


# --- the password rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password123456", "这个密码太常见，容易被猜中"),
        ("20261130073145", "密码不能全是数字"),
        ("short-1", "密码长度太短，至少需要 10 个字符"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(role_users, password, message):
    reporter = role_users[Role.REPORTER]
    browser = signed_in(reporter.username)
    response = _change(browser, PASSWORD, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=reporter.pk).check_password(PASSWORD)


def test_a_password_like_the_username_is_refused_in_chinese(db):
    make_user("wangfang2026", Role.REPORTER)
    browser = signed_in("wangfang2026")
    response = _change(browser, PASSWORD, "wangfang2026!")
    assert "密码与账号的用户名太相似，请换一个。" in response.content.decode()
