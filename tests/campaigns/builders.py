"""A small assessment year for ledger tests: three townships, three indicators, real periods.

Kept tiny and literal so each test can be read with the numbers in view; the realistic demo
year (campaigns.demo) serves the page, query-count and benchmark tests.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.models import AssessmentYear, Campaign, Indicator, Period
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.years import generate_periods, set_target
from tests.helpers import make_user


def before_year(number: int) -> datetime:
    """1 December of the year before ISO year `number`: earlier than any of its deadlines."""
    return datetime(number - 1, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


BEFORE_2026 = before_year(2026)


@dataclass
class SmallYear:
    year: AssessmentYear
    county: object
    investment: Indicator  # higher-better, cumulative, led by 发改委
    cases: Indicator  # lower-better, cumulative, led by 政法委
    flood: Indicator  # milestone, led by 发改委
    reporter: object  # 城关镇
    head: object  # 城关镇
    reviewer: object  # 发改委
    other_reporter: object  # 青山镇
    office: object

    def period(self, week: int) -> Period:
        return self.year.periods.get(iso_week=week)

    def during(self, week: int, *, hours_before_deadline: int = 24) -> datetime:
        """A moment inside week `week`, before its deadline."""
        return self.period(week).deadline - timedelta(hours=hours_before_deadline)


def build_small_year(
    *, year: int | None = None, requires_head_confirmation: bool = False
) -> SmallYear:
    """ISO year `year`, or by default the current one, so "this week" has an open period.

    Periods are generated as seen from before the year begins (none of its deadlines has
    passed), so they follow the deadline rule whatever today is.
    """
    county = build_county(townships=3, departments=4, parks=1)
    number = year or timezone.localdate().isocalendar().year
    year = AssessmentYear.objects.create(
        year=number,
        status=AssessmentYear.Status.ACTIVE,
        requires_head_confirmation=requires_head_confirmation,
    )
    generate_periods(year=year, now=before_year(number))
    fgw = county.units_named("县发展和改革委员会")
    zfw = county.units_named("县委政法委员会")
    projects = Campaign.objects.create(year=year, name="项目建设会战", lead_unit=fgw, sort_order=1)
    crackdown = Campaign.objects.create(year=year, name="严打整治会战", lead_unit=zfw, sort_order=4)
    investment = Indicator.objects.create(
        campaign=projects,
        name="固定资产投资完成额",
        measure="亿元",
        direction="higher",
        points=Decimal("10"),
        lead_unit=fgw,
        sort_order=1,
    )
    flood = Indicator.objects.create(
        campaign=projects,
        name="防汛物资到位",
        measure="项",
        direction="milestone",
        points=Decimal("2"),
        lead_unit=fgw,
        cumulative=False,
        sort_order=2,
    )
    cases = Indicator.objects.create(
        campaign=crackdown,
        name="刑事案件发案数",
        measure="件",
        direction="lower",
        points=Decimal("5"),
        lead_unit=zfw,
        sort_order=1,
    )
    townships = county.units[:3]
    for unit in townships:
        set_target(indicator=investment, unit=unit, annual_value=Decimal("12"))
        set_target(indicator=cases, unit=unit, annual_value=Decimal("40"))
        set_target(indicator=flood, unit=unit, annual_value=None)
    return SmallYear(
        year=year,
        county=county,
        investment=investment,
        cases=cases,
        flood=flood,
        reporter=make_user("rep", Role.REPORTER, unit=townships[0]),
        head=make_user("head", Role.UNIT_HEAD, unit=townships[0]),
        reviewer=make_user("rev", Role.REVIEWER, unit=fgw),
        other_reporter=make_user("rep2", Role.REPORTER, unit=townships[1]),
        office=make_user("off", Role.OFFICE),
    )


def now_in(small: SmallYear, week: int) -> datetime:
    return small.during(week)


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def hand_in(
    small: SmallYear,
    unit=None,
    *,
    week: int,
    investment="3",
    cases="2",
    reporter=None,
    now: datetime | None = None,
    **written,
):
    """The unit's week-`week` ledger typed and handed in (returned): 投资 `investment` with
    `written` (the entry's other fields, e.g. decrease_reason), 案件 `cases`, 防汛 left empty.
    Typed by `reporter`, else the small year's reporter in its own unit, else a new reporter
    of the unit; at `now`, else a day before the week's deadline."""
    unit = unit or small.reporter.unit
    if reporter is None:
        reporter = (
            small.reporter
            if unit == small.reporter.unit
            else make_user(f"r{unit.pk}", Role.REPORTER, unit=unit)
        )
    now = now or small.during(week)
    ledger = open_ledger(unit=unit, period=small.period(week))
    save_entries(
        ledger=ledger,
        user=reporter,
        now=now,
        changes={
            small.investment.pk: EntryInput(value=Decimal(investment), **written),
            small.cases.pk: EntryInput(value=Decimal(cases)),
            small.flood.pk: EntryInput(),
        },
    )
    submit_ledger(ledger=ledger, user=reporter, now=now)
    return ledger
