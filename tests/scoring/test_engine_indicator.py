"""Rules 1–4: the actual, the target to date, the rate and the indicator score."""

from datetime import date
from decimal import Decimal as D

import pytest

from scoring.engine import (
    DEFAULT_RULES,
    Direction,
    LedgerFigure,
    Milestone,
    Rules,
    actual_at_quarter_end,
    competition_ranks,
    completion_score,
    milestone_due_by,
    quarter_end,
    quarterly_milestones,
    rank_score,
    rate_higher_better,
    rate_lower_better,
    rate_milestone,
    target_to_date,
    unscored_reason,
)

Q1 = date(2026, 3, 31)
Q2 = date(2026, 6, 30)
Q3 = date(2026, 9, 30)
Q4 = date(2026, 12, 31)


# Rule 1 ------------------------------------------------------------------------------------


def test_rule_1_takes_the_latest_verified_figure_in_or_before_the_quarter():
    """Weeks of Thu 03-12 (80, verified), 03-19 (100, verified), 03-26 (130, not yet verified)
    and 04-02 (150, verified, Q2). At the Q1 end the latest verified Q1 figure is 100."""
    figures = [
        LedgerFigure(date(2026, 3, 19), D(100), verified=True),
        LedgerFigure(date(2026, 3, 12), D(80), verified=True),
        LedgerFigure(date(2026, 3, 26), D(130), verified=False),
        LedgerFigure(date(2026, 4, 2), D(150), verified=True),
    ]
    assert actual_at_quarter_end(figures, Q1) == D(100)
    assert actual_at_quarter_end(figures, Q2) == D(150)


def test_rule_1_week_one_of_2026_belongs_to_q1_by_its_thursday():
    """ISO week 1 of 2026 starts Mon 2025-12-29; its Thursday 2026-01-01 puts it in Q1."""
    figures = [LedgerFigure(date(2026, 1, 1), D(7), verified=True)]
    assert actual_at_quarter_end(figures, Q1) == D(7)


def test_rule_1_nothing_verified_is_none_which_scores_as_zero():
    figures = [LedgerFigure(date(2026, 3, 26), D(130), verified=False)]
    assert actual_at_quarter_end(figures, Q1) is None
    assert actual_at_quarter_end([], Q1) is None


# Rule 2 ------------------------------------------------------------------------------------


def test_rule_2_default_milestones_are_quarter_ends_at_25_50_75_100_percent():
    """Annual target 200 → T = 50, 100, 150, 200 at the four quarter ends."""
    milestones = quarterly_milestones(2026)
    assert [m.due for m in milestones] == [Q1, Q2, Q3, Q4]
    targets = [target_to_date(D(200), milestones, end) for end in (Q1, Q2, Q3, Q4)]
    assert targets == [D(50), D(100), D(150), D(200)]


def test_rule_2_the_speech_milestone_80_percent_by_july_end():
    """Milestones 06-30 50 %, 07-31 80 %, 12-31 100 % of 200: T = 100 at Q2, 160 at Q3
    (07-31 is the last due by 09-30), 200 at Q4."""
    milestones = (
        Milestone(date(2026, 7, 31), D("0.8")),
        Milestone(date(2026, 6, 30), D("0.5")),
        Milestone(date(2026, 12, 31), D(1)),
    )
    assert target_to_date(D(200), milestones, Q2) == D(100)
    assert target_to_date(D(200), milestones, Q3) == D(160)
    assert target_to_date(D(200), milestones, Q4) == D(200)


def test_rule_2_no_milestone_due_yet_means_not_scored():
    milestones = (Milestone(Q4, D(1)),)
    assert target_to_date(D(200), milestones, Q1) is None
    assert unscored_reason(Direction.HIGHER_BETTER, None) == "本季度末前无到期节点，本季度不计分"


def test_rule_2_a_milestone_due_on_the_quarter_end_counts():
    assert milestone_due_by((Milestone(Q1, D("0.3")),), Q1) == Milestone(Q1, D("0.3"))


def test_rule_2_two_milestones_on_one_day_the_larger_fraction_wins_in_any_order():
    a, b = Milestone(Q2, D("0.4")), Milestone(Q2, D("0.6"))
    assert milestone_due_by((a, b), Q2) == b
    assert milestone_due_by((b, a), Q2) == b


def test_rule_2_higher_better_target_of_zero_or_less_is_not_scored():
    assert unscored_reason(Direction.HIGHER_BETTER, D(0)) == "目标值不大于0，本季度不计分"
    assert unscored_reason(Direction.HIGHER_BETTER, D(-3)) is not None
    assert unscored_reason(Direction.HIGHER_BETTER, D("0.01")) is None


def test_rule_2_lower_better_target_of_zero_is_scored_negative_is_not():
    assert unscored_reason(Direction.LOWER_BETTER, D(0)) is None
    assert unscored_reason(Direction.LOWER_BETTER, D(-1)) == "目标值为负，本季度不计分"


def test_quarter_end_dates():
    assert [quarter_end(2026, q) for q in (1, 2, 3, 4)] == [Q1, Q2, Q3, Q4]
    with pytest.raises(ValueError):
        quarter_end(2026, 5)


# Rule 3 ------------------------------------------------------------------------------------


def test_rule_3_higher_better_is_actual_over_target_uncapped():
    """A = 45, T = 50 → 0.9; A = 70, T = 50 → 1.4 (the cap belongs to rule 4)."""
    assert rate_higher_better(D(45), D(50)) == D("0.9")
    assert rate_higher_better(D(70), D(50)) == D("1.4")
    with pytest.raises(ValueError):
        rate_higher_better(D(1), D(0))


def test_rule_3_lower_better_at_and_below_target_is_one():
    """T = 20 criminal cases to date: A = 20 → 1, A = 15 → 1."""
    assert rate_lower_better(D(20), D(20)) == 1
    assert rate_lower_better(D(15), D(20)) == 1


def test_rule_3_lower_better_above_target_loses_the_overshoot_share():
    """T = 20: A = 25 → 1 - 5/20 = 0.75; A = 40 → 1 - 20/20 = 0; A = 50 → max(0, -0.5) = 0."""
    assert rate_lower_better(D(25), D(20)) == D("0.75")
    assert rate_lower_better(D(40), D(20)) == 0
    assert rate_lower_better(D(50), D(20)) == 0


def test_rule_3_lower_better_zero_target_is_zero_accidents():
    """T = 0: A = 0 → 1; a single accident, A = 1 → 0."""
    assert rate_lower_better(D(0), D(0)) == 1
    assert rate_lower_better(D(1), D(0)) == 0


def test_rule_3_milestone_done_by_due_date_is_one():
    """Due 06-30: done 06-15 or on 06-30 itself → 1 at the Q2 end."""
    assert rate_milestone(date(2026, 6, 15), Q2, Q2) == 1
    assert rate_milestone(Q2, Q2, Q2) == 1


def test_rule_3_milestone_done_late_by_quarter_end_is_half():
    """Due 06-30, done 08-15: at the Q3 end (09-30) late but within the quarter → 0.5."""
    assert rate_milestone(date(2026, 8, 15), Q2, Q3) == D("0.5")


def test_rule_3_milestone_not_done_by_quarter_end_is_zero():
    """Due 06-30: not done → 0; done 10-05 → 0 at the Q3 end, 0.5 at the Q4 end."""
    assert rate_milestone(None, Q2, Q3) == 0
    assert rate_milestone(date(2026, 10, 5), Q2, Q3) == 0
    assert rate_milestone(date(2026, 10, 5), Q2, Q4) == D("0.5")


def test_rule_3_milestone_late_rate_is_a_parameter():
    rules = Rules(milestone_late_rate=D("0.3"))
    assert rate_milestone(date(2026, 8, 15), Q2, Q3, rules) == D("0.3")


# Rule 4 ------------------------------------------------------------------------------------


def test_rule_4_completion_is_points_times_rate_capped_at_1_2():
    """10 points: r = 0.9 → 9; r = 1.2 → 12; r = 1.4 → 10 × 1.2 = 12; r = -0.25 → 0."""
    assert completion_score(D(10), D("0.9")) == D(9)
    assert completion_score(D(10), D("1.2")) == D(12)
    assert completion_score(D(10), D("1.4")) == D(12)
    assert completion_score(D(10), D("-0.25")) == 0


def test_competition_ranks_ties_share_the_better_rank():
    """Rates 0.9, 1.1, 0.5, 0.9 → 1.1 first, both 0.9 second, 0.5 fourth: 2, 1, 4, 2."""
    assert competition_ranks([D("0.9"), D("1.1"), D("0.5"), D("0.9")]) == [2, 1, 4, 2]
    assert competition_ranks([D("1.0"), D(1)]) == [1, 1]


def test_rule_4_rank_method_loses_0_4_of_points_from_first_to_last():
    """n = 4, 10 points: rank 1 → 10; rank 2 → 10 × (1 - 0.4 × 1/3) = 26/3 = 8.666…;
    rank 4 → 10 × (1 - 0.4) = 6."""
    assert rank_score(D(10), 1, 4) == D(10)
    assert rank_score(D(10), 2, 4) == D(26) / D(3)
    assert rank_score(D(10), 4, 4) == D(6)


def test_rule_4_rank_method_single_unit_takes_full_points():
    assert rank_score(D(10), 1, 1) == D(10)


def test_rule_4_rank_method_ties_with_shared_rank_score_the_same():
    """Rates 1.1, 0.9, 0.9, 0.5 (n = 4) → ranks 1, 2, 2, 4 → 10, 26/3, 26/3, 6."""
    ranks = competition_ranks([D("1.1"), D("0.9"), D("0.9"), D("0.5")])
    scores = [rank_score(D(10), rank, 4, DEFAULT_RULES) for rank in ranks]
    assert scores == [D(10), D(26) / 3, D(26) / 3, D(6)]


def test_rule_4_rank_outside_the_group_is_refused():
    with pytest.raises(ValueError):
        rank_score(D(10), 5, 4)
