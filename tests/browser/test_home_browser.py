"""The 待办 centre of each role in Chromium: the counts shown match the data, and an item leads
to the page where the work is done. Screenshots: test-artifacts/home-<role>.png at 1366×768,
home-reporter-phone.png at 390×844.

The county (tests/campaigns/builders.py, on the real clock: the live server's "this week"):
城关镇, 青山镇, 白沙镇 carry 投资 and 防汛 (led by 发改委) and 案件 (政法委); the year needs the
unit head's confirmation.
- 城关镇, the week before: handed in (confirmed), 发改委 returns 投资 → reporter: 1 returned.
- 城关镇, this week: the reporter submits → waits for the head: head: 1 to confirm.
- 青山镇, this week: handed in (its head confirms) → 发改委 has 防汛 of 城关镇's week before
  and 投资 + 防汛 of 青山镇 waiting = 3; visited 城关镇 today → 青山镇, 白沙镇 due = 2.
- This week 城关镇 (waiting for its head) and 白沙镇 have not handed in → office, leader: 2.
- office2 enters an adjustment → office: 1 to approve.
- 青山镇's reporter is locked out; one account has no role → administrator: 1 and 1.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from campaigns.selectors import current_year, period_containing
from campaigns.services.ledger import (
    confirm_ledger,
)
from campaigns.services.review import record_inspection, return_entry
from scoring.services.adjustments import enter_adjustment
from tests.browser.helpers import sign_in
from tests.campaigns.builders import build_small_year, hand_in
from tests.helpers import make_user

pytestmark = pytest.mark.browser


def _hand_in(small, unit, period, reporter, head=None):
    now = period.deadline - timedelta(hours=24)
    ledger = hand_in(small, unit, week=period.iso_week, reporter=reporter, now=now)
    if head is not None:
        confirm_ledger(ledger=ledger, user=head, now=now)
    return ledger


@pytest.fixture
def county(transactional_db):
    small = build_small_year(requires_head_confirmation=True)
    this_week = period_containing(current_year(), timezone.now())
    # The week before (or, in a year's first week, the one after: the services take `now`).
    other_week = small.period(this_week.iso_week - 1 if this_week.iso_week > 1 else 2)
    township, qingshan, baisha = small.county.units[:3]
    earlier = _hand_in(small, township, other_week, small.reporter, small.head)
    return_entry(
        entry=earlier.entries.get(indicator=small.investment),
        user=small.reviewer,
        comment="开工照片与项目不符",
    )
    _hand_in(small, township, this_week, small.reporter)
    qingshan_head = make_user("head2", Role.UNIT_HEAD, unit=qingshan)
    _hand_in(small, qingshan, this_week, small.other_reporter, qingshan_head)
    record_inspection(
        user=small.reviewer,
        unit=township,
        visited_on=timezone.localdate(),
        place="城关镇工业园",
        findings="项目已开工",
    )
    office2 = make_user("off2", Role.OFFICE)
    enter_adjustment(
        unit=township, year=small.year, quarter=this_week.quarter, kind="commendation",
        points="1", reason="获省级表彰", user=office2,
    )  # fmt: skip
    make_user("leader1", Role.LEADER, full_name="县领导甲")
    make_user("admin1", Role.ADMIN, full_name="管理员甲")
    make_user("norole", unit=baisha, full_name="未分配角色的人")
    AccessAttempt.objects.create(
        username=small.other_reporter.username, failures_since_start=settings.AXES_FAILURE_LIMIT,
        ip_address="10.0.0.9", user_agent="", get_data="", post_data="", http_accept="",
        path_info="/login/",
    )  # fmt: skip
    return {"small": small, "this_week": this_week, "other_week": other_week}


def _sign_in(page, base, username):
    sign_in(page, base, username, wait_for="[data-testid=todo]")


def _counts(page) -> dict[str, str]:
    """Each 待办 item's label → its count ("" for a status line without a number)."""
    counts = {}
    for item in page.locator("[data-testid=todo-item]").all():
        number = item.locator("[data-testid=todo-count]")
        counts[item.get_attribute("data-todo")] = number.inner_text() if number.count() else ""
    return counts


def _open(page, label):
    page.click(f"[data-testid=todo-item][data-todo='{label}']")
    page.wait_for_load_state()


def test_each_roles_todo_centre(page, live_server, county, screenshot):
    base = live_server.url
    this_week, other_week = county["this_week"], county["other_week"]
    page.set_viewport_size({"width": 1366, "height": 768})

    _sign_in(page, base, "rep")
    counts = _counts(page)
    assert counts[f"本周周帐（第{this_week.iso_week}周）"] == ""
    assert counts["被退回待修改的条目"] == "1"
    assert counts["待填写异常说明的数值"] == "0"
    assert "待负责人确认 · 截止" in page.inner_text("[data-testid=todo]")
    screenshot("home-reporter")
    _open(page, "被退回待修改的条目")
    assert page.url == base + reverse("ledger-week", args=[other_week.pk])

    _sign_in(page, base, "head")
    assert _counts(page)["待确认的周帐"] == "1"
    screenshot("home-unit_head")
    _open(page, "待确认的周帐")
    assert page.url == base + reverse("ledger-week", args=[this_week.pk])

    _sign_in(page, base, "rev")
    counts = _counts(page)
    assert counts["待核实的实帐条目"] == "3"
    assert counts["本季度待实地查看的单位"] == "2"
    assert "青山镇、白沙镇" in page.inner_text("[data-testid=todo]")
    screenshot("home-reviewer")
    _open(page, "待核实的实帐条目")
    assert page.url == base + reverse("review-queue") + "?status=pending"

    _sign_in(page, base, "off")
    counts = _counts(page)
    assert counts["待您审核的加减分、一票否决/否优"] == "1"
    missing = next(label for label in counts if label.startswith("本周") and "单位" in label)
    assert counts[missing] == "2"
    assert "城关镇、白沙镇" in page.inner_text("[data-testid=todo]")
    assert "as of" not in page.content()
    screenshot("home-office")
    _open(page, missing)
    assert page.url == base + reverse("completeness")

    _sign_in(page, base, "leader1")
    counts = _counts(page)
    assert counts[missing] == "2"
    assert "尚无已发布的季度考评" in page.inner_text("[data-testid=todo]")
    screenshot("home-leader")

    _sign_in(page, base, "admin1")
    counts = _counts(page)
    assert (counts["被锁定的账号"], counts["缺少单位或角色的账号"]) == ("1", "1")
    screenshot("home-admin")
    _open(page, "被锁定的账号")
    assert page.url == base + reverse("account-list") + "?state=locked"
    row = page.locator("[data-testid=account-row][data-username=rep2]")
    row.locator("[data-testid=unlock]").click()
    page.wait_for_selector(".alert-success")
    assert "已解除" in page.inner_text(".alert-success")
    page.goto(base + reverse("home-admin"))
    assert _counts(page)["被锁定的账号"] == "0"

    # The reporter's home on a phone: the items stack, nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, base, "rep")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot("home-reporter-phone")


def test_the_administrator_creates_an_account_that_signs_in(page, live_server, county, screenshot):
    """账号管理: a new reporter of 白沙镇 with its unit and role; the password shown once on
    the next page signs the account in, and lands on its 待办 centre."""
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    _sign_in(page, base, "admin1")
    page.click("text=账号管理（新建、角色、重置密码、解锁、停用）")
    assert page.url == base + reverse("account-list")
    screenshot("account-list")
    page.click("[data-testid=account-create]")
    page.fill("input[name=username]", "baisha1")
    page.fill("input[name=full_name]", "白沙镇填报员")
    page.select_option("select[name=unit]", label="白沙镇")
    page.check(f"input[name=roles][value={Role.REPORTER.value}]")
    screenshot("account-form")
    page.click("[data-testid=account-form] button.btn-danger")
    password = page.inner_text("[data-testid=new-password]")
    assert page.inner_text("[data-testid=new-username]") == "baisha1"
    screenshot("account-password")

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "baisha1")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    # The administrator has seen that password: the new user changes it first (issue 14).
    page.wait_for_selector("[data-testid=must-change-password]")
    page.fill("input[name=old_password]", password)
    page.fill("input[name=new_password1]", "Baisha-zhen-2026!")
    page.fill("input[name=new_password2]", "Baisha-zhen-2026!")
    page.click("text=保存新密码")
    page.wait_for_url("**/password/change/done/")
    page.goto(f"{base}/")
    page.wait_for_selector("[data-testid=todo]")
    assert page.inner_text("[data-testid=home-title]") == "填报员工作台"
    assert page.inner_text("[data-testid=unit-name]") == "白沙镇"
