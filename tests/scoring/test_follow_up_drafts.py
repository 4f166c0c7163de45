"""Follow-ups the system drafts (never sends): 责令检讨 at publication, half-year weak items,
an on-site check that differs from the ledger.

The small 2026 year (tests.campaigns.builders): three townships, 固定资产投资 target 12 亿元
(half-year milestone 50 % → H = 6), 城关镇 verified 2 亿元 in week 26 (Thursday 25 June) →
2 / 6 = 33 % < 50 %: weak at the half-year, gap 4. No township reaches a total of 60 with these
few figures, so all three are 后进 (rule 10: total < 60) and each gets one 责令检讨 draft.
Publication of Q2 at 2026-07-20 10:00 + the appeal window; self_review_days 5 and the weak
items' 10 working days are counted from the publication day.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Notification
from accounts.roles import Role
from campaigns.models import FollowUp, LedgerEntry
from campaigns.services.review import record_inspection, verify_entries
from campaigns.weak_items import half_year_weak_items
from campaigns.workdays import add_working_days
from scoring.errors import ScoringError
from scoring.models import UnitScore
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    record_skipped_quarter,
    review_quarter,
)
from scoring.services.follow_up_drafts import draft_after_publication
from tests.campaigns.builders import build_small_year, hand_in
from tests.helpers import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 20, 10, 0, tzinfo=SHANGHAI)
Origin = FollowUp.Origin


@pytest.fixture
def small(db):
    with time_machine.travel(NOW, tick=False):
        small = build_small_year(year=2026)
    office_unit = next(
        u
        for u in small.county.units[3:]
        if u not in (small.investment.lead_unit, small.cases.lead_unit)
    )
    small.office.unit = office_unit
    small.office.save()
    return small


def publish(small, quarter):
    evaluation = open_evaluation(year=small.year, quarter=quarter)
    compute_quarter(evaluation=evaluation, user=small.office, now=NOW, confirm_open_periods=True)
    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )
    published_at = evaluation.appeal_deadline + timedelta(hours=1)
    publish_quarter(evaluation=evaluation, user=small.office, now=published_at)
    evaluation.refresh_from_db()
    return evaluation, published_at


def half_year_figures(small):
    ledger = hand_in(small, week=26, investment="2", cases="3")
    entry = LedgerEntry.objects.get(ledger=ledger, indicator=small.investment)
    verify_entries(entry_ids=[entry.pk], user=small.reviewer, now=small.during(26))


def test_every_lagging_unit_gets_one_self_review_draft_also_when_publication_is_retried(small):
    record_skipped_quarter(year=small.year, quarter=1, reason="测试", user=small.office, now=NOW)
    half_year_figures(small)
    evaluation, published_at = publish(small, 2)
    lagging = list(
        UnitScore.objects.filter(version=evaluation.current_version, tier="lagging").values_list(
            "unit_id", flat=True
        )
    )
    assert len(lagging) == 3
    drafts = FollowUp.objects.filter(origin=Origin.LAGGING)
    assert sorted(drafts.values_list("unit_id", flat=True)) == sorted(lagging)
    draft = drafts.get(unit=small.reporter.unit)
    assert draft.status == FollowUp.Status.DRAFT and draft.created_by is None
    assert (draft.kind, draft.quarter, draft.issuer_unit) == (
        FollowUp.Kind.SELF_REVIEW, 2, small.office.unit,
    )  # fmt: skip
    assert draft.title == "第二季度交帐亮相后进，责令检讨"
    assert draft.requirement == "提交书面检讨和整改措施"
    assert draft.problem.startswith("第二季度总分 ")
    assert "乡镇组 3 个单位中排第" in draft.problem and "得分最低的指标：" in draft.problem
    publication_day = published_at.astimezone(SHANGHAI)
    assert draft.due_on == add_working_days(publication_day, 5).date()
    assert not draft.events.exists()  # never sent by itself

    # The office hears once for the whole batch.
    notices = Notification.objects.filter(recipient=small.office, kind="follow_up")
    assert list(notices.values_list("title", flat=True)) == ["第二季度后进单位责令检讨交办单待发出"]

    # A retry drafts nothing again and tells nobody again.
    assert draft_after_publication(evaluation=evaluation, user=small.office, now=published_at) == []
    with pytest.raises(ScoringError):
        publish_quarter(evaluation=evaluation, user=small.office, now=published_at)
    assert FollowUp.objects.filter(origin=Origin.LAGGING).count() == 3
    assert notices.count() == 1


def test_second_quarter_drafts_the_half_year_weak_items_from_the_lead_unit(small):
    record_skipped_quarter(year=small.year, quarter=1, reason="测试", user=small.office, now=NOW)
    half_year_figures(small)
    _, published_at = publish(small, 2)
    weak = half_year_weak_items(small.year)
    drafts = FollowUp.objects.filter(origin=Origin.WEAK_ITEM)
    assert drafts.count() == len(weak) > 0
    assert {(d.unit_id, d.indicator_id) for d in drafts} == {
        (w.unit.pk, w.indicator.pk) for w in weak
    }
    draft = drafts.get(unit=small.reporter.unit, indicator=small.investment)
    assert draft.issuer_unit == small.investment.lead_unit
    assert draft.title == "「固定资产投资完成额」半年任务未过半"
    assert draft.problem == (
        "截至6月30日，「固定资产投资完成额」半年目标 6亿元，核实完成 2亿元，完成率 33%，"
        "未完成半年目标的一半（差 4亿元）。"
    )
    assert draft.due_on == add_working_days(published_at, 10).date()
    # The lead unit's reviewer hears once for the batch.
    told = Notification.objects.filter(recipient=small.reviewer, kind="follow_up")
    assert list(told.values_list("title", flat=True)) == ["半年任务未过半交办单待发出"]


def test_first_quarter_drafts_no_weak_items(small):
    publish(small, 1)
    assert not FollowUp.objects.filter(origin=Origin.WEAK_ITEM).exists()
    assert FollowUp.objects.filter(origin=Origin.LAGGING).count() == 3


def test_an_inspection_that_differs_from_the_ledger_drafts_a_follow_up(small):
    ledger = hand_in(small, week=6, investment="3")
    entry = LedgerEntry.objects.get(ledger=ledger, indicator=small.investment)
    plain = record_inspection(
        user=small.reviewer,
        entry=entry,
        visited_on=date(2026, 2, 6),
        place="工业园",
        findings="相符",
    )
    assert not plain.differs_from_ledger and not FollowUp.objects.exists()
    inspection = record_inspection(
        user=small.reviewer,
        entry=entry,
        visited_on=date(2026, 2, 6),
        place="城关镇工业园项目工地",
        findings="现场仅完成场地平整，未见主体施工。",
        differs_from_ledger=True,
        now=small.during(6),
    )
    draft = FollowUp.objects.get()
    assert (draft.origin, draft.status, draft.created_by) == (
        Origin.INSPECTION, FollowUp.Status.DRAFT, None,
    )  # fmt: skip
    assert (draft.inspection, draft.unit, draft.indicator, draft.issuer_unit) == (
        inspection, small.reporter.unit, small.investment, small.reviewer.unit,
    )  # fmt: skip
    assert "现场仅完成场地平整，未见主体施工。" in draft.problem
    assert "填报 3亿元" in draft.problem
    assert Notification.objects.filter(recipient=small.reviewer, kind="follow_up").count() == 1


def test_the_inspection_form_has_the_checkbox(client, small):
    ledger = hand_in(small, week=6, investment="3")
    entry = LedgerEntry.objects.get(ledger=ledger, indicator=small.investment)
    client.force_login(small.reviewer)
    url = reverse("review-inspect", args=[entry.pk])
    page = client.get(url)
    assert "与周帐所报不符" in page.content.decode()
    response = client.post(
        url,
        {
            "visited_on": "2026-02-06",
            "place": "工地",
            "findings": "未见施工",
            "differs_from_ledger": "on",
        },
    )
    assert response.status_code == 302
    assert FollowUp.objects.get().origin == Origin.INSPECTION


def test_only_the_inspector_hears_of_its_draft(small):
    """A reviewer of another lead department is not told of the inspector's draft."""
    make_user("other_rev", Role.REVIEWER, unit=small.cases.lead_unit)
    ledger = hand_in(small, week=6, investment="3")
    entry = LedgerEntry.objects.get(ledger=ledger, indicator=small.investment)
    record_inspection(
        user=small.reviewer,
        entry=entry,
        visited_on=date(2026, 2, 6),
        place="工地",
        findings="不符",
        differs_from_ledger=True,
    )
    assert not Notification.objects.filter(recipient__username="other_rev").exists()


def test_a_ceiling_exceeded_at_the_half_year_reads_as_exceeded_not_as_unfinished():
    """两抢一盗 cases, lower-better: half-year ceiling 4.5, verified 7 → 2.5 over; rule 3's rate
    1 − 2.5/4.5 = 0.444 → 44 %, under half, so it is a weak item — but "未完成半年目标的一半"
    would say the wrong thing about a ceiling."""
    from types import SimpleNamespace

    from campaigns.models import Indicator
    from scoring.services.follow_up_drafts import weak_item_problem

    cases = Indicator(name="“两抢一盗”案件发案数", measure="件", direction="lower")
    item = SimpleNamespace(
        indicator=cases,
        milestone=False,
        half_year_target=Decimal("4.5"),
        target_to_date=Decimal("4.5"),
        actual=Decimal(7),
        gap=Decimal("2.5"),
        rate=Decimal("0.4444"),
    )
    assert weak_item_problem(item) == (
        "截至6月30日，「“两抢一盗”案件发案数」半年控制目标 4.5件，核实发生 7件，超出 2.5件，"
        "完成率 44%，不足一半。"
    )
