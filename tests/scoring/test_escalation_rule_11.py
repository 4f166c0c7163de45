"""Rule 11 after a 红牌: the quarter counts the overdue follow-up, publication files it once.

城关镇's follow-up due Fri 13 Feb 2026 gets its 黄牌 on Sat 14 Feb and its 红牌 on Sat 28 Feb (the
dates are worked out in tests/scoring/test_escalation.py): one fault in the file, first quarter.
Q1 computed on 15 April: 城关镇 shows 交办逾期 1 件, the other townships 0; publishing writes the
tier and ledger entries of rule 11 but no second overdue-follow-up entry.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from scoring.models import FileEntry, UnitScore
from scoring.reports.registry import get_export
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from tests.campaigns.builders import build_small_year
from tests.scoring.test_escalation import at, escalate, issue
from tests.scoring.test_pdf_reports import text_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
COMPUTED = datetime(2026, 4, 15, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def small(db):
    return build_small_year(year=2026)


def test_a_quarter_computed_after_a_red_card_counts_it_and_publication_files_it_once(
    small, client, tmp_path
):
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))
    escalate(2, 14)
    escalate(2, 28)
    follow_up.refresh_from_db()
    assert follow_up.card == "red"
    assert FileEntry.objects.filter(source="follow_up", quarter=1).count() == 1

    evaluation = open_evaluation(year=small.year, quarter=1)
    version = compute_quarter(evaluation=evaluation, user=small.office, now=COMPUTED)
    counts = dict(
        UnitScore.objects.filter(version=version).values_list("unit_id", "overdue_follow_ups")
    )
    town, *others = small.county.units[:3]
    assert counts[town.pk] == 1
    assert [counts[u.pk] for u in others] == [0, 0]

    client.force_login(small.office)
    page = client.get(reverse("unit-score", args=[evaluation.pk, town.pk])).content.decode()
    assert "1 件" in page and "交办逾期" in page
    detail = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert "交办逾期1件" in detail
    scorecard = tmp_path / "scorecard.pdf"
    scorecard.write_bytes(
        get_export("unit_scorecard").render({"evaluation_id": evaluation.pk, "unit_id": town.pk})[2]
    )
    assert "交办事项逾期1件（已记入绩误档案，不扣分）" in text_of(scorecard)

    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )
    publish_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(hours=1),
    )
    assert FileEntry.objects.filter(source="follow_up").count() == 1
    assert FileEntry.objects.filter(evaluation_version=version, source="follow_up").count() == 0
    # Publication did write its own rule-11 entries (the tiers, the missing ledgers).
    assert FileEntry.objects.filter(evaluation_version=version).exists()


def test_a_card_in_another_quarter_is_not_counted(small):
    """Due Wed 30 Sep → 黄牌 Thu 8 Oct (week 41, fourth quarter): Q1 counts nothing."""
    issue(small, due_on=date(2026, 9, 30), issued=at(9, 21))
    escalate(10, 8)
    evaluation = open_evaluation(year=small.year, quarter=1)
    version = compute_quarter(evaluation=evaluation, user=small.office, now=COMPUTED)
    assert set(version.unit_scores.values_list("overdue_follow_ups", flat=True)) == {0}
