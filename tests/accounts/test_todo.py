"""The 待办 centre: each role's items counted from the data, with the numbers worked by hand.

The small year (tests/campaigns/builders.py): three townships (城关镇, 青山镇, 白沙镇) carry
固定资产投资完成额 (target 12 亿元, led by 发改委), 防汛物资到位 (milestone, 发改委) and
刑事案件发案数 (target 40 件, 政法委). "Now" is Wednesday 15 April 2026 09:58, ISO week 16
(13–19 April, second quarter from Monday 30 March); a week's deadline is its Friday 18:00.
"""

from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.todo import TodoItem, local_minute, register, time_left, todo_items
from campaigns.services.ledger import EntryInput, open_ledger, save_entries
from campaigns.services.review import record_inspection, return_entry, verify_entries
from tests.campaigns.builders import build_small_year, hand_in, local
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-04-15 09:58")]


def _items(user, role) -> dict[str, TodoItem]:
    return {item.label: item for item in todo_items(user, role)}


def _hand_in(small, unit, week, *, investment, reporter=None, why="", note=None):
    reporter = reporter or make_user(f"r{unit.pk}-{week}", Role.REPORTER, unit=unit)
    return hand_in(
        small,
        unit,
        week=week,
        investment=investment,
        reporter=reporter,
        decrease_reason=why,
        plausibility_note=note,
    )


def test_time_is_shown_in_chinese_local_words():
    """17 April 18:00 from 15 April 09:58: 2 days 8 hours 2 minutes → 2天8小时; 40 minutes
    before: 40分钟; past: nothing. 10:00 UTC is 18:00 in Asia/Shanghai."""
    deadline = local(2026, 4, 17, 18, 0)
    assert time_left(deadline, local(2026, 4, 15, 9, 58)) == "2天8小时"
    assert time_left(deadline, local(2026, 4, 15, 18, 0)) == "2天"
    assert time_left(deadline, local(2026, 4, 17, 15, 30)) == "2小时30分钟"
    assert time_left(deadline, local(2026, 4, 17, 17, 20)) == "40分钟"
    assert time_left(deadline, local(2026, 4, 17, 18, 1)) == ""
    assert local_minute(deadline.astimezone(UTC)) == "4月17日 18:00"
    assert local_minute(local(2025, 12, 31, 9, 5)) == "2025年12月31日 09:05"


def test_reporter_sees_the_week_returned_entries_and_figures_to_explain():
    """Week 15: 城关镇 hands in; 发改委 returns 投资 and 防汛 → 2 returned entries, linked to
    week 15. Week 16 (this week): a draft with 投资 37 against a target of 12: 37 > 3 × 12 = 36
    → 1 figure to explain; 案件 100 against 40: 100 ≤ 120, plausible."""
    small = build_small_year()
    ledger = _hand_in(small, small.reporter.unit, 15, investment="3", reporter=small.reporter)
    for indicator in (small.investment, small.flood):
        entry = ledger.entries.get(indicator=indicator)
        return_entry(entry=entry, user=small.reviewer, comment="请补充佐证")
    week = open_ledger(unit=small.reporter.unit, period=small.period(16))
    save_entries(
        ledger=week,
        user=small.reporter,
        changes={
            small.investment.pk: EntryInput(value=Decimal("37")),
            small.cases.pk: EntryInput(value=Decimal("100")),
        },
    )

    items = _items(small.reporter, Role.REPORTER)
    this_week = items["本周周帐（第16周）"]
    assert this_week.count is None
    assert this_week.detail == "草稿 · 截止 4月17日 18:00（还剩2天8小时）"
    assert this_week.url == reverse("ledger-week", args=[small.period(16).pk])
    assert this_week.level == "warning"  # more than a day left
    returned = items["被退回待修改的条目"]
    assert (returned.count, returned.url) == (2, reverse("ledger-week", args=[small.period(15).pk]))
    odd = items["待填写异常说明的数值"]
    assert (odd.count, odd.url) == (1, reverse("ledger-week", args=[small.period(16).pk]))
    # Another unit's returned entries are not this reporter's work.
    other = _hand_in(small, small.other_reporter.unit, 15, investment="1")
    return_entry(
        entry=other.entries.get(indicator=small.investment), user=small.reviewer, comment="错"
    )
    assert _items(small.reporter, Role.REPORTER)["被退回待修改的条目"].count == 2


def test_reporter_week_handed_in_is_done():
    small = build_small_year()
    _hand_in(small, small.reporter.unit, 16, investment="3", reporter=small.reporter)
    item = _items(small.reporter, Role.REPORTER)["本周周帐（第16周）"]
    assert item.level == "success"
    assert item.detail.startswith("已提交 · 已于4月")


def test_unit_head_sees_ledgers_awaiting_confirmation():
    """The year needs the head's signature: the reporter's week 15 and week 16 hand-ins wait
    for it → 2, linked to the older (week 15). Another unit's waiting ledger does not count."""
    small = build_small_year(requires_head_confirmation=True)
    for week in (15, 16):
        _hand_in(small, small.reporter.unit, week, investment="3", reporter=small.reporter)
    _hand_in(small, small.other_reporter.unit, 16, investment="3", reporter=small.other_reporter)
    items = _items(small.head, Role.UNIT_HEAD)
    waiting = items["待确认的周帐"]
    assert (waiting.count, waiting.url) == (2, reverse("ledger-week", args=[small.period(15).pk]))
    assert items["本周周帐（第16周）"].detail.startswith("待负责人确认 · 截止 4月17日 18:00")


def test_reviewer_sees_entries_waiting_by_flag_and_units_due_a_visit():
    """发改委 leads 投资 and 防汛. Week 14: 城关镇 投资 5, verified. Week 15: 城关镇 4 (a
    cumulative figure fell: 累计数下降), 青山镇 3, 白沙镇 3 → pending 3 units × 2 indicators = 6,
    1 of them flagged; 白沙镇 reports 投资 40 against a target of 12 (40 > 3 × 12: 数值异常,
    explained) → 2 flagged. Visits: 城关镇 on 8 April (this quarter) → due: 青山镇, 白沙镇 = 2;
    青山镇's visit on 20 March was last quarter and does not count."""
    small = build_small_year()
    townships = small.county.units[:3]
    week14 = _hand_in(small, townships[0], 14, investment="5", reporter=small.reporter)
    verify_entries(
        entry_ids=list(
            week14.entries.filter(indicator__lead_unit=small.reviewer.unit).values_list(
                "pk", flat=True
            )
        ),
        user=small.reviewer,
    )
    _hand_in(small, townships[0], 15, investment="4", reporter=small.reporter, why="核减")
    _hand_in(small, townships[1], 15, investment="3")
    _hand_in(small, townships[2], 15, investment="40", note="含省级专项，已核对合同")
    record_inspection(
        user=small.reviewer,
        unit=townships[0],
        visited_on=date(2026, 4, 8),
        place="园区",
        findings="属实",
    )
    record_inspection(
        user=small.reviewer,
        unit=townships[1],
        visited_on=date(2026, 3, 20),
        place="村",
        findings="属实",
    )
    items = _items(small.reviewer, Role.REVIEWER)
    assert items["待核实的实帐条目"].count == 6
    flagged = items["带提示的待核实条目"]
    assert (flagged.count, flagged.detail) == (2, "累计数下降 1、数值异常 1")
    due = items["本季度待实地查看的单位"]
    assert (due.count, due.detail) == (2, "青山镇、白沙镇")


def test_office_sees_missing_units_approvals_appeals_and_windows():
    """This week (16) 城关镇 has handed in → 青山镇 and 白沙镇 missing (before the Friday
    deadline: 尚未报送). Four eyes: office A enters an adjustment, B a veto → each has one to
    approve and one waiting for the other. Q1 computed now → 1 quarter in its appeal window;
    the 城关镇 head appeals → 1 appeal to decide."""
    from scoring.services.adjustments import enter_adjustment, enter_veto
    from scoring.services.appeals import file_appeal
    from scoring.services.evaluations import compute_quarter, open_evaluation

    small = build_small_year()
    _hand_in(small, small.reporter.unit, 16, investment="3", reporter=small.reporter)
    office_a = small.office
    office_b = make_user("off-b", Role.OFFICE)
    township = small.reporter.unit
    enter_adjustment(
        unit=township, year=small.year, quarter=2, kind="commendation", points="1",
        reason="省级表彰", user=office_a,
    )  # fmt: skip
    enter_veto(unit=township, year=small.year, quarter=2, kind="veto", reason="事故", user=office_b)
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=office_a)
    file_appeal(evaluation=evaluation, indicator=small.investment, user=small.head, claim="有误")

    items = _items(office_a, Role.OFFICE)
    missing = items["本周尚未报送周帐的单位"]
    assert (missing.count, missing.url) == (2, reverse("completeness"))
    assert missing.detail == "第16周截止 4月17日 18:00：青山镇、白沙镇"
    approvals = items["待您审核的加减分、一票否决/否优"]
    assert approvals.count == 1
    assert approvals.detail == "加减分 0 项、一票否决/否优 1 项；您录入的 1 项待其他考核办人员审核"
    assert approvals.url == reverse("admin:scoring_veto_changelist") + "?approved_by__isempty=1"
    assert _items(office_b, Role.OFFICE)["待您审核的加减分、一票否决/否优"].count == 1
    assert items["待处理的申诉"].count == 1
    window = items["申诉期中的季度考评"]
    assert window.count == 1
    assert window.url == reverse("evaluation-detail", args=[evaluation.pk])
    head = _items(small.head, Role.UNIT_HEAD)
    assert head["可提出申诉的季度考评"].count == 1
    assert head["本单位待处理的申诉"].count == 1


def test_office_after_the_deadline_sees_overdue_units(time_machine):
    """Saturday 18 April 10:00 is past week 16's Friday deadline: the 2 units are overdue."""
    small = build_small_year()
    _hand_in(small, small.reporter.unit, 16, investment="3", reporter=small.reporter)
    time_machine.move_to(local(2026, 4, 18, 10, 0))
    item = _items(small.office, Role.OFFICE)["本周逾期未交周帐的单位"]
    assert (item.count, item.level) == (2, "danger")


def test_leader_without_a_published_quarter_is_told_so():
    build_small_year()
    leader = make_user("ld", Role.LEADER)
    items = _items(leader, Role.LEADER)
    assert items["最新发布的季度考评"].detail == "尚无已发布的季度考评"
    assert items["本周尚未报送周帐的单位"].count == 3  # nobody has handed in week 16


def test_admin_sees_locked_accounts_and_accounts_missing_a_unit_or_role(county):
    """Locked now: 6 failures 5 minutes ago (the limit is 6) → 1; 6 failures 2 hours ago is
    past the 30-minute cool-off; 3 failures is not a lockout. Incomplete: an account with no
    role, and a reporter with no unit → 2; an inactive one without role, a superuser without
    role and a leader without unit (leaders need none) do not count."""
    admin = make_user("adm", Role.ADMIN)
    now = timezone.now()
    limit = settings.AXES_FAILURE_LIMIT
    for username, failures, ago in [("a", limit, 5), ("b", limit, 120), ("c", 3, 1)]:
        attempt = AccessAttempt.objects.create(
            username=username, failures_since_start=failures, ip_address="10.0.0.1",
            user_agent="", get_data="", post_data="", http_accept="", path_info="/login/",
        )  # fmt: skip
        # attempt_time is set on creation (auto_now_add): moved back afterwards.
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=now - timedelta(minutes=ago)
        )
    make_user("norole", unit=county.units[0])
    make_user("nounit", Role.REPORTER)
    make_user("gone", is_active=False)
    make_user("root", is_superuser=True)
    make_user("boss", Role.LEADER)
    items = _items(admin, Role.ADMIN)
    assert items["被锁定的账号"].count == 1
    assert items["被锁定的账号"].url == reverse("account-list") + "?state=locked"
    assert items["缺少单位或角色的账号"].count == 2


def test_a_provider_registers_once_and_in_order():
    """register() is idempotent (ready() may run twice) and orders by `order`."""

    def first(user, now):
        return [TodoItem("甲", 1, "/")]

    def second(user, now):
        return [TodoItem("乙", 2, "/")]

    from accounts import todo

    saved = dict(todo._providers)
    try:
        todo._providers.clear()
        register(Role.LEADER, second, order=20)
        register(Role.LEADER, first, order=10)
        register(Role.LEADER, first, order=10)
        assert [i.label for i in todo_items(None, Role.LEADER)] == ["甲", "乙"]
    finally:
        todo._providers.clear()
        todo._providers.update(saved)


def test_leader_sees_the_latest_published_quarter_with_its_best_and_worst():
    """The published Q1 of tests/scoring/test_pdf_reports.py (worked there): totals 108.33,
    75, 28.33 → 城关镇 先进, 白沙镇 后进 (short names: the long name carries markup there)."""
    from tests.scoring.test_pdf_reports import build_published_quarter

    _, evaluation, _ = build_published_quarter()
    leader = make_user("ld", Role.LEADER)
    item = _items(leader, Role.LEADER)["最新发布：2026年第一季度"]
    assert item.url == reverse("results-detail", args=[evaluation.pk])
    assert item.detail == "先进 1 个：城关镇；后进 1 个：白沙镇"
