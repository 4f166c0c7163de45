"""A reviewer ticks 与周帐所报不符 on an on-site check and a draft awaits; the office sees the
red-carded follow-up counted on the unit's score page (交办逾期 1 件)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from campaigns.models import FollowUp, LedgerEntry
from scoring.services.evaluations import compute_quarter, open_evaluation
from tests.browser.helpers import sign_in
from tests.campaigns.builders import build_small_year, hand_in
from tests.scoring.test_escalation import at, escalate, issue

pytestmark = pytest.mark.browser


def test_inspection_difference_drafts_and_score_page_counts_the_red_card(
    live_server, page, screenshot
):
    small = build_small_year(year=2026)
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))
    escalate(2, 14)
    escalate(2, 28)
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(
        evaluation=evaluation,
        user=small.office,
        now=datetime(2026, 4, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    ledger = hand_in(small, week=6, investment="3", now=small.during(6))
    entry = LedgerEntry.objects.get(ledger=ledger, indicator=small.investment)

    sign_in(page, live_server.url, "off")
    page.goto(live_server.url + reverse("unit-score", args=[evaluation.pk, small.reporter.unit.pk]))
    assert page.inner_text("[data-testid=overdue-follow-ups]").strip() == "1 件"
    screenshot("escalation-unit-score-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("escalation-unit-score-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    sign_in(page, live_server.url, "rev")
    page.goto(live_server.url + reverse("review-inspect", args=[entry.pk]))
    yesterday = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).date()
    page.fill("#id_visited_on", yesterday.isoformat())
    page.fill("#id_place", "城关镇工业园项目工地")
    page.fill("#id_findings", "现场仅完成场地平整，未见主体施工，与周帐所报进度不符。")
    page.check("#id_differs_from_ledger")
    screenshot("escalation-inspection-form-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("escalation-inspection-form-390")
    page.click("form button.btn-danger")
    page.wait_for_load_state()
    draft = FollowUp.objects.exclude(pk=follow_up.pk).get()
    assert (draft.origin, draft.status) == (FollowUp.Origin.INSPECTION, FollowUp.Status.DRAFT)
    assert "未见主体施工" in draft.problem
