"""The unit's weekly register reports: opening, saving, signings, and every refusal of the
issue (another unit's project, a skipped status without reason, investment above the total,
completion outside 0–100 %, a duplicate signing): a Chinese message and nothing saved."""

from datetime import date
from decimal import Decimal

import pytest

from campaigns.errors import LedgerError
from campaigns.models import (
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTaskProgress,
    WeeklyLedger,
)
from campaigns.register_models import ReviewStatus
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.registers.reporting import (
    add_signed_project,
    delete_signed_project,
    open_register_reports,
    save_project_report,
    save_village_report,
    update_signed_project,
)
from tests.campaigns.register_builders import build_register_year

pytestmark = pytest.mark.clock("2026-05-15 10:00")
WEEK = 20  # 11–17 May 2026


@pytest.fixture
def reg(db):
    return build_register_year(year=2026)


def week_ledger(reg, week=WEEK, unit=None):
    return open_ledger(unit=unit or reg.township, period=reg.small.period(week))


def project_report(reg, project, week=WEEK):
    week_ledger(reg, week, unit=project.unit)
    return ProjectReport.objects.get(project=project, ledger__period__iso_week=week)


def village_report(reg, week=WEEK):
    week_ledger(reg, week)
    return VillageReport.objects.get(village=reg.village, ledger__period__iso_week=week)


def snapshot(report):
    report.refresh_from_db()
    return (report.status, report.investment_to_date, report.started_on, report.history.count())


def submit(reg, ledger, now):
    """Hand the ledger in, its two typed figures filled in first."""
    changes = {
        reg.small.investment.pk: EntryInput(value=Decimal("3")),
        reg.small.cases.pk: EntryInput(value=Decimal("5")),
        reg.small.flood.pk: EntryInput(),
    }
    save_entries(ledger=ledger, user=reg.small.reporter, changes=changes, now=now)
    submit_ledger(ledger=ledger, user=reg.small.reporter, now=now)


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(LedgerError) as caught:
        call(*args, **kwargs)
    return " ".join(caught.value.messages)


PROJECT = {"status": "building", "started_on": "2026-05-06", "investment_to_date": "1200"}


def test_open_creates_one_report_per_active_row_and_is_idempotent(reg):
    ledger = week_ledger(reg)
    assert ledger.project_reports.count() == 3  # 城关镇's three projects, not 青山镇's
    village = ledger.village_reports.get()
    assert village.tasks.count() == 4
    assert all(r.review_status == ReviewStatus.PENDING for r in ledger.project_reports.all())
    open_register_reports(ledger)
    week_ledger(reg)
    assert ledger.project_reports.count() == 3
    assert VillageTaskProgress.objects.filter(report__ledger=ledger).count() == 4
    # Prefilled from the register row: the continuing project starts from 在建.
    logistics = ledger.project_reports.get(project=reg.logistics)
    assert logistics.status == "building"
    assert logistics.history.first().history_change_reason == "开帐"


def test_prefilled_from_the_latest_report(reg):
    report = project_report(reg, reg.food_park, week=19)
    save_project_report(report, user=reg.small.reporter, data=PROJECT, now=reg.small.during(19))
    later = project_report(reg, reg.food_park)
    assert (later.status, later.investment_to_date) == ("building", Decimal("1200"))
    assert later.started_on == date(2026, 5, 6)


def test_save_project_report(reg):
    report = project_report(reg, reg.food_park)
    data = {
        **PROJECT,
        "progress": "主体厂房开工",
        "blocked_land": "on",
        "blocking_note": "用地指标",
    }
    save_project_report(report, user=reg.small.reporter, data=data, now=reg.small.during(WEEK))
    report.refresh_from_db()
    assert report.status == "building" and report.investment_to_date == Decimal("1200")
    assert report.blocker_labels == ["土地"] and report.progress == "主体厂房开工"
    assert report.history.first().history_user == reg.small.reporter


def test_another_units_project_is_refused(reg):
    report = project_report(reg, reg.other_project)
    before = snapshot(report)
    message = refused(
        save_project_report,
        report,
        user=reg.small.reporter,
        data=PROJECT,
        now=reg.small.during(WEEK),
    )
    assert "不能填报其他单位的项目" in message
    assert snapshot(report) == before


@pytest.mark.parametrize(
    "data,message",
    [
        ({**PROJECT, "status": "completed"}, "不是相邻的一步，须填写状态变更说明"),
        ({**PROJECT, "investment_to_date": "50001"}, "不能超过项目总投资 50000 万元"),
        ({**PROJECT, "investment_to_date": "-1"}, "不能为负数"),
        ({**PROJECT, "investment_to_date": "abc"}, "本年累计完成投资"),
        ({**PROJECT, "started_on": ""}, "已开工的项目须填写开工日期"),
        ({**PROJECT, "started_on": "2026-06-01"}, "开工日期不能晚于今天"),
        ({**PROJECT, "started_on": "2025-06-01"}, "不能早于考核年度"),
        ({**PROJECT, "status": "flying"}, "请选择项目状态"),
        # Too long is refused with the count, never cut to fit.
        ({**PROJECT, "progress": "进" * 5001}, "「本周进展」最多 5000 个字，现有 5001 个字"),
        ({**PROJECT, "blocking_note": "制" * 1001}, "「制约因素说明」最多 1000 个字"),
        (
            {**PROJECT, "status": "completed", "status_reason": "因" * 301},
            "「状态变更说明」最多 300 个字，现有 301 个字",
        ),
    ],
)
def test_bad_project_reports_save_nothing(reg, data, message):
    report = project_report(reg, reg.food_park)
    before = snapshot(report)
    got = refused(
        save_project_report, report, user=reg.small.reporter, data=data, now=reg.small.during(WEEK)
    )
    assert message in got
    assert snapshot(report) == before


def test_skipped_step_with_a_reason_is_accepted(reg):
    report = project_report(reg, reg.food_park)
    data = {**PROJECT, "status": "completed", "status_reason": "标准厂房当月建成"}
    save_project_report(report, user=reg.small.reporter, data=data, now=reg.small.during(WEEK))
    report.refresh_from_db()
    assert report.status == "completed"


def test_decrease_from_last_verified_needs_a_reason(reg):
    earlier = project_report(reg, reg.food_park, week=19)
    save_project_report(earlier, user=reg.small.reporter, data=PROJECT, now=reg.small.during(19))
    earlier.refresh_from_db()
    earlier.review_status = ReviewStatus.VERIFIED
    earlier.save()
    report = project_report(reg, reg.food_park)
    lower = {**PROJECT, "investment_to_date": "1000"}
    now = reg.small.during(WEEK)
    message = refused(save_project_report, report, user=reg.small.reporter, data=lower, now=now)
    assert "比上次核实（1200 万元）减少" in message
    save_project_report(
        report, user=reg.small.reporter, data={**lower, "status_reason": "统计口径调整"}, now=now
    )
    report.refresh_from_db()
    assert report.investment_to_date == Decimal("1000")


def test_submitted_report_cannot_change(reg):
    report = project_report(reg, reg.food_park)
    now = reg.small.during(WEEK)
    submit(reg, report.ledger, now)
    message = refused(save_project_report, report, user=reg.small.reporter, data=PROJECT, now=now)
    assert "当前不可修改" in message


def village_data(reg, **tasks):
    data = {
        "funds_central": "80",
        "funds_provincial": "50",
        "highlights": "村道全线贯通",
        "tasks": {reg.tasks[0].pk: {"completion": "100", "done_on": "2026-05-12"}},
    }
    data["tasks"].update(tasks)
    return data


def test_save_village_report(reg):
    report = village_report(reg)
    data = village_data(reg, **{str(reg.tasks[1].pk): {"completion": "40"}})
    save_village_report(report, user=reg.small.reporter, data=data, now=reg.small.during(WEEK))
    report.refresh_from_db()
    assert report.funds_central == Decimal("80") and report.highlights == "村道全线贯通"
    done = report.tasks.get(task=reg.tasks[0])
    assert (done.completion, done.done_on) == (Decimal("100"), date(2026, 5, 12))
    assert report.tasks.get(task=reg.tasks[1]).completion == Decimal("40")


def village_snapshot(report):
    report.refresh_from_db()
    lines = list(report.tasks.values_list("completion", "done_on"))
    return report.funds_central, report.highlights, lines, report.history.count()


@pytest.mark.parametrize(
    "change,message",
    [
        ({"completion": "101"}, "完成进度须在 0–100% 之间"),
        ({"completion": "-5"}, "完成进度须在 0–100% 之间"),
        ({"completion": "100"}, "须填写完成日期"),
        ({"completion": "abc"}, "完成进度"),
        ({"completion": "100", "done_on": "2026-06-30"}, "不能晚于本帐期最后一天"),
    ],
)
def test_bad_task_completion_saves_nothing(reg, change, message):
    report = village_report(reg)
    before = village_snapshot(report)
    data = village_data(reg, **{str(reg.tasks[1].pk): change})
    got = refused(
        save_village_report, report, user=reg.small.reporter, data=data, now=reg.small.during(WEEK)
    )
    assert message in got
    assert village_snapshot(report) == before


def test_funds_above_plan_and_other_township_refused(reg):
    report = village_report(reg)
    before = village_snapshot(report)
    now = reg.small.during(WEEK)
    data = {**village_data(reg), "funds_central": "100.01"}
    got = refused(save_village_report, report, user=reg.small.reporter, data=data, now=now)
    assert "「中央资金」到位资金不能超过计划（100 万元）" in got
    got = refused(
        save_village_report, report, user=reg.small.other_reporter, data=village_data(reg), now=now
    )
    assert "不能填报其他乡镇的试点村" in got
    assert village_snapshot(report) == before


SIGNING = {
    "name": "预制菜加工",
    "investor": "某食品集团",
    "investor_class": "china500",
    "amount": "12000",
    "signed_on": "2026-05-06",
}


def test_add_update_and_delete_signing(reg):
    ledger = week_ledger(reg)
    now = reg.small.during(WEEK)
    row = add_signed_project(ledger, user=reg.small.reporter, data=SIGNING, now=now)
    assert (row.ledger, row.unit, row.review_status) == (ledger, reg.township, "pending")
    update_signed_project(
        row, user=reg.small.reporter, data={**SIGNING, "amount": "15000"}, ledger=ledger, now=now
    )
    row.refresh_from_db()
    assert row.amount == Decimal("15000")
    delete_signed_project(row, user=reg.small.reporter, now=now)
    assert not SignedProject.objects.exists()


@pytest.mark.parametrize(
    "data,message",
    [
        ({"amount": "-1"}, "不能为负数"),
        ({"signed_on": "2026-05-20"}, "不能晚于本帐期最后一天"),
        ({"signed_on": "2025-11-20"}, "不在考核年度内"),
        ({"name": ""}, "请填写项目名称"),
        ({"investor_class": "alien"}, "投资方类别只能是"),
        ({"name": "名" * 101}, "「项目名称」最多 100 个字，现有 101 个字"),
    ],
)
def test_bad_signings_save_nothing(reg, data, message):
    ledger = week_ledger(reg)
    got = refused(
        add_signed_project,
        ledger,
        user=reg.small.reporter,
        data={**SIGNING, **data},
        now=reg.small.during(WEEK),
    )
    assert message in got
    assert not SignedProject.objects.exists()


def test_duplicate_signing_name_is_refused(reg):
    ledger = week_ledger(reg)
    now = reg.small.during(WEEK)
    add_signed_project(ledger, user=reg.small.reporter, data=SIGNING, now=now)
    got = refused(add_signed_project, ledger, user=reg.small.reporter, data=SIGNING, now=now)
    assert "已登记签约项目「预制菜加工」，不能重复登记" in got
    assert SignedProject.objects.count() == 1
    other = week_ledger(reg, unit=reg.other_township)
    got = refused(add_signed_project, other, user=reg.small.reporter, data=SIGNING, now=now)
    assert "只能填报本单位" in got


def test_verified_signing_moves_into_this_week_when_its_amount_changes(reg):
    now19, now = reg.small.during(19), reg.small.during(WEEK)
    row = add_signed_project(week_ledger(reg, 19), user=reg.small.reporter, data=SIGNING, now=now19)
    row.review_status, row.verified_amount = ReviewStatus.VERIFIED, Decimal("12000")
    row.save()
    ledger = week_ledger(reg)
    # A stage move alone keeps it verified where it is.
    update_signed_project(
        row,
        user=reg.small.reporter,
        data={**SIGNING, "stage": "registered"},
        ledger=ledger,
        now=now,
    )
    row.refresh_from_db()
    assert (row.stage, row.review_status, row.ledger.period.iso_week) == (
        "registered",
        "verified",
        19,
    )
    # A skipped stage needs a reason.
    got = refused(
        update_signed_project,
        row,
        user=reg.small.reporter,
        data={**SIGNING, "stage": "signed"},
        ledger=ledger,
        now=now,
    )
    assert "不是相邻的一步" in got
    update_signed_project(
        row,
        user=reg.small.reporter,
        data={**SIGNING, "stage": "registered", "amount": "13000"},
        ledger=ledger,
        now=now,
    )
    row.refresh_from_db()
    assert (row.review_status, row.ledger, row.verified_amount) == ("pending", ledger, None)
    got = refused(delete_signed_project, row, user=reg.small.other_reporter, now=now)
    assert "只能填报本单位" in got


def test_resubmission_sends_returned_reports_back_to_pending(reg):
    report = project_report(reg, reg.food_park)
    now = reg.small.during(WEEK)
    save_project_report(report, user=reg.small.reporter, data=PROJECT, now=now)
    submit(reg, report.ledger, now)
    report.refresh_from_db()
    report.review_status = ReviewStatus.RETURNED
    report.save()
    ledger = report.ledger
    ledger.status = WeeklyLedger.Status.RETURNED
    ledger.save()
    save_project_report(
        report, user=reg.small.reporter, data={**PROJECT, "investment_to_date": "1300"}, now=now
    )
    submit_ledger(ledger=ledger, user=reg.small.reporter, now=now)
    report.refresh_from_db()
    assert report.review_status == ReviewStatus.PENDING
    assert report.investment_to_date == Decimal("1300")


def test_a_task_added_later_gets_its_line_when_the_ledger_is_opened_again(reg):
    from campaigns.models import VillageTask

    report = village_report(reg)
    task = VillageTask.objects.create(
        village=reg.village, name="公厕改造", due_on=date(2026, 7, 31)
    )
    week_ledger(reg)
    assert report.tasks.count() == 5 and report.tasks.filter(task=task).exists()


def test_photos_follow_the_entry_rule(reg):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from campaigns.models import Evidence
    from campaigns.services.evidence import attach_evidence

    def png():
        buffer = BytesIO()
        Image.new("RGB", (8, 8), "green").save(buffer, "PNG")
        return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")

    report = project_report(reg, reg.food_park)
    now = reg.small.during(WEEK)
    attach_evidence(project_report=report, upload=png(), user=reg.small.reporter, now=now)
    assert report.evidence.count() == 1
    got = refused(
        attach_evidence, project_report=report, upload=png(), user=reg.small.other_reporter, now=now
    )
    assert "只能为本单位的周报上传照片" in got
    submit(reg, report.ledger, now)
    got = refused(
        attach_evidence, project_report=report, upload=png(), user=reg.small.reporter, now=now
    )
    assert "当前不可修改" in got
    assert Evidence.objects.count() == 1
