"""The error pages and the icon as Chromium shows them: Chinese, in the site's layout, on a
desktop and a phone; the admin's index and lockout list in Chinese."""

import pytest

from accounts.roles import Role
from tests.browser.helpers import sign_in
from tests.helpers import make_user

pytestmark = pytest.mark.browser


def _sign_in(page, base, username):
    sign_in(page, base, username, wait_for="[data-testid=whoami]")


@pytest.fixture
def reviewer(transactional_db):
    return make_user("v-error", Role.REVIEWER)


@pytest.mark.parametrize("width,height,suffix", [(1366, 768, "desktop"), (390, 844, "phone")])
def test_405_and_404_pages(page, live_server, reviewer, screenshot, width, height, suffix):
    """GET on an action URL: the 405 page (status kept); an unknown address: the 404 page.
    Both in the red-barred layout with a way home; the tab shows the flag icon."""
    page.set_viewport_size({"width": width, "height": height})
    _sign_in(page, live_server.url, reviewer.username)
    response = page.goto(f"{live_server.url}/review/verify/")
    assert response.status == 405
    assert "此地址不能直接打开" in page.inner_text("[data-testid=not-allowed]")
    color = page.eval_on_selector("nav", "n => getComputedStyle(n).backgroundColor")
    assert color == "rgb(168, 21, 28)"
    screenshot(f"error-405-{suffix}")
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("[data-testid=not-found]")
    screenshot(f"error-404-{suffix}")
    icon = page.eval_on_selector("link[rel=icon]", "l => l.href")
    assert page.request.get(icon).status == 200
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 200  # redirect followed


def test_admin_in_chinese(page, live_server, transactional_db, screenshot):
    """The administrator's admin index names the lockout records 登录锁定, not "Axes"; the
    user form's role chooser (its text built in JavaScript) says 角色 and 全选角色, not
    "Choose all 组"."""
    admin = make_user("a-error", Role.ADMIN)
    _sign_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/admin/")
    text = page.inner_text("#content-main")
    assert "登录锁定" in text and "登录失败记录" in text and "角色" in text
    assert "Axes" not in text and "Access" not in text
    screenshot("admin-index")
    page.goto(f"{live_server.url}/admin/accounts/user/add/")
    page.wait_for_selector(".selector-chooseall")  # the role chooser, built by the admin's JS
    text = page.inner_text("#content")
    assert "After you" not in text and "Choose" not in text and "Remove" not in text
    assert "全选角色" in text and "可用 角色" in text
    screenshot("admin-user-add")
