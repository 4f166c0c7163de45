"""A lead department's reviewer compares units on its indicator, then opens its weak items and
starts a 交办 from one of them; screenshots at desktop and phone width."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in
from tests.campaigns.analysis_builders import build_analysis_year

pytestmark = pytest.mark.browser


def test_reviewer_compares_and_follows_up_a_weak_item(page, live_server, transactional_db):
    small = build_analysis_year()
    chengguan = small.units[0]
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    sign_in(page, live_server.url, small.reviewer.username)
    page.click("nav >> text=对比分析")
    page.wait_for_selector("[data-testid=comparison-table]")
    query = f"?week=14&indicator={small.investment.pk}&unit={chengguan.pk}"
    page.goto(f"{live_server.url}/analysis/compare/{query}")
    page.wait_for_selector("[data-testid=chart] canvas")
    page.wait_for_timeout(700)  # let the lines finish drawing before the picture
    row = page.locator(f"[data-testid=row-{chengguan.pk}-{small.investment.pk}]")
    assert "约4周" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "comparison-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # as a phone opens it: the chart lays itself out for the width it starts at
    page.wait_for_selector("[data-testid=chart] canvas")
    page.wait_for_timeout(700)
    page.screenshot(path=str(ARTIFACTS / "comparison-390.png"), full_page=True)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/analysis/weak-items/?week=27")
    assert page.locator("[data-testid=below-half]").count() == 4  # 防汛 and 投资, 城关镇 and T3
    page.screenshot(path=str(ARTIFACTS / "weak-items-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "weak-items-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator(f"[data-testid=weak-{chengguan.pk}-{small.investment.pk}] >> text=交办").click()
    page.wait_for_url(f"**/follow-ups/new/?unit={chengguan.pk}&indicator={small.investment.pk}")
    assert external == []
