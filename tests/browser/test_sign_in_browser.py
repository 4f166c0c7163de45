"""A reporter signs in with the demo password in Chromium; wrong tries end in a lockout."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # seed_demo refuses to run outside DEBUG
    out = StringIO()
    call_command("seed_demo", stdout=out, weeks=1)
    settings.DEBUG = False
    return dict(re.findall(r"用户名 (\w+)\s+密码 (\w+)", out.getvalue()))


def _sign_in(page, base, username, password):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_reporter_signs_in_and_sees_the_chinese_home(page, live_server, demo, screenshot):
    _sign_in(page, live_server.url, "reporter", demo["reporter"])
    # A demo account's printed password is changed first, then the home page opens.
    page.wait_for_selector("[data-testid=must-change-password]")
    page.fill("input[name=old_password]", demo["reporter"])
    page.fill("input[name=new_password1]", "Browser-demo-2026!")
    page.fill("input[name=new_password2]", "Browser-demo-2026!")
    page.click("text=保存新密码")  # not the navbar's sign-out button
    page.wait_for_url("**/password/change/done/")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("[data-testid=home-title]")
    assert page.inner_text("[data-testid=home-title]") == "填报员工作台"
    assert page.inner_text("[data-testid=unit-name]") == "城关镇"
    assert "李晓梅" in page.inner_text("[data-testid=whoami]")
    # Assets come from the app itself: Bootstrap's CSS applied (the navbar is red, not plain).
    color = page.eval_on_selector("nav", "n => getComputedStyle(n).backgroundColor")
    assert color == "rgb(168, 21, 28)"
    screenshot("reporter-home")


def test_wrong_password_then_lockout_on_the_sixth_try(page, live_server, demo, screenshot):
    for _ in range(5):
        _sign_in(page, live_server.url, "reporter", "wrong-password")
        assert "请输入一个正确的用户名和密码" in page.inner_text(".alert, .invalid-feedback, form")
    screenshot("login-wrong-password")
    _sign_in(page, live_server.url, "reporter", "wrong-password")
    page.wait_for_selector("[data-testid=locked-out]")
    # The right password no longer helps while locked.
    _sign_in(page, live_server.url, "reporter", demo["reporter"])
    assert page.is_visible("[data-testid=locked-out]")
    screenshot("login-locked")
