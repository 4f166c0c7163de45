"""Targets: annual values by direction, default quarter milestones, milestone validation."""

from datetime import date
from decimal import Decimal

import pytest

from campaigns.errors import LedgerError
from campaigns.models import Indicator, Milestone, Target
from campaigns.services.years import default_milestones, set_target

D = Decimal


def make_indicator(year, direction=Indicator.Direction.HIGHER_BETTER, name="固定资产投资"):
    campaign = year.campaigns.get(name="项目建设会战")
    return Indicator.objects.create(
        campaign=campaign,
        name=name,
        measure=Indicator.Measure.HUNDRED_MILLION_YUAN,
        direction=direction,
        points=D("10"),
        lead_unit=campaign.lead_unit,
    )


def milestones_of(target):
    return [(m.due_date, m.fraction) for m in target.milestones.all()]


def test_default_milestones_are_the_quarter_ends():
    assert default_milestones(year=2026) == [
        (date(2026, 3, 31), D("0.25")),
        (date(2026, 6, 30), D("0.5")),
        (date(2026, 9, 30), D("0.75")),
        (date(2026, 12, 31), D("1")),
    ]


def test_new_target_gets_the_default_milestones(year_2026, county):
    target = set_target(indicator=make_indicator(year_2026), unit=county.units[0], annual_value=12)
    assert target.annual_value == D("12")
    assert milestones_of(target) == default_milestones(year=2026)


def test_custom_milestones_replace_the_defaults(year_2026, county):
    """The speech's "7月底前完成80%": 07-31 at 0.8, then 12-31 at 1."""
    indicator, unit = make_indicator(year_2026), county.units[0]
    set_target(indicator=indicator, unit=unit, annual_value=12)
    target = set_target(
        indicator=indicator,
        unit=unit,
        annual_value="12",
        milestones=[(date(2026, 12, 31), 1), (date(2026, 7, 31), "0.8")],
    )
    assert milestones_of(target) == [(date(2026, 7, 31), D("0.8")), (date(2026, 12, 31), D("1"))]
    assert Target.objects.count() == 1


def test_rerun_with_same_values_writes_no_history(year_2026, county):
    indicator, unit = make_indicator(year_2026), county.units[0]
    set_target(indicator=indicator, unit=unit, annual_value=12)
    before = (Target.history.count(), Milestone.history.count())
    set_target(indicator=indicator, unit=unit, annual_value=D("12.0000"))
    assert (Target.history.count(), Milestone.history.count()) == before


def test_milestone_indicator_takes_no_annual_value(year_2026, county):
    indicator = make_indicator(year_2026, Indicator.Direction.MILESTONE, "项目开工")
    with pytest.raises(LedgerError, match="节点类指标不填年度目标值"):
        set_target(indicator=indicator, unit=county.units[0], annual_value=1)
    target = set_target(indicator=indicator, unit=county.units[0], annual_value=None)
    assert target.annual_value is None


@pytest.mark.parametrize(
    "direction,value,ok",
    [
        ("higher", 0, False),  # a higher-better T = 0 is never scored (rule 2)
        ("higher", -1, False),
        ("higher", None, False),
        ("lower", 0, True),  # "zero accidents"
        ("lower", -1, False),
        ("higher", "0.00001", False),  # five decimals; FIGURE keeps four
    ],
)
def test_annual_value_rules(year_2026, county, direction, value, ok):
    indicator = make_indicator(year_2026, direction)
    if ok:
        set_target(indicator=indicator, unit=county.units[0], annual_value=value)
    else:
        with pytest.raises(LedgerError):
            set_target(indicator=indicator, unit=county.units[0], annual_value=value)
        assert not Target.objects.exists()


@pytest.mark.parametrize(
    "milestones,message",
    [
        ([(date(2026, 6, 30), "1.2")], "比例应在0到1之间"),
        ([(date(2026, 6, 30), "-0.1")], "比例应在0到1之间"),
        ([(date(2026, 6, 30), "0.6"), (date(2026, 9, 30), "0.5")], "应随日期递增"),
        ([(date(2027, 1, 15), "1")], "不在2026年内"),
        ([(date(2025, 12, 31), "0.1")], "不在2026年内"),  # ISO week 1, but not the year
        ([(date(2026, 6, 30), "0.5"), (date(2026, 6, 30), "0.6")], "重复"),
        ([], "至少需要一个时间节点"),
    ],
)
def test_bad_milestones_are_refused_and_nothing_changes(year_2026, county, milestones, message):
    indicator, unit = make_indicator(year_2026), county.units[0]
    set_target(indicator=indicator, unit=unit, annual_value=12)
    with pytest.raises(LedgerError, match=message):
        set_target(indicator=indicator, unit=unit, annual_value=20, milestones=milestones)
    target = Target.objects.get()
    assert target.annual_value == D("12")
    assert milestones_of(target) == default_milestones(year=2026)


def test_equal_fractions_on_later_dates_are_allowed(year_2026, county):
    """Non-decreasing, not increasing: 0.5 at 06-30 and 0.5 at 09-30 (a pause) is fine."""
    target = set_target(
        indicator=make_indicator(year_2026),
        unit=county.units[0],
        annual_value=8,
        milestones=[(date(2026, 6, 30), "0.5"), (date(2026, 9, 30), "0.5")],
    )
    assert len(milestones_of(target)) == 2
