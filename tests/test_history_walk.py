"""Every change to an audited model leaves a history row (issue 14), bulk writes included.

The walk builds a representative history — the small demo with its published quarters,
follow-ups and registers, then the services a year goes through — and asks
`jiaozhang.audit.history_gaps` about every row of every audited model: its newest history
record must equal it on every tracked field, and a deleted row must end in a '-' record. A
queryset `update()`, a plain `bulk_update` or `bulk_create` anywhere on the way shows up here.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from accounts.demo import build_county
from accounts.models import Unit
from accounts.roles import Role
from campaigns.demo import build_demo
from campaigns.models import LedgerEntry
from campaigns.services import follow_ups
from campaigns.services.ledger import (
    EntryInput,
    open_ledger,
    reopen_ledger,
    save_entries,
    submit_ledger,
)
from campaigns.services.registers.reporting.signed import (
    add_signed_project,
    delete_signed_project,
)
from campaigns.services.registers.review import return_row, verify_row
from campaigns.services.review import return_entry, verify_entries
from campaigns.services.years import change_period_deadline, set_target
from jiaozhang.audit import AUDITED_MODELS, all_history_gaps, audited_models, history_gaps
from scoring.models import FileEntry, QuarterlyEvaluation
from scoring.services.adjustments import (
    approve_adjustment,
    approve_veto,
    enter_adjustment,
    enter_veto,
)
from scoring.services.annual import add_file_entry
from scoring.services.escalation import escalate_overdue_follow_ups
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from tests.campaigns.builders import hand_in
from tests.campaigns.register_builders import build_register_year
from tests.helpers import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_audited_models_are_exactly_those_with_history():
    """Listed models carry HistoricalRecords, and a model given history is listed (walked)."""
    with_history = {
        m._meta.label
        for m in apps.get_models()
        if hasattr(m._meta, "simple_history_manager_attribute")  # set by HistoricalRecords
    }
    assert sorted(with_history) == sorted(AUDITED_MODELS)
    for model in audited_models():
        assert model.history.model.instance_type is model


def test_the_checker_sees_writes_that_skipped_history(db):
    """The walk can fail: update(), bulk_update and a raw delete are each reported."""
    county = build_county(townships=2, departments=2, parks=0)
    assert history_gaps(Unit) == []
    first, second, third = county.units[:3]
    Unit.objects.filter(pk=first.pk).update(name="改名未留痕")
    second.name = "批量改名"
    Unit.objects.bulk_update([second], ["name"])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_unit WHERE id = %s", [third.pk])
    assert history_gaps(Unit) == [
        f"accounts.Unit {first.pk}: changed, no history",
        f"accounts.Unit {second.pk}: changed, no history",
        f"accounts.Unit {third.pk}: deleted, no history",
    ]
    second.save()  # saved through the model: a history row, the gap closes
    first.refresh_from_db()
    first.save()
    assert history_gaps(Unit) == [f"accounts.Unit {third.pk}: deleted, no history"]


@pytest.mark.clock("2026-04-20 10:00")
def test_the_small_demo_leaves_no_change_outside_history(db):
    """The demo writes in bulk (ledgers, entries, register rows and reports, targets, accounts)
    and then runs the scoring services: Q1 computed, reviewed and published on 04-10, its
    绩误档案 written, the weekly briefings generated."""
    build_demo(
        townships=4,
        departments=4,
        parks=1,
        weeks=None,
        now=datetime(2026, 4, 20, 10, tzinfo=SHANGHAI),
        results=True,
    )
    published = QuarterlyEvaluation.objects.get(quarter=1)
    assert published.status == QuarterlyEvaluation.Status.PUBLISHED
    assert FileEntry.objects.exists()
    assert LedgerEntry.history.filter(history_type="~").exists()  # the stories' steps
    assert all_history_gaps() == []


@pytest.mark.clock("2026-05-15 10:00")
def test_a_year_through_the_services_leaves_no_change_outside_history(db):
    """A small year with registers, taken through the services: ledgers handed in, returned,
    corrected, verified and reopened; register rows returned and verified, a signing added
    and deleted; a target's milestones and a week's deadline changed; Q1 adjusted, vetoed,
    computed, reviewed and published (its 绩误档案 written in bulk); a follow-up issued and
    escalated when overdue; a merit filed by hand."""
    reg = build_register_year(year=2026)
    small = reg.small
    office2 = make_user("office2", Role.OFFICE, unit=small.office.unit)
    zfw = make_user("zfw", Role.REVIEWER, unit=small.cases.lead_unit)
    now = timezone.now()

    week10 = hand_in(small, week=10)
    reports = {r.project_id: r for r in week10.project_reports.all()}
    return_row(
        kind="project", row_id=reports[reg.sewage.pk].pk, user=small.reviewer, comment="照片不符"
    )
    verify_row(kind="project", row_id=reports[reg.food_park.pk].pk, user=small.reviewer)
    week12 = open_ledger(unit=reg.township, period=small.period(12))
    signing = add_signed_project(
        week12,
        user=small.reporter,
        data={
            "name": "冷链物流项目",
            "investor": "某公司",
            "amount": "12000",
            "signed_on": "2026-03-02",
        },
        now=small.during(12),
    )
    delete_signed_project(signing, user=small.reporter, now=small.during(12))

    week11 = hand_in(small, week=11, investment="4")
    entry = LedgerEntry.objects.get(ledger=week11, indicator=small.investment)
    return_entry(entry=entry, user=small.reviewer, comment="与项目台帐不符")
    save_entries(
        ledger=week11, user=small.reporter, changes={small.investment.pk: EntryInput(value=D(3))}
    )
    submit_ledger(ledger=week11, user=small.reporter)
    handed_in = LedgerEntry.objects.filter(ledger__in=[week10, week11])
    verify_entries(
        entry_ids=list(handed_in.filter(indicator=small.investment).values_list("pk", flat=True)),
        user=small.reviewer,
        corrections={entry.pk: D("2.5")},
        comment="核减：部分投资未入统",
    )
    verify_entries(
        entry_ids=list(handed_in.filter(indicator=small.cases).values_list("pk", flat=True)),
        user=zfw,
    )
    reopen_ledger(
        unit=small.other_reporter.unit,
        period=small.period(12),
        user=small.office,
        until=now + timedelta(days=2),
        reason="系统故障补报",
    )

    set_target(
        indicator=small.investment,
        unit=small.other_reporter.unit,
        annual_value=D(20),
        milestones=[(date(2026, 6, 30), D("0.5")), (date(2026, 12, 31), D(1))],
    )
    later = small.period(22)
    change_period_deadline(
        period=later,
        deadline=later.deadline + timedelta(days=1),
        reason="端午调休",
        user=small.office,
    )

    unit = reg.township
    bonus = enter_adjustment(
        unit=unit, year=small.year, quarter=1, kind="commendation", points="1",
        reason="上级表彰", user=small.office,
    )  # fmt: skip
    approve_adjustment(adjustment=bonus, user=office2)
    veto = enter_veto(
        unit=small.other_reporter.unit, year=small.year, quarter=1, kind="no_excellence",
        reason="发生较大安全事故", user=small.office,
    )  # fmt: skip
    approve_veto(veto=veto, user=office2)
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=small.office, confirm_open_periods=True)
    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(hours=1),
    )
    publish_quarter(evaluation=evaluation, user=small.office, document_number="〔2026〕1号")
    assert FileEntry.objects.filter(quarter=1).exists()

    follow_up = follow_ups.create_and_issue(
        year=small.year, unit=unit, indicator=small.investment, title="投资进度滞后",
        problem="核实累计2.5亿元，进度滞后。", requirement="制定整改措施，按时反馈。",
        due_on=date(2026, 5, 20), user=small.reviewer, now=now,
    )  # fmt: skip
    escalate_overdue_follow_ups(now=now + timedelta(days=10))
    follow_up.refresh_from_db()
    assert follow_up.card != ""
    add_file_entry(
        unit=unit, year=small.year, user=small.office, merit=True, kind="上级表彰",
        description="防汛工作受市政府通报表扬", points=1, recorded_on=date(2026, 5, 14),
    )  # fmt: skip

    assert all_history_gaps() == []
