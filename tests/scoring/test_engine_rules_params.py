"""The `Rules` parameters: §4's defaults and the office's sanity checks."""

from datetime import date
from decimal import Decimal as D

import pytest

from scoring.engine import DEFAULT_RULES, Rules, evaluate_quarter, evaluate_year


def test_defaults_are_those_of_design_section_4():
    rules = Rules()
    assert rules.rate_cap == D("1.2")
    assert rules.rank_step == D("0.4")
    assert rules.milestone_late_rate == D("0.5")
    assert (rules.late_deduction, rules.missing_deduction, rules.timeliness_cap) == (
        D("0.5"),
        D(1),
        D(5),
    )
    assert (rules.bonus_cap, rules.penalty_cap) == (D(5), D(5))
    assert (rules.top_share, rules.bottom_share, rules.bottom_min_group) == (D("0.3"), D("0.1"), 5)
    assert (rules.lagging_below, rules.advanced_from) == (D(60), D(85))
    assert rules.quarter_weights == (D("0.2"), D("0.25"), D("0.25"), D("0.3"))
    assert (rules.excellent_share, rules.excellent_from) == (D("0.2"), D(85))
    assert rules.fair_below == D(70)
    assert (rules.poor_share, rules.poor_min_group) == (D("0.1"), 5)


def test_defaults_are_valid():
    assert DEFAULT_RULES.validate() == []


def test_numbers_are_converted_to_decimal_floats_through_their_repr():
    """0.3 as a float is 0.299999999999999988898…; through repr it is exactly 0.3."""
    rules = Rules(top_share=0.3, timeliness_cap=4, quarter_weights=(0.25, 0.25, 0.25, 0.25))
    assert rules.top_share == D("0.3")
    assert rules.timeliness_cap == D(4)
    assert rules.quarter_weights == (D("0.25"),) * 4
    assert rules.validate() == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"top_share": D("1.1")}, "先进比例"),
        ({"bottom_share": D("-0.1")}, "后进比例"),
        ({"excellent_share": D(2)}, "年度优秀比例"),
        ({"poor_share": D("-0.01")}, "年度较差比例"),
        ({"quarter_weights": (D("0.2"), D("0.25"), D("0.25"), D("0.31"))}, "季度权重之和"),
        ({"quarter_weights": (D("0.5"), D("0.5"), D("0.5"), D("-0.5"))}, "季度权重不得为负"),
        ({"timeliness_cap": D(-1)}, "及时性扣分上限"),
        ({"bonus_cap": D(-5)}, "加分上限"),
        ({"penalty_cap": D(-5)}, "减分上限"),
        ({"late_deduction": D("-0.5")}, "逾期扣分"),
        ({"rate_cap": D("0.9")}, "封顶"),
        ({"rank_step": D("1.5")}, "级差"),
        ({"milestone_late_rate": D("1.5")}, "节点逾期"),
        ({"lagging_below": D(90)}, "后进分数线不得高于先进分数线"),
        ({"fair_below": D(90)}, "年度一般分数线不得高于年度优秀分数线"),
        ({"bottom_min_group": 0}, "最小组规模"),
    ],
)
def test_validate_names_each_problem_in_chinese(change, fragment):
    errors = Rules(**change).validate()
    assert len(errors) == 1
    assert fragment in errors[0]


def test_weights_may_miss_one_by_less_than_1e_9():
    """0.2 + 0.25 + 0.25 + 0.3000000001 = 1.0000000001: off by 1e-10 < 1e-9, accepted."""
    nearly = Rules(quarter_weights=(D("0.2"), D("0.25"), D("0.25"), D("0.3000000001")))
    assert nearly.validate() == []
    off = Rules(quarter_weights=(D("0.2"), D("0.25"), D("0.25"), D("0.30000001")))
    assert off.validate() != []


def test_evaluations_refuse_invalid_rules():
    bad = Rules(top_share=D(2))
    with pytest.raises(ValueError, match="先进比例"):
        evaluate_quarter([], quarter_end=date(2026, 3, 31), rules=bad)
    with pytest.raises(ValueError, match="先进比例"):
        evaluate_year([], rules=bad)
