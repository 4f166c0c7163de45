"""The 亮相会 deck on a meeting-room screen: the keyboard alone moves through the slides."""

from datetime import date

import pytest

from accounts.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter
from tests.scoring.test_showcase import follow_up, inspect

pytestmark = pytest.mark.browser


def test_the_deck_advances_with_the_keyboard(
    page, live_server, transactional_db, settings, tmp_path
):
    """8 slides (title, headline, 乡镇组, 表扬, 检讨, three units): → ← End Home and 6 ⏎."""
    settings.MEDIA_ROOT = tmp_path
    small, evaluation, (a, _b, c) = published_quarter()
    inspect(small, a, date(2026, 3, 10), photos=3)
    follow_up(small, a, 7, card="yellow")
    follow_up(small, c, 8, card="red")
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
    sign_in(page, live_server.url, "leader")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/results/{evaluation.pk}/showcase/")
    counter = page.locator("[data-testid=deck-counter]")
    visible = page.locator("section.slide:visible")
    assert counter.inner_text() == "1 / 8"
    assert visible.count() == 1 and visible.get_attribute("data-testid") == "slide-title"
    shots = {1: "title", 2: "headline", 3: "ranking", 4: "praise", 6: "unit"}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "showcase-1920-title.png"))
    for number in range(2, 7):
        page.keyboard.press("ArrowRight")
        assert counter.inner_text() == f"{number} / 8"
        if number in shots:
            page.screenshot(path=str(ARTIFACTS / f"showcase-1920-{shots[number]}.png"))
    assert visible.get_attribute("data-testid") == f"slide-unit-{a.pk}"
    assert page.locator(f"[data-testid=slide-unit-{a.pk}] .photo img").count() == 3
    page.keyboard.press("ArrowLeft")
    assert counter.inner_text() == "5 / 8"
    assert visible.get_attribute("data-testid") == "slide-lagging"
    page.keyboard.press("End")
    assert counter.inner_text() == "8 / 8"
    assert visible.get_attribute("data-testid") == f"slide-unit-{c.pk}"
    page.keyboard.press("Home")
    assert counter.inner_text() == "1 / 8"
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    assert counter.inner_text() == "6 / 8"
    # Photos have loaded and the slide fits the smaller screen too.
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.is-current .photo img'))"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(ARTIFACTS / "showcase-1366-unit.png"))
    assert external == []
