"""The weekly briefing (周通报): its facts from verified figures, its text, edit, issue, the beat.

The county of every test (fixture `small`), ISO 2026, weeks 11 (9–15 March) and 12 (16–22
March), generated on Monday 23 March 07:30. 固定资产投资完成额 (higher-better, annual target
12 亿元 for each unit, milestones 15 March 10 %, 30 June 50 %, 31 December 100 %):

| unit | week 11 (verified) | week 12 | as of week 12 |
|---|---|---|---|
| 城关镇 | 1.0 | 2.2 verified | 2.2 |
| 青山镇 | 0.5 | 1.1 reported, verified at 0.8 (核减) | 0.8 |
| 白沙镇 | — | 5.0 reported, not verified | nothing verified → 0 |
| 经开区 | — | no ledger | 0 |

- Moved most: 城关镇 +1.2 = 10.0 % of 12; 青山镇 +0.3 = 2.5 %. 白沙镇's unverified 5.0 does
  not count.
- Behind at 22 March: T = 12 × 10 % = 1.2. 青山镇 0.8 / 1.2 = 66.7 %; 白沙镇 and 经开区 0 %
  (listed first, by unit order); 城关镇 2.2 ≥ 1.2 is on track. 刑事案件发案数 (lower-better)
  has its first milestone on 31 March: nobody is behind on it yet.
- Blocked: 城关镇 土地, 青山镇 资金, 白沙镇 其他 (no category chosen; its entry is pending,
  problems count before verification).
- Completeness of week 12: 4 units; 城关镇 and 白沙镇 on time, 青山镇 late, 经开区 not handed in.
- Overdue follow-ups: 青山镇's 黄牌 item due 20 March (3 days overdue); one due 30 March and a
  closed one past due are not listed.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Notification
from accounts.roles import Role
from campaigns.models import FollowUp
from campaigns.services.review import verify_entries
from campaigns.services.years import set_target
from scoring.briefings.facts import briefing_facts
from scoring.briefings.prose import compose_body
from scoring.errors import ScoringError
from scoring.models import WeeklyBriefing
from scoring.reports.registry import get_export
from scoring.services.briefings import (
    document_number,
    edit_briefing,
    generate_briefing,
    generate_weekly_briefing,
    issue_briefing,
)
from scoring.tasks import generate_briefing_task
from tests.campaigns.builders import build_small_year, hand_in
from tests.helpers import make_user
from tests.scoring.test_pdf_reports import text_of

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 23, 7, 30, tzinfo=SHANGHAI)
MILESTONES = [
    (date(2026, 3, 15), Decimal("0.1")),
    (date(2026, 6, 30), Decimal("0.5")),
    (date(2026, 12, 31), Decimal("1")),
]


def _verify_investment(small, ledger, *, corrected=None, week):
    entry = ledger.entries.get(indicator=small.investment)
    verify_entries(
        entry_ids=[entry.pk],
        user=small.reviewer,
        corrections={entry.pk: Decimal(corrected)} if corrected else None,
        comment="核减：现场核实" if corrected else "",
        now=small.period(week).deadline + timedelta(days=1),
    )


@pytest.fixture
def small():
    return build_briefing_county()


def build_briefing_county():
    """The county of the module docstring (also the browser test's)."""
    small = build_small_year(year=2026)
    chengguan, qingshan, baisha = small.county.units[:3]
    park = small.county.units_named("县经济技术开发区")
    for unit in (chengguan, qingshan, baisha, park):
        set_target(
            indicator=small.investment, unit=unit, annual_value=Decimal("12"), milestones=MILESTONES
        )
    week11 = hand_in(small, week=11, investment="1.0")
    _verify_investment(small, week11, week=11)
    week11 = hand_in(small, qingshan, week=11, investment="0.5", reporter=small.other_reporter)
    _verify_investment(small, week11, week=11)
    ledger = hand_in(
        small, week=12, investment="2.2", problems="征地拆迁未完成", problem_category="land"
    )
    _verify_investment(small, ledger, week=12)
    late = small.period(12).deadline + timedelta(hours=2)
    ledger = hand_in(
        small, qingshan, week=12, investment="1.1", reporter=small.other_reporter, now=late,
        problems="上级资金未到位", problem_category="funds",
    )  # fmt: skip
    _verify_investment(small, ledger, corrected="0.8", week=12)
    hand_in(small, baisha, week=12, investment="5.0", problems='=HYPERLINK("http://x","点我")')
    fgw = small.reviewer.unit

    def follow_up(number, *, due, status=FollowUp.Status.ACKNOWLEDGED, card=""):
        return FollowUp.objects.create(
            year=small.year, number=number, status=status, issuer_unit=fgw, unit=qingshan,
            indicator=small.investment, title=f"加快项目进度{number}", problem="进度滞后",
            requirement="报送整改措施", due_on=due, card=card,
        )  # fmt: skip

    follow_up(1, due=date(2026, 3, 20), card=FollowUp.Card.YELLOW)
    follow_up(2, due=date(2026, 3, 30))
    follow_up(3, due=date(2026, 3, 10), status=FollowUp.Status.CLOSED)
    small.park = park
    return small


def test_facts_count_verified_figures_only(small):
    """The table in the module docstring, figure by figure."""
    facts = briefing_facts(period=small.period(12), now=MONDAY)
    assert facts["completeness"] == {
        "units": 4, "on_time": 2, "late": ["青山镇"], "missing": ["县经济技术开发区"],
        "locked": False,
    }  # fmt: skip
    projects, crackdown = facts["campaigns"]
    assert projects["name"] == "项目建设会战"
    movers = [(m["unit"], Decimal(m["increase"]), Decimal(m["share"])) for m in projects["movers"]]
    assert movers == [
        ("城关镇", Decimal("1.2"), Decimal("0.1")),
        ("青山镇", Decimal("0.3"), Decimal("0.025")),
    ]
    behind = [(r["unit"], r["count"], r["items"][0]["rate"][:6]) for r in projects["behind"]]
    assert behind == [
        ("白沙镇", 1, "0.0000"),
        ("县经济技术开发区", 1, "0.0000"),
        ("青山镇", 1, "0.6667"),
    ]
    assert (
        projects["behind"][2]["items"][0]["text"] == "序时目标1.20亿元，核实0.80亿元（完成66.7%）"
    )
    assert projects["blocked"]["counts"] == [["土地", 1], ["资金", 1], ["其他", 1]]
    assert [i["unit"] for i in projects["blocked"]["items"]] == ["城关镇", "青山镇", "白沙镇"]
    assert crackdown["movers"] == [] and crackdown["behind"] == []
    assert [(r["serial"], r["unit"], r["days"], r["card_label"]) for r in facts["overdue"]] == [
        ("督办〔2026〕1号", "青山镇", 3, "黄牌")
    ]


def test_body_is_official_prose_from_the_facts(small):
    facts = briefing_facts(period=small.period(12), now=MONDAY)
    body = compose_body(facts)
    assert body.startswith(
        "2026年第12周（3月16日至3月22日），全县应报送周帐4个单位，按时报送2个，迟报1个，"
        "截至通报生成时未报送1个。迟报单位：青山镇。"
    )
    assert "一、各会战推进情况" in body and "三、有关要求" in body
    assert "城关镇固定资产投资完成额本周新增1.20亿元，占年度目标的10.0%" in body
    assert "未达到序时进度的有白沙镇、县经济技术开发区、青山镇，共3项指标。" in body
    assert "各单位反映土地问题1项、资金问题1项、其他问题1项" in body
    assert "逾期未办结的交办事项1项，其中红牌0项、黄牌1项" in body
    assert "5.00" not in body  # 白沙镇's unverified figure is nowhere


def test_regenerating_a_draft_refreshes_figures_and_keeps_the_office_text(small):
    briefing = generate_briefing(period=small.period(12), now=MONDAY)
    assert briefing.title == "“交帐亮相”工作周通报（2026年第12周）"
    assert briefing.status == WeeklyBriefing.Status.DRAFT and briefing.number is None
    edit_briefing(briefing=briefing, user=small.office, title="本周通报", body="考核办改写的正文。")
    # 白沙镇's 5.0 is verified later; the next run sees it, the office's words stay.
    entry = (
        small.year.periods.get(iso_week=12)
        .ledgers.get(unit__name="白沙镇")
        .entries.get(indicator=small.investment)
    )
    verify_entries(entry_ids=[entry.pk], user=small.reviewer, now=MONDAY)
    again = generate_briefing(period=small.period(12), now=MONDAY + timedelta(hours=2))
    assert again.pk == briefing.pk
    assert again.body == "考核办改写的正文。"
    assert again.facts["campaigns"][0]["movers"][0]["unit"] == "白沙镇"
    rewritten = generate_briefing(
        period=small.period(12), now=MONDAY, user=small.office, rewrite_body=True
    )
    assert rewritten.body == compose_body(rewritten.facts)
    assert WeeklyBriefing.objects.count() == 1


def test_issue_numbers_the_year_and_refuses_a_second_issue(small):
    """Week 11 issued first gets 第1期, week 12 第2期; units and leaders are told."""
    leader = make_user("leader", Role.LEADER)
    first = generate_briefing(period=small.period(11), now=MONDAY)
    second = generate_briefing(period=small.period(12), now=MONDAY)
    first = issue_briefing(briefing=first, user=small.office, now=MONDAY)
    second = issue_briefing(briefing=second, user=small.office, now=MONDAY)
    assert (first.number, second.number) == (1, 2)
    assert second.document_number == "交帐亮相周通报〔2026〕第2期" == document_number(2026, 2)
    assert second.issued_by == small.office and second.issued_at == MONDAY
    with pytest.raises(ScoringError, match="不能重复签发"):
        issue_briefing(briefing=second, user=small.office, now=MONDAY)
    told = Notification.objects.filter(kind="briefing", title__contains="第2期")
    assert told.filter(recipient=leader).exists()
    assert told.filter(recipient=small.reporter).exists()
    assert not told.filter(recipient=small.office).exists()
    with pytest.raises(ScoringError, match="只有考核办"):
        issue_briefing(briefing=first, user=small.reporter)


def test_an_issued_briefing_is_never_changed(small):
    briefing = generate_briefing(period=small.period(12), now=MONDAY)
    issued = issue_briefing(briefing=briefing, user=small.office, now=MONDAY)
    with pytest.raises(ScoringError, match="已经签发"):
        generate_briefing(period=small.period(12), now=MONDAY + timedelta(days=1))
    with pytest.raises(ScoringError, match="已经签发"):
        edit_briefing(briefing=issued, user=small.office, title="改", body="改")
    # The Monday run a week late (the same week) leaves it as issued.
    assert generate_weekly_briefing(now=MONDAY + timedelta(hours=3)).pk == issued.pk
    issued.refresh_from_db()
    assert issued.body == briefing.body and issued.generated_at == MONDAY


def test_the_beat_task_makes_last_weeks_draft_once(small):
    """Monday 23 March: last week is week 12. Run twice: one briefing, refreshed."""
    first = generate_briefing_task(at=MONDAY.isoformat())
    second = generate_briefing_task(at=(MONDAY + timedelta(minutes=5)).isoformat())
    assert first == second
    briefing = WeeklyBriefing.objects.get()
    assert briefing.period.iso_week == 12
    assert briefing.generated_at == MONDAY + timedelta(minutes=5)
    # A week whose period has not ended cannot be generated by hand either.
    with pytest.raises(ScoringError, match="尚未结束"):
        generate_briefing(period=small.period(13), now=MONDAY, user=small.office)


def test_the_workbook_escapes_text_and_keeps_figures(small):
    briefing = generate_briefing(period=small.period(12), now=MONDAY)
    briefing = issue_briefing(briefing=briefing, user=small.office, now=MONDAY)
    filename, _type, content = get_export("weekly_briefing_xlsx").render(
        {"briefing_id": briefing.pk}
    )
    assert filename == "交帐亮相周通报〔2026〕第1期.xlsx"
    book = load_workbook(BytesIO(content))
    assert book.sheetnames == [
        "通报正文",
        "报送情况",
        "进展较快",
        "未达序时进度",
        "存在问题",
        "逾期交办",
    ]
    assert book["通报正文"]["A2"].value == "交帐亮相周通报〔2026〕第1期"
    movers = book["进展较快"]
    assert [c.value for c in movers[2]][:3] == ["项目建设会战", "城关镇", "固定资产投资完成额"]
    assert movers["E2"].value == pytest.approx(1.2) and movers["H2"].value == pytest.approx(0.1)
    problem = book["存在问题"]["E4"]
    assert problem.value == '=HYPERLINK("http://x","点我")'
    assert problem.data_type == "s" and problem.quotePrefix
    assert book["未达序时进度"].page_setup.orientation == "landscape"


@pytest.mark.clock("2026-03-23 09:00")
def test_pages_for_the_office_and_for_units(client, small):
    client.force_login(small.office)
    response = client.post(reverse("briefing-generate"), {"period": small.period(12).pk})
    briefing = WeeklyBriefing.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "briefing-detail", args=[briefing.pk]
    )
    page = client.get(response.url).content.decode()
    assert "城关镇" in page and "签发并通知各单位" in page
    client.force_login(small.reporter)
    assert client.get(reverse("briefing-detail", args=[briefing.pk])).status_code == 404
    assert "本年度尚无已签发的周通报" in client.get(reverse("briefing-list")).content.decode()
    client.force_login(small.office)
    edit = reverse("briefing-edit", args=[briefing.pk])
    client.post(edit, {"title": "第十二周通报", "body": "一、总体情况\n\n本周<b>进展</b>良好。"})
    client.post(reverse("briefing-issue", args=[briefing.pk]))
    briefing.refresh_from_db()
    assert briefing.document_number == "交帐亮相周通报〔2026〕第1期"
    client.force_login(small.reporter)
    page = client.get(reverse("briefing-detail", args=[briefing.pk])).content.decode()
    assert "本周&lt;b&gt;进展&lt;/b&gt;良好。" in page and "交帐亮相周通报〔2026〕第1期" in page
    assert client.get(reverse("briefing-edit", args=[briefing.pk])).status_code == 403
    assert "第十二周通报" in client.get(reverse("briefing-list")).content.decode()


@pytest.mark.clock("2026-03-23 09:00")
def test_the_pdf_renders_in_the_official_layout(
    small, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Asked for on the page (a report job, rendered in-process here), downloaded by a unit:
    its text holds the 文号, the title, the office's sections and the tables."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    briefing = generate_briefing(period=small.period(12), now=MONDAY)
    briefing = issue_briefing(briefing=briefing, user=small.office, now=MONDAY)
    client.force_login(small.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = client.post(
            reverse("report-request"),
            {"identifier": "weekly_briefing", "briefing_id": briefing.pk},
        )
    assert job_page.status_code == 302
    detail = client.get(reverse("briefing-detail", args=[briefing.pk])).content.decode()
    assert "生成并下载 PDF" not in detail and "下载 PDF" in detail  # now one click
    response = client.get(
        reverse("results-export", args=["weekly_briefing"]), {"briefing_id": briefing.pk}
    )
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
    path = tmp_path / "briefing.pdf"
    path.write_bytes(content)
    flat = text_of(path)
    for part in ("交帐亮相周通报〔2026〕第1期", "工作周通报", "一、各会战推进情况", "附表", "抄送"):
        assert part in flat, part
    assert "征地拆迁未完成" in flat and "2026年3月23日印发" in flat
