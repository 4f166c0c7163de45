"""Rule 12: annual score, rank and grade."""

from decimal import Decimal as D

from scoring.engine import AnnualUnitInput, Grade, annual_grade, annual_score, evaluate_year

EXCELLENT, GOOD, FAIR, POOR = Grade.EXCELLENT, Grade.GOOD, Grade.FAIR, Grade.POOR


def grades(*scores):
    """Grades of units u1, u2, … of one group who scored the same in all four quarters."""
    units = [AnnualUnitInput(f"u{i}", "g", i, (D(s),) * 4) for i, s in enumerate(scores, start=1)]
    return [(u.rank, u.grade) for u in evaluate_year(units).units]


def test_rule_12_weights_0_2_0_25_0_25_0_3():
    """80, 90, 85, 95: 0.2 × 80 + 0.25 × 90 + 0.25 × 85 + 0.3 × 95
    = 16 + 22.5 + 21.25 + 28.5 = 88.25."""
    assert annual_score([D(80), D(90), D(85), D(95)]) == D("88.25")


def test_rule_12_a_quarter_not_evaluated_drops_out_and_weights_rescale():
    """Q1 not evaluated; 90, 85, 95: (22.5 + 21.25 + 28.5) / (0.25 + 0.25 + 0.3)
    = 72.25 / 0.8 = 90.3125."""
    assert annual_score([None, D(90), D(85), D(95)]) == D("90.3125")


def test_rule_12_rescaled_weights_keep_a_steady_unit_steady():
    """70 in Q2 and Q4 only: (0.25 × 70 + 0.3 × 70) / 0.55 = 70."""
    assert annual_score([None, D(70), None, D(70)]) == D(70)


def test_rule_12_hand_entered_file_points_add_to_the_year():
    """88.25 + 2 - 0.5 = 89.75."""
    assert annual_score([D(80), D(90), D(85), D(95)], [D(2), D("-0.5")]) == D("89.75")


def test_rule_12_a_unit_never_evaluated_has_no_annual_score():
    assert annual_score([None] * 4, [D(3)]) is None


def test_rule_12_grades_in_a_group_of_6_with_a_veto_and_a_no_excellence():
    """n = 6: k_excellent = max(1, ceil(1.2)) = 2, k_poor = max(1, ceil(0.6)) = 1.
    a 92 (rank 1) 优秀; f 90 (rank 2) has 一票否优 → 良好; b 88 is rank 3 > 2 → 良好;
    c 80 良好; d 65 (rank 5) has the vetoed unit below it (1, not < 1) → not 较差, < 70 → 一般;
    e 95 with a veto in Q3 ranks 6th → 较差."""
    units = [
        AnnualUnitInput("a", "g", 1, (92, 92, 92, 92)),
        AnnualUnitInput("b", "g", 2, (88, 88, 88, 88)),
        AnnualUnitInput("c", "g", 3, (80, 80, 80, 80)),
        AnnualUnitInput("d", "g", 4, (65, 65, 65, 65)),
        AnnualUnitInput("e", "g", 5, (95, 95, 95, 95), vetoed=True),
        AnnualUnitInput("f", "g", 6, (90, 90, 90, 90), no_excellence=True),
    ]
    result = evaluate_year(units)
    assert [(u.unit_id, u.rank, u.grade) for u in result.units] == [
        ("a", 1, EXCELLENT),
        ("f", 2, GOOD),
        ("b", 3, GOOD),
        ("c", 4, GOOD),
        ("d", 5, FAIR),
        ("e", 6, POOR),
    ]


def test_rule_12_bottom_ten_percent_is_poor_in_groups_of_5():
    """n = 5: k_excellent = 1, k_poor = 1. 90 优秀; 84 (rank 2) 良好; 78, 72 良好;
    68 at rank 5 (0 below) → 较差 before 一般."""
    assert [grade for _, grade in grades(90, 84, 78, 72, 68)] == [
        EXCELLENT,
        GOOD,
        GOOD,
        GOOD,
        POOR,
    ]


def test_rule_12_small_groups_have_no_bottom_share():
    """n = 4: 95 优秀; 66, 64, 60 all < 70 → 一般, none 较差."""
    assert [grade for _, grade in grades(95, 66, 64, 60)] == [EXCELLENT, FAIR, FAIR, FAIR]


def test_rule_12_ties_share_rank_and_the_excellent_boundary():
    """n = 5, k_excellent = 1: 90 and 90 both rank 1 → both 优秀; the rest rank 3, 4, 5."""
    assert grades(90, 90, 80, 75, 74) == [
        (1, EXCELLENT),
        (1, EXCELLENT),
        (3, GOOD),
        (4, GOOD),
        (5, POOR),
    ]


def test_rule_12_excellent_needs_85():
    """A single unit at rank 1 with 84.99 is 良好, with 85 优秀, with 69.99 一般."""

    def grade(score):
        return annual_grade(rank=1, units_below=0, group_size=1, score=D(score), vetoed=False)

    assert grade("85") == EXCELLENT
    assert grade("84.99") == GOOD
    assert grade("69.99") == FAIR


def test_rule_12_a_unit_not_evaluated_all_year_is_listed_without_grade():
    units = [
        AnnualUnitInput("a", "g", 1, (80, None, None, None)),
        AnnualUnitInput("z", "g", 2, (None,) * 4, file_points=(D(1),)),
    ]
    a, z = evaluate_year(units).units
    assert (a.rank, a.group_size, a.score) == (1, 1, D(80))
    assert (z.score, z.rank, z.grade) == (None, None, None)
