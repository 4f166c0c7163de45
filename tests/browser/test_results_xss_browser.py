"""A unit named like markup shows as text in every chart tooltip of the results page."""

import pytest

from accounts.models import Unit
from accounts.roles import Role
from tests.helpers import PASSWORD, make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"

# Every item of every chart: ECharts renders its tooltip through our formatter on showTip.
SHOW_EVERY_TOOLTIP = """async (container) => {
  const chart = echarts.getInstanceByDom(container);
  const texts = [];
  const series = chart.getOption().series;
  for (let seriesIndex = 0; seriesIndex < series.length; seriesIndex++) {
    for (let dataIndex = 0; dataIndex < (series[seriesIndex].data || []).length; dataIndex++) {
      chart.dispatchAction({ type: "showTip", seriesIndex, dataIndex });
      await new Promise((done) => setTimeout(done, 60));
      texts.push(container.innerText);  // the canvas holds no text: this is the tooltip
    }
  }
  return texts;
}"""


def test_a_unit_named_like_markup_is_shown_as_text(page, live_server, transactional_db):
    _small, evaluation, (a, _b, _c) = published_quarter()
    Unit.objects.filter(pk=a.pk).update(short_name=HOSTILE)
    make_user("leader", Role.LEADER, full_name="张县长")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")
    page.click("text=考评结果")
    page.click(f"[data-testid=result-{evaluation.pk}]")

    texts = []
    for testid in (f"chart-group-{a.group_id}", "chart-distribution", "chart-campaigns"):
        container = page.locator(f"[data-testid={testid}]")
        page.wait_for_selector(f"[data-testid={testid}] canvas")
        # A real pointer first: sweep the plot so hover tooltips render as a user sees them.
        box = container.bounding_box()
        for row in range(1, 12):
            for column in range(1, 12):
                x, y = box["width"] * column / 12, box["height"] * row / 12
                page.mouse.move(box["x"] + x, box["y"] + y)
        texts += container.evaluate(SHOW_EVERY_TOOLTIP)
        assert container.locator("img").count() == 0

    assert any(HOSTILE in text for text in texts), texts
    page.wait_for_timeout(300)
    assert dialogs == []
