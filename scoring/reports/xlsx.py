"""Excel exports: the quarter's ranking, the indicator detail and the completeness matrix.

Every workbook is written in openpyxl's write-only mode (rows stream to the file, so a city's
100k-row indicator detail stays in constant memory), with a bold frozen header row, number
formats, column widths and Chinese sheet names; every text that comes from the database goes
through `campaigns.excel.append_safe`, so a unit called "=cmd|..." stays text.

`render(params)` never sees the user: the same params give the same bytes for everyone (the
report jobs cache documents by `cache_key`), and `allowed(user, params)` decides who may have
them, through the scoring selectors. The registers (KeyProject, SignedProject, PilotVillage)
do not exist yet; their sheets come with them.
"""

from io import BytesIO
from types import SimpleNamespace

from django.db.models import Max
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import Unit
from accounts.permissions import reads_every_unit
from accounts.roles import Role
from campaigns.excel import append_safe, print_setup, styled_cell
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
TIER_STYLES = {
    tier: {"fill": PatternFill("solid", fgColor=TIER_FILLS[tier]),
           "font": Font(bold=True, color=TIER_FONTS[tier])}
    for tier in TIER_FILLS
}  # fmt: skip
HEADER_FILL = PatternFill("solid", fgColor="B3141C")  # the red of the site's navigation bar
HEADER_FONT = Font(bold=True, color="FFFFFF")
# Places gained since last quarter as a number that reads as an arrow: 2 → ↑2, -1 → ↓1, 0 → →.
CHANGE_FORMAT = '"↑"0;"↓"0;"→"'
# Scores: the cell holds the exact Decimal (openpyxl writes its decimal text, never a float) and
# shows 2 places, rounded half up by the spreadsheet like scoring/display.py rounds the pages.
TWO_PLACES = "0.00"
FIGURE_FORMAT = "#,##0.00##"
PERCENT = "0.0%"


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


def _start_sheet(book, title: str, columns: list[tuple[str, float]]):
    """A write-only sheet with its widths, a frozen header row repeated on every printed page
    (landscape, fit to the page width: campaigns.excel.print_setup) and an autofilter."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    print_setup(sheet, footer=f"{book.properties.title or ''} {title}".strip())
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for text, _width in columns:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    append_safe(sheet, header)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    return sheet


BOLD = Font(bold=True)
CENTRED = Alignment(horizontal="center")


def _number(sheet, value, number_format, *, bold=False):
    """A number cell with its format (campaigns.excel.styled_cell: the style built once)."""
    return styled_cell(sheet, value, number_format=number_format, font=BOLD if bold else None)


def _save(book) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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


def ranking_workbook(evaluation, scores) -> bytes:
    """One sheet per ranking group, in the groups' order, each row a unit in ranking order."""
    book = Workbook(write_only=True)
    book.properties.title = f"{evaluation.title}“交帐亮相”考评排名"
    taken: set[str] = set()
    sheet, current = None, None
    rows = scores.select_related("unit", "group").order_by(
        "group__sort_order", "group_id", "position", "sort_order"
    )
    for score in rows:
        if score.group_id != current:
            current = score.group_id
            sheet = _start_sheet(book, sheet_title(score.group.name, taken), RANKING_COLUMNS)
        tier = styled_cell(
            sheet,
            score.get_tier_display() or "未参评",
            alignment=CENTRED,
            **TIER_STYLES.get(score.tier, {}),
        )
        notes = [label for flag, label in ((score.vetoed, "一票否决"),
                                            (score.no_excellence, "一票否优")) if flag]  # fmt: skip
        append_safe(
            sheet,
            [
                score.rank,
                score.unit.name,
                _number(sheet, score.base, TWO_PLACES),
                _number(sheet, score.timeliness, TWO_PLACES),
                _number(sheet, score.adjustment, TWO_PLACES),
                _number(sheet, score.total, TWO_PLACES, bold=True),
                _number(sheet, score.rank_change, CHANGE_FORMAT),
                tier,
                "、".join(notes) or None,
            ],
        )
    if sheet is None:
        _start_sheet(book, "排名", RANKING_COLUMNS)
    return _save(book)


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


def indicator_detail_workbook(evaluation, scores) -> bytes:
    """One row per unit and indicator, streamed from the database in chunks."""
    book = Workbook(write_only=True)
    book.properties.title = f"{evaluation.title}指标得分明细"
    sheet = _start_sheet(book, "指标得分明细", DETAIL_COLUMNS)
    rows = (
        IndicatorScore.objects.filter(unit_score__in=scores.values("pk"))
        .order_by(
            "unit_score__group__sort_order",
            "unit_score__group_id",
            "unit_score__position",
            "unit_score__sort_order",
            "indicator__campaign__sort_order",
            "indicator__sort_order",
            "pk",
        )
        .values_list(
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
    )
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
    ) in rows.iterator(chunk_size=2000):
        append_safe(
            sheet,
            [
                group,
                unit,
                campaign,
                name,
                measure,
                method_text(method, rank, rank_of),
                _number(sheet, annual, FIGURE_FORMAT),
                _number(sheet, due, FIGURE_FORMAT),
                _number(sheet, actual, FIGURE_FORMAT),
                _number(sheet, reported, FIGURE_FORMAT),
                _number(sheet, rate, PERCENT),
                _number(sheet, points, TWO_PLACES),
                _number(sheet, score, TWO_PLACES),
                reason or None,
            ],
        )
    return _save(book)


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
