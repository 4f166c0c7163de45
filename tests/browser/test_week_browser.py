"""The whole week in Chromium: fill and submit, return, correct, verify, the matrix turns green."""

import pytest
from django.utils import timezone

from campaigns.selectors import current_year, period_containing
from campaigns.services.review import verify_entries
from tests.browser.helpers import sign_in
from tests.campaigns.builders import build_small_year

pytestmark = pytest.mark.browser


def test_week_from_submission_to_verified(page, live_server, transactional_db, screenshot):
    small = build_small_year()
    period = period_containing(current_year(), timezone.now())
    base = live_server.url
    investment, cases = small.investment.pk, small.cases.pk

    # The reporter fills this week's ledger and submits it.
    sign_in(page, base, "rep")
    page.click("text=本周周帐")
    page.fill(f"input[name=e{investment}-value]", "3.6")
    page.fill(f"input[name=e{cases}-value]", "4")
    assert page.inner_text(f"[data-testid=row-{investment}] .jz-increment") == "—"
    screenshot("ledger-filled")
    page.click("[data-testid=submit]")
    assert page.inner_text("[data-testid=ledger-status]") == "已提交"

    # The lead department returns the investment figure with a reason.
    sign_in(page, base, "rev")
    page.click("text=实帐核实")
    entry_row = page.locator("tr", has_text="固定资产投资完成额").first
    entry_id = entry_row.get_attribute("data-testid").split("-")[1]
    entry_row.locator("summary", has_text="退回").click()
    entry_row.locator("textarea[name=comment]").last.fill("开工照片与项目不符，请核实后重报")
    page.click(f"[data-testid=return-{entry_id}]")
    assert "已退回" in page.inner_text(".alert-success")

    # The reporter sees why, corrects the figure and hands it back in.
    sign_in(page, base, "rep")
    page.click("text=本周周帐")
    assert "开工照片与项目不符" in page.inner_text(f"[data-testid=comment-{investment}]")
    page.fill(f"input[name=e{investment}-value]", "3.2")
    page.click("[data-testid=resubmit]")
    assert page.inner_text("[data-testid=ledger-status]") == "已提交"

    # The reviewer verifies everything it leads in one go.
    sign_in(page, base, "rev")
    page.click("text=实帐核实")
    page.check("thead input[type=checkbox]")
    page.click("[data-testid=verify-selected]")
    assert "已核实" in page.inner_text(".alert-success")
    screenshot("review-queue-after")
    # 刑事案件发案数 is led by 政法委, whose reviewer is not part of this walk.
    from accounts.roles import Role
    from tests.helpers import make_user

    zfw = make_user("zfw", Role.REVIEWER, unit=small.cases.lead_unit)
    entry = small.cases.entries.get(ledger__period=period, ledger__unit=small.reporter.unit)
    verify_entries(entry_ids=[entry.pk], user=zfw)

    # The office sees this week's cell for 城关镇 green.
    sign_in(page, base, "off")
    page.click("text=周帐完成情况")
    cell = page.locator("tr", has_text=small.reporter.unit.short_name).locator("td").last
    assert cell.get_attribute("data-state") == "verified"
    screenshot("completeness-matrix")
