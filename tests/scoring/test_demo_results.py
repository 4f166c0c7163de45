"""The demo county gets its published quarters (scoring/demo.py through build_demo(results=True)).

A small demo (5 townships, 5 departments, 1 park: 11 units; the 乡镇组 of 5 is the one group
large enough for a bottom share, rule 10: k_bottom = max(1, ceil(0.1 × 5)) = 1) built as of
Monday 2026-11-30 10:00, ISO week 49: weeks 1–48 have ledgers, Q4 (weeks 40–53) is running.

The office's calendar, worked out by hand from the 2026 working calendar (it computes at 09:30
on the first working day after the quarter's last lock and last review; the appeal window is
3 working days; it reviews 30 minutes after the window and publishes at 16:00 that day):
- Q1 = ISO weeks 1–13 (2025-12-29 … 2026-03-29); week 13 locks Mon 03-30 18:00; the last Q1
  review of this demo (seed 2026) is Sat 04-04 19:01, inside the 清明 break (04-04 … 04-06),
  so the office computes Tue 04-07 09:30. Window 04-08, 04-09, 04-10: until Fri 04-10 09:30;
  reviewed 10:00, published 04-10 16:00 as 〔2026〕1号.
- Q2: last review Fri 07-03 15:48 → computed Mon 07-06 09:30; window 07-07, 07-08, 07-09:
  until Thu 07-09 09:30, published 07-09 16:00.
- Q3 = weeks 27–39 (06-29 … 09-27); the last review is 10-02, in the 国庆 break (10-01 … 10-07),
  so the office computes Thu 10-08 09:30; window 10-09 (Fri), 10-10 (the Saturday worked in
  exchange for the break), 10-12 (Mon): until 10-12 09:30; published 10-12 16:00, 〔2026〕3号.
"""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, RankingGroup, Unit, User
from campaigns.demo import build_demo
from campaigns.models import FollowUp, FollowUpEvent, LedgerEntry, Period
from campaigns.workdays import is_working_day
from scoring.models import (
    Adjustment,
    EvaluationVersion,
    FileEntry,
    QuarterlyEvaluation,
    UnitScore,
    WeeklyBriefing,
)
from scoring.services.evaluations import record_skipped_quarter
from scoring.todo import awaiting_second_approval

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIZE = {"townships": 5, "departments": 5, "parks": 1}
Status = QuarterlyEvaluation.Status


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def demo_as_of(text: str):
    return build_demo(**SIZE, weeks=None, now=at(text), results=True)


def local(moment) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


@pytest.mark.clock("2026-11-30 10:00")
def test_the_quarters_that_are_over_are_published_in_order(db):
    demo = demo_as_of("2026-11-30 10:00")
    evaluations = list(QuarterlyEvaluation.objects.filter(year=demo.year.year).order_by("quarter"))
    assert [(e.quarter, e.status) for e in evaluations] == [
        (1, Status.PUBLISHED),
        (2, Status.PUBLISHED),
        (3, Status.PUBLISHED),
    ]  # Q4 is running: no evaluation row is opened for it
    office = User.objects.get(username="office")
    q1, q2, q3 = evaluations
    assert (local(q1.current_version.computed_at), local(q1.appeal_deadline)) == (
        "04-07 09:30",
        "04-10 09:30",
    )
    assert (local(q1.reviewed_at), local(q1.published_at)) == ("04-10 10:00", "04-10 16:00")
    assert (local(q3.current_version.computed_at), local(q3.appeal_deadline)) == (
        "10-08 09:30",
        "10-12 09:30",
    )
    assert local(q3.published_at) == "10-12 16:00"
    assert (local(q2.current_version.computed_at), local(q2.published_at)) == (
        "07-06 09:30",
        "07-09 16:00",
    )
    assert q1.published_at < q2.published_at < q3.published_at < demo.now
    for evaluation in evaluations:
        version = evaluation.current_version
        assert evaluation.document_number == f"〔2026〕{evaluation.quarter}号"
        assert evaluation.published_by == office and evaluation.reviewed_by == office
        assert version.number == 1 and version.open_periods == 0
        # Computed on a working day once every week of the quarter was locked and every entry
        # reviewed: the published figures are the final ones.
        weeks = Period.objects.filter(year=demo.year.year, quarter=evaluation.quarter)
        reviews = LedgerEntry.objects.filter(ledger__period__in=weeks)
        assert version.computed_at > weeks.aggregate(last=Max("locks_at"))["last"]
        assert version.computed_at > reviews.aggregate(last=Max("reviewed_at"))["last"]
        assert is_working_day(timezone.localdate(version.computed_at))
        tiers = set(version.unit_scores.values_list("tier", flat=True))
        assert {UnitScore.Tier.ADVANCED, UnitScore.Tier.LAGGING} <= tiers, evaluation
        # The 绩误档案: every 先进 and 后进 unit has its tier entry, dated the publication day.
        entries = FileEntry.objects.filter(evaluation_version=version)
        tiered = version.unit_scores.exclude(tier=UnitScore.Tier.STANDARD).count()
        assert entries.filter(source=FileEntry.Source.EVALUATION).count() == tiered
        assert set(entries.values_list("recorded_on", flat=True)) == {
            timezone.localdate(evaluation.published_at)
        }
    # Late and missing weeks are named in the file ("周帐迟报：第N周（…）").
    assert FileEntry.objects.filter(
        source=FileEntry.Source.LATE_LEDGER, description__contains="周（"
    ).exists()
    assert demo.results[2].startswith(
        "2026年第三季度考评已发布（〔2026〕3号，2026年10月12日 16:00）"
    )


COUNTED = (
    EvaluationVersion,
    FileEntry,
    Notification,
    Adjustment,
    UnitScore,
    FollowUp,
    FollowUpEvent,
    WeeklyBriefing,
)


@pytest.mark.clock("2026-11-30 10:00")
def test_leader_and_office2_have_work_and_a_second_run_publishes_nothing_new(db, client):
    demo = demo_as_of("2026-11-30 10:00")
    # One bonus entered by office in the running quarter, for office2 to approve (four eyes).
    bonus = Adjustment.objects.get()
    assert (bonus.quarter, bonus.points, bonus.approved_by) == (4, 1, None)
    assert bonus.unit.name == "城关镇" and bonus.entered_by.username == "office"
    assert any("请用 office2 登录审核" in line for line in demo.results)
    assert awaiting_second_approval(User.objects.get(username="office2"))["adjustments"] == 1
    assert awaiting_second_approval(User.objects.get(username="office"))["adjustments_mine"] == 1
    # The leader's 待办: the latest published quarter with its 后进 unit (the 乡镇组 of 5).
    client.force_login(User.objects.get(username="leader"))
    page = client.get(reverse("home"), follow=True).content.decode()
    assert "最新发布：2026年第三季度" in page
    lagging = UnitScore.objects.get(
        version__evaluation__quarter=3, tier=UnitScore.Tier.LAGGING
    ).unit
    assert f"后进 1 个：{lagging.short_name}" in page

    before = [model.objects.count() for model in COUNTED]
    again = demo_as_of("2026-11-30 10:00")
    assert [model.objects.count() for model in COUNTED] == before
    assert again.results == ["2026年第一季度、第二季度、第三季度考评此前已发布，保持不变。"]


@pytest.mark.clock("2026-11-30 10:00")
def test_the_follow_ups_the_quarters_drafted_are_worked_through_to_now(db):
    """scoring/demo_supervision.py: every 后进 unit's 责令检讨 is sent (numbered 1, 2, … in
    order), nothing happened after `now`, some are closed, and every card has exactly one
    fault in the file (and no fault without a card); the week before last has its issued
    周通报 and last week a draft. The small county has no 县委办公室 (the office's unit, and so
    the issuer of its drafts): it is added beforehand, carrying no task."""
    now = at("2026-11-30 10:00")
    party = RankingGroup.objects.create(name="党群部门组", sort_order=4)
    Unit.objects.create(name="县委办公室", short_name="县委办", kind="department", group=party)
    demo_as_of("2026-11-30 10:00")
    lagging = UnitScore.objects.filter(tier=UnitScore.Tier.LAGGING).count()
    sent = FollowUp.objects.filter(number__isnull=False)
    assert sent.filter(origin=FollowUp.Origin.LAGGING).count() == lagging == 5
    assert sorted(sent.values_list("number", flat=True)) == list(range(1, sent.count() + 1))
    assert FollowUpEvent.objects.filter(at__gt=now).count() == 0
    assert sent.filter(status=FollowUp.Status.CLOSED).exists()
    carded = set(sent.exclude(card="").values_list("pk", flat=True))
    faults = list(FileEntry.objects.filter(source=FileEntry.Source.FOLLOW_UP))
    assert carded and {entry.follow_up_id for entry in faults} == carded
    assert len(faults) == len(carded)
    briefings = list(WeeklyBriefing.objects.order_by("period__iso_week"))
    assert [(b.period.iso_week, b.status) for b in briefings] == [(47, "issued"), (48, "draft")]


@pytest.mark.clock("2026-04-08 12:00")
def test_a_quarter_in_its_appeal_window_waits_and_a_later_run_publishes_it(db):
    """04-08 12:00: Q1 was computed 04-07 09:30, its window runs to 04-10 09:30 — it stays in
    its window (the office's 待办). A run on 04-15 reviews and publishes that same version."""
    demo = demo_as_of("2026-04-08 12:00")
    q1 = QuarterlyEvaluation.objects.get(year=demo.year.year)
    assert (q1.quarter, q1.status, local(q1.appeal_deadline)) == (1, Status.APPEAL, "04-10 09:30")
    assert demo.results[0] == "2026年第一季度考评已计算，申诉期至 2026年4月10日 09:30。"

    later = demo_as_of("2026-04-15 10:00")
    q1.refresh_from_db()
    assert (q1.status, q1.current_version.number, local(q1.published_at)) == (
        Status.PUBLISHED,
        1,
        "04-10 16:00",
    )
    assert later.results[0].startswith("2026年第一季度考评已发布")
    assert Adjustment.objects.count() == 1  # the Q2 bonus of the first run, not a second one


@pytest.mark.clock("2026-02-10 10:00")
def test_nothing_is_published_before_the_first_quarter_is_over(db):
    """2026-02-10 is in ISO week 7 of 2026 (which began 2025-12-29): Q1 runs to week 13."""
    demo = demo_as_of("2026-02-10 10:00")
    assert demo.year.weeks == (1, 6)
    assert not QuarterlyEvaluation.objects.exists()
    assert not FileEntry.objects.exists()
    assert demo.results[0] == "2026年尚无已结束的季度，未计算考评。"
    assert Adjustment.objects.get().quarter == 1


@pytest.mark.clock("2026-11-30 10:00")
def test_a_quarter_without_its_ledgers_is_not_computed(db):
    """seed_demo --weeks 3 builds weeks 46–48 only: Q1–Q3 hold no ledgers, nothing is computed
    (rather than a 绩误档案 of nothing but missing ledgers)."""
    demo = build_demo(**SIZE, weeks=3, now=at("2026-11-30 10:00"), results=True)
    assert demo.year.weeks == (46, 48)
    assert not QuarterlyEvaluation.objects.exists()
    assert demo.results[0] == "2026年尚无已结束的季度，未计算考评。"


@pytest.mark.clock("2026-07-20 10:00")
def test_a_quarter_the_office_skipped_is_passed_over(db):
    """Q1 recorded as not evaluated (季度不考评): Q2 (published 07-09 16:00) follows it."""
    demo = build_demo(**SIZE, weeks=None, now=at("2026-07-20 10:00"))
    office = User.objects.get(username="office")
    record_skipped_quarter(year=demo.year.year, quarter=1, reason="换届调整", user=office)
    demo = demo_as_of("2026-07-20 10:00")
    assert list(QuarterlyEvaluation.objects.values_list("quarter", "status")) == [
        (2, Status.PUBLISHED)
    ]
    assert demo.results[:2] == [
        "2026年第一季度已登记为不考评。",
        "2026年第二季度考评已发布（〔2026〕2号，2026年7月9日 16:00）：先进 5 个、后进 2 个单位，"
        + f"绩误档案 {FileEntry.objects.count()} 条。",
    ]


@pytest.mark.clock("2026-04-15 10:00")
def test_build_demo_leaves_results_out_unless_asked(db):
    """On 04-15 Q1 would be published (04-10 16:00), but only build_demo(results=True) does it."""
    build_demo(**SIZE, weeks=None, now=at("2026-04-15 10:00"))
    assert not QuarterlyEvaluation.objects.exists()
    assert not Adjustment.objects.exists()


@pytest.mark.clock("2026-11-30 10:00")
def test_seed_demo_runs_the_results_by_default_and_says_what_it_did(db, settings):
    """seed_demo --weeks 1 (the default county, week 48 only): no quarter has its ledgers, so
    nothing is computed; the bonus for office2 is entered. --no-results leaves all this out."""
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", weeks=1, stdout=out)
    lines = out.getvalue().splitlines()
    assert "2026年尚无已结束的季度，未计算考评。" in lines
    assert any(
        line.startswith("待审核加减分：城关镇第四季度加分 1 分（上级表彰），由 office 录入")
        for line in lines
    )
    quiet = StringIO()
    call_command("seed_demo", weeks=1, no_results=True, stdout=quiet)
    assert "考评" not in quiet.getvalue() and "加减分" not in quiet.getvalue()
