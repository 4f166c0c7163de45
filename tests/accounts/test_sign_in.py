"""Sign-in in Chinese: wrong passwords, lockout on the sixth try, logout, session expiry."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.helpers import PASSWORD


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_right_password_lands_on_the_role_home(client, role_users):
    response = _login(client, "r1", PASSWORD)
    assert response.status_code == 302
    assert client.get(response.url, follow=True).context["role"] == Role.REPORTER


def test_wrong_password_says_so_in_chinese(client, role_users):
    response = _login(client, "r1", "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_sixth_wrong_try_locks_the_account_even_with_the_right_password(client, role_users):
    for _ in range(5):
        assert "请输入一个正确的" in _login(client, "r1", "wrong").content.decode()
    locked = _login(client, "r1", "wrong")
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()
    # Once locked, even the right password is refused.
    assert "账号已锁定" in _login(client, "r1", PASSWORD).content.decode()


def test_lockout_is_per_account_not_per_address(client, role_users):
    for _ in range(6):
        _login(client, "r1", "wrong")
    # r1 is locked, even with its right password ...
    locked = _login(client, "r1", PASSWORD)
    assert locked.status_code == 429 and "账号已锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # ... while another account signs in from the very same address.
    assert _login(client, "h1", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(role_users[Role.UNIT_HEAD].pk)


def test_success_resets_the_failure_count(client, role_users):
    for _ in range(5):
        _login(client, "r1", "wrong")
    assert _login(client, "r1", PASSWORD).status_code == 302
    client.logout()
    assert "请输入一个正确的" in _login(client, "r1", "wrong").content.decode()


def test_logout_by_post_ends_the_session(client, role_users):
    _login(client, "r1", PASSWORD)
    assert client.get(reverse("home-reporter")).status_code == 200
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
    # A signed-in page now sends back to the login page (`/` redirects either way).
    response = client.get(reverse("home-reporter"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_expired_session_sends_back_to_login(client, role_users):
    _login(client, "r1", PASSWORD)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home-reporter"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_with_chinese_validation(client, role_users):
    client.force_login(role_users[Role.REPORTER])
    url = reverse("password_change")
    bad = client.post(
        url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert "密码长度太短" in bad.content.decode()
    good = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Xq7!lunar-river",
            "new_password2": "Xq7!lunar-river",
        },
    )
    assert good.status_code == 302
    role_users[Role.REPORTER].refresh_from_db()
    assert role_users[Role.REPORTER].check_password("Xq7!lunar-river")
