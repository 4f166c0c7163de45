"""A county leader opens the dashboard from the home page and follows the 后进 red flag to the
results page behind it, where the same unit stands as 后进; the office opens its own."""

import pytest

from accounts.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.browser


def test_leader_follows_a_red_flag(page, live_server, transactional_db, screenshot):
    small, evaluation, (a, _b, c) = published_quarter()
    leader = make_user("leader", Role.LEADER, full_name="刘志远", title="县委副书记")
    leader.contact_units.set([a, c])  # as the demo leader's 联系乡镇
    sign_in(page, live_server.url, "leader")

    page.click("[data-testid=dashboard-link]")
    page.wait_for_selector("[data-testid=chart-campaign-share] canvas")
    page.wait_for_selector("[data-testid=chart-key-indicators] canvas")
    flag = page.locator("[data-testid=flag-lagging]")
    assert flag.locator("[data-testid=flag-count]").inner_text() == "1"
    assert flag.locator("[data-testid=flag-names]").inner_text() == c.short_name
    assert page.locator(f"[data-testid=mine-{c.pk}]").inner_text().count("后进") == 1
    page.wait_for_timeout(800)  # let the bars finish growing before the pictures
    screenshot("dashboard-leader")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "dashboard-leader-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    flag.click()
    page.wait_for_url(f"**/results/{evaluation.pk}/")
    assert page.inner_text(f"[data-testid=tier-{c.pk}]") == "后进"
    assert c.name in page.inner_text(f"[data-testid=row-{c.pk}]")

    # The office's own dashboard, pictured at both widths for review (test-artifacts/).
    sign_in(page, live_server.url, small.office.username)
    page.goto(f"{live_server.url}/dashboard/office/")
    page.wait_for_selector("[data-testid=week-completeness]")
    screenshot("dashboard-office")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "dashboard-office-phone.png"), full_page=True)
