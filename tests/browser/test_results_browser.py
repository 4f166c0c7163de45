"""A county leader opens a published quarter's results: rankings, arrows, tiers and the charts."""

import pytest

from accounts.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.helpers import PASSWORD, make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.browser


def test_leader_reads_the_published_results(page, live_server, transactional_db, screenshot):
    _small, evaluation, (a, b, c) = published_quarter()
    make_user("leader", Role.LEADER, full_name="张县长")
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")

    page.click("text=考评结果")
    page.click(f"[data-testid=result-{evaluation.pk}]")
    group = a.group_id
    page.wait_for_selector(f"[data-testid=chart-group-{group}] canvas")
    page.wait_for_selector("#chart-histogram canvas")  # the histogram of totals
    page.wait_for_selector("[data-testid=chart-campaigns] canvas")
    page.wait_for_timeout(800)  # let the bars finish growing before the picture
    assert page.inner_text(f"[data-testid=change-{a.pk}]") == "↑1"
    assert page.inner_text(f"[data-testid=change-{b.pk}]") == "↓1"
    assert page.inner_text(f"[data-testid=tier-{a.pk}]") == "先进"
    assert page.inner_text(f"[data-testid=tier-{c.pk}]") == "后进"
    box = page.locator(f"[data-testid=chart-group-{group}] canvas").bounding_box()
    assert box["width"] > 200 and box["height"] > 200
    screenshot("results")
    # The charts a county leader reads at a glance, at 1366×768: the histogram of totals in
    # tier colours and each group's ranked bars.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#chart-histogram").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "results-charts.png"))
    histogram = page.locator("#chart-histogram canvas").bounding_box()
    assert histogram["width"] > 300 and histogram["height"] > 200
    # Each unit of the ranking opens its scorecard.
    page.click(f"[data-testid=scorecard-{c.pk}]")
    page.wait_for_url(f"**/evaluations/{evaluation.pk}/unit/{c.pk}/")
    assert c.name in page.inner_text("h1")
    assert external == []
