"""`evaluate_quarter`: rules 2–10 over a whole quarter, and rule 11's file entries."""

from datetime import date
from decimal import Decimal as D

import pytest

from scoring.engine import (
    Direction,
    IndicatorInput,
    Method,
    Milestone,
    Tier,
    UnitInput,
    display_points,
    evaluate_quarter,
    quarter_file_entries,
    quarterly_milestones,
)

Q2_END = date(2026, 6, 30)
QUARTERLY = quarterly_milestones(2026)
YEAR_END_ONLY = (Milestone(date(2026, 12, 31), D(1)),)

HIGHER, LOWER, MILESTONE = Direction.HIGHER_BETTER, Direction.LOWER_BETTER, Direction.MILESTONE
COMPLETION, RANK = Method.COMPLETION, Method.RANK


def invest(actual, milestones=QUARTERLY):
    """固定资产投资: 40 points, 10 亿 a year → T = 5 at the Q2 end."""
    return IndicatorInput("invest", D(40), COMPLETION, HIGHER, D(10), milestones, actual)


def crime(actual, milestones=QUARTERLY):
    """刑事案件: lower-better, 20 points, at most 40 a year → T = 20 at the Q2 end."""
    return IndicatorInput("crime", D(20), COMPLETION, LOWER, D(40), milestones, actual)


def signed(actual, milestones=QUARTERLY):
    """招商签约: rank method, 20 points, 8 a year → T = 4 at the Q2 end."""
    return IndicatorInput("signed", D(20), RANK, HIGHER, D(8), milestones, actual)


DUE_Q2_END = (Milestone(Q2_END, D(1)),)


def village(done_on, milestones=DUE_Q2_END):
    """试点村 done by 06-30: milestone, 20 points."""
    return IndicatorInput("village", D(20), COMPLETION, MILESTONE, D(1), milestones, None, done_on)


def accidents(actual, milestones=QUARTERLY):
    """安全事故: lower-better with target 0 ("zero accidents"), 10 points."""
    return IndicatorInput("accidents", D(10), COMPLETION, LOWER, D(0), milestones, actual)


def township_group():
    return [
        UnitInput(
            "t1",
            "towns",
            1,
            (invest(D(6)), crime(D(18)), signed(D(5)), village(date(2026, 6, 20)), accidents(0)),
            late_ledgers=1,
            adjustments=(D(3), D(4)),
        ),
        UnitInput(
            "t2",
            "towns",
            2,
            (invest(D(5)), crime(D(25)), signed(D(4)), village(None), accidents(D(1))),
            adjustments=(D(-1),),
        ),
        UnitInput(
            "t3",
            "towns",
            3,
            (invest(None), crime(D(10)), signed(D(5)), village(date(2026, 7, 2)), accidents(0)),
            missing_ledgers=2,
        ),
        UnitInput(
            "t4",
            "towns",
            4,
            (invest(D(1), YEAR_END_ONLY), signed(D(1), YEAR_END_ONLY)),
            late_ledgers=1,
        ),
    ]


def test_a_township_group_worked_by_hand():
    """Q2 2026, four townships, 110 points each (t4: only year-end targets).

    t1: invest 6/5 = 1.2 → 40 × 1.2 = 48; crime 18 <= 20 → 20; signed 5/4 = 1.25;
        village done 06-20 <= 06-30 → 20; accidents 0 with T = 0 → 10.
    t2: invest 5/5 = 1 → 40; crime 25 → 1 - 5/20 = 0.75 → 15; signed 4/4 = 1;
        village not done → 0; accidents 1 with T = 0 → 0.
    t3: invest not verified → A = 0 → 0; crime 10 → 20; signed 5/4 = 1.25;
        village done 07-02, after the quarter end → 0; accidents 0 → 10.
    t4: no milestone due by 06-30 → nothing scored → not evaluated.
    signed (rank method, n = 3): t1 and t3 tie at rank 1 → 20; t2 rank 3 → 20 × (1 - 0.4) = 12.
    Bases: t1 100 × 118/110 = 107.2727…; t2 100 × 67/110 = 60.9090…; t3 100 × 50/110 = 45.4545…
    t1: 1 late → -0.5; bonus 3 + 4 = 7 → 5: total 111.7727… → rank 1, 先进 (k_top = 1).
    t2: penalty 1: total 59.9090… → rank 2, below 60 → 后进.
    t3: 2 missing → -2: total 43.4545… → rank 3, 后进.
    """
    results = evaluate_quarter(township_group(), quarter_end=Q2_END).by_unit()
    t1, t2, t3 = (results[u] for u in ("t1", "t2", "t3"))

    assert [i.score for i in t1.indicators] == [D(48), D(20), D(20), D(20), D(10)]
    assert [i.score for i in t2.indicators] == [D(40), D(15), D(12), D(0), D(0)]
    assert [i.score for i in t3.indicators] == [D(0), D(20), D(20), D(0), D(10)]
    assert t1.base == D(11800) / D(110)
    assert t2.base == D(6700) / D(110)
    assert t3.base == D(5000) / D(110)
    assert (t1.scored_points, t1.earned_points) == (D(110), D(118))

    assert (t1.timeliness, t1.adjustment.net) == (D("-0.5"), D(5))
    assert (t2.timeliness, t2.adjustment.net) == (D(0), D(-1))
    assert (t3.timeliness, t3.adjustment.net) == (D(-2), D(0))
    assert [display_points(u.total) for u in (t1, t2, t3)] == [
        D("111.77"),
        D("59.91"),
        D("43.45"),
    ]

    assert [(u.rank, u.tier) for u in (t1, t2, t3)] == [
        (1, Tier.ADVANCED),
        (2, Tier.LAGGING),
        (3, Tier.LAGGING),
    ]
    assert t1.group_size == 3  # t4 is not counted


def test_indicator_results_explain_each_figure():
    """t1's signed: T = 8 × 0.5 = 4, A = 5, r = 1.25, rank 1 of 3. t3's invest: A counted as 0
    for want of a verified figure. t2's village: due 06-30, not done, r = 0."""
    results = evaluate_quarter(township_group(), quarter_end=Q2_END).by_unit()
    signed_t1 = results["t1"].indicators[2]
    assert (signed_t1.target_to_date, signed_t1.actual, signed_t1.rate) == (D(4), D(5), D("1.25"))
    assert (signed_t1.rank, signed_t1.rank_of, signed_t1.scored) == (1, 3, True)
    invest_t3 = results["t3"].indicators[0]
    assert (invest_t3.actual, invest_t3.rate, invest_t3.reason) == (
        D(0),
        D(0),
        "无已核实数据，按0计",
    )
    village_t2 = results["t2"].indicators[3]
    assert (village_t2.due, village_t2.rate, village_t2.actual) == (Q2_END, D(0), None)


def test_a_unit_with_no_scored_indicator_is_not_evaluated():
    """t4's targets all fall due on 12-31: at the Q2 end nothing is scored, so no base, total,
    rank or tier — but its late ledger still shows (-0.5) for the file."""
    t4 = evaluate_quarter(township_group(), quarter_end=Q2_END).by_unit()["t4"]
    assert not t4.evaluated
    assert (t4.base, t4.total, t4.rank, t4.tier) == (None, None, None, None)
    assert t4.timeliness == D("-0.5")
    assert [i.scored for i in t4.indicators] == [False, False]
    assert t4.indicators[0].reason == "本季度末前无到期节点，本季度不计分"
    assert t4.indicators[0].score is None


def test_results_are_listed_by_group_then_rank_then_not_evaluated():
    towns = township_group()
    department = UnitInput("d1", "departments", 1, (invest(D("4.5")), signed(D(2))))
    result = evaluate_quarter([*towns[:2], department, *towns[2:]], quarter_end=Q2_END)
    assert [u.unit_id for u in result.units] == ["t1", "t2", "t3", "t4", "d1"]
    assert [u.position for u in result.group("towns")] == [1, 2, 3, None]


def test_a_single_unit_group_takes_full_rank_points_and_can_be_advanced():
    """d1 alone: invest 4.5/5 = 0.9 → 36; signed r = 2/4 = 0.5 but rank 1 of 1 → full 20.
    Base 100 × 56/60 = 93.33…; n = 1, k_top = 1, total >= 85 → 先进."""
    d1 = UnitInput("d1", "departments", 1, (invest(D("4.5")), signed(D(2))))
    (result,) = evaluate_quarter([d1], quarter_end=Q2_END).units
    assert [i.score for i in result.indicators] == [D(36), D(20)]
    assert result.base == D(5600) / D(60)
    assert (result.rank, result.group_size, result.tier) == (1, 1, Tier.ADVANCED)


def test_rank_points_are_shared_only_within_a_group():
    """t1 (towns) and d1 (departments) each rank 1 of 1 on signed, whatever their rates."""
    units = [
        UnitInput("t1", "towns", 1, (signed(D(1)),)),
        UnitInput("d1", "departments", 1, (signed(D(9)),)),
    ]
    results = evaluate_quarter(units, quarter_end=Q2_END).by_unit()
    assert results["t1"].indicators[0].rank_of == 1
    assert results["t1"].indicators[0].score == D(20)


def test_a_vetoed_unit_with_the_best_total_ranks_last_and_is_lagging():
    """v: invest 6/5 → 48/40 → base 120; a: 5/5 → 100; b: 4/5 → 80. v has a veto: a 1st
    (先进, k_top = 1), b 2nd (达标), v 3rd (后进)."""
    units = [
        UnitInput("v", "towns", 1, (invest(D(6)),), vetoed=True),
        UnitInput("a", "towns", 2, (invest(D(5)),)),
        UnitInput("b", "towns", 3, (invest(D(4)),)),
    ]
    result = evaluate_quarter(units, quarter_end=Q2_END)
    assert [(u.unit_id, u.total, u.rank, u.tier) for u in result.units] == [
        ("a", D(100), 1, Tier.ADVANCED),
        ("b", D(80), 2, Tier.STANDARD),
        ("v", D(120), 3, Tier.LAGGING),
    ]


def test_lower_better_crime_at_and_above_target_through_a_quarter():
    """T = 20: 20 cases → r 1 → 20 points (base 100); 30 cases → 1 - 10/20 = 0.5 → base 50."""
    units = [
        UnitInput("at", "towns", 1, (crime(D(20)),)),
        UnitInput("above", "towns", 2, (crime(D(30)),)),
    ]
    results = evaluate_quarter(units, quarter_end=Q2_END).by_unit()
    assert results["at"].base == D(100)
    assert results["above"].base == D(50)


def test_milestone_done_late_scores_half_at_the_next_quarter_end():
    """Due 06-30, done 08-15: Q2 → 0 (not done by 06-30), Q3 → 0.5 × 20 = 10 → base 50."""
    unit = UnitInput("t", "towns", 1, (village(date(2026, 8, 15)),))
    q2 = evaluate_quarter([unit], quarter_end=Q2_END).units[0]
    q3 = evaluate_quarter([unit], quarter_end=date(2026, 9, 30)).units[0]
    assert q2.base == D(0)
    assert (q3.indicators[0].rate, q3.base) == (D("0.5"), D(50))


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="twice"):
        evaluate_quarter(
            [UnitInput("a", "g", 1, ()), UnitInput("a", "g", 2, ())], quarter_end=Q2_END
        )
    with pytest.raises(ValueError, match="twice"):
        evaluate_quarter([UnitInput("a", "g", 1, (crime(1), crime(2)))], quarter_end=Q2_END)
    completion_signed = IndicatorInput("signed", D(20), COMPLETION, HIGHER, D(8), QUARTERLY, D(1))
    with pytest.raises(ValueError, match="mixes"):
        evaluate_quarter(
            [UnitInput("a", "g", 1, (signed(1),)), UnitInput("b", "g", 2, (completion_signed,))],
            quarter_end=Q2_END,
        )
    with pytest.raises(ValueError, match="points"):
        IndicatorInput("x", D(0), COMPLETION, HIGHER, D(8), QUARTERLY, D(1))


# Rule 11 -----------------------------------------------------------------------------------


def test_rule_11_advanced_unit_gets_a_merit_and_one_entry_per_event():
    """Q2, 先进, 2 late ledgers, adjustments +3 and -1: merit 第二季度交帐亮相先进, two faults for
    the late ledgers, a merit for +3 and a fault for -1."""
    entries = quarter_file_entries(2, Tier.ADVANCED, late=2, adjustments=[D(3), D(-1)])
    assert [(e.merit, e.kind, e.description, e.points) for e in entries] == [
        (True, "tier", "第二季度交帐亮相先进", D(0)),
        (False, "late_ledger", "第二季度周帐逾期提交", D("-0.5")),
        (False, "late_ledger", "第二季度周帐逾期提交", D("-0.5")),
        (True, "adjustment", "第二季度加分3分", D(3)),
        (False, "adjustment", "第二季度减分1分", D(-1)),
    ]


def test_rule_11_lagging_unit_must_account_for_itself():
    entries = quarter_file_entries(1, Tier.LAGGING, missing=1, overdue_followups=1, vetoes=1)
    assert [(e.merit, e.description) for e in entries] == [
        (False, "第一季度交帐亮相后进，责令检讨"),
        (False, "第一季度周帐未报"),
        (False, "第一季度交办事项逾期未办结"),
        (False, "第一季度被一票否决"),
    ]


def test_rule_11_standard_or_unevaluated_unit_gets_no_tier_entry():
    assert quarter_file_entries(3, Tier.STANDARD) == ()
    assert [e.kind for e in quarter_file_entries(3, None, late=1)] == ["late_ledger"]


# Speed -------------------------------------------------------------------------------------


def county(units=90, indicators=60):
    """A county: 20 townships, 60 departments, 10 parks; half the indicators rank-method."""
    groups = ["towns"] * 20 + ["departments"] * 60 + ["parks"] * 10
    directions = [HIGHER, LOWER, MILESTONE]
    result = []
    for u in range(units):
        specs = tuple(
            IndicatorInput(
                indicator_id=i,
                points=D(5 + i % 4),
                method=RANK if i % 2 else COMPLETION,
                direction=directions[i % 3],
                annual_target=D(100 + 7 * i),
                milestones=QUARTERLY,
                actual=D((u * 37 + i * 11) % 160),
                done_on=date(2026, 6, (u + i) % 30 + 1) if (u + i) % 4 else None,
            )
            for i in range(indicators)
        )
        result.append(
            UnitInput(u, groups[u % len(groups)], u, specs, late_ledgers=u % 3, adjustments=(D(1),))
        )
    return result


def test_a_county_quarter_computes_every_unit():
    """90 units × 60 indicators all evaluated; its speed is measured by bench/quarter_compute.py."""
    result = evaluate_quarter(county(), quarter_end=Q2_END)
    assert len(result.units) == 90
    assert all(u.evaluated for u in result.units)
