"""Nothing typed is lost, in Chromium: a photo upload, a reload, an expired session.

Live server on the real clock (browser tests): build_small_year opens this ISO week's period.
"""

from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from campaigns.models import Evidence, LedgerEntry
from campaigns.selectors import current_year, period_containing
from tests.browser.helpers import sign_in
from tests.campaigns.builders import build_small_year
from tests.campaigns.test_evidence import jpeg
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def week(transactional_db):
    small = build_small_year()
    return small, period_containing(current_year(), timezone.now())


def open_week(page, base, small, period):
    sign_in(page, base, "rep")
    page.goto(f"{base}/ledger/week/{period.pk}/")
    page.wait_for_selector("#ledger-form")


def entry(small, period, indicator) -> LedgerEntry:
    return LedgerEntry.objects.get(
        ledger__unit=small.reporter.unit, ledger__period=period, indicator=indicator
    )


def test_photo_upload_keeps_the_figures_typed_in_other_rows(page, live_server, week, tmp_path):
    small, period = week
    open_week(page, live_server.url, small, period)
    investment, cases = small.investment.pk, small.cases.pk
    page.fill(f"#id_e{investment}-value", "3.6")
    page.fill(f"#id_e{cases}-value", "4")
    photo = tmp_path / "开工现场.jpg"
    photo.write_bytes(jpeg(size=(320, 240)))
    target = entry(small, period, small.investment)
    page.click(f"tr.jz-detail[data-indicator='{investment}'] summary")
    page.set_input_files(f"[data-testid=files-{target.pk}]", str(photo))
    page.wait_for_selector(f"#evidence-{target.pk} img")
    assert "已上传「开工现场.jpg」" in page.inner_text(f"#evidence-{target.pk}")
    # The page was not reloaded: both figures are still in their boxes, the increment too.
    assert page.input_value(f"#id_e{investment}-value") == "3.6"
    assert page.input_value(f"#id_e{cases}-value") == "4"
    assert Evidence.objects.filter(entry=target).count() == 1
    # The new photo's delete button works in place as well.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f"#evidence-{target.pk} button[aria-label^=删除]")
    page.wait_for_selector(f"#evidence-{target.pk} >> text=已删除")
    assert not Evidence.objects.filter(entry=target).exists()
    assert page.input_value(f"#id_e{cases}-value") == "4"


# What the browser asks before leaving: our beforeunload handler cancels the event.
LEAVING_IS_QUESTIONED = """() => {
  const event = new Event("beforeunload", {cancelable: true});
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""


def test_autosave_survives_a_reload(page, live_server, week, screenshot):
    small, period = week
    open_week(page, live_server.url, small, period)
    cases = small.cases.pk
    page.fill(f"#id_e{cases}-value", "7")
    assert page.inner_text(f"[data-testid=state-{cases}]") in ("未保存", "保存中…")
    assert page.evaluate(LEAVING_IS_QUESTIONED) is True  # unsaved: leaving asks first
    page.wait_for_selector(f"[data-testid=state-{cases}][data-state=saved]")
    assert page.evaluate(LEAVING_IS_QUESTIONED) is False
    assert page.inner_text("[data-testid=page-state]") == "已保存"
    assert entry(small, period, small.cases).value == Decimal("7")
    page.reload()
    assert page.input_value(f"#id_e{cases}-value") == "7"
    key = page.get_attribute("#ledger-form", "data-storage-key")
    assert page.evaluate(f"window.localStorage.getItem('{key}')") is None  # nothing pending
    # A bad value is marked on its field, not stored, and the page says it is unsaved.
    page.fill(f"#id_e{cases}-value", "七")
    page.wait_for_selector(f"#id_e{cases}-value.is-invalid")
    assert "应为数字" in page.inner_text(f"tr#row-{cases} .invalid-feedback")
    assert page.inner_text("[data-testid=page-state]") == "未保存 1 项"
    assert entry(small, period, small.cases).value == Decimal("7")
    screenshot("ledger-autosave-error")


def test_session_expiry_then_sign_in_again_brings_the_typed_values_back(
    page, live_server, week, screenshot
):
    small, period = week
    open_week(page, live_server.url, small, period)
    investment = small.investment.pk
    Session.objects.all().delete()  # the session ends while the reporter is typing
    page.fill(f"#id_e{investment}-value", "5.5")
    page.click(f"tr.jz-detail[data-indicator='{investment}'] summary")
    page.fill(f"#id_e{investment}-progress", "两个项目开工")
    page.wait_for_selector("[data-testid=session-expired]:not([hidden])")
    assert "登录已过期，请重新登录（已填内容已保留）" in page.inner_text(
        "[data-testid=session-expired]"
    )
    screenshot("ledger-session-expired")
    assert entry(small, period, small.investment).value is None

    page.click("#jz-relogin")
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", "rep")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#ledger-form")
    assert page.url.endswith(f"/ledger/week/{period.pk}/")
    assert page.input_value(f"#id_e{investment}-value") == "5.5"
    page.wait_for_selector(f"[data-testid=state-{investment}][data-state=saved]")
    saved = entry(small, period, small.investment)
    assert (saved.value, saved.progress) == (Decimal("5.5"), "两个项目开工")
    key = page.get_attribute("#ledger-form", "data-storage-key")
    assert page.evaluate(f"window.localStorage.getItem('{key}')") is None


def test_errors_once_on_the_field_keep_the_values_and_the_live_increment(
    page, live_server, week, screenshot
):
    """Last week's investment was 2; typing 5.5 shows 3.5 as the increment, and it stays
    after a save refused for the other rows' errors (cases −1, the flood date 2026/06/30),
    all reported at once, each on its field."""
    from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger

    small, period = week
    earlier = small.year.periods.filter(iso_week__lt=period.iso_week).last()
    if earlier is not None:  # week 1 has no earlier week in its year
        ledger = open_ledger(unit=small.reporter.unit, period=earlier)
        moment = earlier.deadline - timezone.timedelta(hours=1)
        changes = {small.investment.pk: EntryInput(value=2), small.cases.pk: EntryInput(value=1)}
        save_entries(ledger=ledger, user=small.reporter, changes=changes, now=moment)
        submit_ledger(ledger=ledger, user=small.reporter, now=moment)
    open_week(page, live_server.url, small, period)
    investment, cases, flood = small.investment.pk, small.cases.pk, small.flood.pk
    page.fill(f"#id_e{investment}-value", "5.5")
    page.fill(f"#id_e{cases}-value", "-1")
    page.fill(f"#id_e{flood}-done_on", "2026/06/30")
    page.click("button[value=save]")
    page.wait_for_selector("[data-testid=errors]")
    summary = page.locator("[data-testid=errors] li a")
    # −1 after last week's 1 is also a decrease without a reason: a third field.
    expected = 3 if earlier is not None else 2
    assert summary.count() == expected
    assert page.locator(".is-invalid").count() == expected
    assert "不能为负数" in page.inner_text(f"#row-{cases} .invalid-feedback")
    assert "格式如 2026-06-30" in page.inner_text(f"#row-{flood} .invalid-feedback")
    assert page.input_value(f"#id_e{investment}-value") == "5.5"
    assert page.input_value(f"#id_e{cases}-value") == "-1"
    if earlier is not None:
        assert page.inner_text(f"#row-{investment} .jz-increment") == "3.5"
    page.click(f"[data-testid=errors] a[href='#id_e{flood}-done_on']")
    assert page.evaluate("document.activeElement.id") == f"id_e{flood}-done_on"
    screenshot("ledger-week-errors")
    # The row without errors is saved from the refused page; the bad ones wait.
    page.wait_for_selector(f"[data-testid=state-{investment}][data-state=saved]")
    assert entry(small, period, small.investment).value == Decimal("5.5")
    assert entry(small, period, small.cases).value is None


def test_an_upload_after_the_session_expired_keeps_the_page(page, live_server, week, tmp_path):
    small, period = week
    open_week(page, live_server.url, small, period)
    investment, cases = small.investment.pk, small.cases.pk
    page.fill(f"#id_e{cases}-value", "4")
    page.wait_for_selector(f"[data-testid=state-{cases}][data-state=saved]")
    Session.objects.all().delete()
    target = entry(small, period, small.investment)
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg())
    page.click(f"tr.jz-detail[data-indicator='{investment}'] summary")
    page.set_input_files(f"[data-testid=files-{target.pk}]", str(photo))
    page.wait_for_selector("[data-testid=session-expired]:not([hidden])")
    assert page.locator("input[name=username]").count() == 0  # no login form swapped in
    assert page.is_visible(f"#evidence-{target.pk}")
    assert page.input_value(f"#id_e{cases}-value") == "4"
    assert not Evidence.objects.filter(entry=target).exists()
