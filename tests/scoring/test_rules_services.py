"""The year's rules through their services: `preview_rules` stores nothing, `apply_rules`
stores a checked set with who and why in its history. The quarter is test_whatif's."""

from decimal import Decimal

import pytest

from scoring.errors import ScoringError
from scoring.models import ScoringRules
from scoring.services.rules import APPLY_REASON, apply_rules, preview_rules
from tests.scoring.test_whatif import computed_quarter, stored_counts

pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal


@pytest.fixture
def quarter(db):
    return computed_quarter()


def test_apply_rules_stores_them_with_who_and_why(quarter):
    office, year = quarter.small.office, quarter.small.year
    before = stored_counts()
    rules = apply_rules(year=year, rules={"top_share": D("0.5")}, user=office)
    assert ScoringRules.objects.get(year=year).top_share == D("0.5") == rules.top_share
    latest = rules.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (office, APPLY_REASON)
    assert stored_counts() == before  # no score is recomputed


def test_apply_rules_checks_the_whole_set_and_changes_nothing_when_refused(quarter):
    year = quarter.small.year
    history = ScoringRules.history.count()
    with pytest.raises(ScoringError) as refused:
        apply_rules(year=year, rules={"q4_weight": D("0.4")}, user=quarter.small.office)
    assert any("季度权重之和须为1" in m for m in refused.value.messages)
    with pytest.raises(ScoringError):
        apply_rules(year=year, rules={"top_share": D("0.5")}, user=quarter.small.head)
    assert ScoringRules.objects.get(year=year).q4_weight == D("0.3")
    assert ScoringRules.objects.get(year=year).top_share == D("0.3")
    assert ScoringRules.history.count() == history


def test_preview_rules_stores_nothing(quarter):
    """top_share 0.5: k_top = ceil(0.5 × 3) = 2, so B (rank 2, total 95) becomes 先进."""
    before = stored_counts()
    stored = ScoringRules.objects.get(year=quarter.small.year)
    preview = preview_rules(
        evaluation=quarter.evaluation,
        rules=stored.as_engine_rules(top_share=D("0.5")),
        user=quarter.small.office,
    )
    assert (preview.rank_moves, preview.tier_moves) == (0, 1)
    assert stored_counts() == before
    assert ScoringRules.objects.get(year=quarter.small.year).top_share == D("0.3")
