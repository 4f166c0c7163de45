"""The leaders' 分包 view, on-site checks of register rows and the red-row rule (issue 13).

The small register year (tests/campaigns/register_builders.py), clock at 2026-05-15 (week 20):
- 城关镇食品产业园 (the leader's, 未开工, planned start 2026-03-01) is 逾期未开工;
- 城关镇污水处理厂 (未开工, planned start 2026-05-01) is 逾期未开工;
- 城关镇物流中心 (在建, no planned start) is not red unless stalled;
- 青山镇光伏电站 (未开工, planned start 2026-04-01) is 逾期未开工;
- 东村 (the leader's) has no verified report: not stalled.
Every row was registered today, so none is unchecked for more than 30 days yet.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import (
    Inspection,
    KeyProject,
    PilotVillage,
    ProjectReport,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
    WeeklyLedger,
)
from campaigns.register_models import ReviewStatus
from campaigns.registers import red_flags
from campaigns.registers.contracted import register_rows
from campaigns.services.registers.inspections import record_row_inspection
from scoring.dashboards import leader_dashboard
from tests.campaigns.register_builders import build_register_year
from tests.helpers import count_queries, make_user
from tests.test_chinese_screens import english_words

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-05-15 10:00")]

D = Decimal
TODAY = date(2026, 5, 15)
SINCE = date(2026, 1, 1)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


# --- the rule, on plain values ------------------------------------------------------------


def test_not_started_after_planned_start():
    """Planned 2026-05-14, still 未开工 on 05-15: red; planned 05-15 itself: not yet."""
    common = {"investments": [], "last_check": TODAY, "since": SINCE, "today": TODAY}
    late = red_flags.project_reasons(
        status="not_started", planned_start=date(2026, 5, 14), **common
    )
    on_day = red_flags.project_reasons(
        status="not_started", planned_start=date(2026, 5, 15), **common
    )
    no_plan = red_flags.project_reasons(status="not_started", planned_start=None, **common)
    started = red_flags.project_reasons(status="building", planned_start=date(2026, 3, 1), **common)
    assert (late, on_day, no_plan, started) == (["逾期未开工"], [], [], [])


def test_suspended_and_stalled():
    """停建 is red whatever its figures. 在建 with verified investments 100, 120, 120, 120, 120,
    120 (oldest first): the latest 120 is not above 120 four reports before → 连续4周无进展.
    100, 120, 120, 120, 120: latest 120 > 100 four reports before → progressing. Four reports
    only (120 ×4) are too few to call."""
    common = {"planned_start": None, "last_check": TODAY, "since": SINCE, "today": TODAY}
    assert red_flags.project_reasons(status="suspended", investments=[], **common) == ["停建"]
    flat = [D(100), D(120), D(120), D(120), D(120), D(120)]
    assert red_flags.project_reasons(status="building", investments=flat, **common) == [
        "连续4周无进展"
    ]
    rising = flat[:5]
    assert red_flags.project_reasons(status="building", investments=rising, **common) == []
    assert red_flags.project_reasons(status="building", investments=[D(120)] * 4, **common) == []
    assert red_flags.project_reasons(status="completed", investments=flat, **common) == []


def test_unchecked_more_than_30_days():
    """Last check 2026-04-15: 30 days before 05-15, not more → not red; 04-14 (31 days) → red.
    Never checked: counted from `since` (05-01: 14 days, 04-01: 44 days)."""
    common = {"status": "building", "planned_start": None, "investments": [], "today": TODAY}
    assert red_flags.project_reasons(last_check=date(2026, 4, 15), since=SINCE, **common) == []
    assert red_flags.project_reasons(last_check=date(2026, 4, 14), since=SINCE, **common) == [
        "超过30天未实地查看"
    ]
    assert red_flags.project_reasons(last_check=None, since=date(2026, 5, 1), **common) == []
    assert red_flags.project_reasons(last_check=None, since=date(2026, 4, 1), **common) == [
        "超过30天未实地查看"
    ]
    assert red_flags.counted_since(registered=date(2025, 11, 3), year=2026) == SINCE


def test_village_stalled_only_under_100():
    """Averages 50, 60, 60, 60, 60: the latest 60 is above the 50 four reports before → not
    stalled. 60 ×5: stalled. 100 ×5: done, never stalled. 60 ×5 never checked since 03-01
    (75 days): stalled and unchecked."""
    common = {"last_check": TODAY, "since": SINCE, "today": TODAY}
    assert red_flags.village_reasons(completions=[D(50), *[D(60)] * 4], **common) == []
    assert red_flags.village_reasons(completions=[D(60)] * 5, **common) == ["连续4周无进展"]
    assert red_flags.village_reasons(completions=[D(100)] * 5, **common) == []
    assert red_flags.village_reasons(
        completions=[D(60)] * 5, last_check=None, since=date(2026, 3, 1), today=TODAY
    ) == ["连续4周无进展", "超过30天未实地查看"]


# --- rows from the database ---------------------------------------------------------------


def _ledger(unit, period):
    """A handed-in ledger without the reports open_ledger would prefill (the tests write them)."""
    ledger, _ = WeeklyLedger.objects.get_or_create(
        unit=unit, period=period, defaults={"status": WeeklyLedger.Status.SUBMITTED}
    )
    return ledger


def _verified_reports(
    reg, project, weeks, investments, *, status=KeyProject.Status.UNDER_CONSTRUCTION
):
    for week, value in zip(weeks, investments, strict=True):
        ledger = _ledger(project.unit, reg.small.period(week))
        ProjectReport.objects.create(
            project=project,
            ledger=ledger,
            status=status,
            investment_to_date=D(value),
            review_status=ReviewStatus.VERIFIED,
            progress=f"第{week}周进展",
        )


def _village_reports(reg, weeks, completions):
    for week, value in zip(weeks, completions, strict=True):
        ledger = _ledger(reg.village.township, reg.small.period(week))
        report = VillageReport.objects.create(
            village=reg.village, ledger=ledger, review_status=ReviewStatus.VERIFIED
        )
        for task in reg.tasks:
            VillageTaskProgress.objects.create(report=report, task=task, completion=D(value))


def test_rows_red_first_with_reasons():
    """物流中心 在建 with verified 100, 200, 200, 200, 200 (weeks 10–14)? rose → not red; with
    a sixth 200 (week 15) it is stalled. 东村's tasks at 40 % for five weeks: stalled."""
    reg = build_register_year(year=2026)
    _verified_reports(reg, reg.logistics, [10, 11, 12, 13, 14], [100, 200, 200, 200, 200])
    projects, _villages = register_rows(reg.small.office, year=reg.small.year, today=TODAY)
    reasons = {row.name: row.reasons for row in projects}
    assert reasons == {
        "城关镇食品产业园": ["逾期未开工"],
        "城关镇污水处理厂": ["逾期未开工"],
        "青山镇光伏电站": ["逾期未开工"],
        "城关镇物流中心": [],
    }
    assert projects[-1].name == "城关镇物流中心"  # red first
    _verified_reports(reg, reg.logistics, [15], [200])
    _village_reports(reg, [10, 11, 12, 13, 14], [40, 40, 40, 40, 40])
    projects, villages = register_rows(reg.small.office, year=reg.small.year, today=TODAY)
    assert {row.name: row.reasons for row in projects}["城关镇物流中心"] == ["连续4周无进展"]
    assert villages[0].reasons == ["连续4周无进展"]
    assert villages[0].figure_label == "4项任务，平均完成 0.0%"  # the verified state on the row


def test_stall_reads_the_latest_weeks_of_a_long_series():
    """The rows read only each row's latest verified reports (issue 14): the oldest ones must
    not stand in for them. 物流中心 verified 100, 100, 100, 100, 100, 120, 140, 160, 180, 200
    (weeks 6–15): the latest 200 is above the 120 four reports before → not stalled (the five
    oldest alone would be flat). 东村 at 40 % in weeks 6–10, then 45, 50, 55, 60, 65 → not
    stalled. Then 65 in weeks 16–19 and a verified week-20 report without task lines, which
    gives no average: the latest five averages are 65 ×5 (weeks 15–19) → stalled."""
    reg = build_register_year(year=2026)
    _verified_reports(reg, reg.logistics, range(6, 16), [100] * 5 + [120, 140, 160, 180, 200])
    _village_reports(reg, range(6, 16), [40] * 5 + [45, 50, 55, 60, 65])
    projects, villages = register_rows(reg.small.office, year=reg.small.year, today=TODAY)
    assert {row.name: row.reasons for row in projects}["城关镇物流中心"] == []
    assert villages[0].reasons == []
    _village_reports(reg, range(16, 20), [65] * 4)
    VillageReport.objects.create(
        village=reg.village,
        ledger=_ledger(reg.village.township, reg.small.period(20)),
        review_status=ReviewStatus.VERIFIED,
    )
    _projects, villages = register_rows(reg.small.office, year=reg.small.year, today=TODAY)
    assert villages[0].reasons == ["连续4周无进展"]


def test_row_shows_its_newest_handed_in_report():
    """物流中心's reports: week 13 in a ledger still in draft, week 12 (pending) written before
    weeks 11 and 10 (verified), all three handed in: the card shows week 12 — the newest week,
    not the newest row — with its state and progress; a draft is not news yet. 东村 has no
    report: nothing shown."""
    reg = build_register_year(year=2026)
    unit = reg.logistics.unit
    draft = WeeklyLedger.objects.create(
        unit=unit, period=reg.small.period(13), status=WeeklyLedger.Status.DRAFT
    )
    for ledger, progress in ((_ledger(unit, reg.small.period(12)), "第12周进展"), (draft, "草稿")):
        ProjectReport.objects.create(
            project=reg.logistics,
            ledger=ledger,
            status=KeyProject.Status.UNDER_CONSTRUCTION,
            investment_to_date=D(300),
            progress=progress,
        )
    _verified_reports(reg, reg.logistics, [11, 10], [200, 100])
    projects, villages = register_rows(reg.small.office, year=reg.small.year, today=TODAY)
    logistics = next(row for row in projects if row.name == "城关镇物流中心")
    assert (logistics.week_label, logistics.report_state, logistics.progress) == (
        reg.small.period(12).label,
        "待核实",
        "第12周进展",
    )
    assert (villages[0].week_label, villages[0].report_state, villages[0].progress) == ("", "", "")


# --- the page -----------------------------------------------------------------------------


def test_leader_sees_only_own_rows(client):
    reg = build_register_year(year=2026)
    other = make_user("lead2", Role.LEADER, full_name="李副县长")
    reg.sewage.leader = other
    reg.sewage.save()
    client.force_login(reg.leader)
    page = client.get(reverse("register-contracted"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "城关镇食品产业园" in text and "东村" in text
    assert "城关镇污水处理厂" not in text and "青山镇光伏电站" not in text
    assert "逾期未开工" in text and "红色预警" in text
    assert "尚未实地查看" in text
    # Another leader's list through the picker.
    page = client.get(reverse("register-contracted"), {"leader": other.pk})
    text = page.content.decode()
    assert "城关镇污水处理厂" in text and "城关镇食品产业园" not in text
    assert "记录实地查看" not in text  # not the viewer's own rows
    # Only LEADER-role users are offered: anyone else's id is a 404, junk a 404 too.
    assert (
        client.get(reverse("register-contracted"), {"leader": reg.small.reporter.pk}).status_code
        == 404
    )
    assert client.get(reverse("register-contracted"), {"leader": "abc"}).status_code == 404


def test_office_lands_on_every_row_and_filters(client):
    reg = build_register_year(year=2026)
    client.force_login(reg.small.office)
    text = client.get(reverse("register-contracted")).content.decode()
    assert all(name in text for name in ("城关镇食品产业园", "城关镇物流中心", "青山镇光伏电站"))
    assert "未分包" in text
    assert english_words(text, frozenset({"off"})) == []
    inspect = client.get(reverse("register-village-inspect", args=[reg.village.pk]))
    assert english_words(inspect.content.decode(), frozenset({"off"})) == []
    text = client.get(
        reverse("register-contracted"), {"leader": "all", "red": "not_started"}
    ).content.decode()
    assert "城关镇物流中心" not in text and "青山镇光伏电站" in text


@pytest.mark.parametrize("who", ["reporter", "reviewer", "head"])
def test_units_and_reviewers_are_refused(client, who):
    reg = build_register_year(year=2026)
    client.force_login(getattr(reg.small, who))
    assert client.get(reverse("register-contracted")).status_code == 403


def _grow(reg, size):
    """`size` townships, each with a project and a village of the leader, a verified report
    and an on-site check."""
    county = build_county(townships=size, departments=4, parks=1)
    townships = [u for u in county.units if u.kind == "township"]
    for unit in townships:
        if KeyProject.objects.filter(unit=unit).exists():
            continue
        project = KeyProject.objects.create(
            year=reg.small.year,
            campaign=reg.food_park.campaign,
            name=f"{unit.name}项目",
            unit=unit,
            category=KeyProject.Category.INDUSTRY,
            total_investment=D(100),
            annual_plan=D(50),
            planned_start=date(2026, 3, 1),
            leader=reg.leader,
        )
        village = PilotVillage.objects.create(
            year=reg.small.year,
            township=unit,
            name="西村",
            level=PilotVillage.Level.MUNICIPAL,
            leader=reg.leader,
        )
        task = VillageTask.objects.create(village=village, name="村道", due_on=date(2026, 7, 31))
        ledger = _ledger(unit, reg.small.period(18))
        ProjectReport.objects.create(
            project=project,
            ledger=ledger,
            status=KeyProject.Status.NOT_STARTED,
            investment_to_date=D(0),
            review_status=ReviewStatus.VERIFIED,
        )
        report = VillageReport.objects.create(
            village=village, ledger=ledger, review_status=ReviewStatus.VERIFIED
        )
        VillageTaskProgress.objects.create(report=report, task=task, completion=D(10))
        for row in ({"project": project}, {"village": village}):
            Inspection.objects.create(
                unit=unit,
                inspector=reg.small.office,
                visited_on=date(2026, 5, 1),
                place="现场",
                findings="正常",
                **row,
            )


def test_query_count_flat_from_10_to_60_units(client):
    """The 分包 view and the leader dashboard (its register flags and box): as many queries
    with a project and a village in each of 60 townships as in each of 10."""
    reg = build_register_year(year=2026)
    counts = {"register-contracted": [], "dashboard-leader": []}
    client.force_login(reg.leader)
    for size in (10, 60):
        _grow(reg, size)
        for name, found in counts.items():
            url = reverse(name)
            client.get(url)
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
    assert all(first == last for first, last in counts.values()), counts


# --- on-site checks of rows ---------------------------------------------------------------


def test_who_may_check_a_row():
    """The contracting leader, the office and the reviewing department (发改委 for projects);
    not another leader, not the unit, not a department that reviews another register."""
    reg = build_register_year(year=2026)
    form = {"visited_on": date(2026, 5, 14), "place": "工地", "findings": "已平整土地"}
    for user in (reg.leader, reg.small.office, reg.small.reviewer):
        record_row_inspection(user=user, project=reg.food_park, **form)
    assert reg.food_park.inspections.count() == 3
    assert reg.food_park.inspections.first().unit == reg.township
    refused = (make_user("lead2", Role.LEADER), reg.small.reporter, reg.village_reviewer)
    for user in refused:
        with pytest.raises(LedgerError):
            record_row_inspection(user=user, project=reg.food_park, **form)
    # 农业农村局 reviews villages; the leader contracts 东村.
    record_row_inspection(user=reg.village_reviewer, village=reg.village, **form)
    record_row_inspection(user=reg.leader, village=reg.village, **form)
    with pytest.raises(LedgerError, match="只有负责审核"):
        record_row_inspection(user=reg.small.reviewer, village=reg.village, **form)
    assert reg.village.inspections.count() == 2


def test_bad_check_saves_nothing():
    reg = build_register_year(year=2026)
    with pytest.raises(LedgerError) as error:
        record_row_inspection(
            user=reg.leader,
            project=reg.food_park,
            visited_on=date(2026, 5, 16),
            place=" ",
            findings="",
        )
    assert error.value.messages == [
        "查看日期不能晚于今天。",
        "请填写查看地点。",
        "请填写查看情况。",
    ]
    bad_photo = SimpleUploadedFile("现场.png", b"not an image")
    with pytest.raises(LedgerError):
        record_row_inspection(
            user=reg.leader,
            project=reg.food_park,
            visited_on=date(2026, 5, 14),
            place="工地",
            findings="正常",
            photos=[bad_photo],
        )
    assert not Inspection.objects.exists()


def test_check_page_with_photo_updates_days_since(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reg = build_register_year(year=2026)
    client.force_login(reg.leader)
    url = reverse("register-project-inspect", args=[reg.food_park.pk])
    page = client.get(url)
    assert page.status_code == 200 and "尚未实地查看" in page.content.decode()
    answer = client.post(
        url,
        {
            "visited_on": "2026-05-05",
            "place": "食品产业园工地",
            "findings": "场地平整中",
            "differs_from_ledger": "on",
            "photos": [SimpleUploadedFile("现场.png", _png())],
        },
    )
    assert answer.status_code == 302 and answer.url == reverse("register-contracted")
    inspection = reg.food_park.inspections.get()
    assert inspection.differs_from_ledger and inspection.photos.count() == 1
    assert not inspection.follow_ups.exists()  # a row check drafts no follow-up
    text = client.get(reverse("register-contracted")).content.decode()
    assert "2026年5月5日，距今 10 天" in text
    # A Chinese error, nothing saved.
    answer = client.post(url, {"visited_on": "2026-05-05", "place": "", "findings": "x"})
    assert answer.status_code == 200 and reg.food_park.inspections.count() == 1


def test_check_page_refuses_other_leader(client):
    reg = build_register_year(year=2026)
    client.force_login(make_user("lead2", Role.LEADER))
    url = reverse("register-village-inspect", args=[reg.village.pk])
    assert client.get(url).status_code == 403


# --- the leader dashboard -----------------------------------------------------------------


def test_dashboard_flags_and_box(client):
    """逾期未开工: 食品产业园, 污水处理厂, 光伏电站 (3). Stalled: 物流中心 after six flat
    verified reports (1). Unchecked: none (all registered today)."""
    reg = build_register_year(year=2026)
    _verified_reports(reg, reg.logistics, [10, 11, 12, 13, 14, 15], [5] * 6)
    board = leader_dashboard(reg.leader, now=timezone.now())
    flags = {flag.key: flag for flag in board.flags}
    assert flags["register-not_started"].count == 3
    assert set(flags["register-not_started"].names) == {
        "城关镇食品产业园",
        "城关镇污水处理厂",
        "青山镇光伏电站",
    }
    assert flags["register-stalled"].count == 1
    assert flags["register-stalled"].names == ["城关镇物流中心"]
    assert flags["register-unchecked"].count == 0
    assert "red=not_started" in flags["register-not_started"].url
    assert board.contracted["projects"] == 1 and board.contracted["villages"] == 1
    assert [row.name for row in board.contracted["red"]] == ["城关镇食品产业园"]
    client.force_login(reg.leader)
    text = client.get(reverse("dashboard-leader")).content.decode()
    assert "我分包的项目和试点村" in text and "逾期未开工项目" in text
    home = client.get(reverse("home-leader")).content.decode()
    assert reverse("register-contracted") in home
