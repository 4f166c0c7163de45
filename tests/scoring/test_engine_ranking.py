"""Rules 9 and 10: rank within the group and the tiers 先进 / 达标 / 后进."""

from decimal import Decimal as D

import pytest

from scoring.engine import Contender, Rules, Tier, quarter_tier, rank_group, tier_sizes

A, S, L = Tier.ADVANCED, Tier.STANDARD, Tier.LAGGING


def ranked(totals, vetoed=(), sort_orders=None):
    """Rank units u1, u2, … with the given totals; `vetoed` names units with a veto."""
    ids = [f"u{i}" for i in range(1, len(totals) + 1)]
    orders = sort_orders or range(1, len(totals) + 1)
    contenders = [
        Contender(unit, order, D(total), unit in vetoed)
        for unit, order, total in zip(ids, orders, totals, strict=True)
    ]
    return rank_group(contenders)


def tiers(totals, vetoed=(), no_excellence=()):
    """Tier of each unit u1, u2, … (in input order) within one group."""
    totals_by_id = {f"u{i}": D(t) for i, t in enumerate(totals, start=1)}
    result = {}
    for placing in ranked(totals, vetoed):
        result[placing.unit_id] = quarter_tier(
            rank=placing.rank,
            units_below=placing.units_below,
            group_size=len(totals),
            total=totals_by_id[placing.unit_id],
            vetoed=placing.unit_id in vetoed,
            no_excellence=placing.unit_id in no_excellence,
        )
    return [result[f"u{i}"] for i in range(1, len(totals) + 1)]


# Rule 9 ------------------------------------------------------------------------------------


def test_rule_9_ties_share_the_better_rank_1_2_2_4():
    """Totals 95, 90, 90, 80 → ranks 1, 2, 2, 4; units below: 3, 1, 1, 0."""
    placings = ranked(["95", "90", "90", "80"])
    assert [(p.unit_id, p.rank, p.units_below) for p in placings] == [
        ("u1", 1, 3),
        ("u2", 2, 1),
        ("u3", 2, 1),
        ("u4", 4, 0),
    ]
    assert [p.position for p in placings] == [1, 2, 3, 4]


def test_rule_9_ties_are_listed_by_unit_sort_order():
    """u1 (sort 30) and u2 (sort 10) both 90: u2 is listed first, both rank 1."""
    placings = ranked(["90", "90"], sort_orders=[30, 10])
    assert [(p.unit_id, p.rank) for p in placings] == [("u2", 1), ("u1", 1)]


def test_rule_9_totals_are_compared_at_full_precision():
    """88.444 and 88.4449 both show 88.44 but rank 1 and 2 — only exact equality ties;
    90.10 and 90.1 are the same number and tie."""
    assert [p.rank for p in ranked(["88.4449", "88.444"])] == [1, 2]
    assert [p.rank for p in ranked(["90.10", "90.1"])] == [1, 1]


def test_rule_9_vetoed_unit_with_the_best_total_ranks_last():
    """u1 98 with a veto, u2 90, u3 80: u2 1st, u3 2nd, u1 3rd; u1 is 后进, u2 先进 (k_top = 1,
    90 >= 85), u3 达标 (80 < 85)."""
    placings = ranked(["98", "90", "80"], vetoed={"u1"})
    assert [(p.unit_id, p.rank) for p in placings] == [("u2", 1), ("u3", 2), ("u1", 3)]
    assert tiers(["98", "90", "80"], vetoed={"u1"}) == [L, A, S]


def test_rule_9_vetoed_units_rank_among_themselves_by_total():
    """Clean 80, 60; vetoed 95, 70, 70 → 80:1, 60:2, 95v:3, 70v:4, 70v:4."""
    placings = ranked(["95", "80", "70", "60", "70"], vetoed={"u1", "u3", "u5"})
    assert [(p.unit_id, p.rank) for p in placings] == [
        ("u2", 1),
        ("u4", 2),
        ("u1", 3),
        ("u3", 4),
        ("u5", 4),
    ]


def test_rule_9_a_vetoed_unit_never_ties_with_a_clean_one():
    """Both 90, one vetoed: 1 and 2, not 1 and 1."""
    assert [p.rank for p in ranked(["90", "90"], vetoed={"u2"})] == [1, 2]


# Rule 10 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "k_top", "k_bottom"),
    [
        (1, 1, 1),  # max(1, ceil(0.3)), max(1, ceil(0.1))
        (3, 1, 1),  # ceil(0.9) = 1
        (4, 2, 1),  # ceil(1.2) = 2
        (5, 2, 1),  # ceil(1.5) = 2, ceil(0.5) = 1
        (10, 3, 1),  # ceil(3) = 3: exactly 3, not 4
        (11, 4, 2),  # ceil(3.3) = 4, ceil(1.1) = 2
        (18, 6, 2),  # ceil(5.4) = 6, ceil(1.8) = 2
        (20, 6, 2),
        (21, 7, 3),  # ceil(6.3) = 7, ceil(2.1) = 3
    ],
)
def test_rule_10_tier_sizes(n, k_top, k_bottom):
    assert tier_sizes(n) == (k_top, k_bottom)


def test_rule_10_shares_multiply_exactly():
    """A top share of 0.28 in a group of 25: 0.28 × 25 = 7 exactly → k_top = 7. (In binary
    floats the product is 7.000000000000001 and the ceiling 8.)"""
    assert tier_sizes(25, Rules(top_share=D("0.28"), bottom_share=D("0.56"))) == (7, 14)


def test_rule_10_group_of_4_ties_at_the_top_boundary_all_in_and_no_bottom_share():
    """n = 4: k_top = 2. Totals 95, 90, 90, 80 → ranks 1, 2, 2, 4: the three with rank <= 2
    and >= 85 are 先进. n < 5, so no bottom share: 80 is 达标."""
    assert tiers(["95", "90", "90", "80"]) == [A, A, A, S]


def test_rule_10_total_below_60_is_lagging_in_any_group():
    """n = 4, totals 95, 90, 70, 59.99: 59.99 < 60 → 后进; 60 exactly is not below 60."""
    assert tiers(["95", "90", "70", "59.99"]) == [A, A, S, L]
    assert tiers(["95", "90", "70", "60"]) == [A, A, S, S]


def test_rule_10_group_of_5_tie_at_the_bottom_boundary_all_in():
    """n = 5: k_top = 2, k_bottom = 1. Totals 90, 88, 86, 70, 70 → ranks 1, 2, 3, 4, 4.
    先进: ranks 1, 2. 86 has rank 3 > 2 → 达标. Both rank-4 units have 0 units below (< 1),
    so both are 后进."""
    assert tiers(["90", "88", "86", "70", "70"]) == [A, A, S, L, L]


def test_rule_10_group_of_5_one_unit_below_the_boundary():
    """Totals 90, 80, 75, 70, 55: rank 5 has 0 below → 后进 (and 55 < 60); rank 4 has 1 below
    (not < 1) → 达标. Only 90 is >= 85 → 先进."""
    assert tiers(["90", "80", "75", "70", "55"]) == [A, S, S, S, L]


def test_rule_10_group_all_tied_has_no_bottom_share():
    """n = 5 all 88: every unit rank 1 → never 'rank > 1', and all rank <= k_top = 2 → 先进."""
    assert tiers(["88"] * 5) == [A] * 5


def test_rule_10_group_of_10_top_share_is_exactly_3():
    """n = 10: k_top = 3, k_bottom = 1. Totals 96, 93, 90, 88, 80, 75, 70, 65, 64, 62 (all
    distinct): 先进 ranks 1–3; 88 at rank 4 is 达标, although >= 85;
    62 at rank 10 has 0 below → 后进; 64 has 1 below → 达标."""
    totals = ["96", "93", "90", "88", "80", "75", "70", "65", "64", "62"]
    assert tiers(totals) == [A, A, A, S, S, S, S, S, S, L]


def test_rule_10_group_of_10_ties_at_both_boundaries():
    """Totals 96, 93, 90, 90, 88, 80, 75, 70, 62, 62 → ranks 1, 2, 3, 3, 5, …, 9, 9.
    先进: ranks <= 3 → four units. Rank 9 twice, 0 below each → both 后进."""
    totals = ["96", "93", "90", "90", "88", "80", "75", "70", "62", "62"]
    assert tiers(totals) == [A, A, A, A, S, S, S, S, L, L]


GROUP_18 = [
    # ranks 1–5, then 90 twice (rank 6, 6), then 88 (rank 8) … 68 (rank 18)
    *["100", "98", "96", "94", "92", "90", "90", "88", "86"],
    *["84", "82", "80", "78", "76", "74", "72", "70", "68"],
]


def test_rule_10_group_of_18():
    """n = 18: k_top = ceil(5.4) = 6, k_bottom = ceil(1.8) = 2. Ranks 1–5, 6, 6, 8, …, 18.
    先进: the seven units with rank <= 6 (the tie at 6 all in); 88 (rank 8) 达标.
    Bottom: rank 18 (0 below) and 17 (1 below) → 后进; rank 16 has 2 below → 达标."""
    expected = [A] * 7 + [S] * 9 + [L, L]
    assert tiers(GROUP_18) == expected


def test_rule_10_group_of_18_vetoes_fill_the_bottom_share_first():
    """Same group, u1 (100) vetoed: u1 ranks 18th and is 后进. The clean units move up one:
    98, 96, 94, 92 rank 1–4, the 90s rank 5, 5 and 88 rank 7. 先进: the six with rank <= 6;
    88 is 达标. At the bottom 68 (rank 17) has 1 unit below — the vetoed one — (< 2) → 后进;
    70 (rank 16, 2 below) is 达标. Still two 后进: the veto took one of the two places."""
    result = tiers(GROUP_18, vetoed={"u1"})
    assert result[0] == L
    assert result[1:7] == [A] * 6
    assert result[7] == S  # 88
    assert result[16] == S  # 70
    assert result[17] == L  # 68
    assert result.count(L) == 2


def test_rule_10_group_of_18_tie_at_the_bottom_boundary_all_in():
    """Last three 70, 70, 68 → ranks 16, 16, 18: the 70s have 1 unit below (< 2) → both 后进,
    so three 后进 instead of two."""
    totals = [*GROUP_18[:15], "70", "70", "68"]
    result = tiers(totals)
    assert result[15:] == [L, L, L]
    assert result[14] == S


def test_rule_10_no_excellence_keeps_a_unit_from_advanced_and_frees_no_place():
    """n = 4, k_top = 2, totals 95, 90, 88, 86 with 一票否优 on u1: u1 达标, u2 (rank 2) 先进,
    u3 (rank 3) stays 达标 — ranks do not move."""
    assert tiers(["95", "90", "88", "86"], no_excellence={"u2", "u1"}) == [S, S, S, S]
    assert tiers(["95", "90", "88", "86"], no_excellence={"u1"}) == [S, A, S, S]


def test_rule_10_advanced_needs_85_exactly_or_more():
    """Single-unit group (k_top = 1): 85 → 先进, 84.99 → 达标, 59 → 后进."""
    assert tiers(["85"]) == [A]
    assert tiers(["84.99"]) == [S]
    assert tiers(["59"]) == [L]


def test_rule_10_vetoed_unit_is_lagging_whatever_its_total():
    assert tiers(["99"], vetoed={"u1"}) == [L]
