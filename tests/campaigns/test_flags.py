"""The reviewer's flags (DESIGN §8): pure rules with hand-worked numbers, then the loader."""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from accounts.roles import Role
from campaigns.flag_data import flags_for_entries
from campaigns.flags import (
    Flag,
    PhotoMatch,
    decreased,
    old_photo,
    reused_photo,
    unchanged_for_weeks,
    unusual_increment,
)
from campaigns.models import Evidence, Indicator, LedgerEntry, WeeklyLedger
from tests.helpers import count_queries, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ds(*values):
    return [None if v is None else D(str(v)) for v in values]


# --- unchanged_for_weeks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "label"),
    [
        (ds(5, 5, 5), "连续3周未变化"),
        (ds(1, 5, 5, 5, 5, 5), "连续5周未变化"),
        ([D("7"), D("7.0000"), D("7.00")], "连续3周未变化"),  # equal as numbers
        (ds(0, 0, 0), "连续3周未变化"),  # copying zero is copying too
        (ds(4, 5, 5), None),  # only two weeks the same
        (ds(5, None, 5, 5), None),  # a week without a figure breaks the run
        (ds(5, 5, None), None),
        ([], None),
    ],
)
def test_unchanged_for_weeks(values, label):
    flag = unchanged_for_weeks(values)
    assert (flag.label if flag else None) == label
    if flag:
        assert flag.code == "unchanged"


# --- decreased -------------------------------------------------------------------------------


def test_decreased_only_for_a_cumulative_figure_going_down():
    assert decreased(D(30), D(25), True) == Flag("decreased", "累计数下降")
    assert decreased(D(30), D(25), False) is None  # a rate may go down
    assert decreased(D(30), D(30), True) is None
    assert decreased(None, D(5), True) is None  # first figure of the year
    assert decreased(D(5), None, True) is None


# --- unusual_increment -----------------------------------------------------------------------


def test_unusual_increment_against_the_median():
    """Figures 10, 20, 32, 40: increments 10, 12, 8, median 10.

    90 this week: increment 50 > 3 × 10 → flagged, 50 / 10 = 5 times.
    71: increment 31 > 30 → 3.1 times.  70: increment 30 is not more than 30 → no flag.
    """
    history = ds(10, 20, 32, 40)
    assert unusual_increment(history, D(90)) == Flag(
        "unusual_increment", "本周增量异常（为往常的5倍）"
    )
    assert unusual_increment(history, D(71)).label == "本周增量异常（为往常的3.1倍）"
    assert unusual_increment(history, D(70)) is None


def test_unusual_increment_median_of_an_even_count():
    """0, 10, 30, 40, 60: increments 10, 20, 10, 20, median 15; 120 − 60 = 60 > 45 → 4 times."""
    assert unusual_increment(ds(0, 10, 30, 40, 60), D(120)).label == "本周增量异常（为往常的4倍）"


def test_unusual_increment_uses_only_positive_adjacent_increments():
    """10, 10, 20, None, 30, 40, 50: positive adjacent increments 10 (10→20), 10, 10; the
    gap around the missing week is not one increment. Median 10; 90 − 50 = 40 → 4 times."""
    history = ds(10, 10, 20, None, 30, 40, 50)
    assert unusual_increment(history, D(90)).label == "本周增量异常（为往常的4倍）"


def test_unusual_increment_needs_three_previous_increments_and_last_week():
    assert unusual_increment(ds(10, 20, 32), D(500)) is None  # two increments only
    assert unusual_increment(ds(10, 10, 10, 10), D(500)) is None  # no positive increment
    assert unusual_increment(ds(10, 20, 30, 40, None), D(500)) is None  # last week missing
    assert unusual_increment(ds(10, 20, 30, 40), None) is None


# --- photos ----------------------------------------------------------------------------------


def test_reused_photo_names_the_weeks_and_the_other_units():
    own = [PhotoMatch(2026, 5, 1, "城关镇"), PhotoMatch(2026, 3, 1, "城关镇")]
    others = [PhotoMatch(2026, 9, 2, "青山镇")]

    assert reused_photo([], unit_id=1, year=2026) is None
    assert reused_photo(own, unit_id=1, year=2026).label == "佐证照片与第3、5周重复"
    assert reused_photo(others, unit_id=1, year=2026).label == "佐证照片与其他单位（青山镇）重复"
    assert (
        reused_photo(own + others, unit_id=1, year=2026).label
        == "佐证照片与第3、5周及其他单位（青山镇）重复"
    )
    last_year = [PhotoMatch(2025, 50, 1, "城关镇"), PhotoMatch(2026, 3, 1, "城关镇")]
    assert (
        reused_photo(last_year, unit_id=1, year=2026).label == "佐证照片与2025年第50周、第3周重复"
    )
    many = [PhotoMatch(2026, 9, i, name) for i, name in enumerate("甲乙丙丁", start=2)]
    assert (
        reused_photo(many, unit_id=1, year=2026).label == "佐证照片与其他单位（丁、丙、乙等）重复"
    )


def test_old_photo_by_local_date():
    """Week 10 starts Monday 2026-03-02. 16:30 UTC on 03-01 is 00:30 on 03-02 in Shanghai."""
    monday = date(2026, 3, 2)
    sunday_night = datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
    assert old_photo(sunday_night, monday) == Flag("old_photo", "照片拍摄于帐期之前（2026-03-01）")
    assert old_photo(datetime(2026, 3, 1, 16, 30, tzinfo=ZoneInfo("UTC")), monday) is None
    assert old_photo(None, monday) is None


# --- flags_for_entries -----------------------------------------------------------------------

SUBMITTED, DRAFT = WeeklyLedger.Status.SUBMITTED, WeeklyLedger.Status.DRAFT


@pytest.fixture
def data(year_2026, county):
    fgw = county.units_named("县发展和改革委员会")
    campaign = year_2026.campaigns.get(name="项目建设会战")
    investment = Indicator.objects.create(
        campaign=campaign,
        name="固定资产投资完成额",
        measure="亿元",
        direction="higher",
        points=D(10),
        lead_unit=fgw,
    )
    rate = Indicator.objects.create(
        campaign=campaign,
        name="项目开工率",
        measure="%",
        direction="higher",
        points=D(5),
        lead_unit=fgw,
        cumulative=False,
    )
    periods = {p.iso_week: p for p in year_2026.periods.all()}
    user = make_user("rep", Role.REPORTER, unit=county.units[0])

    def entry(unit, week, value, *, indicator=investment, status=SUBMITTED, **fields):
        ledger, _ = WeeklyLedger.objects.get_or_create(
            unit=unit, period=periods[week], defaults={"status": status}
        )
        return LedgerEntry.objects.create(
            ledger=ledger, indicator=indicator, value=None if value is None else D(value), **fields
        )

    def photo(entry, sha, captured_at=None):
        return Evidence.objects.create(
            entry=entry,
            file=f"evidence/{sha[:2]}/{sha}.jpg",
            kind="image",
            original_name="p.jpg",
            size=1,
            sha256=sha,
            extension="jpg",
            captured_at=captured_at,
            uploaded_by=user,
        )

    return entry, photo, rate, county.units[:3]


def test_flags_for_entries(data):
    """城关镇 reports 10, 20, 32, 40 in weeks 1–4 and 90 in week 5: increments 10, 12, 8,
    median 10, this week 50 → 5 times. Its week-5 photo was also on its week 2 and on 青山镇's
    week 6, and was taken 2026-01-20, before week 5 began (Monday 2026-01-26).

    青山镇 reports 7 in weeks 3–6 (a draft 7 in week 2 does not count): 4 weeks unchanged.

    白沙镇 reported 30 in week 1, verified at 24; 26 in week 2 is not a decrease (the verified
    figure counts); 20 in week 3 is. Its rate going 80 → 70 is not a cumulative decrease.
    """
    entry, photo, rate, (a, b, c) = data
    photo(entry(a, 2, 20), "x" * 64)
    for week, value in [(1, 10), (3, 32), (4, 40)]:
        entry(a, week, value)
    a5 = entry(a, 5, 90)
    photo(a5, "x" * 64, captured_at=datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI))
    photo(a5, "y" * 64, captured_at=datetime(2026, 1, 27, 9, 0, tzinfo=SHANGHAI))

    entry(b, 2, 7, status=DRAFT)
    for week in (3, 4, 5):
        entry(b, week, 7)
    b6 = entry(b, 6, 7)
    photo(b6, "x" * 64)

    entry(c, 1, 30, review_status="verified", verified_value=D(24))
    c2 = entry(c, 2, 26)
    c3 = entry(c, 3, 20, status=DRAFT, decrease_reason="统计口径调整")
    entry(c, 1, 80, indicator=rate)
    c2_rate = entry(c, 2, 70, indicator=rate)

    flags = flags_for_entries([a5, b6, c2, c3, c2_rate])

    assert {pk: [f.label for f in found] for pk, found in flags.items()} == {
        a5.pk: [
            "本周增量异常（为往常的5倍）",
            "佐证照片与第2周及其他单位（青山镇）重复",
            "照片拍摄于帐期之前（2026-01-20）",
        ],
        b6.pk: ["连续4周未变化", "佐证照片与其他单位（城关镇）重复"],
        c2.pk: [],
        c3.pk: ["累计数下降"],
        c2_rate.pk: [],
    }


def test_flags_for_no_entries():
    assert flags_for_entries([]) == {}


def test_flags_for_entries_runs_a_fixed_number_of_queries(data):
    """3 townships × 10 weeks, each entry with its own photo and one shared by all."""
    entry, photo, _, units = data
    entries = []
    for week in range(1, 11):
        for n, unit in enumerate(units):
            e = entry(unit, week, week * 10 + n)
            photo(e, f"{week:02d}{n}".ljust(64, "0"))
            photo(e, "s" * 64)
            entries.append(e)
    entries.sort(key=lambda e: e.pk, reverse=True)  # latest weeks first: they have history

    with count_queries() as few:
        small = flags_for_entries(entries[:5])
    with count_queries() as many:
        large = flags_for_entries(entries)

    assert len(entries) == 30
    assert len(few) == len(many) <= 4
    assert all(found for found in small.values())  # the history and the photos were loaded
    assert len(large) == 30
