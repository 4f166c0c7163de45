"""The reviewer works down a filtered queue in Chromium: 核实 one row, 核减 another (first
without a reason: the reason box says so), 退回 a third, 核实 a flagged one only once its
已知悉该提示 is ticked — the page never reloads and keeps its filters."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from campaigns.models import LedgerEntry
from tests.browser.helpers import sign_in
from tests.campaigns import builders
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

pytestmark = pytest.mark.browser

WEEK = 10


def hand_in(small, unit, investment: str, **written) -> LedgerEntry:
    reporter = make_user(f"r{unit.pk}", Role.REPORTER, unit=unit)
    ledger = builders.hand_in(
        small, unit, week=WEEK, investment=investment, reporter=reporter, **written
    )
    return ledger.entries.get(indicator=small.investment)


def test_per_row_review_without_reload(page, live_server, transactional_db, screenshot):
    small = build_small_year()
    townships = small.county.units[:3]
    verify_me = hand_in(small, townships[0], "3.6", progress="安置小区主体完工，本周新增0.4亿元")
    correct_me = hand_in(
        small,
        townships[1],
        "3",
        progress="工业园区标准厂房二期开工",
        problem_category="funds",
        problems="专项债资金尚未拨付到位，影响二期进度",
        next_steps="协调财政局尽快拨付",
    )
    return_me = hand_in(small, townships[2], "2.8")
    # The first unit's milestone entry carries a flag (a confirmed 数值异常, as the week page
    # leaves it), so its 核实 needs the reviewer's acknowledgement.
    flagged = verify_me.ledger.entries.get(indicator=small.flood)
    LedgerEntry.objects.filter(pk=flagged.pk).update(
        plausibility_flagged=True, plausibility_note="物资清单另附"
    )
    base = live_server.url
    sign_in(page, base, "rev")
    page.set_viewport_size({"width": 1366, "height": 768})
    filtered = f"/review/?status=pending&period={small.period(WEEK).pk}"
    page.goto(base + filtered)
    page.evaluate("window.__marker = 'still-here'")

    # What the unit wrote sits beside the figure.
    notes = page.inner_text(f"[data-testid=notes-{correct_me.pk}]")
    assert "存在问题（资金）" in notes and "专项债资金尚未拨付到位" in notes

    # 核实: one click, the row turns verified in place.
    page.click(f"[data-testid=verify-{verify_me.pk}]")
    page.wait_for_selector(f"#entry-{verify_me.pk}[data-state=verified]")
    assert "已核实" in page.inner_text("[data-testid=review-messages] .alert-success")

    # 核减 without a reason: the reason box is marked and says what is missing.
    row = page.locator(f"#entry-{correct_me.pk}")
    row.locator("summary", has_text="核减").click()
    panel = row.locator(".jz-pop-panel form").first
    panel.locator("input[name=verified_value]").fill("2.5")
    page.click(f"[data-testid=correct-{correct_me.pk}]")
    error = page.wait_for_selector(f"[data-testid=correct-error-{correct_me.pk}]")
    assert error.inner_text() == "请填写核减理由。"
    assert page.locator(f"#correct-comment-{correct_me.pk}.is-invalid").is_visible()
    assert page.input_value(f"#verified-{correct_me.pk}") == "2.5"  # what was typed stays
    page.fill(f"#correct-comment-{correct_me.pk}", "0.5亿元为设备购置款，不计入固投")
    page.click(f"[data-testid=correct-{correct_me.pk}]")
    page.wait_for_selector(f"#entry-{correct_me.pk}[data-state=verified]")
    assert "2.5（核减）" in page.inner_text(f"[data-testid=state-{correct_me.pk}]")

    # 退回: the reason panel opens over the page, not inside the table.
    row = page.locator(f"#entry-{return_me.pk}")
    width_before = page.eval_on_selector("table.jz-review", "t => t.offsetWidth")
    row.locator("summary", has_text="退回").click()
    assert page.eval_on_selector("table.jz-review", "t => t.offsetWidth") == width_before
    page.fill(f"#return-comment-{return_me.pk}", "开工照片与项目不符，请核实后重报")
    screenshot("review-queue-return-panel")
    page.click(f"[data-testid=return-{return_me.pk}]")
    page.wait_for_selector(f"#entry-{return_me.pk}[data-state=returned]")
    assert "已退回" in page.inner_text("[data-testid=review-messages] .alert-success")

    # A flagged row: 核实 alone leaves it pending and says why; with 已知悉该提示 it is verified.
    page.click(f"[data-testid=verify-{flagged.pk}]")
    warning = page.wait_for_selector("[data-testid=review-messages] .alert-warning")
    assert "未勾选「已知悉该提示」" in warning.inner_text()
    assert page.get_attribute(f"#entry-{flagged.pk}", "data-state") == "pending"
    page.check(f"[data-testid=ack-{flagged.pk}]")
    page.click(f"[data-testid=verify-{flagged.pk}]")
    page.wait_for_selector(f"#entry-{flagged.pk}[data-state=verified]")

    # Never navigated: the marker survived and the filters are still in the address.
    assert page.evaluate("window.__marker") == "still-here"
    assert page.url == base + filtered
    screenshot("review-queue")

    states = dict(
        LedgerEntry.objects.filter(pk__in=[verify_me.pk, correct_me.pk, return_me.pk]).values_list(
            "pk", "review_status"
        )
    )
    assert states == {
        verify_me.pk: "verified",
        correct_me.pk: "verified",
        return_me.pk: "returned",
    }
    correct_me.refresh_from_db()
    assert (correct_me.value, correct_me.verified_value) == (Decimal("3"), Decimal("2.5"))
