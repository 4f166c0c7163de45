"""What-if: the office previews a rule change on the live quarter, then may apply it.

The quarter (`computed_quarter`, also used by test_appeal_views): Q1 of the current ISO year,
three townships of one group, one ledger each in the quarter's last week, verified; the other
twelve weeks are missing, so every unit loses the capped 5 points for timeliness.
- 固定资产投资完成额: 10 points, target 12 → T = 3.   刑事案件发案数: 5 points, target 40 → T = 10.
- A(城关镇): 3.6 → r 1.2 → 12; 8 cases → 5.  base 100 × 17/15 = 113.33, total 108.33, rank 1.
- B(青山镇): 3.0 → r 1 → 10;   10 cases → 5.  base 100, total 95, rank 2.
- C(白沙镇): 1.5 → r 0.5 → 5;  10 cases → 5.  base 66.67, total 61.67, rank 3.
Group of 3: k_top = max(1, ceil(0.3 × 3)) = 1 → A 先进, B and C 达标.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from campaigns.models import LedgerEntry
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import verify_entries
from campaigns.services.years import set_target
from scoring.models import EvaluationVersion, IndicatorScore, ScoringRules, UnitScore
from scoring.services.evaluations import compute_quarter, open_evaluation
from scoring.views.office import RULE_FIELDS
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal


@dataclass
class Quarter:
    small: object
    evaluation: object
    a: object
    b: object
    c: object


def computed_quarter() -> Quarter:
    small = build_small_year()
    a, b, c = small.county.units[:3]
    zfw = make_user("zfw", Role.REVIEWER, unit=small.cases.lead_unit)
    last = small.year.periods.filter(quarter=1).order_by("-iso_week").first()
    figures = {a: ("3.6", 8), b: ("3.0", 10), c: ("1.5", 10)}
    for unit, (investment, cases) in figures.items():
        set_target(
            indicator=small.flood,
            unit=unit,
            annual_value=None,
            milestones=[(date(small.year.year, 7, 31), D(1))],
        )
        reporter = make_user(f"rep-{unit.pk}", Role.REPORTER, unit=unit)
        moment = last.deadline - timedelta(hours=5)
        ledger = open_ledger(unit=unit, period=last)
        save_entries(
            ledger=ledger,
            user=reporter,
            now=moment,
            changes={
                small.investment.pk: EntryInput(value=D(investment)),
                small.cases.pk: EntryInput(value=D(cases)),
                small.flood.pk: EntryInput(),
            },
        )
        submit_ledger(ledger=ledger, user=reporter, now=moment)
    entries = LedgerEntry.objects.filter(ledger__period=last)
    verify_entries(
        entry_ids=list(entries.filter(indicator=small.investment).values_list("pk", flat=True)),
        user=small.reviewer,
    )
    verify_entries(
        entry_ids=list(entries.filter(indicator=small.cases).values_list("pk", flat=True)),
        user=zfw,
    )
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=small.office)
    evaluation.refresh_from_db()
    return Quarter(small, evaluation, a, b, c)


@pytest.fixture
def quarter(db):
    return computed_quarter()


@pytest.fixture
def office_client(client, quarter):
    client.force_login(quarter.small.office)
    return client


def rules_data(quarter, action="preview", **changes):
    rules = ScoringRules.objects.get(year=quarter.small.year)
    data = {name: str(getattr(rules, name)) for name in RULE_FIELDS}
    data.update({name: str(value) for name, value in changes.items()})
    data.setdefault("rules_year", quarter.small.year.year)
    return {**data, "action": action}


def stored_counts():
    return (
        UnitScore.objects.count(),
        IndicatorScore.objects.count(),
        EvaluationVersion.objects.count(),
    )


def moves(response) -> dict:
    return {m.unit.short_name: m for _, rows in response.context["groups"] for m in rows}


def test_the_form_is_prefilled_with_the_years_rules(office_client, quarter):
    page = office_client.get(reverse("whatif", args=[quarter.evaluation.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["top_share"].value() == D("0.3") and form["q4_weight"].value() == D("0.3")
    assert set(RULE_FIELDS) <= set(form.fields)


def test_a_larger_top_share_makes_b_advanced_and_stores_nothing(office_client, quarter):
    """top_share 0.5: k_top = ceil(0.5 × 3) = 2, so B (rank 2, total 95 >= 85) is 先进."""
    before = stored_counts()
    page = office_client.post(
        reverse("whatif", args=[quarter.evaluation.pk]), rules_data(quarter, top_share="0.5")
    )
    assert page.status_code == 200
    got = moves(page)
    b = got[quarter.b.short_name]
    assert (b.before.tier, b.after.tier.value, b.tier_moved) == ("standard", "advanced", True)
    assert not got[quarter.a.short_name].tier_moved and not got[quarter.c.short_name].tier_moved
    assert f'data-unit="{quarter.b.pk}" data-moved="tier"' in page.content.decode()
    assert stored_counts() == before
    assert ScoringRules.objects.get(year=quarter.small.year).top_share == D("0.3")


def test_a_lower_rate_cap_ties_a_with_b(office_client, quarter):
    """rate_cap 1: A's investment earns 10, base 100, total 95 = B's: both rank 1, both 先进."""
    before = stored_counts()
    page = office_client.post(
        reverse("whatif", args=[quarter.evaluation.pk]), rules_data(quarter, rate_cap="1")
    )
    got = moves(page)
    a, b = got[quarter.a.short_name], got[quarter.b.short_name]
    assert a.after.total == b.after.total == D(95)
    assert (a.after.rank, b.after.rank) == (1, 1)
    assert b.rank_moved and b.tier_moved and b.after_tier_label == "先进"
    assert page.context["tier_moves"] == 1
    assert stored_counts() == before


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"q4_weight": "0.4"}, "季度权重之和须为1"),
        ({"top_share": "1.5"}, "先进比例须在0到1之间"),
    ],
)
def test_invalid_rules_are_refused_with_chinese_messages(office_client, quarter, changes, message):
    history = ScoringRules.history.count()
    before = stored_counts()
    for action in ("preview", "apply"):
        page = office_client.post(
            reverse("whatif", args=[quarter.evaluation.pk]), rules_data(quarter, action, **changes)
        )
        assert page.status_code == 400
        assert message in page.content.decode()
    rules = ScoringRules.objects.get(year=quarter.small.year)
    assert (rules.q4_weight, rules.top_share) == (D("0.3"), D("0.3"))
    assert ScoringRules.history.count() == history and stored_counts() == before


def test_rules_of_another_year_are_refused(office_client, quarter):
    page = office_client.post(
        reverse("whatif", args=[quarter.evaluation.pk]),
        rules_data(quarter, "apply", top_share="0.5", rules_year=quarter.small.year.year - 1),
    )
    assert page.status_code == 400
    assert "不能用于" in page.content.decode()
    assert ScoringRules.objects.get(year=quarter.small.year).top_share == D("0.3")


def test_apply_saves_the_rules_with_history_and_computes_nothing(office_client, quarter):
    before = stored_counts()
    response = office_client.post(
        reverse("whatif", args=[quarter.evaluation.pk]),
        rules_data(quarter, "apply", top_share="0.5"),
    )
    assert response.status_code == 302
    assert response.url == reverse("evaluation-detail", args=[quarter.evaluation.pk])
    rules = ScoringRules.objects.get(year=quarter.small.year)
    assert rules.top_share == D("0.5")
    latest = rules.history.latest("history_date")
    assert latest.history_user == quarter.small.office and latest.top_share == D("0.5")
    assert stored_counts() == before


def test_only_the_office_previews(client, quarter):
    client.force_login(quarter.small.head)
    url = reverse("whatif", args=[quarter.evaluation.pk])
    assert client.post(url, rules_data(quarter, "apply", top_share="0.5")).status_code == 403
    assert ScoringRules.objects.get(year=quarter.small.year).top_share == D("0.3")
