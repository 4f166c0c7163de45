"""Rules 5–8: base score, timeliness, adjustments and the total."""

from decimal import Decimal as D

import pytest

from scoring.engine import (
    Rules,
    base_score,
    capped_adjustments,
    display_points,
    timeliness_deduction,
    total_score,
)

# Rule 5 ------------------------------------------------------------------------------------


def test_rule_5_base_is_earned_over_points_of_scored_indicators_on_100():
    """(10 points, 9 earned) and (20 points, 24 earned, r capped at 1.2):
    100 × (9 + 24) / (10 + 20) = 110. An unscored 30-point indicator is not in the pairs."""
    assert base_score([(D(10), D(9)), (D(20), D(24))]) == D(110)


def test_rule_5_units_with_different_task_lists_compare_on_one_scale():
    """Unit A: one 10-point indicator fully done → 100. Unit B: 40 points, 30 earned → 75."""
    assert base_score([(D(10), D(10))]) == D(100)
    assert base_score([(D(25), D(20)), (D(15), D(10))]) == D(75)


def test_rule_5_no_scored_indicator_gives_no_base():
    """Nothing to measure: None, which `evaluate_quarter` treats as 'not evaluated'."""
    assert base_score([]) is None


# Rule 6 ------------------------------------------------------------------------------------


def test_rule_6_late_and_missing_ledgers():
    """3 late, 1 missing: -(3 × 0.5 + 1 × 1) = -2.5."""
    assert timeliness_deduction(3, 1) == D("-2.5")
    assert timeliness_deduction(0, 0) == 0


def test_rule_6_deduction_is_capped_at_5():
    """6 late, 3 missing: 3 + 3 = 6 → capped at -5; 10 late = exactly 5 → -5."""
    assert timeliness_deduction(6, 3) == D(-5)
    assert timeliness_deduction(10, 0) == D(-5)
    assert timeliness_deduction(13, 13) == D(-5)


def test_rule_6_cap_and_deductions_are_parameters():
    rules = Rules(late_deduction=D(1), missing_deduction=D(2), timeliness_cap=D(3))
    assert timeliness_deduction(1, 0, rules) == D(-1)
    assert timeliness_deduction(1, 1, rules) == D(-3)
    assert timeliness_deduction(0, 5, rules) == D(-3)


def test_rule_6_negative_counts_are_refused():
    with pytest.raises(ValueError):
        timeliness_deduction(-1, 0)


# Rule 7 ------------------------------------------------------------------------------------


def test_rule_7_bonus_side_is_capped_at_5():
    """+3, +4, -2: bonus 7 → 5, penalty 2, net +3."""
    adjustment = capped_adjustments([D(3), D(4), D(-2)])
    assert (adjustment.bonus, adjustment.penalty, adjustment.net) == (D(5), D(2), D(3))


def test_rule_7_penalty_side_is_capped_at_5():
    """-4, -3, +1: bonus 1, penalty 7 → 5, net -4."""
    adjustment = capped_adjustments([D(-4), D(-3), D(1)])
    assert (adjustment.bonus, adjustment.penalty, adjustment.net) == (D(1), D(5), D(-4))


def test_rule_7_sides_are_capped_before_netting():
    """+7 and -3: capped 5 - 3 = +2, not min(5, 7 - 3) = +4."""
    assert capped_adjustments([D(7), D(-3)]).net == D(2)


def test_rule_7_decimal_items_add_exactly():
    """0.1 + 0.2 = 0.3 exactly (in floats it would be 0.30000000000000004)."""
    assert capped_adjustments([D("0.1"), D("0.2")]).net == D("0.3")


# Rule 8 ------------------------------------------------------------------------------------


def test_rule_8_total_is_base_plus_timeliness_plus_adjustments():
    """92.5 - 1 + 2 = 93.5."""
    assert total_score(D("92.5"), D(-1), D(2)) == D("93.5")


def test_rule_8_rounds_to_2_decimals_for_display_only():
    """26/3 = 8.666… shows 8.67; 93.455 shows 93.46 (half up); the total keeps every digit."""
    total = total_score(D(26) / 3, D(0), D(0))
    assert display_points(total) == D("8.67")
    assert total != D("8.67")
    assert display_points(D("93.455")) == D("93.46")
    assert display_points(D("-2.5")) == D("-2.50")
