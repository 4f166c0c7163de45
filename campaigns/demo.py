"""Builds the demo county's assessment year: campaigns, indicators, targets and weeks of ledgers.

The same builder serves `manage.py seed_demo`, the tests and the benchmarks (STYLE.md: one
demo-county fixture builder, not three copies), so sizes are parameters and everything is
deterministic for a given `seed` and `now`.

Decisions a reader should know:

- Indicators come from the county secretary's speech (shared/seed-speech.txt), about 60 of them
  over the four campaigns. A unit never carries an indicator its own unit leads: the lead
  unit's reviewers could not verify it (审核与填报须分离), so such a target is skipped.
- The history is simulated, not replayed through the services: rows are built in memory and
  written with bulk_create, in the states `open_ledger`, `submit_ledger`, `confirm_ledger`,
  `verify_entries` and `return_entry` would have left them (a ledger's status comes from its
  entries through `WeeklyLedger.status_from_reviews`, as in `refresh_status`). A city is ~700k
  entries; going through the services would take hours. bulk_create skips django-simple-history,
  so the writer adds the history rows itself (issue 14: no row without its history, checked by
  tests/test_history_walk.py): one '+' record of each ledger and entry as the simulation left
  it, dated and signed by its last event; the entries with a story (returned then corrected,
  corrected down 核减) get one record per step, so the office's entry-history page has
  something to show. Everything else the demo writes in bulk uses bulk_create_with_history.
- Weeks are relative to `now`: the ledgers cover the `weeks` weeks ending with the last week
  that is over (if today is in week 48, weeks 48-`weeks` … 47), so the current week is open
  for a reporter who signs in. No event later than `now` happens: a ledger whose simulated
  hand-in falls after `now` is still a draft, a review after `now` is still pending (that is
  the reviewers' queue). If `now` is before the year's first week is over, no ledgers are made.
- Every unit gets one account `r-<unit pk>` (填报员 and 单位负责人, unusable password) that
  submits and signs its ledgers: the year requires the head's confirmation, and one account per
  unit is enough to give every ledger a consistent submitted_by / confirmed_by. 城关镇 uses the
  demo accounts `reporter` (submits) and `unithead` (confirms) when both exist. Each lead unit
  gets a reviewer: an existing reviewer of that unit (the demo `reviewer` for 发改委), or a new
  `reviewer-<abbreviation>` with an unusable password.
- Idempotent: existing campaigns and indicators are updated only where they differ, existing
  targets are kept as they are, and a ledger that exists for (unit, period) is skipped.
- The registers (key projects, signings, pilot villages) and their weekly reports come with the
  ledgers (campaigns/demo_registers.py); the derived entries are filled in from them before
  the entries are written, by the derivation's own functions (campaigns/demo_register_weeks.py).
- Results are not built here: apps above campaigns register with `after_demo_built` and run
  after the demo is built when `build_demo(results=True)` (as `seed_demo` does) — scoring
  computes and publishes the quarters that are over (scoring/demo.py).
"""

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.demo import (
    County,
    DemoAccount,
    build_county,
    build_role_accounts,
    upsert,
)
from accounts.models import Unit, User
from accounts.roles import Role

from .demo_registers import DemoRegisters
from .errors import LedgerError
from .models import (
    AssessmentYear,
    Campaign,
    Indicator,
    Inspection,
    LedgerEntry,
    Milestone,
    Target,
    WeeklyLedger,
)
from .services.years import (
    check_annual_value,
    check_milestones,
    default_milestones,
    generate_periods,
)

Status = WeeklyLedger.Status
Review = LedgerEntry.ReviewStatus
HIGHER = Indicator.Direction.HIGHER_BETTER
LOWER = Indicator.Direction.LOWER_BETTER
MILESTONE = Indicator.Direction.MILESTONE
RANK = Indicator.Method.RANK
DEMO_REASON = "示范数据"  # the change reason of the history rows the demo writes in bulk
TOWNSHIP, DEPARTMENT, PARK = Unit.Kind.TOWNSHIP, Unit.Kind.DEPARTMENT, Unit.Kind.PARK

PROJECTS, CITY, VILLAGES, ORDER = "项目建设会战", "县城建设会战", "美丽乡村会战", "严打整治会战"
FGW, ZJJ, NYJ, ZFW = "县发展和改革委员会", "县住房和城乡建设局", "县农业农村局", "县委政法委员会"
CAMPAIGNS = [(PROJECTS, FGW), (CITY, ZJJ), (VILLAGES, NYJ), (ORDER, ZFW)]

TCJ, SWJ, GXJ, GAJ = "县投资促进局", "县商务局", "县工业和信息化局", "县公安局"
XFJ, YJJ, XCZX, CZJ = "县信访局", "县应急管理局", "县乡村振兴局", "县财政局"
ZZB, ZRZY, CGJ, JTJ = "县委组织部", "县自然资源局", "县城市管理局", "县交通运输局"
SLJ, SCJG, JYJ, WJJ = "县水利局", "县市场监督管理局", "县教育局", "县卫生健康局"
WLJ, HBJ, SEAT_TOWN = "县文化旅游广电局", "市生态环境局县分局", "城关镇"

# Reviewer usernames: reviewer-<abbreviation> (pinyin initials as the county writes them).
ABBREVIATIONS = {
    FGW: "fgw", ZJJ: "zjj", NYJ: "nyncj", ZFW: "zfw", TCJ: "tcj", SWJ: "swj", GXJ: "gxj",
    GAJ: "gaj", XFJ: "xfj", YJJ: "yjj", XCZX: "xczxj", CZJ: "czj", ZZB: "zzb", ZRZY: "zrzyj",
}  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """One indicator and who carries it.

    `carriers` maps a unit name, "seat" (城关镇 and the next three townships), "river" (every
    second township), or a unit kind to the range of annual targets a carrier gets (a number
    for a fixed level such as 100 %, a tuple for a range; milestone indicators use None).
    """

    campaign: str
    name: str
    measure: str
    direction: str
    points: int
    lead: str
    carriers: dict
    cumulative: bool = True
    method: str = Indicator.Method.COMPLETION
    milestones: tuple = ()  # ((month, day, fraction), ...); empty: the default quarter ends
    due: tuple | None = None  # milestone indicators: (month, day)
    steady: bool = False  # a level that hovers around its target rather than rising to it
    source: str = Indicator.Source.LEDGER  # derived from a register (campaigns/demo_registers.py)
    description: str = ""


def amount(campaign, name, measure, points, lead, carriers, **kw) -> Spec:
    return Spec(campaign, name, measure, HIGHER, points, lead, carriers, **kw)


def rate(campaign, name, points, lead, carriers, **kw) -> Spec:
    return Spec(campaign, name, "%", HIGHER, points, lead, carriers, cumulative=False, **kw)


def cases(campaign, name, measure, points, lead, carriers, **kw) -> Spec:
    return Spec(campaign, name, measure, LOWER, points, lead, carriers, **kw)


def node(campaign, name, points, lead, carriers, due, **kw) -> Spec:
    carried = dict.fromkeys(carriers)
    return Spec(campaign, name, "项", MILESTONE, points, lead, carried, False, due=due, **kw)


T, D, P = TOWNSHIP, DEPARTMENT, PARK
JULY_80 = ((3, 31, "0.25"), (6, 30, "0.6"), (7, 31, "0.8"), (9, 30, "0.9"), (12, 31, "1"))

SPECS = [
    # 项目建设会战: 抓开工、抓推进、抓运行、抓招商.
    amount(PROJECTS, "固定资产投资完成额", "亿元", 8, FGW,
           {T: (3, 8), P: (15, 40), JTJ: (6, 12), SLJ: (2, 5), GXJ: (3, 8), WLJ: (1, 3),
            JYJ: (1, 2.5), WJJ: (1, 2)}, description="年初至今累计完成固定资产投资"),
    rate(PROJECTS, "重点项目开工率", 6, FGW, {T: 100, P: 100}, method=RANK,
         source=Indicator.Source.PROJECTS_STARTED_RATE,
         milestones=((3, 31, "0.5"), (6, 30, "0.8"), (7, 31, "1")),
         description="已开工重点项目÷年度计划开工项目；力争7月底前全部开工"),
    amount(PROJECTS, "重点项目开工个数", "个", 4, FGW, {T: (2, 6), P: (5, 12)},
           source=Indicator.Source.PROJECTS_STARTED_COUNT),
    rate(PROJECTS, "重点项目投资完成率", 5, FGW, {T: 100, P: 100},
         description="累计完成投资÷年度投资计划", source=Indicator.Source.PROJECTS_INVESTMENT_RATE),
    amount(PROJECTS, "招商签约额", "亿元", 6, TCJ, {T: (3, 10), P: (20, 60), D: (0.5, 3)},
           description="签约项目协议投资额累计", source=Indicator.Source.SIGNED_AMOUNT),
    amount(PROJECTS, "新签约亿元以上项目数", "个", 4, TCJ, {T: (1, 3), P: (4, 10)},
           source=Indicator.Source.SIGNED_LARGE_COUNT),
    amount(PROJECTS, "重大战略支撑项目引进数", "个", 4, TCJ, {P: (1, 1)},
           description="投资几十亿乃至上百亿元的重大战略支撑项目"),
    amount(PROJECTS, "与央企和500强企业对接洽谈次数", "次", 2, TCJ, {T: (4, 10), P: (10, 24)},
           method=RANK),
    amount(PROJECTS, "招商引资实际到位资金", "亿元", 4, SWJ, {T: (2, 6), P: (10, 30)}),
    amount(PROJECTS, "停建项目复工数", "个", 3, FGW, {P: (1, 3), "seat": (1, 2)}),
    rate(PROJECTS, "新竣工项目投产率", 3, GXJ, {P: 90}),
    rate(PROJECTS, "规模以上工业增加值增速", 4, GXJ, {P: (8, 10), T: (6, 9)}, method=RANK,
         steady=True),
    rate(PROJECTS, "规上工业企业开工率", 3, GXJ, {P: 95}, steady=True),
    amount(PROJECTS, "新增规模以上工业企业数", "个", 3, GXJ, {T: (1, 3), P: (3, 8)}),
    node(PROJECTS, "未开工项目逐个会诊并制定推进方案", 2, FGW, (T, P), (5, 31)),
    amount(PROJECTS, "争取中央预算内投资和专项债券资金", "亿元", 3, FGW,
           {CZJ: (1, 3), JTJ: (0.5, 2), SLJ: (0.5, 2), NYJ: (0.5, 1.5), JYJ: (0.3, 1),
            WJJ: (0.3, 1)}),
    rate(PROJECTS, "分包重点项目问题协调解决率", 3, FGW, {D: 90}, steady=True),
    # 县城建设会战: 精品工程、规划管控、城市管理.
    amount(CITY, "县城重点城建工程投资完成额", "亿元", 6, ZJJ,
           {SEAT_TOWN: (3, 5), JTJ: (2, 5), CGJ: (0.5, 1.5), ZRZY: (0.5, 1)}),
    rate(CITY, "县城道路改造完成率", 5, ZJJ, {SEAT_TOWN: 100, JTJ: 100, CGJ: 100},
         description="年初确定的10多条道路整修扩建"),
    amount(CITY, "棚户区改造户数", "个", 4, ZJJ, {"seat": (100, 400)}, description="单位：户"),
    amount(CITY, "老旧小区改造完成数", "个", 3, ZJJ, {SEAT_TOWN: (8, 15)}),
    amount(CITY, "中心城区精品工程开工个数", "个", 3, ZJJ,
           {SEAT_TOWN: (2, 4), WLJ: (1, 2), JYJ: (1, 2), WJJ: (1, 2)},
           description="中央商务区、行政服务中心、城市规划展馆、企业文化广场等",
           source=Indicator.Source.PROJECTS_STARTED_COUNT),
    amount(CITY, "违法占地违规建设清理宗数", "件", 4, ZJJ,
           {"seat": (10, 40), ZRZY: (20, 50), CGJ: (20, 60)}),
    rate(CITY, "新建建筑规划方案报规委会审批率", 2, ZJJ, {ZRZY: 100}, steady=True),
    amount(CITY, "公厕候车亭垃圾站新建改造数", "个", 3, ZJJ, {CGJ: (20, 40), SEAT_TOWN: (10, 20)}),
    rate(CITY, "城区环境卫生综合达标率", 3, ZJJ, {CGJ: 95, SEAT_TOWN: 95}, method=RANK,
         steady=True),
    amount(CITY, "占道经营和早夜市摊点整治", "次", 2, ZJJ,
           {CGJ: (40, 60), SCJG: (20, 40), SEAT_TOWN: (30, 50)}),
    amount(CITY, "城区交通秩序集中整治", "次", 2, ZJJ, {GAJ: (30, 50)}),
    rate(CITY, "城建项目征地任务完成率", 4, ZJJ, {"seat": 100},
         milestones=((3, 31, "0.3"), (6, 30, "0.6"), (9, 30, "0.9"), (12, 31, "1"))),
    rate(CITY, "城建项目手续办结率", 2, ZJJ, {ZRZY: 100, HBJ: 100}),
    node(CITY, "城市规划展馆主体工程完工", 3, ZJJ, (ZRZY,), (10, 31)),
    # 美丽乡村会战: 试点村、环境整治、资金筹措.
    rate(VILLAGES, "试点村建设任务完成率", 6, NYJ, {T: 100}, milestones=JULY_80,
         description="7月底前完成总任务的80%以上，年内全面完成",
         source=Indicator.Source.VILLAGE_TASK_RATE),
    amount(VILLAGES, "重点帮扶试点村建设亮点", "项", 3, NYJ, {T: (1, 2)},
           milestones=((6, 30, "1"),), description="两个月内打造一至两项建设亮点"),
    amount(VILLAGES, "农村人居环境整治村数", "个", 5, NYJ, {T: (8, 25)}),
    amount(VILLAGES, "“四清”“四化”完成村数", "个", 4, NYJ, {T: (6, 20)}),
    rate(VILLAGES, "村庄建设规划编制完成率", 3, ZRZY, {T: 100}),
    amount(VILLAGES, "争取中央省市美丽乡村奖补资金", "万元", 4, XCZX,
           {T: (200, 800)}, source=Indicator.Source.VILLAGE_SECURED_FUNDS),
    rate(VILLAGES, "县乡村配套资金到位率", 3, CZJ, {T: 100},
         source=Indicator.Source.VILLAGE_MATCHING_RATE),
    amount(VILLAGES, "农村危房改造户数", "个", 3, ZJJ, {T: (20, 80)}, description="单位：户"),
    rate(VILLAGES, "帮扶村“十件实事”任务完成率", 4, NYJ, {D: 100}, milestones=JULY_80,
         description="基层建设年帮扶村，7月底前完成总任务的80%以上"),
    rate(VILLAGES, "村党支部书记选优配强完成率", 3, ZZB, {T: 100}),
    amount(VILLAGES, "农村生活垃圾治理覆盖村数", "个", 3, NYJ, {T: (10, 30)}),
    node(VILLAGES, "秋季农业生产任务落实", 2, NYJ, (T,), (10, 20)),
    # 严打整治会战: 打击犯罪、信访稳定、安全生产、防汛.
    cases(ORDER, "刑事案件发案数", "件", 6, GAJ, {T: (20, 80), SEAT_TOWN: (120, 180)}),
    cases(ORDER, "治安案件发案数", "件", 4, GAJ, {T: (40, 120), SEAT_TOWN: (200, 300)}),
    cases(ORDER, "“两抢一盗”案件发案数", "件", 3, GAJ, {T: (5, 25)}),
    cases(ORDER, "重大恶性命案", "件", 3, GAJ, {T: 0}),
    rate(ORDER, "刑事案件破案率", 4, ZFW, {GAJ: 85}, steady=True),
    rate(ORDER, "信访积案化解率", 5, XFJ, {T: 90, D: 90}, method=RANK),
    cases(ORDER, "进京赴省到市非正常上访", "次", 4, XFJ, {T: (0, 2)}),
    cases(ORDER, "围堵党政机关大规模上访事件", "件", 3, XFJ, {T: 0}),
    rate(ORDER, "安全生产隐患整改率", 5, YJJ, {T: 100, P: 100, D: 100}, steady=True),
    amount(ORDER, "安全生产检查次数", "次", 2, YJJ, {T: (40, 80), P: (30, 60)}),
    cases(ORDER, "较大及以上生产安全事故", "件", 3, YJJ, {T: 0, P: 0}),
    node(ORDER, "防汛物资到位", 2, YJJ, (T, SLJ), (5, 31),
         description="汛前防汛物资、抢险队伍落实到位"),
    node(ORDER, "农村危房和学校校舍汛期安全检查", 2, YJJ, (T, JYJ), (7, 15)),
    amount(ORDER, "夏季食品安全监督抽检批次", "次", 2, ZFW, {SCJG: (200, 400)}),
    amount(ORDER, "非法盗采砂资源查处案件", "件", 3, ZFW,
           {"river": (2, 8), SLJ: (10, 30), ZRZY: (10, 30)}),
    amount(ORDER, "打掉黑恶犯罪团伙", "个", 3, ZFW, {GAJ: (3, 6)}),
    amount(ORDER, "破坏发展环境违法犯罪案件查处数", "件", 2, ZFW, {GAJ: (10, 30)}),
    rate(ORDER, "主城区网格化巡逻覆盖率", 2, ZFW, {GAJ: 100, SEAT_TOWN: 100}),
    rate(ORDER, "群众安全感满意度", 3, ZFW, {T: 95}, method=RANK, steady=True),
]  # fmt: skip

PLACES = {"亿元": 2, "万元": 1, "%": 1, "公里": 2}  # other measures are whole numbers
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = ["建国", "晓梅", "海涛", "志强", "丽娟", "春燕", "国华", "秀英", "文静", "立新",
         "红梅", "伟", "军", "敏", "静", "磊", "洋", "勇", "艳", "杰", "明辉", "雪芳"]  # fmt: skip
Problem = LedgerEntry.ProblemCategory
PROBLEMS = {  # category: (problem, next step)
    Problem.LAND: ("项目用地指标尚未落实，组卷报批进度慢", "协调自然资源局加快用地报批"),
    Problem.FUNDS: ("配套资金未足额到位，部分工程暂缓施工", "对接财政局，争取资金尽快拨付"),
    Problem.PROCEDURES: ("环评、施工许可等手续正在办理", "实行并联审批，专人跟踪办理"),
    Problem.OTHER: ("连日阴雨影响施工进度", "雨后抢抓工期，增加施工力量"),
}
RETURN_REASONS = [
    "佐证材料不全，请补充现场照片和合同复印件",
    "累计数与项目库台账不一致，请核对后重报",
    "本周增量偏大，请说明依据并附佐证",
]
CORRECTION_REASONS = {  # by measure; counts share one list
    "亿元": ["实地查看：部分投资尚未形成实物工作量，按实际核减",
             "核对合同：部分签约项目协议未落实，按实际核减"],
    "万元": ["核对拨付凭证：部分资金尚未到账，按实际核减"],
    "%": ["实地抽查：部分事项尚未办结，按实际核定", "核对台账：完成口径与要求不符，按实际核定"],
    None: ["核对台账：有重复统计，予以核减", "实地查看：部分事项尚未完成，按实际核减"],
}  # fmt: skip


@dataclass
class Plan:
    """One target the builder simulates: the indicator, its spec, the figures that drive it."""

    indicator: Indicator
    spec: Spec
    annual: Decimal | None
    milestones: list[tuple[date, Decimal]]


@dataclass
class Profile:
    """How a unit behaves over the year: its pace on targets and its habits with deadlines."""

    pace: float
    laggard: bool
    size: float
    p_late: float
    p_missing: float


@dataclass
class DemoYear:
    year: AssessmentYear
    campaigns: list[Campaign]
    indicators: int
    targets: int
    ledgers: int
    entries: int
    targets_created: int = 0
    ledgers_created: int = 0
    entries_created: int = 0
    weeks: tuple[int, int] | None = None  # first and last week of ledgers built, if any
    reviewers: dict[str, str] = field(default_factory=dict)  # lead unit name -> username
    reporters_created: int = 0
    registers: str = ""  # what campaigns.demo_registers built, in Chinese


@dataclass
class DemoSummary:
    county: County
    accounts: list[DemoAccount]
    year: DemoYear
    now: datetime | None = None  # the moment the demo was built as of
    results: list[str] = field(default_factory=list)  # what the after-demo hooks did, in Chinese


# Apps built on campaigns add their part once the demo is built (scoring: the quarters that are
# over, computed and published through its services). They register from AppConfig.ready(), so
# campaigns never imports the apps above it. Each takes the DemoSummary and returns lines saying
# what it did, for seed_demo to print.
AFTER_DEMO_BUILT: list[Callable[[DemoSummary], list[str]]] = []


def after_demo_built(callback: Callable[[DemoSummary], list[str]]) -> None:
    """Run `callback(summary)` at the end of `build_demo(results=True)`."""
    if callback not in AFTER_DEMO_BUILT:
        AFTER_DEMO_BUILT.append(callback)


# The demo's sizes besides its default (18 townships, 40 departments, 3 parks): one county of
# ~90 units and a city of ten counties (~900 units), DESIGN §7 — the benchmarks' and the load
# test's scales (bench/common.py, `seed_demo --scale city`).
SCALES = {
    "county": {"townships": 20, "departments": 60, "parks": 10},
    "city": {"townships": 200, "departments": 600, "parks": 100},
}


def build_demo(
    *,
    townships: int = 18,
    departments: int = 40,
    parks: int = 3,
    weeks: int | None = 20,
    year: int | None = None,
    seed: int = 2026,
    password: str | None = None,
    reset_passwords: bool = False,
    must_change_password: bool = False,
    now: datetime | None = None,
    results: bool = False,
) -> DemoSummary:
    """The whole demo: county, one account per role, and the assessment year with its ledgers.

    `year` None: the ISO year of `now`, so the demo always has a current week to fill.
    `results`: also run the `after_demo_built` hooks (seed_demo does; the tests that only need
    ledgers leave them out, and stay fast).
    """
    now = now or timezone.now()
    if year is None:
        year = timezone.localtime(now).date().isocalendar().year
    county = build_county(townships=townships, departments=departments, parks=parks)
    accounts = build_role_accounts(
        password=password,
        reset_passwords=reset_passwords,
        must_change_password=must_change_password,
    )
    demo_year = build_year(county=county, year=year, weeks=weeks, seed=seed, now=now)
    summary = DemoSummary(county=county, accounts=accounts, year=demo_year, now=now)
    if results:
        for callback in AFTER_DEMO_BUILT:
            summary.results += callback(summary)
    return summary


@transaction.atomic
def build_year(
    *,
    county: County,
    year: int = 2026,
    weeks: int | None = 20,
    seed: int = 2026,
    now: datetime | None = None,
) -> DemoYear:
    """Create or complete the year: campaigns, indicators, targets, periods and ledgers.

    `weeks` None: every week that is over. See the module docstring for the decisions.
    """
    now = now or timezone.now()
    assessment, _ = upsert(
        AssessmentYear, lookup={"year": year}, values={"status": AssessmentYear.Status.ACTIVE}
    )
    periods = generate_periods(year=assessment, now=now)
    units = [unit for unit in county.units if unit.active]
    campaigns, plans = _indicators_and_targets(assessment, units, seed)
    result = DemoYear(
        year=assessment,
        campaigns=list(campaigns.values()),
        indicators=0,
        targets=0,
        ledgers=0,
        entries=0,
    )
    result.targets_created = plans.pop(None, 0)

    today = timezone.localtime(now).date()
    over = [p for p in periods if p.ends_on < today]
    window = over[-weeks:] if weeks else over
    if window and plans:
        result.weeks = (window[0].iso_week, window[-1].iso_week)
        reviewers = _reviewers(assessment, result)
        people, result.reporters_created = _unit_people(units)
        profiles = _profiles(units, seed)
        history = _HistoryWriter(seed=seed, now=now, year=year, weeks_in_year=len(periods))
        history.force(units, plans, profiles, window)
        # The registers' rows; their weekly reports and the derived entries come with each
        # ledger the writer builds (campaigns/demo_registers.py).
        history.registers = registers = DemoRegisters(
            assessment=assessment, units=units, plans=plans, profiles=profiles,
            reviewers=reviewers, seed=seed, now=timezone.localtime(now),
        )  # fmt: skip
        existing = set(
            WeeklyLedger.objects.filter(period__year=assessment).values_list("unit_id", "period_id")
        )
        chunk = []
        for unit in units:
            if unit.pk in plans:
                chunk.append(unit)
            if len(chunk) == 20 or (chunk and unit is units[-1]):
                created = history.write(
                    chunk,
                    plans,
                    profiles,
                    people,
                    reviewers,
                    over[: over.index(window[-1]) + 1],
                    window,
                    existing,
                )
                result.ledgers_created += created[0]
                result.entries_created += created[1]
                chunk = []
        result.registers = registers.finish().line()

    result.indicators = Indicator.objects.filter(campaign__year=assessment).count()
    result.targets = Target.objects.filter(indicator__campaign__year=assessment).count()
    result.ledgers = WeeklyLedger.objects.filter(period__year=assessment).count()
    result.entries = LedgerEntry.objects.filter(ledger__period__year=assessment).count()
    return result


# --- the year's set-up -----------------------------------------------------------------------


def _indicators_and_targets(assessment, units, seed):
    """Campaigns and indicators (upserted) and each unit's targets: {unit id: [Plan]}.

    Under the key None: how many targets were created.
    """
    by_name = {unit.name: unit for unit in units}
    departments = [unit for unit in units if unit.kind == DEPARTMENT]
    fallback = departments[0] if departments else units[0]
    campaigns = {}
    for order, (name, lead) in enumerate(CAMPAIGNS, start=1):
        campaigns[name], _ = upsert(
            Campaign,
            lookup={"year": assessment, "name": name},
            values={"lead_unit": by_name.get(lead, fallback), "sort_order": order},
        )
    indicators = []
    for order, spec in enumerate(SPECS, start=1):
        campaign = campaigns[spec.campaign]
        indicator, _ = upsert(
            Indicator,
            lookup={"campaign": campaign, "name": spec.name},
            values={
                "measure": spec.measure,
                "direction": spec.direction,
                "points": Decimal(spec.points),
                "method": spec.method,
                "lead_unit": by_name.get(spec.lead, campaign.lead_unit),
                "cumulative": spec.cumulative,
                "sort_order": order,
                "description": spec.description,
                "source": spec.source,
            },
        )
        indicators.append((spec, indicator))

    existing = {
        (t.indicator_id, t.unit_id): t
        for t in Target.objects.filter(indicator__campaign__year=assessment)
    }
    kept_milestones = defaultdict(list)
    for m in Milestone.objects.filter(target__in=list(existing.values())).order_by("due_date"):
        kept_milestones[m.target_id].append((m.due_date, m.fraction))

    townships = [unit for unit in units if unit.kind == TOWNSHIP]
    seat = {unit.pk for unit in townships[:4]}
    river = {unit.pk for unit in townships[1::2]}
    sizes = {unit.pk: _profile(unit, seed).size for unit in units}
    plans: dict = defaultdict(list)
    new_targets, new_milestones, errors = [], [], []
    for spec, indicator in indicators:
        custom = [(date(assessment.year, m, d), Decimal(f)) for m, d, f in spec.milestones] or None
        if spec.direction == MILESTONE:
            custom = [(date(assessment.year, *spec.due), Decimal(1))]
        for unit in units:
            if unit.pk == indicator.lead_unit_id:
                continue  # its own reviewers could not verify it
            key = _carrier_key(spec, unit, seat, river)
            if key is None:
                continue
            target = existing.get((indicator.pk, unit.pk))
            if target is not None:
                plans[unit.pk].append(
                    Plan(indicator, spec, target.annual_value, kept_milestones[target.pk])
                )
                continue
            rng = random.Random(f"{seed}:{unit.name}:{spec.name}:target")
            exact = key == unit.name
            annual = _annual_value(spec, spec.carriers[key], rng, 1.0 if exact else sizes[unit.pk])
            milestones = custom or default_milestones(year=assessment.year)
            problem = check_annual_value(indicator, annual)
            errors += [problem] if problem else []
            errors += check_milestones(assessment.year, milestones)
            target = Target(indicator=indicator, unit=unit, annual_value=annual)
            new_targets.append(target)
            new_milestones.append((target, milestones))
            plans[unit.pk].append(Plan(indicator, spec, annual, milestones))
    if errors:
        raise LedgerError(sorted(set(errors)))
    if new_targets:
        bulk_create_with_history(new_targets, Target, batch_size=1000)
        rows = [
            Milestone(target=target, due_date=due, fraction=fraction)
            for target, milestones in new_milestones
            for due, fraction in milestones
        ]
        bulk_create_with_history(rows, Milestone, batch_size=1000)
    plans[None] = len(new_targets)
    return campaigns, plans


def _carrier_key(spec: Spec, unit: Unit, seat: set, river: set):
    carriers = spec.carriers
    if unit.name in carriers:
        return unit.name
    if "seat" in carriers and unit.pk in seat:
        return "seat"
    if "river" in carriers and unit.pk in river:
        return "river"
    return unit.kind if unit.kind in carriers else None


def _annual_value(spec: Spec, bounds, rng: random.Random, size: float) -> Decimal | None:
    if spec.direction == MILESTONE:
        return None
    low, high = bounds if isinstance(bounds, tuple) else (bounds, bounds)
    value = rng.uniform(low, high)
    if spec.measure == "%":
        return Decimal(f"{value:.1f}") if high < 20 else Decimal(round(value))
    value *= size
    if spec.direction == LOWER:
        return Decimal(round(value))
    if spec.measure == "亿元":
        return Decimal(f"{max(value, 0.1):.1f}")
    if spec.measure == "万元":
        return Decimal(max(10, round(value / 10) * 10))
    return Decimal(max(1, round(value)))


def _profile(unit: Unit, seed: int) -> Profile:
    rng = random.Random(f"{seed}:{unit.name}:profile")
    # 城关镇 is the demo accounts' unit: a solid performer, so its pages look ordinary.
    laggard = unit.name != SEAT_TOWN and rng.random() < 0.15
    if laggard:
        pace = rng.uniform(0.55, 0.8)
    else:
        pace = rng.uniform(1.1, 1.25) if rng.random() < 0.15 else rng.uniform(0.85, 1.1)
    size = 1.5 if unit.name == SEAT_TOWN else rng.uniform(0.7, 1.3)
    if laggard:
        return Profile(pace, True, size, p_late=0.15, p_missing=0.06)
    return Profile(pace, False, size, p_late=0.04, p_missing=0.012)


def _profiles(units, seed) -> dict[int, Profile]:
    profiles = {unit.pk: _profile(unit, seed) for unit in units}
    townships = [unit for unit in units if unit.kind == TOWNSHIP]
    laggard = (townships or units)[-1]
    profiles[laggard.pk].laggard = True  # the designated laggard of every county
    profiles[laggard.pk].pace = min(profiles[laggard.pk].pace, 0.75)
    return profiles


# --- people ----------------------------------------------------------------------------------


def _reviewers(assessment, result: DemoYear) -> dict[int, int]:
    """{lead unit id: reviewer user id}: an existing reviewer of the unit, or a new one."""
    group = Group.objects.get(name=Role.REVIEWER.group_name)
    leads = Unit.objects.filter(led_indicators__campaign__year=assessment).distinct()
    found = {}
    for user in User.objects.filter(unit__in=leads, groups=group, is_active=True).order_by(
        "username"
    ):
        found.setdefault(user.unit_id, user)
    for unit in leads:
        if unit.pk not in found:
            username = f"reviewer-{ABBREVIATIONS.get(unit.name, f'u{unit.pk}')}"
            user, created = upsert(
                User,
                lookup={"username": username},
                values={"full_name": _person(unit.name), "title": "审核员", "unit": unit},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(group)
            found[unit.pk] = user
        result.reviewers[unit.name] = found[unit.pk].username
    return {unit_id: user.pk for unit_id, user in found.items()}


def _person(key: str) -> str:
    rng = random.Random(key)
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _unit_people(units) -> tuple[dict[int, tuple[int, int]], int]:
    """{unit id: (submitter id, confirmer id)}, creating `r-<pk>` accounts where missing."""
    demo = {
        u.username: u
        for u in User.objects.filter(username__in=["reporter", "unithead"], is_active=True)
    }
    reporter, head = demo.get("reporter"), demo.get("unithead")
    people = {}
    wanted = {}
    for unit in units:
        if (
            reporter and head and reporter.unit_id == unit.pk and head.unit_id == unit.pk
        ):  # 城关镇 with the demo accounts: the reporter submits, the head signs
            people[unit.pk] = (reporter.pk, head.pk)
        else:
            wanted[f"r-{unit.pk}"] = unit
    known = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    new = []
    for username, unit in wanted.items():
        if username not in known:
            user = User(
                username=username, full_name=_person(username), title="综合办主任", unit=unit
            )
            user.set_unusable_password()
            new.append(user)
    if new:
        bulk_create_with_history(new, User, batch_size=1000)
        groups = Group.objects.filter(
            name__in=[Role.REPORTER.group_name, Role.UNIT_HEAD.group_name]
        )
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=g.pk) for u in new for g in groups],
            ignore_conflicts=True,
        )
        known.update({u.username: u.pk for u in new})
    for username, unit in wanted.items():
        people[unit.pk] = (known[username], known[username])
    return people, len(new)


# --- the weeks of ledgers --------------------------------------------------------------------


def _fraction(points: list[tuple[date, float]], day: date) -> float:
    """The share of the annual target due by `day`, linear between milestones."""
    if day <= points[0][0]:
        return 0.0
    for (d0, f0), (d1, f1) in pairwise(points):
        if day <= d1:
            return f0 + (f1 - f0) * (day - d0).days / max(1, (d1 - d0).days)
    return points[-1][1]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _figure(value: float, measure: str) -> Decimal:
    places = PLACES.get(measure, 0)
    return Decimal(f"{value:.{places}f}")


def _series(plan: Plan, profile: Profile, rng, periods, year: int, weeks_in_year: int):
    """The unit's true figure on the target at the end of each period: [(value, done_on)]."""
    spec = plan.spec
    if spec.direction == MILESTONE:
        due = date(year, *spec.due)
        early, late = (0.4, 0.35) if profile.laggard else (0.75, 0.15)
        draw = rng.random()
        done = None
        if draw < early:
            done = due - timedelta(days=rng.randint(3, 40))
        elif draw < early + late:
            done = due + timedelta(days=rng.randint(3, 30))
        return [(None, done if done and done <= p.ends_on else None) for p in periods]

    annual = float(plan.annual)
    out = []
    if spec.direction == LOWER:
        # Counts of cases grow slowly; a laggard lets them grow past its ceiling.
        factor = rng.uniform(1.0, 1.35) if profile.laggard else rng.uniform(0.55, 0.95)
        chance = 0.004 if profile.laggard else 0.0015  # a "zero" target's rare event
        total = 0
        for _ in periods:
            total += (
                (rng.random() < chance)
                if annual == 0
                else _poisson(rng, annual * factor / weeks_in_year)
            )
            out.append((Decimal(total), None))
        return out

    points = [(date(year, 1, 1), 0.0)] + [(d, float(f)) for d, f in sorted(plan.milestones)]
    if points[-1][1] < 1:
        points.append((date(year, 12, 31), 1.0))
    cap = 100.0 if spec.measure == "%" else math.inf
    reach = profile.pace * rng.uniform(0.9, 1.08)
    if not spec.cumulative and spec.steady:
        # A level such as a satisfaction rate moves little with effort: pace counts for 40 %.
        level = annual * min(1.02, (1 - 0.4 * (1 - profile.pace)) * rng.uniform(0.96, 1.01))
        spread = max(0.3, annual * 0.02)
        return [(_figure(min(cap, max(0, rng.gauss(level, spread))), "%"), None) for _ in periods]
    if not spec.cumulative:  # a rate rising towards the target as the year goes on
        rising = [annual * reach * _fraction(points, p.ends_on) for p in periods]
        return [(_figure(min(cap, max(0, r + rng.gauss(0, 1.2))), "%"), None) for r in rising]
    total = 0.0
    for p in periods:
        if rng.random() < 0.85:  # some weeks nothing moves
            wanted = annual * reach * _fraction(points, p.ends_on) * rng.uniform(0.97, 1.03)
            total = max(total, wanted)
        out.append((_figure(total, spec.measure), None))
    return out


def _copy_into_history(model, ids, *, when: str, who: str, now, join: str = "") -> None:
    """One '+' history record (reason 示范数据) for each row `ids` of `model`, copied from the
    row by the database. `when` lists SQL dates over the row `t` (and `join`), the first set
    one dates the record, else `now`; `who` is the SQL of its user id."""
    history = model.history.model
    names = [model._meta.get_field(f.name).column for f in history.tracked_fields]
    columns = ", ".join(f'"{name}"' for name in names)
    values = ", ".join(f't."{name}"' for name in names)
    insert = (
        f'INSERT INTO "{history._meta.db_table}" ({columns}, history_date, history_user_id, '
        f"history_type, history_change_reason) SELECT {values}, COALESCE({when}, %s), {who}, "
        f"'+', %s FROM \"{model._meta.db_table}\" t {join} WHERE t.id IN "
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 900):  # SQLite's limit of bound values, with margin
            chunk = ids[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"{insert}({marks})", [stamp, DEMO_REASON, *chunk])


def _office_time(day: date, rng, zone) -> datetime:
    return datetime.combine(day, time(8, 30), tzinfo=zone) + timedelta(minutes=rng.randint(0, 540))


class _HistoryWriter:
    """Simulates and writes the ledgers of a few units at a time (bounded memory)."""

    def __init__(self, *, seed, now, year, weeks_in_year):
        self.seed, self.now, self.year, self.weeks_in_year = seed, now, year, weeks_in_year
        self.zone = timezone.get_current_timezone()
        self.forced: dict[tuple[int, int], str] = {}  # (unit, period) -> "late" / "missing"
        self.stories: dict[int, str] = {}  # unit -> "returned" / "corrected", not yet placed
        self.slowness: dict[int, float] = {}
        self.entry_history = LedgerEntry.history.model
        self.tracked = [f.attname for f in self.entry_history.tracked_fields]
        self.registers = None  # DemoRegisters: reports and derived entries of each ledger

    def force(self, units, plans, profiles, window):
        """Make sure any window of three weeks or more shows each case at least once."""
        carrying = [unit for unit in units if unit.pk in plans]
        laggards = [unit for unit in carrying if profiles[unit.pk].laggard]
        laggard = laggards[-1] if laggards else carrying[-1]
        others = [unit for unit in carrying if unit != laggard]
        self.forced[(laggard.pk, window[0].pk)] = "late"
        if len(window) > 1:
            self.forced[(laggard.pk, window[1].pk)] = "missing"
        # Placed on the first reviewed entry that allows it (from the window's first week).
        for unit, case in zip(others[1:3], ("returned", "corrected"), strict=False):
            self.stories[unit.pk] = case

    def write(self, units, plans, profiles, people, reviewers, simulated, window, existing):
        ledgers, entries, stories, inspections = [], [], [], []
        for unit in units:
            profile = profiles[unit.pk]
            series = [
                _series(
                    plan, profile, random.Random(f"{self.seed}:{unit.name}:{plan.spec.name}"),
                    simulated, self.year, self.weeks_in_year,
                )
                for plan in plans[unit.pk]
            ]  # fmt: skip
            offset = simulated.index(window[0])
            for i, period in enumerate(window, start=offset):
                if (unit.pk, period.pk) in existing:
                    continue
                made = self._ledger(
                    unit, period, i, plans[unit.pk], series, profile, people, reviewers
                )
                if made is not None:
                    ledgers.append(made[0])
                    entries.append(made[1])
                    stories += made[2]
                    inspections += made[3]
        if self.registers is not None:  # derived entries follow the register reports
            self.registers.weeks.fill(ledgers, entries)
            derived = {i.pk for i in self.registers.indicators}
            stories = [(e, steps) for e, steps in stories if e.indicator_id not in derived]
        WeeklyLedger.objects.bulk_create(ledgers, batch_size=2000)
        for ledger, rows in zip(ledgers, entries, strict=True):
            for entry in rows:
                entry.ledger_id = ledger.pk
        flat = [entry for rows in entries for entry in rows]
        LedgerEntry.objects.bulk_create(flat, batch_size=5000)
        self._write_history(ledgers, entries, stories)
        for inspection in inspections:
            inspection.entry_id = inspection.entry.pk
        Inspection.objects.bulk_create(inspections, batch_size=2000)
        if self.registers is not None:
            self.registers.weeks.save()
        return len(ledgers), len(flat)

    def _write_history(self, ledgers, entries, stories):
        """Every ledger and entry gets a history ending in its current state (issue 14: no row
        without one). An entry with a story gets its steps; every other row one '+' record,
        copied by the database from the row just written (model instances would take minutes
        for a city's ~700k entries), dated at its last event (reviewed, else handed in, else
        the demo's now) and signed by whoever acted."""
        told = {id(entry) for entry, _ in stories}
        plain = [entry.pk for rows in entries for entry in rows if id(entry) not in told]
        _copy_into_history(
            WeeklyLedger,
            [ledger.pk for ledger in ledgers],
            when="t.submitted_at",
            who="t.submitted_by_id",
            now=self.now,
        )
        _copy_into_history(
            LedgerEntry,
            plain,
            join=f'JOIN "{WeeklyLedger._meta.db_table}" l ON l.id = t.ledger_id',
            when="t.reviewed_at, l.submitted_at",
            who="CASE WHEN t.reviewed_at IS NULL THEN l.submitted_by_id ELSE t.reviewer_id END",
            now=self.now,
        )
        self.entry_history.objects.bulk_create(
            [self._snapshot(entry, *step) for entry, steps in stories for step in steps],
            batch_size=2000,
        )

    def _snapshot(self, entry, when, user_id, kind, changes):
        data = {name: getattr(entry, name) for name in self.tracked}
        data.update(changes)
        return self.entry_history(
            history_date=when, history_user_id=user_id, history_type=kind, **data
        )

    def _slowness(self, lead_id: int) -> float:
        """Days a lead unit may take to review: some reviewers keep a queue."""
        if lead_id not in self.slowness:
            # Seeded by the unit's name, not its id: the same county gets the same history in
            # any database (scoring/demo.py dates the published quarters after these reviews).
            name = Unit.objects.filter(pk=lead_id).values_list("name", flat=True).get()
            self.slowness[lead_id] = random.Random(f"{self.seed}:{name}:slow").uniform(2, 9)
        return self.slowness[lead_id]

    def _hand_in_time(self, period, late: bool, rng) -> datetime:
        if late:
            window = max(3, (period.locks_at - period.deadline).total_seconds() // 60 - 120)
            return period.deadline + timedelta(minutes=rng.randint(60, int(window)))
        return period.deadline - timedelta(minutes=rng.randint(30, 30 * 60))

    def _ledger(self, unit, period, week_index, plans, series, profile, people, reviewers):
        """One ledger with its entries, or None when the unit never opened it."""
        rng = random.Random(f"{self.seed}:{unit.name}:{period.iso_week}:ledger")
        forced = self.forced.get((unit.pk, period.pk))
        draw = rng.random()
        missing = forced == "missing" or (forced is None and draw < profile.p_missing)
        late = forced == "late" or (
            forced is None and not missing and draw < profile.p_missing + profile.p_late
        )
        submitter, head = people[unit.pk]
        ledger = WeeklyLedger(unit=unit, period=period, status=Status.DRAFT)
        handed_at = self._hand_in_time(period, late, rng)
        if missing:
            if rng.random() < 0.5:
                return None  # never opened
        elif handed_at <= self.now:
            ledger.submitted_by_id = submitter
            ledger.confirmed_at, ledger.confirmed_by_id = handed_at, head
            ledger.hand_in(at=handed_at)
        elif submitter != head and handed_at - timedelta(hours=3) <= self.now:
            ledger.submitted_by_id = submitter  # handed to the head, not yet signed
            ledger.status = Status.AWAITING_CONFIRMATION

        handed_in = ledger.status == Status.SUBMITTED
        review_at: dict[int, datetime] = {}
        entries, stories, inspections = [], [], []
        story = self.stories.get(unit.pk) if handed_in else None
        for plan, weekly in zip(plans, series, strict=True):
            value, done_on = weekly[week_index]
            if week_index:
                previous = weekly[week_index - 1][0]
            else:  # the year starts from zero on cumulative indicators
                previous = Decimal(0) if plan.spec.cumulative else None
            entry = LedgerEntry(indicator_id=plan.indicator.pk, value=value, done_on=done_on)
            if ledger.status == Status.DRAFT and rng.random() < 0.4:
                entry.value = entry.done_on = None  # a draft half filled in
            self._texts(entry, plan, previous, profile, rng)
            entries.append(entry)
            if not handed_in:
                continue
            lead = plan.indicator.lead_unit_id
            if lead not in review_at:
                delay = timedelta(days=rng.uniform(0.5, self._slowness(lead)))
                review_at[lead] = max(
                    _office_time((handed_at + delay).astimezone(self.zone).date(), rng, self.zone),
                    handed_at + timedelta(hours=2),
                )
            reviewed = review_at[lead] <= self.now
            case = self._case(plan, value, previous, profile, rng, story if reviewed else None)
            if story and case == story and reviewed:
                del self.stories[unit.pk]
                story = None
            self._review(
                entry,
                plan,
                case,
                review_at[lead],
                reviewers[lead],
                submitter,
                ledger,
                previous,
                rng,
                stories,
                inspections,
                unit,
            )
        if handed_in:  # the rule refresh_status applies
            ledger.status = WeeklyLedger.status_from_reviews(e.review_status for e in entries)
        return ledger, entries, stories, inspections

    def _case(self, plan, value, previous, profile, rng, story_case) -> str:
        if plan.indicator.is_derived:
            story_case = None  # a derived entry's story is its register reports'
        numeric = value is not None and plan.spec.direction != MILESTONE
        grew = numeric and previous is not None and value > previous
        correctable = grew and plan.spec.direction == HIGHER
        if story_case == "returned" and numeric:
            return "returned"
        if story_case == "corrected" and correctable:
            return "corrected"
        draw = rng.random()
        scale = 2 if profile.laggard else 1
        if numeric and draw < 0.008 * scale:
            return "returned"
        if correctable and draw < 0.016 * scale:
            return "corrected"
        return "verified"

    def _texts(self, entry, plan, previous, profile, rng):
        spec, value = plan.spec, entry.value
        if spec.direction == MILESTONE:
            entry.progress = (
                f"已于{entry.done_on:%m月%d日}完成" if entry.done_on else "正在按节点推进"
            )
            return
        if value is None:
            return
        if spec.cumulative and previous is not None and value > previous:
            entry.progress = f"本周新增{value - previous}{spec.measure}，累计{value}{spec.measure}"
        elif spec.cumulative:
            entry.progress = f"本周无新增，累计{value}{spec.measure}"
        else:
            entry.progress = f"当前{value}{spec.measure}"
        if spec.direction == HIGHER and profile.laggard and rng.random() < 0.5:
            category = rng.choice(list(PROBLEMS))
            entry.problem_category = category
            entry.problems, entry.next_steps = PROBLEMS[category]

    def _review(
        self,
        entry,
        plan,
        case,
        at,
        reviewer,
        submitter,
        ledger,
        previous,
        rng,
        stories,
        inspections,
        unit,
    ):
        if at > self.now:
            return  # not reviewed yet: it sits in the reviewer's queue
        handed_at = ledger.submitted_at
        original = {"value": entry.value, "progress": entry.progress, "checked_on_site": False,
                    "review_status": Review.PENDING, "reviewer_id": None, "reviewed_at": None,
                    "review_comment": "", "verified_value": None}  # fmt: skip
        if case == "verified":
            entry.review_status = Review.VERIFIED
            entry.reviewer_id, entry.reviewed_at = reviewer, at
            entry.verified_value = None if plan.spec.direction == MILESTONE else entry.value
            return
        if case == "corrected":  # 核减: the increment is only partly real
            cut = _figure(
                float(previous) + float(entry.value - previous) * rng.uniform(0.4, 0.8),
                plan.spec.measure,
            )
            if cut >= entry.value:
                cut = previous
            reason = rng.choice(CORRECTION_REASONS.get(plan.spec.measure, CORRECTION_REASONS[None]))
            entry.review_status = Review.VERIFIED
            entry.reviewer_id, entry.reviewed_at = reviewer, at
            entry.verified_value = cut
            entry.review_comment = f"{reason}，由{entry.value}核减为{cut}{plan.spec.measure}。"
            entry.checked_on_site = True
            stories.append(
                (entry, [(handed_at, submitter, "+", original), (at, reviewer, "~", {})])
            )
            inspections.append(
                Inspection(
                    unit=unit,
                    entry=entry,
                    inspector_id=reviewer,
                    visited_on=(at - timedelta(days=1)).astimezone(self.zone).date(),
                    place=f"{unit.name}「{plan.indicator.name}」现场",
                    findings=reason,
                )
            )
            return
        # Returned: the unit corrects the figure and hands it back, the reviewer verifies it.
        reason = rng.choice(RETURN_REASONS)
        fixed_at = at + timedelta(days=rng.uniform(1, 3))
        verified_at = fixed_at + timedelta(days=rng.uniform(1, 3))
        reported = entry.value
        corrected = reported
        if plan.spec.direction == HIGHER and previous is not None and reported > previous:
            corrected = _figure(
                float(previous) + float(reported - previous) * 0.6, plan.spec.measure
            )
        returned = {**original, "review_status": Review.RETURNED, "reviewer_id": reviewer,
                    "reviewed_at": at, "review_comment": reason}  # fmt: skip
        steps = [(handed_at, submitter, "+", original), (at, reviewer, "~", returned)]
        entry.reviewer_id, entry.reviewed_at, entry.review_comment = reviewer, at, reason
        if self.now < fixed_at:
            entry.review_status = Review.RETURNED
        else:
            entry.value = corrected
            entry.progress += "（已按退回意见更正）"
            entry.review_status = Review.PENDING
            fixed = {**returned, "value": corrected, "progress": entry.progress,
                     "review_status": Review.PENDING}  # fmt: skip
            steps.append((fixed_at, submitter, "~", fixed))
            if verified_at <= self.now:
                entry.review_status = Review.VERIFIED
                entry.verified_value = corrected
                entry.reviewed_at = verified_at
                entry.review_comment = f"退回更正后核实：{reason}"
                steps.append((verified_at, reviewer, "~", {}))
        stories.append((entry, steps))
