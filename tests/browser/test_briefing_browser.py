"""The office generates last week's 周通报, edits its text and issues it; a township's reporter
reads it from the navigation bar (desktop and phone widths, screenshots in test-artifacts/)."""

import pytest

from tests.browser.helpers import sign_in
from tests.scoring.test_briefings import build_briefing_county

pytestmark = pytest.mark.browser


def test_office_issues_the_weekly_briefing_and_a_unit_reads_it(
    page, live_server, transactional_db, screenshot
):
    small = build_briefing_county()
    week = small.period(12)
    sign_in(page, live_server.url, small.office.username)
    page.goto(f"{live_server.url}/briefings/")
    page.select_option("#briefing-week", str(week.pk))
    page.click("[data-testid=briefing-generate] button")
    page.wait_for_selector("[data-testid=briefing-body]")
    assert "城关镇固定资产投资完成额本周新增1.20亿元" in page.inner_text(
        "[data-testid=briefing-body]"
    )
    screenshot("briefing-draft-1366")

    page.click("[data-testid=briefing-edit]")
    body = page.input_value("textarea[name=body]")
    page.fill("textarea[name=body]", body.replace("现将本周", "经考核办审核，现将本周"))
    page.click("[data-testid=briefing-edit-form] button")
    page.wait_for_selector("[data-testid=briefing-issue]")
    page.click("[data-testid=briefing-issue]")
    page.wait_for_selector("text=交帐亮相周通报〔2026〕第1期")
    page.goto(f"{live_server.url}/briefings/")
    assert "已签发" in page.inner_text("[data-testid=briefing-rows]")
    screenshot("briefing-list-1366")

    sign_in(page, live_server.url, small.reporter.username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/briefings/")
    page.click("[data-testid=briefing-rows] a")
    text = page.inner_text("[data-testid=briefing-body]")
    assert "经考核办审核，现将本周" in text
    assert "白沙镇" in page.inner_text("[data-testid=briefing-tables]")
    screenshot("briefing-issued-390")
