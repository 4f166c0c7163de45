"""Rule 12 through the database: compute_year, review_year, publish_year, hand file points.

Published quarters are written as rows (an evaluation, its version, the unit totals) rather
than computed from ledgers: the quarter's own cycle is tested in test_quarter_cycle.py, and
here only its published totals matter. The county has six townships in 乡镇组 (a group of 5
or more, so rule 12's bottom share applies); T1…T6 below.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.demo import build_county
from accounts.models import Notification
from accounts.roles import Role
from campaigns.models import AssessmentYear
from campaigns.services.years import generate_periods
from scoring.errors import ScoringError
from scoring.models import (
    AnnualEvaluation,
    AnnualResult,
    EvaluationVersion,
    FileEntry,
    QuarterlyEvaluation,
    UnitScore,
    Veto,
)
from scoring.services.annual import add_file_entry, compute_year, publish_year, review_year
from scoring.services.evaluations import record_skipped_quarter
from tests.helpers import make_user

D = Decimal
YEAR = 2026


@pytest.fixture
def setup(db):
    county = build_county(townships=6, departments=3, parks=1)
    year = AssessmentYear.objects.create(year=YEAR, status=AssessmentYear.Status.ACTIVE)
    generate_periods(year=year)
    office = make_user("office", Role.OFFICE)
    townships = county.units[:6]
    return year, office, townships


def publish(year, quarter, totals, office, status=QuarterlyEvaluation.Status.PUBLISHED):
    """A quarter whose current version holds `totals` ({unit: total or None})."""
    evaluation = QuarterlyEvaluation.objects.create(year=year, quarter=quarter, status=status)
    version = EvaluationVersion.objects.create(
        evaluation=evaluation,
        number=1,
        computed_at=timezone.now(),
        computed_by=office,
        rules={},
        quarter_end=date(YEAR, 3 * quarter, 28),
    )
    UnitScore.objects.bulk_create(
        UnitScore(
            version=version,
            unit=unit,
            group=unit.group,
            sort_order=unit.sort_order,
            scored_points=0,
            earned_points=0,
            timeliness=0,
            bonus=0,
            penalty=0,
            total=None if total is None else D(total),
        )
        for unit, total in totals.items()
    )
    evaluation.current_version = version
    evaluation.save()
    return evaluation


def results(year):
    return {
        r.unit_id: r
        for r in AnnualResult.objects.filter(evaluation__year=year).select_related("unit")
    }


def test_quarter_weights_and_a_missing_quarter(setup):
    """T1: Q1–Q4 = 80, 90, 70, 100 → 0.2·80 + 0.25·90 + 0.25·70 + 0.3·100
    = 16 + 22.5 + 17.5 + 30 = 86.
    T2 was not evaluated in Q1: Q2–Q4 = 90, 70, 100 → (22.5 + 17.5 + 30) / (0.25 + 0.25 + 0.3)
    = 70 / 0.8 = 87.5 (the weights left are scaled to sum to 1).
    T3 scored in every quarter but with no total in Q3 (not evaluated): Q = 60, 60, —, 60 → 60.
    """
    year, office, (t1, t2, t3, *_) = setup
    publish(year, 1, {t1: 80, t3: 60}, office)
    publish(year, 2, {t1: 90, t2: 90, t3: 60}, office)
    publish(year, 3, {t1: 70, t2: 70, t3: None}, office)
    publish(year, 4, {t1: 100, t2: 100, t3: 60}, office)
    annual = compute_year(year=year, user=office)
    got = results(year)
    assert annual.status == AnnualEvaluation.Status.COMPUTED
    assert (got[t1.pk].q1, got[t1.pk].q4, got[t1.pk].score) == (D(80), D(100), D(86))
    assert got[t2.pk].q1 is None and got[t2.pk].score == D("87.5")
    assert got[t3.pk].q3 is None and got[t3.pk].score == D(60)
    # 乡镇组 has three units with a score: T2 87.5 first, T1 86 second, T3 60 third.
    assert [got[u.pk].rank for u in (t2, t1, t3)] == [1, 2, 3]
    assert got[t1.pk].group_size == 3


def test_only_published_quarters_count(setup):
    """Q4 still in its appeal window refuses the year; once the office records that Q4 is not
    evaluated, Q4 is left out: T1 = (0.2·80 + 0.25·90 + 0.25·70) / 0.7 = 56 / 0.7 = 80, not the
    86 it would be with Q4's 100."""
    year, office, (t1, *_) = setup
    publish(year, 1, {t1: 80}, office)
    publish(year, 2, {t1: 90}, office)
    publish(year, 3, {t1: 70}, office)
    publish(year, 4, {t1: 100}, office, status=QuarterlyEvaluation.Status.APPEAL)
    with pytest.raises(ScoringError, match="第四季度考评尚未发布，也未登记为不考评"):
        compute_year(year=year, user=office)
    assert not AnnualResult.objects.exists()
    record_skipped_quarter(year=year, quarter=4, reason="受灾停考", user=office)
    compute_year(year=year, user=office)
    assert results(year)[t1.pk].score == D(80)
    assert results(year)[t1.pk].q4 is None


def test_hand_entered_points_counting_for_the_year_are_added(setup):
    """T1's quarters are all 80 → 80. The office adds a merit of +2 counting for the year and
    a fault of −0.5 counting for the year → 81.5. A merit of +5 *not* counting for the year and
    an adjustment entry from a publication (its points are inside the quarter) add nothing."""
    year, office, (t1, *_) = setup
    for quarter in (1, 2, 3, 4):
        publish(year, quarter, {t1: 80}, office)
    add_file_entry(
        unit=t1,
        year=year,
        user=office,
        merit=True,
        kind="上级表彰",
        description="获省级表彰",
        points=2,
        counts_for_year=True,
        recorded_on=date(YEAR, 5, 6),
    )
    add_file_entry(
        unit=t1,
        year=year,
        user=office,
        merit=False,
        kind="督查通报",
        description="督查发现问题",
        points=D("-0.5"),
        counts_for_year=True,
        recorded_on=date(YEAR, 9, 1),
    )
    add_file_entry(
        unit=t1,
        year=year,
        user=office,
        merit=True,
        kind="其他",
        description="不计入",
        points=5,
        recorded_on=date(YEAR, 9, 2),
    )
    FileEntry.objects.create(
        unit=t1,
        year=year,
        quarter=1,
        recorded_on=date(YEAR, 4, 1),
        merit=True,
        kind="adjustment",
        source=FileEntry.Source.ADJUSTMENT,
        description="加分3分",
        points=3,
    )
    compute_year(year=year, user=office)
    row = results(year)[t1.pk]
    assert row.file_points == D("1.5") and row.score == D("81.5")


def _six(year, office, townships, scores):
    for quarter in (1, 2, 3, 4):
        publish(year, quarter, dict(zip(townships, scores, strict=True)), office)


def test_grades_in_a_group_of_six(setup):
    """n = 6, every quarter equal so the annual score is the quarter total:
    T1 95, T2 88, T3 80, T4 72, T5 65, T6 60.
    k_excellent = max(1, ceil(0.2·6)) = 2; k_poor = max(1, ceil(0.1·6)) = 1.
    T1 rank 1, ≥ 85 → 优秀; T2 rank 2, ≥ 85 → 优秀; T3 80, T4 72 → 良好; T5 65 < 70 → 一般;
    T6 rank 6 with 0 units below it (< k_poor) → 较差 (bottom 10 %), although 60 ≥ 0.
    Units of other groups have no quarter totals: no score, no rank, no grade."""
    year, office, townships = setup
    _six(year, office, townships, [95, 88, 80, 72, 65, 60])
    compute_year(year=year, user=office)
    got = results(year)
    assert [got[u.pk].get_grade_display() for u in townships] == [
        "优秀", "优秀", "良好", "良好", "一般", "较差",
    ]  # fmt: skip
    assert [got[u.pk].rank for u in townships] == [1, 2, 3, 4, 5, 6]
    others = [r for r in got.values() if r.unit not in townships]
    assert others and all(r.score is None and r.rank is None and r.grade == "" for r in others)


def test_veto_in_any_quarter_is_poor_and_last_and_no_excellence_bars_excellent(setup):
    """Same six as above. An approved 一票否决 of T1 in Q2 → T1 较差 and ranked after every unit
    without one (rank 6), whatever its 95. The others move up: T2 rank 1 → 优秀, T3 rank 2
    with 80 < 85 → 良好; T6 (rank 5) now has T1 below it → not in the bottom share; 60 < 70
    → 一般. T2's approved 一票否优 in Q3 would bar 优秀: → 良好. An unapproved veto of T3 counts
    for nothing."""
    year, office, townships = setup
    t1, t2, t3, *_, t6 = townships
    office2 = make_user("office2", Role.OFFICE)  # four eyes: the database refuses one person
    _six(year, office, townships, [95, 88, 80, 72, 65, 60])
    Veto.objects.create(
        unit=t1,
        year=year,
        quarter=2,
        kind=Veto.Kind.VETO,
        reason="重大事故",
        entered_by=office,
        approved_by=office2,
    )
    Veto.objects.create(
        unit=t3, year=year, quarter=2, kind=Veto.Kind.VETO, reason="待审核", entered_by=office
    )
    compute_year(year=year, user=office)
    got = results(year)
    assert got[t1.pk].vetoed and got[t1.pk].rank == 6 and got[t1.pk].grade == "poor"
    assert (got[t2.pk].rank, got[t2.pk].grade) == (1, "excellent")
    assert (got[t3.pk].rank, got[t3.pk].grade) == (2, "good")
    assert (got[t6.pk].rank, got[t6.pk].grade) == (5, "fair")

    Veto.objects.create(
        unit=t2,
        year=year,
        quarter=3,
        kind=Veto.Kind.NO_EXCELLENCE,
        reason="信访问题",
        entered_by=office,
        approved_by=office2,
    )
    compute_year(year=year, user=office)  # a recomputation replaces the rows
    got = results(year)
    assert got[t2.pk].no_excellence and got[t2.pk].grade == "good"
    assert AnnualResult.objects.filter(unit=t2).count() == 1


def test_review_publish_once_and_freeze(setup):
    year, office, townships = setup
    reporter = make_user("r1", Role.REPORTER, unit=townships[0])
    leader = make_user("leader1", Role.LEADER)
    _six(year, office, townships, [95, 88, 80, 72, 65, 60])
    with pytest.raises(ScoringError, match="须先计算并审定"):
        publish_year(year=year, user=office)
    compute_year(year=year, user=office)
    with pytest.raises(ScoringError, match="须先计算并审定"):
        publish_year(year=year, user=office)
    with pytest.raises(ScoringError, match="只有考核办"):
        review_year(year=year, user=reporter)
    review_year(year=year, user=office)
    annual = publish_year(year=year, user=office)
    assert annual.status == AnnualEvaluation.Status.PUBLISHED and annual.published_by == office
    assert (
        Notification.objects.filter(recipient__in=[reporter, leader], kind="published").count() == 2
    )
    with pytest.raises(ScoringError, match="不能重复发布"):
        publish_year(year=year, user=office)
    with pytest.raises(ScoringError, match="已冻结"):
        compute_year(year=year, user=office)
    with pytest.raises(ScoringError, match="不能再计入年度得分"):
        add_file_entry(
            unit=townships[0],
            year=year,
            user=office,
            merit=True,
            kind="表彰",
            description="迟到的表彰",
            points=1,
            counts_for_year=True,
            recorded_on=date(YEAR, 12, 1),
        )


def test_hand_entry_is_checked(setup):
    year, office, (t1, t2, *_) = setup
    colleague = make_user("t2r", Role.REPORTER, unit=t2)
    with pytest.raises(ScoringError) as refused:
        add_file_entry(
            unit=t1,
            year=year,
            user=office,
            merit=True,
            kind="",
            description="",
            points=-1,
            recorded_on=date(YEAR + 1, 6, 1),
            person=colleague,
        )
    assert refused.value.messages == [
        "请填写类别。",
        "请填写事项说明。",
        "“绩”的分值不能为负数。",
        "所选人员不属于该单位。",
        f"日期 {YEAR + 1}-06-01 不在 {YEAR} 考核年度内。",
    ]
    with pytest.raises(ScoringError, match="只有考核办"):
        add_file_entry(
            unit=t2,
            year=year,
            user=colleague,
            merit=True,
            kind="表彰",
            description="自评",
            recorded_on=date(YEAR, 6, 1),
        )
    entry = add_file_entry(
        unit=t2,
        year=year,
        user=office,
        merit=False,
        kind="督查通报",
        description="材料弄虚作假",
        points=-2,
        person=colleague,
        recorded_on=date(YEAR, 6, 1),
    )
    assert (entry.source, entry.quarter, entry.person, entry.entered_by) == (
        FileEntry.Source.OFFICE,
        2,
        colleague,
        office,
    )


def test_office_types_the_annual_document_number_when_publishing(setup, client):
    """The publish form carries the 文号 typed by the office; the page offers the default."""
    year, office, townships = setup
    _six(year, office, townships, [95, 88, 80, 72, 65, 60])
    compute_year(year=year, user=office)
    review_year(year=year, user=office)
    client.force_login(office)
    page = client.get(reverse("annual-evaluation", args=[year.pk])).content.decode()
    assert 'name="document_number"' in page and "年评〔2026〕1号" in page
    response = client.post(
        reverse("annual-action", args=[year.pk, "publish"]),
        {"document_number": " 县考〔2026〕9号 "},
    )
    assert response.status_code == 302
    annual = AnnualEvaluation.objects.get(year=year)
    assert annual.status == AnnualEvaluation.Status.PUBLISHED
    assert annual.document_number == "县考〔2026〕9号"
