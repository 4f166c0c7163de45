"""The small year with registers: a few projects, signings and one pilot village, literal
enough that a test can work its derived figures out by hand.

城关镇 (the small year's reporter's township) carries the derived indicators:
- 项目建设会战 (lead 发改委): 重点项目开工率 (%), 重点项目投资完成率 (%), 招商签约额 (亿元);
- 美丽乡村会战 (lead 农业农村局): 试点村建设任务完成率 (%), 试点村资金到位率 (%).

Its projects (项目建设会战, 万元):
- 城关镇食品产业园: new (registered 未开工), total 50000, annual plan 20000, start 2026-03-01;
- 城关镇污水处理厂: new, total 8000, annual plan 6000, start 2026-05-01;
- 城关镇物流中心: continuing (registered 在建), total 30000, annual plan 10000.
青山镇 has 青山镇光伏电站 (new, total 10000, annual 5000). The pilot village 城关镇东村
(省级) has four tasks due 2026-07-31 and planned funds 中央 100, 省 50, 市 50, 县 40, 乡镇 20,
村 10 (万元, 270 in all). The leader 分包 the 食品产业园 and 东村.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.roles import Role
from campaigns.models import (
    Campaign,
    Indicator,
    KeyProject,
    PilotVillage,
    VillageTask,
)
from campaigns.services.years import set_target
from tests.campaigns.builders import SmallYear, build_small_year
from tests.helpers import make_user

Source = Indicator.Source
Status = KeyProject.Status


@dataclass
class RegisterYear:
    small: SmallYear
    villages_campaign: Campaign
    started_rate: Indicator
    investment_rate: Indicator
    signed_amount: Indicator
    task_rate: Indicator
    funds_rate: Indicator
    food_park: KeyProject
    sewage: KeyProject
    logistics: KeyProject
    other_project: KeyProject  # 青山镇's
    village: PilotVillage
    tasks: list[VillageTask]
    leader: object  # 县领导, contracts food_park and village
    village_reviewer: object  # 农业农村局

    @property
    def township(self):
        return self.small.reporter.unit

    @property
    def other_township(self):
        return self.small.other_reporter.unit


def _derived(campaign, name, measure, source, lead, order, *, cumulative=True):
    return Indicator.objects.create(
        campaign=campaign,
        name=name,
        measure=measure,
        direction="higher",
        points=Decimal("5"),
        lead_unit=lead,
        cumulative=cumulative,
        source=source,
        sort_order=order,
    )


def build_register_year(*, year: int | None = None) -> RegisterYear:
    return add_registers(build_small_year(year=year))


def add_registers(small: SmallYear) -> RegisterYear:
    """The registers, their indicators and targets added to an existing small year."""
    number = small.year.year
    county = small.county
    fgw = county.units_named("县发展和改革委员会")
    nyj = county.units_named("县农业农村局")
    projects_campaign = small.investment.campaign
    villages = Campaign.objects.create(
        year=small.year, name="美丽乡村会战", lead_unit=nyj, sort_order=3
    )
    started_rate = _derived(
        projects_campaign,
        "重点项目开工率",
        "%",
        Source.PROJECTS_STARTED_RATE,
        fgw,
        10,
        cumulative=False,
    )
    investment_rate = _derived(
        projects_campaign,
        "重点项目投资完成率",
        "%",
        Source.PROJECTS_INVESTMENT_RATE,
        fgw,
        11,
        cumulative=False,
    )
    signed_amount = _derived(projects_campaign, "招商签约额", "亿元", Source.SIGNED_AMOUNT, fgw, 12)
    task_rate = _derived(
        villages, "试点村建设任务完成率", "%", Source.VILLAGE_TASK_RATE, nyj, 1, cumulative=False
    )
    funds_rate = _derived(
        villages, "试点村资金到位率", "%", Source.VILLAGE_FUNDS_RATE, nyj, 2, cumulative=False
    )
    townships = county.units[:3]
    for unit in townships:
        for indicator in (started_rate, investment_rate, task_rate, funds_rate):
            set_target(indicator=indicator, unit=unit, annual_value=Decimal("100"))
        set_target(indicator=signed_amount, unit=unit, annual_value=Decimal("3"))
    leader = make_user("lead1", Role.LEADER, full_name="王县长")
    township, other = townships[0], townships[1]

    def project(name, unit, total, annual, start, registered=Status.NOT_STARTED, **extra):
        return KeyProject.objects.create(
            year=small.year,
            campaign=projects_campaign,
            name=name,
            unit=unit,
            category=KeyProject.Category.INDUSTRY,
            total_investment=Decimal(total),
            annual_plan=Decimal(annual),
            planned_start=start,
            registered_status=registered,
            status=registered,
            **extra,
        )

    food_park = project(
        "城关镇食品产业园", township, 50000, 20000, date(number, 3, 1), leader=leader
    )
    sewage = project("城关镇污水处理厂", township, 8000, 6000, date(number, 5, 1))
    logistics = project(
        "城关镇物流中心", township, 30000, 10000, None, registered=Status.UNDER_CONSTRUCTION
    )
    other_project = project("青山镇光伏电站", other, 10000, 5000, date(number, 4, 1))
    village = PilotVillage.objects.create(
        year=small.year,
        township=township,
        name="东村",
        level=PilotVillage.Level.PROVINCIAL,
        leader=leader,
        funds_central=Decimal("100"),
        funds_provincial=Decimal("50"),
        funds_municipal=Decimal("50"),
        match_county=Decimal("40"),
        match_township=Decimal("20"),
        match_village=Decimal("10"),
    )
    tasks = [
        VillageTask.objects.create(
            village=village, name=name, due_on=date(number, 7, 31), sort_order=i
        )
        for i, name in enumerate(["村道硬化", "污水管网", "文化广场", "庭院美化"], start=1)
    ]
    return RegisterYear(
        small=small,
        villages_campaign=villages,
        started_rate=started_rate,
        investment_rate=investment_rate,
        signed_amount=signed_amount,
        task_rate=task_rate,
        funds_rate=funds_rate,
        food_park=food_park,
        sewage=sewage,
        logistics=logistics,
        other_project=other_project,
        village=village,
        tasks=tasks,
        leader=leader,
        village_reviewer=make_user("vrev", Role.REVIEWER, unit=nyj),
    )
