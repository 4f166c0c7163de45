"""The supervision loop in a browser: a reviewer issues a follow-up from the weak-items list,
the unit's reporter acknowledges it, replies with a photo and asks to close, the reviewer
closes it. Screenshots of the thread at desktop and phone width."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import FollowUp
from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import sign_in
from tests.campaigns.analysis_builders import build_analysis_year
from tests.campaigns.follow_up_builders import jpeg

pytestmark = pytest.mark.browser


def shots(page, name: str):
    page.screenshot(path=str(ARTIFACTS / f"{name}-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_issue_acknowledge_reply_with_a_photo_close(page, live_server, transactional_db, tmp_path):
    small = build_analysis_year()
    chengguan, investment = small.units[0], small.investment
    base = live_server.url
    due = timezone.localdate() + timedelta(days=14)

    sign_in(page, base, small.reviewer.username)
    page.goto(f"{base}/analysis/weak-items/?week=27")
    page.locator(f"[data-testid=weak-{chengguan.pk}-{investment.pk}] >> text=交办").click()
    page.wait_for_selector("[data-testid=follow-up-form]")
    assert "固定资产投资完成额" in page.input_value("#id_title")
    assert "年度目标12亿元" in page.input_value("#id_problem")
    page.fill("#id_due_on", due.isoformat())
    shots(page, "follow-up-new")
    page.click("[data-testid=issue]")
    page.wait_for_selector("text=督办〔2026〕1号")
    follow_up = FollowUp.objects.get()
    detail = f"{base}/follow-ups/{follow_up.pk}/"

    sign_in(page, base, small.reporter.username)
    page.goto(detail)
    page.click("[data-testid=acknowledge]")
    page.wait_for_selector("[data-testid=reply-form]")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg())
    page.fill("#reply-text", "已召开专题推进会，三个项目本周开工。")
    page.set_input_files("#reply-files", str(photo))
    page.click("[data-testid=reply]")
    page.wait_for_selector(".jz-fu-file img")
    page.click("summary:text('申请办结')")
    page.click("[data-testid=close-request]")
    page.wait_for_selector("text=已申请办结")
    shots(page, "follow-up-unit")

    sign_in(page, base, small.reviewer.username)
    page.goto(f"{base}/follow-ups/")
    shots(page, "follow-up-list")
    page.click(f"[data-testid=follow-ups] a[href='/follow-ups/{follow_up.pk}/']")
    page.click("[data-testid=close]")
    page.wait_for_selector("text=已办结销号")
    assert page.locator("[data-testid=status]").inner_text() == "已办结"
    assert page.locator("[data-testid=event]").count() == 5
    shots(page, "follow-up-closed")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.CLOSED
