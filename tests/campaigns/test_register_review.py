"""Review of register rows (核实 / 核减 / 退回), its page, and derived entries kept untyped.

The register_builders story: 城关镇's three projects (发改委 reviews them and the signings),
its pilot village 东村 (农业农村局 reviews it).
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.demo import build_county
from accounts.models import Notification
from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import (
    KeyProject,
    LedgerEntry,
    PilotVillage,
    ProjectReport,
    SignedProject,
    VillageTask,
    WeeklyLedger,
)
from campaigns.selectors import review_queue
from campaigns.services.ledger import EntryErrors, EntryInput, open_ledger, save_entries
from campaigns.services.ledger_workbook import import_ledger_workbook, ledger_workbook
from campaigns.services.registers.review import return_row, verify_row
from campaigns.services.review import verify_entries
from campaigns.services.years import set_target
from campaigns.todo import reviewer_items
from tests.campaigns.builders import hand_in
from tests.campaigns.register_builders import build_register_year
from tests.helpers import count_queries, make_user

D = Decimal
pytestmark = pytest.mark.clock("2026-05-15 10:00")


@pytest.fixture
def reg(db):
    return build_register_year(year=2026)


def week(reg, number=10):
    """城关镇's week handed in: its reports prefilled by open_ledger, derived on hand-in."""
    ledger = hand_in(reg.small, week=number)
    return ledger, {r.project_id: r for r in ledger.project_reports.all()}


def entry(ledger, indicator) -> LedgerEntry:
    return LedgerEntry.objects.get(ledger=ledger, indicator=indicator)


def test_return_makes_the_entry_and_the_ledger_returned_and_tells_the_unit(reg):
    ledger, reports = week(reg)
    with pytest.raises(LedgerError, match="退回理由"):
        return_row(
            kind="project", row_id=reports[reg.sewage.pk].pk, user=reg.small.reviewer, comment=" "
        )
    return_row(
        kind="project",
        row_id=reports[reg.sewage.pk].pk,
        user=reg.small.reviewer,
        comment="开工照片与现场不符",
    )
    assert entry(ledger, reg.started_rate).review_status == "returned"
    assert WeeklyLedger.objects.get(pk=ledger.pk).status == WeeklyLedger.Status.RETURNED
    notice = Notification.objects.get(recipient=reg.small.reporter, kind="returned")
    assert "城关镇污水处理厂" in notice.title and "开工照片与现场不符" in notice.body
    report = ProjectReport.objects.get(pk=reports[reg.sewage.pk].pk)
    assert report.history.first().history_change_reason == "退回：开工照片与现场不符"
    with pytest.raises(LedgerError, match="已退回单位修改"):
        verify_row(kind="project", row_id=report.pk, user=reg.small.reviewer)


def test_only_the_rows_reviewing_department_verifies(reg):
    _ledger, reports = week(reg)
    row_id = reports[reg.food_park.pk].pk
    for user in (reg.village_reviewer, reg.small.reporter, reg.small.office, reg.leader):
        with pytest.raises(LedgerError, match="不属于本单位牵头核实的台帐"):
            verify_row(kind="project", row_id=row_id, user=user)
    assert ProjectReport.objects.get(pk=row_id).review_status == "pending"


def test_a_draft_ledgers_rows_cannot_be_verified(reg):
    ledger = open_ledger(unit=reg.township, period=reg.small.period(10))
    report = ledger.project_reports.first()
    with pytest.raises(LedgerError, match="尚未提交"):
        verify_row(kind="project", row_id=report.pk, user=reg.small.reviewer)


def test_verifying_a_village_report_keeps_the_tasks_and_raises_the_rate(reg):
    """东村's tasks reported 100 / 50 / 0 / 50: the township's 完成率 50 % once verified."""
    ledger = open_ledger(unit=reg.township, period=reg.small.period(10))
    report = ledger.village_reports.get()
    for line, completion in zip(
        report.tasks.order_by("task__sort_order"), (100, 50, 0, 50), strict=True
    ):
        line.completion = D(completion)
        line.save()
    ledger = hand_in(reg.small, week=10)
    assert entry(ledger, reg.task_rate).value == D(50)
    verify_row(kind="village", row_id=report.pk, user=reg.village_reviewer)
    rate = entry(ledger, reg.task_rate)
    assert (rate.review_status, rate.verified_value) == ("verified", D(50))
    completions = VillageTask.objects.filter(village=reg.village).order_by("sort_order")
    assert [t.completion for t in completions] == [D(100), D(50), D(0), D(50)]


def test_a_signing_is_corrected_with_a_reason(reg):
    ledger = hand_in(reg.small, week=10)
    signing = SignedProject.objects.create(
        year=reg.small.year,
        unit=reg.township,
        ledger=ledger,
        name="冷链物流项目",
        investor="某公司",
        amount=D(12000),
        signed_on=date(2026, 3, 2),
    )
    with pytest.raises(LedgerError, match="核减理由"):
        verify_row(kind="signed", row_id=signing.pk, user=reg.small.reviewer, corrected=D(10000))
    verify_row(
        kind="signed",
        row_id=signing.pk,
        user=reg.small.reviewer,
        corrected=D(10000),
        comment="协议额含二期",
    )
    amount = entry(ledger, reg.signed_amount)
    assert (amount.value, amount.verified_value) == (D("1.2"), D("1"))


# Derived entries are never typed or verified directly --------------------------------------


def test_save_entries_refuses_a_derived_figure(reg):
    ledger = open_ledger(unit=reg.township, period=reg.small.period(10))
    with pytest.raises(EntryErrors, match="「重点项目开工率」由重点项目库自动生成，不能直接填写"):
        save_entries(
            ledger=ledger,
            user=reg.small.reporter,
            changes={reg.started_rate.pk: EntryInput(value=D(80))},
            now=reg.small.during(10),
        )
    with pytest.raises(EntryErrors, match="由试点村库自动生成"):
        save_entries(
            ledger=ledger,
            user=reg.small.reporter,
            changes={reg.task_rate.pk: EntryInput(value=D(80))},
            now=reg.small.during(10),
        )


def test_autosave_refuses_a_derived_figure(client, reg):
    period = reg.small.period(10)
    open_ledger(unit=reg.township, period=period)
    client.force_login(reg.small.reporter)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: reg.small.during(10))
        response = client.post(
            reverse("ledger-autosave", args=[period.pk, reg.started_rate.pk]),
            {f"e{reg.started_rate.pk}-value": "80"},
        )
    assert response.status_code == 400
    assert "由重点项目库自动生成，不能直接填写" in str(response.json()["errors"])


def test_workbook_marks_derived_rows_and_the_upload_skips_them(reg):
    ledger = open_ledger(unit=reg.township, period=reg.small.period(10))
    now = reg.small.during(10)
    content = ledger_workbook(ledger=ledger, now=now)
    result = import_ledger_workbook(ledger=ledger, file=content, user=reg.small.reporter, now=now)
    assert result.derived == 5
    assert "由台帐自动生成的 5 项未导入" in str(result)
    sheet = load_workbook(BytesIO(content))["周帐"]
    marks = {row[0]: row[14] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert marks[reg.started_rate.pk] == "自动生成"
    assert marks[reg.small.investment.pk] == "可修改"


def test_derived_entries_are_not_verified_or_queued_directly(reg):
    ledger = hand_in(reg.small, week=10)
    derived = entry(ledger, reg.started_rate)
    with pytest.raises(LedgerError, match="该指标由台帐自动核实，请核实台帐行"):
        verify_entries(entry_ids=[derived.pk], user=reg.small.reviewer)
    queued = set(review_queue(reg.small.reviewer).values_list("indicator__source", flat=True))
    assert queued == {"ledger"}


# The page ----------------------------------------------------------------------------------


def test_review_page_lists_and_verifies(client, reg):
    _ledger, reports = week(reg)
    client.force_login(reg.small.reviewer)
    page = client.get(reverse("register-review"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "城关镇食品产业园" in text and "东村" not in text  # villages are 农业农村局's
    assert reverse("register-review") in client.get(reverse("review-queue")).content.decode()
    row = reports[reg.food_park.pk]
    response = client.post(reverse("register-review-verify", args=[row.pk]), {"kind": "project"})
    assert response.status_code == 302
    assert ProjectReport.objects.get(pk=row.pk).review_status == "verified"
    response = client.post(
        reverse("register-review-correct", args=[row.pk]),
        {"kind": "project", "corrected": "abc", "comment": "x"},
        follow=True,
    )
    assert "核实数" in response.content.decode()
    response = client.post(
        reverse("register-review-return", args=[reports[reg.sewage.pk].pk]),
        {"kind": "project", "comment": "请补充照片"},
    )
    assert ProjectReport.objects.get(pk=reports[reg.sewage.pk].pk).review_status == "returned"


def _grow(reg, townships: int) -> None:
    """Every township of a county of `townships` gets a project, a village with two tasks and a
    signing, all in a handed-in week 10 ledger."""
    county = build_county(townships=townships, departments=4, parks=1)
    period = reg.small.period(10)
    campaign = reg.food_park.campaign
    for unit in county.units[:townships]:
        if KeyProject.objects.filter(unit=unit).exists():
            continue
        set_target(indicator=reg.started_rate, unit=unit, annual_value=D(100))
        set_target(indicator=reg.task_rate, unit=unit, annual_value=D(100))
        KeyProject.objects.create(
            year=reg.small.year,
            campaign=campaign,
            name=f"{unit.short_name}项目",
            unit=unit,
            category="industry",
            total_investment=D(100),
            annual_plan=D(50),
        )
        village = PilotVillage.objects.create(
            year=reg.small.year, township=unit, name="西村", level="municipal"
        )
        for i in (1, 2):
            VillageTask.objects.create(village=village, name=f"任务{i}", due_on=date(2026, 7, 31))
        ledger = open_ledger(unit=unit, period=period)
        SignedProject.objects.create(
            year=reg.small.year,
            unit=unit,
            ledger=ledger,
            name=f"{unit.short_name}签约",
            investor="某公司",
            amount=D(500),
            signed_on=date(2026, 3, 2),
        )
        ledger.hand_in(at=reg.small.during(10))
        ledger.save()


def _count(client, user) -> int:
    client.force_login(user)
    url = reverse("register-review") + "?status=all"
    client.get(url)
    with count_queries() as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_review_page_queries_are_flat_from_10_to_60_units(client, reg):
    make_user("r-other", Role.REVIEWER, unit=reg.village_reviewer.unit)
    _grow(reg, 10)
    small = (_count(client, reg.small.reviewer), _count(client, reg.village_reviewer))
    _grow(reg, 60)
    large = (_count(client, reg.small.reviewer), _count(client, reg.village_reviewer))
    assert small == large


def test_a_verdict_rederives_the_units_later_weeks(reg):
    """A 12000 万元 signing of week 10 counts in week 11's figure too: once verified in week
    10, week 11's 签约额 (no signing of its own) is verified at 1.2 亿元."""
    ledger10 = hand_in(reg.small, week=10)
    signing = SignedProject.objects.create(
        year=reg.small.year,
        unit=reg.township,
        ledger=ledger10,
        name="冷链物流项目",
        investor="某公司",
        amount=D(12000),
        signed_on=date(2026, 3, 2),
    )
    ledger11 = hand_in(reg.small, week=11)
    assert entry(ledger11, reg.signed_amount).verified_value in (None, D(0))
    verify_row(kind="signed", row_id=signing.pk, user=reg.small.reviewer)
    later = entry(ledger11, reg.signed_amount)
    assert (later.value, later.verified_value) == (D("1.2"), D("1.2"))


def test_the_reviewers_home_counts_register_rows_waiting(reg, client):
    """城关镇's week 10 handed in: its three project reports wait for 发改委 (three 待办), none
    for 政法委 (it leads no derived indicator: no item at all). One verified: two left."""
    _ledger, reports = week(reg)
    client.force_login(reg.small.reviewer)
    page = client.get(reverse("home-reviewer")).content.decode()
    assert "待核实的台帐行" in page
    assert 'href="/registers/review/"' in page
    verify_row(kind="project", row_id=reports[reg.food_park.pk].pk, user=reg.small.reviewer)
    now = timezone.now()
    (item,) = [i for i in reviewer_items(reg.small.reviewer, now=now) if "台帐" in i.label]
    assert item.count == 2
    zfw = make_user("zfw", Role.REVIEWER, unit=reg.small.cases.lead_unit)
    assert not [i for i in reviewer_items(zfw, now=now) if "台帐" in i.label]
