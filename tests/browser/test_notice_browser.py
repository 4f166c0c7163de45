"""A leader opens the published quarter, asks for the 通报 PDF, waits for it, downloads it;
then the results page offers the same file in one click."""

import os

import pytest
from django.db import connection

from accounts.roles import Role
from tests.browser.helpers import sign_in
from tests.helpers import make_user
from tests.scoring.test_pdf_reports import build_published_quarter

pytestmark = pytest.mark.browser


@pytest.fixture
def reports_rendered(request, settings, tmp_path):
    """A real worker through Redis on PostgreSQL; otherwise rendered in the web process."""
    if os.environ.get("REDIS_URL") and connection.vendor == "postgresql":
        return request.getfixturevalue("report_worker")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    return None


def test_leader_downloads_the_quarter_notice(
    page, live_server, transactional_db, reports_rendered, screenshot
):
    _small, evaluation, _ = build_published_quarter()
    make_user("lead", Role.LEADER, full_name="刘志远")
    sign_in(page, live_server.url, "lead")
    page.click("text=季度考评")
    page.click(f"a[href='/evaluations/{evaluation.pk}/']")
    assert page.inner_text("[data-testid=evaluation-status]") == "已发布"

    page.click("[data-testid=notice-pdf]")
    link = page.wait_for_selector("[data-testid=report-download]", timeout=90_000)
    assert "通报" in link.inner_text()
    screenshot("notice-job-done")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith("考评结果通报（第1版）.pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # Now that this version's 通报 exists, the results page downloads it in one click.
    page.goto(f"{live_server.url}/results/{evaluation.pk}/")
    button = page.locator("[data-testid=notice-pdf]")
    assert button.get_attribute("data-ready") == "1" and button.get_attribute("href")
    with page.expect_download() as again:
        button.click()
    assert again.value.suggested_filename == download.suggested_filename
    with open(again.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
