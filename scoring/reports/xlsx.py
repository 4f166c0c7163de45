"""Excel exports: the quarter's ranking, the indicator detail and the completeness matrix.

Every workbook is a `campaigns.excel.StreamedWorkbook` (rows stream to the file, so a city's
indicator detail stays in constant memory), with a bold frozen header row, number formats,
column widths and Chinese sheet names; every text that comes from the database goes through
`campaigns.excel.append_safe`, so a unit called "=cmd|..." stays text.

`render(params)` never sees the user: the same params give the same bytes for everyone (the
report jobs cache documents by `cache_key`), and `allowed(user, params)` decides who may have
them, through the scoring selectors. The registers (KeyProject, SignedProject, PilotVillage)
do not exist yet; their sheets come with them.
"""

from types import SimpleNamespace

from django.db.models import Max
from django.utils import timezone

from accounts.models import Unit
from accounts.permissions import reads_every_unit
from accounts.roles import Role
from campaigns.excel import (
    FIGURE,
    PERCENT,
    StreamedWorkbook,
    Style,
    Styled,
    append_safe,
    workbook_bytes,
)
from jiaozhang.ids import as_id

from ..models import IndicatorScore, QuarterlyEvaluation, UnitScore
from ..selectors import evaluations_visible_to, unit_scores_visible_to
from .registry import Export, register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Status = QuarterlyEvaluation.Status

NOT_PUBLISHED = "该季度考评尚未发布，不能下载。"
NOT_FOUND = "找不到该季度考评，或该季度尚未计算。"

TIER_FILLS = {"advanced": "C6EFCE", "standard": "DDEBF7", "lagging": "FFC7CE"}
TIER_FONTS = {"advanced": "006100", "standard": "1F4E78", "lagging": "9C0006"}
CENTRED = Style(align="center")
TIER_STYLES = {
    tier: Style(bold=True, color=TIER_FONTS[tier], fill=TIER_FILLS[tier], align="center")
    for tier in TIER_FILLS
}
# The red of the site's navigation bar.
HEADER = Style(bold=True, color="FFFFFF", fill="B3141C", align="center", valign="center")
# Places gained since last quarter as a number that reads as an arrow: 2 → ↑2, -1 → ↓1, 0 → →.
CHANGE = Style(number_format='"↑"0;"↓"0;"→"')
# Scores: the cell holds the Decimal's value (XlsxWriter writes 16 significant digits, which
# give back every decimal of up to 15 digits exactly) and shows 2 places, rounded half up by
# the spreadsheet like scoring/display.py rounds the pages.
TWO_PLACES = Style(number_format="0.00")
TOTAL = Style(number_format="0.00", bold=True)


# --- helpers ----------------------------------------------------------------------------------


def _int(params: dict, name: str) -> int | None:
    # Params come from request query strings: only an id the database can hold is one.
    return as_id(params.get(name))


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    title, n = cleaned[:31], 2
    while title.lower() in taken:
        suffix = f"({n})"
        title, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _start_sheet(book, title: str, columns: list[tuple[str, float]], styles=()):
    """A sheet with its widths, a frozen header row repeated on every printed page
    (landscape, fit to the page width: campaigns.excel.print_setup) and an autofilter."""
    footer = f"{book.title} {title}".strip()
    return book.add_sheet(
        title, columns, styles=styles, header=HEADER, footer=footer, autofilter=True
    )


def _evaluation(params: dict) -> QuarterlyEvaluation | None:
    evaluation_id = _int(params, "evaluation_id")
    if evaluation_id is None:
        return None
    return (
        QuarterlyEvaluation.objects.select_related("year", "current_version")
        .filter(pk=evaluation_id, current_version__isnull=False)
        .first()
    )


def _scores(evaluation, params: dict):
    scores = UnitScore.objects.filter(version_id=evaluation.current_version_id)
    if group_id := _int(params, "group_id"):
        scores = scores.filter(group_id=group_id)
    if unit_id := _int(params, "unit_id"):
        scores = scores.filter(unit_id=unit_id)
    return scores


def _scores_allowed(user, params: dict, *, out_of_scope: str, own_unit=False) -> str | None:
    """The user may have the document when every score row in it is visible to them; with
    `own_unit`, unit people (no county-wide role) only their own unit's rows — a unit sees its
    group's published ranking but not the other units' indicator figures."""
    evaluation = _evaluation(params)
    if evaluation is None:
        return NOT_FOUND
    published = evaluation.status == Status.PUBLISHED
    if not evaluations_visible_to(user).filter(pk=evaluation.pk).exists():
        return NOT_PUBLISHED if not published else NOT_FOUND
    rows = _scores(evaluation, params)
    total = rows.count()
    if total == 0:
        return "该范围内没有考评结果。"
    visible = unit_scores_visible_to(user).filter(pk__in=rows.values("pk"))
    if own_unit and not user.sees_whole_county:
        visible = visible.filter(unit_id=user.unit_id)
    visible = visible.count()
    if visible == total:
        return None
    return out_of_scope if published else NOT_PUBLISHED


def _rows(params: dict, model) -> int:
    """How many UnitScore or IndicatorScore rows a document of these params holds (0 when
    there is no such evaluation): one COUNT, for the registry's size estimate."""
    evaluation = _evaluation(params)
    if evaluation is None:
        return 0
    scores = _scores(evaluation, params)
    if model is UnitScore:
        return scores.count()
    return IndicatorScore.objects.filter(unit_score__in=scores.values("pk")).count()


def _version_key(params: dict) -> str:
    evaluation = _evaluation(params)
    key = f"v{evaluation.current_version_id if evaluation else 0}"
    for name, letter in (("group_id", "g"), ("unit_id", "u")):
        if value := _int(params, name):
            key += f"-{letter}{value}"
    return key


# --- 考评排名: a sheet per group ---------------------------------------------------------------

RANKING_COLUMNS = [
    ("名次", 7), ("单位", 30), ("基础分", 10), ("报送扣分", 10), ("加减分", 10), ("总分", 10),
    ("较上季度", 10), ("等次", 8), ("备注", 18),
]  # fmt: skip
RANKING_STYLES = [None, None, TWO_PLACES, TWO_PLACES, TWO_PLACES, TOTAL, CHANGE]


def ranking_workbook(evaluation, scores) -> bytes:
    """One sheet per ranking group, in the groups' order, each row a unit in ranking order."""
    book = StreamedWorkbook(title=f"{evaluation.title}“交帐亮相”考评排名")
    taken: set[str] = set()
    sheet, current = None, None
    rows = scores.select_related("unit", "group").order_by(
        "group__sort_order", "group_id", "position", "sort_order"
    )
    for score in rows:
        if score.group_id != current:
            current = score.group_id
            title = sheet_title(score.group.name, taken)
            sheet = _start_sheet(book, title, RANKING_COLUMNS, styles=RANKING_STYLES)
        tier = Styled(score.get_tier_display() or "未参评", TIER_STYLES.get(score.tier, CENTRED))
        notes = [label for flag, label in ((score.vetoed, "一票否决"),
                                            (score.no_excellence, "一票否优")) if flag]  # fmt: skip
        append_safe(
            sheet,
            [
                score.rank,
                score.unit.name,
                score.base,
                score.timeliness,
                score.adjustment,
                score.total,
                score.rank_change,
                tier,
                "、".join(notes) or None,
            ],
        )
    if sheet is None:
        _start_sheet(book, "排名", RANKING_COLUMNS)
    return workbook_bytes(book)


def render_ranking(params: dict):
    evaluation = _evaluation(params)
    scores = _scores(evaluation, params)
    content = ranking_workbook(evaluation, scores)
    return f"{evaluation.title}考评排名.xlsx", XLSX, content


register(
    Export(
        identifier="ranking_xlsx",
        label="考评排名（Excel）",
        render=render_ranking,
        allowed=lambda user, params: _scores_allowed(
            user, params, out_of_scope="只能下载本单位所在组别的排名。"
        ),
        cache_key=_version_key,
        synchronous=True,  # a sheet per group of at most a city's ~900 units
        cells=lambda params: _rows(params, UnitScore) * len(RANKING_COLUMNS),
    )
)


# --- 指标得分明细: units × indicators in long form ----------------------------------------------

DETAIL_COLUMNS = [
    ("考核组别", 14), ("单位", 26), ("会战", 14), ("指标", 34), ("计量单位", 9),
    ("计分方法", 14), ("年度目标", 11), ("序时目标", 11), ("核实数", 11), ("填报数", 11),
    ("完成率", 9), ("分值", 7), ("得分", 8), ("说明", 30),
]  # fmt: skip
METHODS = {"completion": "完成率法", "rank": "排名法"}


def method_text(method: str, rank: int | None, rank_of: int | None) -> str:
    """The method as the unit score page shows it: 完成率法, or 排名法 with the unit's rank
    among the group's scored units ("排名法 第7/18")."""
    label = METHODS.get(method, method)
    if method == "rank" and rank:
        return f"{label} 第{rank}/{rank_of}"
    return label


# What the detail reads of each IndicatorScore, in its order (unit by unit, in ranking order).
DETAIL_ORDER = (
    "unit_score__group__sort_order",
    "unit_score__group_id",
    "unit_score__position",
    "unit_score__sort_order",
    "indicator__campaign__sort_order",
    "indicator__sort_order",
    "pk",
)
DETAIL_FIELDS = (
    "unit_score__group__name",
    "unit_score__unit__name",
    "indicator__campaign__name",
    "indicator__name",
    "indicator__measure",
    "method",
    "annual_target",
    "target_to_date",
    "actual",
    "reported",
    "rate",
    "points",
    "score",
    "reason",
    "rank",
    "rank_of",
)
# The look of each column: figures, the rate as a percentage, points and score to 2 places.
DETAIL_STYLES = [None] * 6 + [FIGURE] * 4 + [PERCENT, TWO_PLACES, TWO_PLACES]


def detail_workbook(title: str, rows) -> bytes:
    """The indicator detail of `rows` (value tuples of DETAIL_FIELDS), one sheet row each."""
    book = StreamedWorkbook(title=title)
    sheet = _start_sheet(book, "指标得分明细", DETAIL_COLUMNS, styles=DETAIL_STYLES)
    for (
        group,
        unit,
        campaign,
        name,
        measure,
        method,
        annual,
        due,
        actual,
        reported,
        rate,
        points,
        score,
        reason,
        rank,
        rank_of,
    ) in rows:
        append_safe(
            sheet,
            [
                group,
                unit,
                campaign,
                name,
                measure,
                method_text(method, rank, rank_of),
                annual,
                due,
                actual,
                reported,
                rate,
                points,
                score,
                reason or None,
            ],
        )
    return workbook_bytes(book)


def indicator_detail_workbook(evaluation, scores) -> bytes:
    """One row per unit and indicator, streamed from the database in chunks."""
    rows = (
        IndicatorScore.objects.filter(unit_score__in=scores.values("pk"))
        .order_by(*DETAIL_ORDER)
        .values_list(*DETAIL_FIELDS)
    )
    return detail_workbook(f"{evaluation.title}指标得分明细", rows.iterator(chunk_size=2000))


def render_indicator_detail(params: dict):
    evaluation = _evaluation(params)
    content = indicator_detail_workbook(evaluation, _scores(evaluation, params))
    return f"{evaluation.title}指标得分明细.xlsx", XLSX, content


register(
    Export(
        identifier="indicator_detail_xlsx",
        label="指标得分明细（Excel）",
        render=render_indicator_detail,
        allowed=lambda user, params: _scores_allowed(
            user, params, out_of_scope="只能下载本单位的指标得分明细。", own_unit=True
        ),
        cache_key=_version_key,
        synchronous=True,  # one unit's or a county's rows inline; a city's through a report job
        cells=lambda params: _rows(params, IndicatorScore) * len(DETAIL_COLUMNS),
    )
)


# --- 周帐完成情况: the completeness matrix ------------------------------------------------------

# The document is the same for everyone who may have it (office and leaders see every unit),
# so it is rendered with the county-wide scope rather than the asking user's.
COUNTY_WIDE = SimpleNamespace(
    is_authenticated=True,
    is_active=True,
    is_superuser=False,
    unit_id=None,
    sees_whole_county=True,
    roles=frozenset({Role.OFFICE}),
    has_role=lambda role: role == Role.OFFICE,
)


def _year(params: dict):
    from campaigns.models import AssessmentYear
    from campaigns.selectors import current_year

    year_id = _int(params, "year_id")
    if year_id is None:
        return current_year()
    return AssessmentYear.objects.filter(pk=year_id).first()


def _periods(year, now):
    return year.periods.filter(starts_on__lte=timezone.localdate(now)).order_by("iso_week")


def render_completeness(params: dict, *, now=None):
    from campaigns.exports import completeness_workbook
    from campaigns.selectors import completeness_matrix

    now = now or timezone.now()
    year = _year(params)
    periods, rows = completeness_matrix(
        COUNTY_WIDE,
        year=year,
        group_id=_int(params, "group_id"),
        periods=_periods(year, now),
        now=now,
    )
    content = completeness_workbook(year=year, periods=periods, rows=rows)
    return f"{year.year}年周帐完成情况.xlsx", XLSX, content


def completeness_cells(params: dict, *, now=None) -> int:
    """Units that owe ledgers (in the group asked) × (the weeks begun so far + 2 name columns),
    counted as the matrix reads them, without reading a ledger."""
    from campaigns.models import Target

    year = _year(params)
    if year is None:
        return 0
    carrying = Target.objects.filter(indicator__campaign__year=year).values("unit_id")
    units = Unit.objects.filter(active=True, pk__in=carrying)
    if group_id := _int(params, "group_id"):
        units = units.filter(group_id=group_id)
    return units.count() * (_periods(year, now or timezone.now()).count() + 2)


def completeness_allowed(user, params: dict) -> str | None:
    if not reads_every_unit(user):
        return "只有考核办和县领导可以下载周帐完成情况。"
    if _year(params) is None:
        return "找不到该考核年度。"
    return None


def _stamp(moment) -> str:
    return moment.strftime("%Y%m%d%H%M%S%f") if moment else "0"


def completeness_key(params: dict, *, now=None) -> str:
    """Year, group, and what a cell depends on: the ledgers and the clock.

    A cell changes when a ledger changes (every change goes through a service that saves the
    ledger, which writes a history row; bulk-loaded demo ledgers are counted) or when a
    deadline or lock time passes (an open week turns overdue, then missing). So the key is
    the number of ledgers, the latest ledger history time and the latest deadline or lock
    time already passed: the same key means the same matrix, without rendering it.
    """
    from campaigns.models import WeeklyLedger

    now = now or timezone.now()
    year = _year(params)
    if year is None:
        return "none"
    group_id = _int(params, "group_id")
    ledgers = WeeklyLedger.objects.filter(period__year=year)
    history = WeeklyLedger.history.filter(period__year=year)
    if group_id:
        ledgers = ledgers.filter(unit__group_id=group_id)
        history = history.filter(unit__group_id=group_id)
    changed = history.aggregate(at=Max("history_date"))["at"]
    periods = year.periods.all()
    passed = max(
        filter(
            None,
            [
                periods.filter(deadline__lte=now).aggregate(at=Max("deadline"))["at"],
                periods.filter(locks_at__lte=now).aggregate(at=Max("locks_at"))["at"],
            ],
        ),
        default=None,
    )
    return (
        f"y{year.pk}-g{group_id or 'all'}-n{ledgers.count()}-c{_stamp(changed)}-t{_stamp(passed)}"
        f"-d{timezone.localdate(now):%Y%m%d}"  # the matrix's weeks run up to today
    )


register(
    Export(
        identifier="completeness_xlsx",
        label="周帐完成情况（Excel）",
        render=render_completeness,
        allowed=completeness_allowed,
        cache_key=completeness_key,
        synchronous=True,  # one group or a county inline; a city's every group by a report job
        cells=completeness_cells,
    )
)
