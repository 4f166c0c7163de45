"""The quarter on PostgreSQL or SQLite: compute, appeal, recompute, review, publish, freeze.

Three townships, Q1 of the current ISO year (tests.campaigns.builders.build_small_year):
- 固定资产投资完成额: 10 points, target 12 → Q1 milestone 25 % → T = 3.
  A(城关镇) verified 3.6 → r 1.2 → 12;  B(青山镇) reported 3.0, verified 2.4 → r 0.8 → 8;
  C(白沙镇) last verified 1.2 (week 10; its last week is still pending) → r 0.4 → 4.
- 刑事案件发案数 (lower-better): 5 points, target 40 → T = 10.
  A 8 → r 1 → 5;  B 12 → r = 1 − 2/10 = 0.8 → 4;  C 10 → r 1 → 5.
- 防汛物资到位 (milestone due 07-31): no milestone due by 03-31 → not scored.
Base = 100 × Σscore / 15: A 113.3333…, B 80, C 60.
Timeliness: A one ledger late (−0.5), B one week missing (−1), C none.
Adjustments (approved): A +2, B −3; C's +1 is not approved and does not count.
Totals: A 114.8333…, B 76, C 60.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from campaigns.models import LedgerEntry
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import verify_entries
from campaigns.services.years import set_target
from scoring.errors import NeedsConfirmation, ScoringError
from scoring.models import FileEntry, IndicatorScore, QuarterlyEvaluation, UnitScore
from scoring.services.adjustments import (
    approve_adjustment,
    approve_veto,
    enter_adjustment,
    enter_veto,
)
from scoring.services.appeals import decide_appeal, file_appeal
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal


def _close(a, b):
    return abs(Decimal(a) - Decimal(b)) < Decimal("0.0001")


@pytest.fixture
def quarter(db):
    small = build_small_year()
    zfw = make_user("zfw", Role.REVIEWER, unit=small.cases.lead_unit)
    office2 = make_user("off2", Role.OFFICE)
    a, b, c = small.county.units[:3]
    reporters = {
        a: small.reporter,
        b: small.other_reporter,
        c: make_user("rc", Role.REPORTER, unit=c),
    }
    for unit in (a, b, c):
        set_target(
            indicator=small.flood,
            unit=unit,
            annual_value=None,
            milestones=[(date(small.year.year, 7, 31), D(1))],
        )
    weeks = list(small.year.periods.filter(quarter=1).order_by("iso_week"))
    final = {a: ("3.6", "8"), b: ("3.0", "12"), c: ("1.5", "10")}
    for period in weeks:
        for unit in (a, b, c):
            if unit == b and period == weeks[5]:
                continue  # B never hands in its sixth week
            share = D(period.iso_week - weeks[0].iso_week + 1) / len(weeks)
            value = {small.investment.pk: (D(final[unit][0]) * share).quantize(D("0.01")),
                     small.cases.pk: (D(final[unit][1]) * share).quantize(D("1"))}  # fmt: skip
            if unit == c and period == weeks[9]:
                value[small.investment.pk] = D("1.2")
            late = unit == a and period == weeks[3]
            moment = (
                period.deadline + timedelta(hours=5)
                if late
                else period.deadline - timedelta(hours=5)
            )
            ledger = open_ledger(unit=unit, period=period)
            save_entries(
                ledger=ledger,
                user=reporters[unit],
                now=moment,
                changes={
                    small.investment.pk: EntryInput(value=value[small.investment.pk]),
                    small.cases.pk: EntryInput(value=value[small.cases.pk]),
                    small.flood.pk: EntryInput(),
                },
            )
            submit_ledger(ledger=ledger, user=reporters[unit], now=moment)
    last = weeks[-1]

    def entry(unit, indicator, period=last):
        return LedgerEntry.objects.get(
            ledger__unit=unit, ledger__period=period, indicator=indicator
        )

    verify_entries(entry_ids=[entry(a, small.investment).pk], user=small.reviewer)
    b_investment = entry(b, small.investment).pk
    verify_entries(
        entry_ids=[b_investment],
        user=small.reviewer,
        corrections={b_investment: D("2.4")},
        comment="核减预付款",
    )
    verify_entries(entry_ids=[entry(c, small.investment, weeks[9]).pk], user=small.reviewer)
    verify_entries(entry_ids=[entry(u, small.cases).pk for u in (a, b, c)], user=zfw)
    for unit, points, approve in ((a, 2, True), (b, -3, True), (c, 1, False)):
        item = enter_adjustment(
            unit=unit,
            year=small.year,
            quarter=1,
            kind="other",
            points=points,
            reason="测试",
            user=small.office,
        )
        if approve:
            approve_adjustment(adjustment=item, user=office2)
    evaluation = open_evaluation(year=small.year, quarter=1)
    return small, evaluation, (a, b, c), office2


def scores(version):
    return {
        s.unit.short_name: s
        for s in UnitScore.objects.filter(version=version).select_related("unit")
    }


def test_compute_scores_every_rule_on_verified_figures(quarter):
    small, evaluation, (a, b, c), _ = quarter
    version = compute_quarter(evaluation=evaluation, user=small.office)
    got = scores(version)
    A, B, C = got[a.short_name], got[b.short_name], got[c.short_name]
    assert _close(A.base, "113.333333") and _close(B.base, 80) and _close(C.base, 60)
    assert (A.late_ledgers, A.missing_ledgers, B.missing_ledgers) == (1, 0, 1)
    assert (A.timeliness, B.timeliness, C.timeliness) == (D("-0.5"), D(-1), D(0))
    assert (A.bonus, B.penalty, C.bonus) == (D(2), D(3), D(0))
    assert _close(A.total, "114.833333") and B.total == D(76) and C.total == D(60)
    assert [A.rank, B.rank, C.rank] == [1, 2, 3]
    assert [A.get_tier_display(), B.get_tier_display(), C.get_tier_display()] == [
        "先进",
        "达标",
        "达标",
    ]
    item = IndicatorScore.objects.get(unit_score=B, indicator=small.investment)
    assert (item.target_to_date, item.actual, item.reported, item.rate) == (
        D(3),
        D("2.4"),
        D("3"),
        D("0.8"),
    )
    assert item.entry.ledger.period.quarter == 1
    flood = IndicatorScore.objects.get(unit_score=A, indicator=small.flood)
    assert flood.rate is None and flood.score is None


def test_veto_ranks_the_best_unit_last_and_lagging(quarter):
    small, evaluation, (a, b, c), office2 = quarter
    veto = enter_veto(
        unit=a,
        year=small.year,
        quarter=1,
        kind="veto",
        reason="发生较大安全事故",
        user=small.office,
    )
    approve_veto(veto=veto, user=office2)
    got = scores(compute_quarter(evaluation=evaluation, user=small.office))
    assert [got[u.short_name].rank for u in (b, c, a)] == [1, 2, 3]
    assert got[a.short_name].get_tier_display() == "后进" and got[a.short_name].vetoed


def test_appeal_recompute_review_publish_and_freeze(quarter):
    small, evaluation, (a, b, c), office2 = quarter
    first = compute_quarter(evaluation=evaluation, user=small.office)
    evaluation.refresh_from_db()
    head_b = make_user("head-b", Role.UNIT_HEAD, unit=b)
    appeal = file_appeal(
        evaluation=evaluation,
        indicator=small.investment,
        user=head_b,
        claim="预付款已转为工程款，有发票为证",
        claimed_value="3.0",
    )
    with pytest.raises(ScoringError, match="未处理"):
        review_quarter(
            evaluation=evaluation,
            user=small.office,
            now=evaluation.appeal_deadline + timedelta(minutes=1),
        )
    second = decide_appeal(
        appeal=appeal, user=small.office, uphold=True, decision="发票属实", corrected_value="3.0"
    )
    # B: investment r 1 → 10; base 100 × 14 / 15 = 93.33; total 93.33 − 1 − 3 = 89.33.
    assert _close(scores(second)[b.short_name].total, "89.333333")
    assert scores(first)[b.short_name].total == D(76)  # the old version stays readable
    assert "采纳" in second.reason
    evaluation.refresh_from_db()
    with pytest.raises(ScoringError, match="申诉期内不能审定"):
        review_quarter(evaluation=evaluation, user=small.office)
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )
    publish_quarter(evaluation=evaluation, user=small.office, document_number="〔2026〕3号")
    evaluation.refresh_from_db()
    assert evaluation.status == "published" and evaluation.current_version == second

    entries = FileEntry.objects.filter(evaluation_version=second)
    assert set(entries.filter(unit=a).values_list("description", flat=True)) == {
        "第一季度交帐亮相先进",
        "第一季度周帐逾期提交：第4周（01.19–01.25）",
        "第一季度加分2分",
    }
    assert entries.filter(unit=b, merit=False).count() == 2  # missing week, penalty
    # The file names the week: A was late in Q1's 4th ISO week (2026-W01 starts 2025-12-29,
    # so W04 is 01-19…01-25); B never handed in the 6th (W06, 02-02…02-08).
    assert entries.filter(unit=b, kind="周帐缺报").get().description == (
        "第一季度周帐未报：第6周（02.02–02.08）"
    )
    assert not entries.filter(unit=c).exists()

    # Publishing twice is impossible; later ledger edits change nothing published.
    with pytest.raises(ScoringError, match="不能重复发布"):
        publish_quarter(evaluation=evaluation, user=office2)
    with pytest.raises(ScoringError, match="已发布"):
        compute_quarter(evaluation=evaluation, user=small.office)
    LedgerEntry.objects.filter(ledger__unit=a).update(verified_value=D(0))
    assert _close(scores(second)[a.short_name].total, "114.833333")


def test_open_periods_need_confirmation(quarter):
    small, _, _, _ = quarter
    this_quarter = small.year.periods.get(
        starts_on__lte=timezone.localdate(), ends_on__gte=timezone.localdate()
    ).quarter
    evaluation = open_evaluation(year=small.year, quarter=this_quarter)
    with pytest.raises(NeedsConfirmation, match="尚未锁定"):
        compute_quarter(evaluation=evaluation, user=small.office)
    assert not evaluation.versions.exists()
    assert compute_quarter(evaluation=evaluation, user=small.office, confirm_open_periods=True)


def test_adjustment_rules(quarter):
    small, _, (a, _, _), _ = quarter
    with pytest.raises(ScoringError, match="超过季度加分上限"):
        enter_adjustment(
            unit=a,
            year=small.year,
            quarter=1,
            kind="honour",
            points=6,
            reason="x",
            user=small.office,
        )
    item = enter_adjustment(
        unit=a,
        year=small.year,
        quarter=1,
        kind="honour",
        points=1,
        reason="省级表彰",
        user=small.office,
    )
    with pytest.raises(ScoringError, match="录入人以外"):
        approve_adjustment(adjustment=item, user=small.office)


def test_appeal_after_the_window_is_refused(quarter):
    small, evaluation, (a, _, _), _ = quarter
    compute_quarter(evaluation=evaluation, user=small.office)
    evaluation.refresh_from_db()
    head = make_user("head-a", Role.UNIT_HEAD, unit=a)
    with pytest.raises(ScoringError, match="申诉期已于"):
        file_appeal(
            evaluation=evaluation,
            indicator=small.investment,
            user=head,
            claim="x",
            now=evaluation.appeal_deadline + timedelta(seconds=1),
        )


def test_only_the_office_computes(quarter):
    small, evaluation, _, _ = quarter
    with pytest.raises(ScoringError, match="只有考核办"):
        compute_quarter(evaluation=evaluation, user=small.reporter)
    assert QuarterlyEvaluation.objects.get(pk=evaluation.pk).status == "draft"


@pytest.mark.django_db(transaction=True)
def test_two_office_users_publishing_at_once_publish_once():
    """Two threads publish the same reviewed quarter: one wins, the other is told it's done."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs there)")
    small = build_small_year()
    office2 = make_user("off2", Role.OFFICE)
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=small.office)
    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )
    barrier, outcomes = threading.Barrier(2), []

    def publish(user):
        barrier.wait()
        try:
            publish_quarter(evaluation=evaluation, user=user)
            outcomes.append("published")
        except ScoringError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(u,)) for u in (small.office, office2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["published", "该季度考评已经发布，不能重复发布。"]
    # One publication's worth of file entries: per unit its late and missing ledgers and tier.
    expected = sum(
        s.late_ledgers + s.missing_ledgers + (s.tier in ("advanced", "lagging"))
        for s in UnitScore.objects.filter(version=evaluation.current_version)
    )
    assert FileEntry.objects.count() == expected > 0
