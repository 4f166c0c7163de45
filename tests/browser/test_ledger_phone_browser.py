"""A whole week on a 390×844 phone: every row filled, a photo taken, submitted; no sideways
scrolling. Also the desktop view at 1366×768 for the record."""

from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Evidence, WeeklyLedger
from campaigns.selectors import current_year, period_containing
from tests.browser.helpers import sign_in
from tests.campaigns.builders import build_small_year
from tests.campaigns.test_evidence import jpeg

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_whole_week_on_a_phone(page, live_server, transactional_db, tmp_path, screenshot):
    small = build_small_year()
    period = period_containing(current_year(), timezone.now())
    base = live_server.url
    sign_in(page, base, "rep")  # its check reads the navigation bar, folded on a phone
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/ledger/week/{period.pk}/")
    page.wait_for_selector("#ledger-form")
    assert no_sideways_scroll(page)
    # Each indicator is a card: the table header is gone, each cell says what it is.
    assert page.is_hidden(".jz-ledger thead")
    investment, cases, flood = small.investment.pk, small.cases.pk, small.flood.pk
    label = page.evaluate(
        f"getComputedStyle(document.querySelector('#row-{investment} td[data-label=年度目标]'),"
        " '::before').content"
    )
    assert label == '"年度目标"'

    page.fill(f"#id_e{investment}-value", "3.6")
    page.fill(f"#id_e{cases}-value", "4")
    done_on = page.locator(f"#id_e{flood}-done_on")
    assert done_on.get_attribute("type") == "text"
    assert done_on.get_attribute("placeholder") == "例：2026-06-30"
    page.fill(f"#id_e{flood}-done_on", period.starts_on.isoformat())
    page.click(f"tr.jz-detail[data-indicator='{investment}'] summary")
    page.fill(f"#id_e{investment}-progress", "安置小区主体完工")
    entry = small.investment.entries.get(ledger__period=period)
    camera = page.locator(f"[data-testid=camera-{entry.pk}]")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg(size=(640, 480)))
    camera.set_input_files(str(photo))
    page.wait_for_selector(f"#evidence-{entry.pk} img")
    for row in (investment, cases, flood):
        page.wait_for_selector(f"[data-testid=state-{row}][data-state=saved]")
    assert page.input_value(f"#id_e{investment}-value") == "3.6"
    assert no_sideways_scroll(page)
    screenshot("ledger-week-phone")

    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=ledger-status]:text('已提交')")
    assert no_sideways_scroll(page)
    screenshot("ledger-week-phone-submitted")
    ledger = WeeklyLedger.objects.get(unit=small.reporter.unit, period=period)
    assert ledger.status == WeeklyLedger.Status.SUBMITTED
    figures = {e.indicator_id: (e.value, e.done_on) for e in ledger.entries.all()}
    assert figures == {
        investment: (Decimal("3.6"), None),
        cases: (Decimal("4"), None),
        flood: (None, period.starts_on),
    }
    assert Evidence.objects.filter(entry=entry).count() == 1


def test_week_page_on_the_desktop(page, live_server, transactional_db, screenshot):
    small = build_small_year()
    period = period_containing(current_year(), timezone.now())
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, "rep")
    page.goto(f"{live_server.url}/ledger/week/{period.pk}/")
    page.fill(f"#id_e{small.investment.pk}-value", "3.6")
    page.fill(f"#id_e{small.cases.pk}-value", "99999")  # 99999 > 3 × 40: asks for a note
    page.wait_for_selector(f"#id_e{small.cases.pk}-plausibility_note.is-invalid")
    assert page.is_visible(f"#row-{small.cases.pk} .jz-note")
    page.wait_for_selector(f"[data-testid=state-{small.investment.pk}][data-state=saved]")
    assert no_sideways_scroll(page)
    screenshot("ledger-week-desktop")
