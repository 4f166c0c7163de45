"""Publication is the version, in order (issue 9): frozen adjustments, vetoes and rules; 较上季度
fixed at publication; quarters published in order; a quarter recorded as not evaluated.

The small 2026 year (tests.campaigns.builders) with no ledger handed in, clock 2026-07-20 (Q1
and Q2 periods all locked). Three townships A 城关镇, B 青山镇, C 白沙镇 in one group (n = 3):
- Q1: investment T = 25 % × 12 = 3, A = 0 → r 0 → 0; cases (lower-better) T = 10, A = 0 → r 1
  → 5; flood (2 points, default quarter-end milestones, not done) → r 0 → 0.
  Base = 100 × 5 / 17 = 29.411765. Timeliness: 13 periods (weeks 1–13) missing → −13, capped
  at −5. Total 24.411765 + adjustments.
- Q2: T = 6 and 20, same rates → base 29.411765; weeks 14–26 missing → −5. Total 24.411765 + adj.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from scoring.errors import ScoringError
from scoring.models import FileEntry, QuarterlyEvaluation, ScoringRules, SkippedQuarter, UnitScore
from scoring.services.adjustments import (
    approve_adjustment,
    approve_veto,
    enter_adjustment,
    enter_veto,
)
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    record_skipped_quarter,
    review_quarter,
)
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def small(db):
    with time_machine.travel(NOW, tick=False):
        small = build_small_year()
        assert small.year.year == 2026
        small.office2 = make_user("off2", Role.OFFICE)
        small.a, small.b, small.c = small.county.units[:3]
        yield small


def adjust(small, unit, quarter, points, *, approve=True):
    item = enter_adjustment(
        unit=unit,
        year=small.year,
        quarter=quarter,
        kind="other",
        points=points,
        reason="测试",
        user=small.office,
    )
    if approve:
        approve_adjustment(adjustment=item, user=small.office2)
    return item


def compute(small, quarter):
    evaluation = open_evaluation(year=small.year, quarter=quarter)
    version = compute_quarter(evaluation=evaluation, user=small.office, now=NOW)
    evaluation.refresh_from_db()
    return evaluation, version


def review(small, evaluation):
    evaluation.refresh_from_db()
    return review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )


def publish(small, evaluation):
    return publish_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(hours=1),
    )


def by_name(version):
    return {s.unit.short_name: s for s in UnitScore.objects.filter(version=version)}


# --- the file is written from the version --------------------------------------------------


def test_an_adjustment_approved_after_computing_refuses_publication_until_recomputed(small):
    """A's +4 is entered before computing but approved after: version 1 used bonus 0.
    Old code published 0 in the result and +4 in the file. Now publication refuses and changes
    nothing; version 2 counts it: A 24.411765 + 4 = 28.411765 and the file says 加分4分 (+4)."""
    item = adjust(small, small.a, 1, 4, approve=False)
    evaluation, first = compute(small, 1)
    assert by_name(first)[small.a.short_name].bonus == 0
    approve_adjustment(adjustment=item, user=small.office2)
    review(small, evaluation)
    with pytest.raises(ScoringError, match="请重新计算"):
        publish(small, evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == QuarterlyEvaluation.Status.REVIEWED
    assert not FileEntry.objects.exists()

    second = compute_quarter(evaluation=evaluation, user=small.office, now=NOW)
    review(small, evaluation)
    publish(small, evaluation)
    a = by_name(second)[small.a.short_name]
    assert a.bonus == D(4) and abs(a.total - D("28.411765")) < D("0.000001")
    adjustments = FileEntry.objects.filter(source=FileEntry.Source.ADJUSTMENT)
    assert list(adjustments.values_list("unit", "description", "points")) == [
        (small.a.pk, "第一季度加分4分", D(4))
    ]


@pytest.mark.parametrize(
    "change",
    ["added", "removed", "points", "unapproved", "veto"],
)
def test_any_change_of_approved_decisions_after_computing_refuses_publication(small, change):
    """B's −2 approved and counted in version 1 (B 24.411765 − 2 = 22.411765); then one change:
    a new approved +1 for C, B's item deleted, re-valued to −3, its approval withdrawn, or a
    veto of A approved. Each makes the version disagree with today's decisions: refused."""
    item = adjust(small, small.b, 1, -2)
    evaluation, version = compute(small, 1)
    assert abs(by_name(version)[small.b.short_name].total - D("22.411765")) < D("0.000001")
    review(small, evaluation)
    if change == "added":
        adjust(small, small.c, 1, 1)
    elif change == "removed":
        item.delete()
    elif change == "points":
        type(item).objects.filter(pk=item.pk).update(points=D(-3))
    elif change == "unapproved":
        type(item).objects.filter(pk=item.pk).update(approved_by=None, approved_at=None)
    else:
        veto = enter_veto(
            unit=small.a, year=small.year, quarter=1, kind="veto", reason="事故", user=small.office
        )
        approve_veto(veto=veto, user=small.office2)
    with pytest.raises(ScoringError, match="加减分或一票否决/否优有变化"):
        publish(small, evaluation)
    assert not FileEntry.objects.exists()
    assert QuarterlyEvaluation.objects.get(pk=evaluation.pk).status == "reviewed"


def test_the_file_uses_the_rules_and_vetoes_of_the_version(small):
    """Version 1 used 缺报每次扣分 1: each of the 13 missing weeks is a fault of −1 in the file.
    The office changes it to 2 after computing: the file still says −1 (the version's rules),
    the same way the total used it (−13 capped at −5). A's approved veto is in version 1:
    A's file has one 被一票否决 fault."""
    veto = enter_veto(
        unit=small.a, year=small.year, quarter=1, kind="veto", reason="事故", user=small.office
    )
    approve_veto(veto=veto, user=small.office2)
    evaluation, version = compute(small, 1)
    ScoringRules.objects.filter(year=small.year).update(missing_deduction=D(2))
    review(small, evaluation)
    publish(small, evaluation)
    missing = FileEntry.objects.filter(unit=small.b, source=FileEntry.Source.MISSING_LEDGER)
    assert missing.count() == 13 and set(missing.values_list("points", flat=True)) == {D(-1)}
    assert FileEntry.objects.filter(unit=small.a, source=FileEntry.Source.VETO).count() == 1
    assert version.vetoes == [
        {"id": veto.pk, "unit_id": small.a.pk, "kind": "veto", "approved_by": small.office2.pk}
    ]


# --- 较上季度 and the order of publication -----------------------------------------------------


def test_change_of_rank_is_fixed_at_publication_even_if_computed_before(small):
    """Q1: A +3, B +1 → A 27.411765 (1), B 25.411765 (2), C 24.411765 (3).
    Q2: C +3, B +1 → C 27.411765 (1), B 25.411765 (2), A 24.411765 (3).
    Both quarters are computed before Q1 is published (old code stored 较上季度 at computing,
    so Q2 kept "—" for ever). Published in order: Q2's previous ranks are Q1's — A 1, B 2, C 3 —
    and the change is A −2, B 0, C +2."""
    adjust(small, small.a, 1, 3)
    adjust(small, small.b, 1, 1)
    adjust(small, small.c, 2, 3)
    adjust(small, small.b, 2, 1)
    q1, _ = compute(small, 1)
    q2, v2 = compute(small, 2)
    assert all(s.previous_rank is None for s in UnitScore.objects.filter(version=v2))
    review(small, q1)
    review(small, q2)
    with pytest.raises(ScoringError, match="须按顺序发布：第一季度考评尚未发布"):
        publish(small, q2)
    assert QuarterlyEvaluation.objects.get(pk=q2.pk).status == "reviewed"
    assert not FileEntry.objects.exists()
    publish(small, q1)
    publish(small, q2)
    got = by_name(v2)
    a, b, c = (got[u.short_name] for u in (small.a, small.b, small.c))
    assert (a.rank, b.rank, c.rank) == (3, 2, 1)
    assert (a.previous_rank, b.previous_rank, c.previous_rank) == (1, 2, 3)
    assert (a.rank_change, b.rank_change, c.rank_change) == (-2, 0, 2)


def test_a_quarter_recorded_as_not_evaluated_lets_the_next_one_publish(small):
    """Q1 is recorded as not evaluated (reason, who, when kept): Q1 can then be neither
    computed nor published; Q2 publishes, with no previous quarter to compare (—)."""
    q1, _ = compute(small, 1)
    with pytest.raises(ScoringError, match="请填写不考评的原因"):
        record_skipped_quarter(year=small.year, quarter=1, reason=" ", user=small.office)
    with pytest.raises(ScoringError, match="只有考核办"):
        record_skipped_quarter(year=small.year, quarter=1, reason="x", user=small.reporter)
    with pytest.raises(ScoringError, match="季度只能是 1–4"):
        record_skipped_quarter(year=small.year, quarter=5, reason="x", user=small.office)
    assert not SkippedQuarter.objects.exists()
    skipped = record_skipped_quarter(
        year=small.year, quarter=1, reason="机构改革，暂停考评", user=small.office, now=NOW
    )
    assert (skipped.reason, skipped.recorded_by, skipped.recorded_at) == (
        "机构改革，暂停考评",
        small.office,
        NOW,
    )
    assert skipped.history.count() == 1
    with pytest.raises(ScoringError, match="已登记为不考评"):
        record_skipped_quarter(year=small.year, quarter=1, reason="再次", user=small.office)
    with pytest.raises(ScoringError, match="已登记为不考评，不能计算"):
        compute_quarter(evaluation=q1, user=small.office, now=NOW)
    review(small, q1)
    with pytest.raises(ScoringError, match="已登记为不考评，不能发布"):
        publish(small, q1)

    q2, v2 = compute(small, 2)
    review(small, q2)
    publish(small, q2)
    assert QuarterlyEvaluation.objects.get(pk=q2.pk).status == "published"
    assert all(s.previous_rank is None for s in UnitScore.objects.filter(version=v2))


def test_a_published_quarter_cannot_be_recorded_as_not_evaluated(small):
    q1, _ = compute(small, 1)
    review(small, q1)
    publish(small, q1)
    with pytest.raises(ScoringError, match="已发布，不能登记为不考评"):
        record_skipped_quarter(year=small.year, quarter=1, reason="x", user=small.office)


def test_the_office_records_a_skipped_quarter_in_the_admin(client, small):
    from django.urls import reverse

    client.force_login(small.office)
    url = reverse("admin:scoring_skippedquarter_add")
    assert client.get(url).status_code == 200
    page = client.post(url, {"year": small.year.pk, "quarter": 3, "reason": "", "_save": "保存"})
    assert page.status_code == 200 and not SkippedQuarter.objects.exists()
    form = {"year": small.year.pk, "quarter": 3, "reason": "上级统一安排", "_save": "保存"}
    assert client.post(url, form).status_code == 302
    page = client.post(url, form)
    assert page.status_code == 200 and "已登记为不考评" in page.content.decode()
    skipped = SkippedQuarter.objects.get()
    assert (skipped.quarter, skipped.reason) == (3, "上级统一安排")
    assert skipped.recorded_by == small.office
    change = reverse("admin:scoring_skippedquarter_change", args=[skipped.pk])
    client.post(change, {"year": small.year.pk, "quarter": 4, "reason": "改", "_save": "保存"})
    assert SkippedQuarter.objects.get().quarter == 3  # a record is final


def test_the_notice_and_scorecard_list_the_decisions_of_the_version(small):
    """A's veto is in version 1; B's veto and C's +2 are approved after computing. The draft
    notice and the scorecards show what the version's figures were computed with: A's veto
    only, and no adjustment for C (its total has none)."""
    from scoring.reports.pdf import quarter_notice_context, scorecard_context

    veto = enter_veto(
        unit=small.a, year=small.year, quarter=1, kind="veto", reason="事故", user=small.office
    )
    approve_veto(veto=veto, user=small.office2)
    evaluation, _ = compute(small, 1)
    later = enter_veto(
        unit=small.b, year=small.year, quarter=1, kind="veto", reason="事故", user=small.office
    )
    approve_veto(veto=later, user=small.office2)
    adjust(small, small.c, 1, 2)
    assert [v.pk for v in quarter_notice_context(evaluation)["vetoes"]] == [veto.pk]
    assert [v.pk for v in scorecard_context(evaluation, small.b.pk)["vetoes"]] == []
    assert list(scorecard_context(evaluation, small.c.pk)["adjustments"]) == []
