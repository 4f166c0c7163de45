"""A pilot village's task, end to end in Chromium (issue 13): the township reports 村道硬化
done with a site photo inside its weekly ledger, hands the ledger in, 农业农村局 verifies the
village report, and the township's 试点村建设任务完成率 in its ledger rises from 0 to 25 —
one task of four at 100 %, the others at 0 % (the mean of 100, 0, 0, 0)."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from campaigns.models import LedgerEntry
from campaigns.selectors import current_year, period_containing
from tests.browser.helpers import sign_in
from tests.campaigns.register_builders import build_register_year

pytestmark = pytest.mark.browser


def _photo(tmp_path):
    path = tmp_path / "村道硬化.png"
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_village_task_done_with_photo_raises_rate(
    page, live_server, transactional_db, screenshot, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    registers = build_register_year()
    small, village = registers.small, registers.village
    road = registers.tasks[0]
    period = period_containing(current_year(), timezone.now())
    base = live_server.url
    rate_row = f"[data-testid=row-{registers.task_rate.pk}]"

    # The township opens this week's village report from its ledger and marks the road done.
    sign_in(page, base, "rep")
    page.goto(base + reverse("ledger-week", args=[period.pk]))
    assert "由试点村库自动生成" in page.inner_text(rate_row)
    assert page.locator(f"{rate_row} input").count() == 0  # never typed
    page.click(f"{rate_row} [data-testid=derived-note] a")
    card = page.locator(f"[data-testid=village-{village.pk}]")
    card.get_by_label(f"{road.name}完成进度").fill("100")
    card.get_by_label(f"{road.name}完成日期").fill(timezone.localdate().isoformat())
    card.locator(f"[data-testid=save-village-{village.pk}]").click()
    card = page.locator(f"[data-testid=village-{village.pk}]")
    assert card.get_by_label(f"{road.name}完成进度").input_value() == "100"
    card.locator("input[type=file]").set_input_files(str(_photo(tmp_path)))
    card.get_by_role("button", name="上传照片").click()
    card = page.locator(f"[data-testid=village-{village.pk}]")
    card.locator("img").first.wait_for()
    screenshot("register-village-reported")

    # Back in the ledger: the typed figures, then hand it in.
    page.goto(base + reverse("ledger-week", args=[period.pk]))
    assert page.inner_text(f"{rate_row} .jz-input-cell").strip().startswith("25")
    page.fill(f"input[name=e{small.investment.pk}-value]", "3.6")
    page.fill(f"input[name=e{small.cases.pk}-value]", "4")
    page.click("[data-testid=submit]")
    # 部分核实 at once: 招商签约额 has no signing of this week behind it, so it is verified
    # at the unit's existing total as the ledger is handed in.
    assert page.inner_text("[data-testid=ledger-status]") == "部分核实"
    entry = LedgerEntry.objects.get(
        ledger__unit=registers.township, ledger__period=period, indicator=registers.task_rate
    )
    assert entry.review_status == "pending" and entry.verified_value is None

    # 农业农村局 verifies the village report from its register queue.
    sign_in(page, base, "vrev")
    page.goto(base + reverse("register-review"))
    row = page.locator(f"[data-testid=village-{entry.ledger.village_reports.get().pk}]")
    assert "东村" in row.inner_text()
    row.locator("img").first.wait_for()  # the township's photo sits beside the figures
    row.get_by_role("button", name="核实").click()
    page.wait_for_load_state()
    screenshot("register-review-verified")

    # The township's ledger now shows the rate verified at 25.
    sign_in(page, base, "rep")
    page.goto(base + reverse("ledger-week", args=[period.pk]))
    cells = page.inner_text(rate_row)
    assert "已核实" in cells
    assert page.inner_text(f"{rate_row} .jz-input-cell").strip().startswith("25")
    entry.refresh_from_db()
    assert entry.review_status == "verified" and entry.verified_value == 25
    screenshot("register-ledger-rate-risen")
