"""The leader and office dashboards: what each figure counts, with numbers worked by hand.

The quarter is tests/scoring/test_results_pages.py's `published_quarter` (build_small_year's
Q1, published): 城关镇 A 108.33 先进, 青山镇 B 75 达标, 白沙镇 C 55 后进. Its verified figures
(week 13) are A: 投资 3.6, 案件 8; B: 2.4, 12; C: 1.2, 10. Targets: 投资 12 a year, 案件 40 a
year, default milestones (25 % by 3-31); 防汛 is due 7-31.

"Now" is Wednesday 2026-04-15 10:00 (week 16, deadline Friday 17th 18:00; week 15's deadline
has passed). On top of the quarter:
- A hands in week 15 (投资 4, 案件 9): not verified, so it does not move any figure.
- Follow-ups: ① A, 办理中, due 4-10, 红牌; ② C, 待签收, due 4-13, 黄牌; ③ B, 已办结, 红牌 (closed:
  counts nowhere but in 已办结); ④ B, 待签收, due 4-17, no card.

Leader, red flags:
- 后进单位 1 (白沙镇), → the Q1 results page.
- 红牌 1 (①; ③ is closed), 黄牌 1 (②).
- 未交周帐单位: week 15, owed by the 3 townships; A handed it in → 2 (青山镇, 白沙镇).
- Before the half-year the weak-items flag is the weak-items page's count (as of Sunday 4-19):
  投资 T = 12 × 25 % = 3, A 3.6 (r 1.2), B 2.4 (0.8), C 1.2 (0.4); 案件 ceiling T = 10, B 12
  (r 0.8) → 3 (B, C on 投资; B on 案件).
Campaign progress (measured at 4-19; 防汛 has no milestone due, so it is not measured):
- 项目建设会战: 投资 on track 1 of 3 → 33.3 %.
- 严打整治会战: 案件 ceiling T = 40 × 25 % = 10; A 8 (r 1), B 12 (r 0.8), C 10 (r 1) → 2 of 3,
  66.7 %.
- Key indicators: 固定资产投资完成额 7.20 of 9.00 亿元 (80.0 %), 2 of 3 units behind; 刑事案件发案数
  30.00 of 30.00 件 (100.0 %), 1 behind.
Mine (the leader's contact units A and C): A 第1名 先进, ① open (1, 红牌 1); C 第3名 后进, ②
(1, 黄牌 1); week 16 not due yet (未到期) for both.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.models import FollowUp
from campaigns.services.years import set_target
from campaigns.weak_items import weak_items_page
from scoring.dashboards import leader_dashboard, office_dashboard
from tests.campaigns.builders import hand_in
from tests.helpers import count_queries, make_user
from tests.scoring.test_results_pages import published_quarter
from tests.test_chinese_screens import english_words

pytestmark = pytest.mark.clock("2026-04-15 10:00")

NOW = datetime(2026, 4, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
S = FollowUp.Status


def follow_up(small, unit, status, due_on, card="", number=None):
    number = number or FollowUp.objects.count() + 1
    return FollowUp.objects.create(
        year=small.year,
        number=number,
        status=status,
        issuer_unit=small.investment.lead_unit,
        unit=unit,
        indicator=small.investment,
        title=f"督办{number}",
        problem="进度滞后",
        requirement="加快推进",
        due_on=due_on,
        card=card,
    )


@pytest.fixture
def scene(db):
    small, evaluation, (a, b, c) = published_quarter()
    hand_in(small, a, week=15, investment="4", cases="9", now=small.during(15))
    follow_up(small, a, S.ACKNOWLEDGED, date(2026, 4, 10), "red")
    follow_up(small, c, S.ISSUED, date(2026, 4, 13), "yellow")
    follow_up(small, b, S.CLOSED, date(2026, 4, 1), "red")
    follow_up(small, b, S.ISSUED, date(2026, 4, 17))
    leader = make_user("ld", Role.LEADER)
    leader.contact_units.set([a, c])
    return small, evaluation, (a, b, c), leader


def test_red_flags_count_what_they_say(scene):
    _small, evaluation, (_a, _b, _c), leader = scene
    board = leader_dashboard(leader, now=NOW)
    flags = {flag.key: flag for flag in board.flags}
    assert (flags["lagging"].count, flags["lagging"].names) == (1, ["白沙镇"])
    assert flags["lagging"].url == reverse("results-detail", args=[evaluation.pk])
    assert (flags["red"].count, flags["yellow"].count) == (1, 1)
    assert (flags["missing"].count, flags["missing"].names) == (2, ["青山镇", "白沙镇"])
    assert flags["missing"].url == reverse("completeness")
    assert (flags["weak"].label, flags["weak"].count) == ("进度滞后事项", 3)


def test_campaign_progress_on_verified_figures(scene):
    _small, _evaluation, _units, leader = scene
    board = leader_dashboard(leader, now=NOW)
    shares = [(r["campaign"].name, r["on_track"], r["measured"], r["share_label"])
              for r in board.campaigns]  # fmt: skip
    assert shares == [("项目建设会战", 1, 3, "33.3"), ("严打整治会战", 2, 3, "66.7")]
    keys = [(r["indicator"].name, r["actual"], r["target"], r["completion"], r["behind"])
            for r in board.keys]  # fmt: skip
    assert keys == [
        ("固定资产投资完成额", "7.20", "9.00", Decimal("80.0"), 2),
        ("刑事案件发案数", "30.00", "30.00", Decimal("100.0"), 1),
    ]
    assert board.chart["campaigns"]["labels"] == ["33.3", "66.7"]


def test_mine_lists_the_leaders_units(scene):
    _small, evaluation, (a, _b, c), leader = scene
    board = leader_dashboard(leader, now=NOW)
    rows = {row.unit: row for row in board.mine}
    assert set(rows) == {a, c}
    assert (rows[a].score.rank, rows[a].score.tier, rows[a].open_follow_ups, rows[a].red) == (
        1, "advanced", 1, 1,
    )  # fmt: skip
    assert (rows[c].score.rank, rows[c].score.tier, rows[c].open_follow_ups, rows[c].yellow) == (
        3, "lagging", 1, 1,
    )  # fmt: skip
    assert rows[a].week_label == rows[c].week_label == "未到期"
    assert rows[a].score_url == reverse("unit-score", args=[evaluation.pk, a.pk])


def test_half_year_flag_counts_under_half_of_the_half_year_target(scene):
    """On 7-1 the half-year target of 投资 is 12 × 50 % = 6; half of it is 3. Verified figures
    are still week 13's: A 3.6 (not under 3), B 2.4 and C 1.2 (under); 案件 (ceiling 20) are
    all within it; 防汛 has no milestone by 6-30 → 2."""
    _small, _evaluation, _units, leader = scene
    board = leader_dashboard(leader, now=datetime(2026, 7, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    weak = next(flag for flag in board.flags if flag.key == "weak")
    assert (weak.label, weak.count) == ("半年任务未过半", 2)


@pytest.mark.parametrize("day", [date(2026, 4, 15), date(2026, 7, 1), date(2026, 11, 30)])
def test_weak_flag_counts_what_the_weak_items_page_lists(scene, day):
    """The flag is counted from the dashboard's own measured targets (read once per page); the
    page it links to (campaigns.weak_items) must list as many: every item before the
    half-year, the items under half of the half-year target from then on."""
    _small, _evaluation, _units, leader = scene
    now = datetime.combine(day, time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    board = leader_dashboard(leader, now=now)
    weak = next(flag for flag in board.flags if flag.key == "weak")
    page = weak_items_page(leader, board.at.year, today=day)
    listed = [i for i in page.items if i.below_half] if page.at_half_year else page.items
    assert weak.count == len(listed)


def test_office_dashboard_after_the_deadline(scene):
    """Friday 4-17 18:00 passed; on Saturday 4-18 10:00: B handed week 16 in on time, C two
    hours late, A not at all → on time 1, late 1, missing 1. Pending entries: A's week 15 and
    B's and C's week 16, 3 ledgers × (投资 + 防汛) for 发改委 = 6, plus the three 防汛 entries of
    week 13 nobody verified = 9; × 案件 for 政法委 = 3."""
    small, _evaluation, (_a, b, c), _leader = scene
    week16 = small.period(16)
    hand_in(small, b, week=16, investment="3", cases="13", now=small.during(16))
    hand_in(small, c, week=16, investment="2", cases="11", now=week16.deadline + timedelta(hours=2))
    saturday = datetime(2026, 4, 18, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    board = office_dashboard(small.office, now=saturday)
    done = board.completeness
    assert (done.owed, done.on_time, done.late, done.missing, done.not_yet) == (3, 1, 1, 1, 0)
    reviews = {row["unit"]: row["entries"] for row in board.reviews}
    assert reviews == {"县发展和改革委员会": 9, "县委政法委员会": 3}
    statuses = {row["label"]: row["count"] for row in board.statuses}
    assert statuses == {"草稿": 0, "待签收": 2, "办理中": 1, "申请办结": 0, "已办结": 1}
    by_unit = [(row["unit__name"], row["open"], row["overdue"]) for row in board.by_unit]
    # On 4-18 ④ (due 4-17) is overdue too: one each, so in the units' order.
    assert by_unit == [("城关镇", 1, 1), ("青山镇", 1, 1), ("白沙镇", 1, 1)]


def test_office_deadlines_and_appeal_windows(db):
    """A computed, unpublished Q1 is in its appeal window; a follow-up due in 3 working days
    is listed, one due in 8 is not (4-15 + 5 working days = 4-22)."""
    small, evaluation, (a, b, _c) = published_quarter(publish=False)
    soon = follow_up(small, a, S.ISSUED, date(2026, 4, 20))
    follow_up(small, b, S.ISSUED, date(2026, 4, 27))
    board = office_dashboard(small.office, now=NOW)
    assert board.due_soon_until == date(2026, 4, 22)
    assert [item for item, _url in board.due_soon] == [soon]
    assert board.appeals == [evaluation]


def test_pages_render_for_their_roles_in_chinese(client, scene):
    small, _evaluation, (_a, _b, c), leader = scene
    client.force_login(leader)
    page = client.get(reverse("dashboard-leader")).content.decode()
    assert 'data-testid="flag-lagging"' in page and c.short_name in page
    assert 'id="dashboard-data"' in page
    assert english_words(page) == []
    assert client.get(reverse("dashboard-office")).status_code == 403
    client.force_login(small.office)
    page = client.get(reverse("dashboard-office")).content.decode()
    assert "县发展和改革委员会" in page
    assert english_words(page) == []


def _grow(small, size: int, leader):
    """Grow build_small_year's county to `size` townships carrying 投资, 案件 and 防汛, each with
    an open red-card follow-up, every tenth one's week-15 ledger handed in, all of them the
    leader's contact units. Run again with a larger size, it adds only the new townships."""
    county = build_county(townships=size, departments=4, parks=1)
    townships = [u for u in county.units if u.kind == "township"]
    for index, unit in enumerate(townships):
        if FollowUp.objects.filter(unit=unit).exists():
            continue
        if index >= 3:
            set_target(indicator=small.investment, unit=unit, annual_value=Decimal("12"))
            set_target(indicator=small.cases, unit=unit, annual_value=Decimal("40"))
            set_target(indicator=small.flood, unit=unit, annual_value=None)
        follow_up(small, unit, S.ACKNOWLEDGED, date(2026, 4, 10), "red", number=100 + index)
        if index % 10 == 0:
            hand_in(small, unit, week=15, investment="4", cases="13")
    leader.contact_units.set(townships)


def test_query_counts_do_not_grow_with_units(client, db):
    """Both dashboards, each as its user, at 10 and at 60 townships: the same number of
    queries."""
    small, _evaluation, _units = published_quarter()
    leader = make_user("ldq", Role.LEADER)
    counts = {"dashboard-leader": [], "dashboard-office": []}
    for size in (10, 60):
        _grow(small, size, leader)
        for name, user in (("dashboard-leader", leader), ("dashboard-office", small.office)):
            client.force_login(user)
            client.get(reverse(name))  # warm caches (sessions, content types)
            with count_queries() as queries:
                assert client.get(reverse(name)).status_code == 200
            counts[name].append(len(queries))
    assert all(first == last for first, last in counts.values()), counts
