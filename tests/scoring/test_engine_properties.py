"""Invariants of the rules, checked on generated groups (hypothesis)."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from scoring.engine import (
    AnnualUnitInput,
    Contender,
    Direction,
    Grade,
    IndicatorInput,
    Method,
    Tier,
    UnitInput,
    annual_score,
    completion_score,
    evaluate_quarter,
    evaluate_year,
    quarter_tier,
    quarterly_milestones,
    rank_group,
    rate_higher_better,
    rate_lower_better,
    tier_sizes,
)

# Totals on a coarse grid, so ties are frequent; some below 60, some above 85.
totals = st.integers(min_value=0, max_value=30).map(lambda i: D(40) + D(2) * i)
contender_rows = st.lists(st.tuples(totals, st.booleans()), min_size=1, max_size=25)


def contenders(rows):
    return [Contender(f"u{i}", i, total, vetoed) for i, (total, vetoed) in enumerate(rows)]


def strictly_better(a: Contender, b: Contender) -> bool:
    """Rule 9's order: no veto beats a veto; otherwise the larger total."""
    if a.vetoed != b.vetoed:
        return not a.vetoed
    return a.total > b.total


@given(contender_rows)
def test_ranks_are_a_competition_ranking(rows):
    """Rank r means exactly r - 1 units are strictly better; equal units share a rank; the
    listing runs in rank order; units_below counts the strictly worse."""
    group = contenders(rows)
    by_id = {c.unit_id: c for c in group}
    placings = rank_group(group)
    assert [p.position for p in placings] == list(range(1, len(group) + 1))
    assert [p.rank for p in placings] == sorted(p.rank for p in placings)
    for placing in placings:
        me = by_id[placing.unit_id]
        better = sum(strictly_better(other, me) for other in group)
        worse = sum(strictly_better(me, other) for other in group)
        assert placing.rank == better + 1
        assert placing.units_below == worse


@given(contender_rows)
def test_a_vetoed_unit_always_ranks_after_every_unit_without_one(rows):
    placings = rank_group(contenders(rows))
    vetoed = {f"u{i}" for i, (_, v) in enumerate(rows) if v}
    clean_ranks = [p.rank for p in placings if p.unit_id not in vetoed]
    vetoed_ranks = [p.rank for p in placings if p.unit_id in vetoed]
    if clean_ranks and vetoed_ranks:
        assert max(clean_ranks) < min(vetoed_ranks)


def group_tiers(rows, no_excellence=frozenset()):
    """(placing, tier) in listing order for one group."""
    group = contenders(rows)
    by_id = {c.unit_id: c for c in group}
    return [
        (
            placing,
            quarter_tier(
                rank=placing.rank,
                units_below=placing.units_below,
                group_size=len(group),
                total=by_id[placing.unit_id].total,
                vetoed=by_id[placing.unit_id].vetoed,
                no_excellence=placing.unit_id in no_excellence,
            ),
        )
        for placing in rank_group(group)
    ]


@given(contender_rows)
def test_tier_counts_follow_the_shares(rows):
    """先进 only within rank <= k_top; every vetoed unit 后进; 后进 runs to the end of the list
    (everyone listed after a 后进 is 后进 too); in a group of 5 or more where not everyone ties
    at rank 1, someone is 后进."""
    n = len(rows)
    k_top, _ = tier_sizes(n)
    placed = group_tiers(rows)
    advanced = [p for p, tier in placed if tier is Tier.ADVANCED]
    assert len(advanced) <= sum(p.rank <= k_top for p, _ in placed)
    assert all(p.rank <= k_top for p in advanced)
    lagging_flags = [tier is Tier.LAGGING for _, tier in placed]
    if True in lagging_flags:
        first = lagging_flags.index(True)
        assert all(lagging_flags[first:])
    vetoed_ids = {f"u{i}" for i, (_, vetoed) in enumerate(rows) if vetoed}
    assert all(tier is Tier.LAGGING for p, tier in placed if p.unit_id in vetoed_ids)
    if n >= 5 and max(p.rank for p, _ in placed) > 1:
        assert True in lagging_flags


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40, unique=True))
def test_without_ties_or_vetoes_the_shares_are_exact(hundredths):
    """Distinct totals, all >= 85: exactly k_top 先进, and (n >= 5) exactly k_bottom 后进."""
    rows = [(D(85) + D(h) / 100, False) for h in hundredths]
    n = len(rows)
    k_top, k_bottom = tier_sizes(n)
    tiers = [tier for _, tier in group_tiers(rows)]
    assert tiers.count(Tier.ADVANCED) == k_top
    assert tiers.count(Tier.LAGGING) == (k_bottom if n >= 5 else 0)


@given(
    actual=st.decimals(min_value=0, max_value=10_000, places=2),
    increment=st.decimals(min_value=0, max_value=1_000, places=2),
    target=st.decimals(min_value="0.01", max_value=10_000, places=2),
)
def test_a_verified_increment_never_lowers_a_higher_better_rate_or_score(actual, increment, target):
    before = rate_higher_better(actual, target)
    after = rate_higher_better(actual + increment, target)
    assert after >= before
    assert completion_score(D(10), after) >= completion_score(D(10), before)


@given(
    actual=st.decimals(min_value=0, max_value=1_000, places=0),
    more=st.decimals(min_value=0, max_value=100, places=0),
    target=st.decimals(min_value=0, max_value=1_000, places=0),
)
def test_more_cases_never_raise_a_lower_better_rate(actual, more, target):
    before = rate_lower_better(actual, target)
    after = rate_lower_better(actual + more, target)
    assert D(0) <= after <= before <= D(1)


@given(
    rows=st.lists(
        st.tuples(st.integers(min_value=0, max_value=300), st.booleans()), min_size=1, max_size=12
    ),
    method=st.sampled_from(list(Method)),
)
def test_evaluate_quarter_ranks_and_tiers_agree_with_the_single_rules(rows, method):
    """A group whose units each have one higher-better indicator (T = 100 at the Q2 end):
    bases within [0, 120], vetoed units after the rest and 后进, and each tier the one rule 10
    gives for the returned rank."""
    milestones = quarterly_milestones(2026)
    units = [
        UnitInput(
            f"u{i}",
            "g",
            i,
            (
                IndicatorInput(
                    "x", D(10), method, Direction.HIGHER_BETTER, D(200), milestones, D(a)
                ),
            ),
            vetoed=vetoed,
        )
        for i, (a, vetoed) in enumerate(rows)
    ]
    result = evaluate_quarter(units, quarter_end=date(2026, 6, 30))
    assert len(result.units) == len(rows)
    last_clean = max((u.rank for u in result.units if not u.vetoed), default=0)
    for unit in result.units:
        assert D(0) <= unit.base <= D(120)
        if unit.vetoed:
            assert unit.rank > last_clean
            assert unit.tier is Tier.LAGGING
        assert unit.tier is quarter_tier(
            rank=unit.rank,
            units_below=unit.units_below,
            group_size=unit.group_size,
            total=unit.total,
            vetoed=unit.vetoed,
        )


@given(
    total=st.decimals(min_value=0, max_value=120, places=2),
    present=st.lists(st.booleans(), min_size=4, max_size=4).filter(any),
)
def test_rescaled_weights_keep_a_steady_total(total, present):
    """Whatever quarters are missing, the same total every quarter gives that total."""
    quarters = [total if here else None for here in present]
    assert annual_score(quarters) == total


@given(st.lists(st.tuples(totals, st.booleans()), min_size=1, max_size=20))
def test_annual_grades_follow_the_shares(rows):
    """优秀 only within rank <= max(1, ceil(0.2 n)); every vetoed unit 较差."""
    units = [
        AnnualUnitInput(f"u{i}", "g", i, (total,) * 4, vetoed=vetoed)
        for i, (total, vetoed) in enumerate(rows)
    ]
    result = evaluate_year(units).units
    k_excellent = max(1, -(-len(rows) // 5))  # ceil(0.2 n) in integers
    for unit in result:
        if unit.grade is Grade.EXCELLENT:
            assert unit.rank <= k_excellent
        if unit.vetoed:
            assert unit.grade is Grade.POOR
