"""Excel of 用好帐: the comparison table and the weak items, with the pages' own filters.

The figures come from campaigns' read models (campaigns/comparisons.py, campaigns/weak_items.py),
which campaigns cannot register here itself (it may not import scoring). `render(params)` never
sees the user, so the params carry the scope the page was rendered with (`scope=all`,
`lead_unit_id`, `own_unit_id`: campaigns.analysis_data.AnalysisScope.as_params) and `allowed`
grants them only to a user whose own scope is exactly that one. (Not named `*_xlsx.py`: the
one-place guard reads two `…_xlsx` names in EXPORT_MODULES as a hand-kept list of exports.)
"""

from dataclasses import replace

from django.utils import timezone

from campaigns.analysis_data import AnalysisScope, analysis_scope
from campaigns.comparisons import comparison
from campaigns.excel import FIGURE, PERCENT, StreamedWorkbook, Styled, append_safe, workbook_bytes
from campaigns.models import AssessmentYear
from campaigns.selectors import current_year
from campaigns.weak_items import as_of_week, weak_items
from jiaozhang.ids import as_id

from .registry import Export, register
from .xlsx import HEADER as DOCUMENT_HEADER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = replace(DOCUMENT_HEADER, wrap=True)  # the long headings wrap


def _scope(params: dict) -> AnalysisScope:
    """The params' scope; neither a lead nor an own unit named is the whole county."""
    lead, own = as_id(params.get("lead_unit_id")), as_id(params.get("own_unit_id"))
    if params.get("scope") == "all" or (lead is None and own is None):
        return AnalysisScope(all_units=True)
    return AnalysisScope(lead_unit_id=lead, own_unit_id=own)


def _year(params: dict):
    year_id = as_id(params.get("year_id"))
    if year_id is None:
        return current_year()
    return AssessmentYear.objects.filter(pk=year_id).first()


def allowed(user, params: dict) -> str | None:
    scope = analysis_scope(user)
    if scope is None:
        return "只有审核员、考核办、县领导和单位人员可以下载对比分析。"
    if scope != _scope(params):
        return "只能下载本人可查看范围内的数据。"
    if _year(params) is None:
        return "找不到该考核年度。"
    return None


def _sheet(book, title: str, headers: list[tuple[str, int]]):
    return book.add_sheet(title, headers, header=HEADER, footer=title)


def _number(value, style=FIGURE):
    return Styled(value, style)


# --- 对比分析 --------------------------------------------------------------------------------


def render_comparison(params: dict):
    year = _year(params)
    page = comparison(
        _scope(params),
        year,
        campaign_id=as_id(params.get("campaign")),
        group_id=as_id(params.get("group")),
        week=as_id(params.get("week")),
        indicator_id=as_id(params.get("indicator")),
        unit_id=as_id(params.get("unit")),
        today=timezone.localdate(),
    )
    title = f"{year.year}年对比分析（截至第{page.week}周）"
    book = StreamedWorkbook(title=title)
    sheet = _sheet(
        book,
        "对比分析",
        [("单位", 16), ("指标", 24), ("计量单位", 8), ("序时目标", 12), ("已核实", 12),
         ("完成率", 9), ("与目标差距", 12), ("折算周数", 12), ("组内最好", 12), ("最好单位", 14),
         ("与最好差距", 12), ("组内平均", 12), ("与平均差距", 12), ("完成日期", 14)],
    )  # fmt: skip
    for r in page.rows:
        if r.milestone:
            done = f"{r.done_on:%Y年%m月%d日}" if r.done_on else "未完成"
            append_safe(sheet, [r.unit.short_name, r.indicator.name, "节点", None, None, None,
                                None, None, None, None, None, None, None, done])  # fmt: skip
            continue
        append_safe(
            sheet,
            [
                r.unit.short_name,
                r.indicator.name,
                r.indicator.measure,
                _number(r.target),
                _number(r.actual),
                _number(r.rate, PERCENT),
                _number(r.gap_target.figure),
                r.gap_target.weeks_text,
                _number(r.best),
                r.best_unit,
                _number(r.gap_best.figure),
                _number(r.average),
                _number(r.gap_average.figure),
                None,
            ],
        )
    return f"{title}.xlsx", XLSX, workbook_bytes(book)


def comparison_key(params: dict) -> str:
    # rendered within the request every time (synchronous), never cached by a report job
    return "live-" + "-".join(f"{k}{params[k]}" for k in sorted(params))


# --- 工作弱项 --------------------------------------------------------------------------------


def render_weak_items(params: dict):
    year = _year(params)
    scope = _scope(params)
    _, as_of = as_of_week(year, as_id(params.get("week")), today=timezone.localdate())
    items = weak_items(
        scope,
        year,
        as_of=as_of,
        campaign_id=as_id(params.get("campaign")),
        group_id=as_id(params.get("group")),
    )
    title = f"{year.year}年工作弱项（截至{as_of:%m月%d日}）"
    book = StreamedWorkbook(title=title)
    sheet = _sheet(
        book,
        "工作弱项",
        [("单位", 16), ("考核组别", 14), ("会战", 14), ("指标", 24), ("计量单位", 8),
         ("序时目标", 12), ("已核实", 12), ("完成率", 9), ("差距", 12), ("差距占比", 10),
         ("半年目标", 12), ("半年未过半", 10), ("已交办", 18)],
    )  # fmt: skip
    for item in items:
        append_safe(
            sheet,
            [
                item.unit.short_name,
                item.unit.group.name,
                item.indicator.campaign.name,
                item.indicator.name,
                "节点" if item.milestone else item.indicator.measure,
                _number(None if item.milestone else item.target_to_date),
                _number(None if item.milestone else item.actual),
                _number(item.rate, PERCENT),
                "未完成" if item.milestone else _number(item.gap),
                _number(item.shortfall, PERCENT),
                _number(None if item.milestone else item.half_year_target),
                "是" if item.below_half else "",
                item.follow_up,
            ],
        )
    return f"{title}.xlsx", XLSX, workbook_bytes(book)


register(
    Export(
        identifier="comparison_xlsx",
        label="对比分析（Excel）",
        render=render_comparison,
        allowed=allowed,
        cache_key=comparison_key,
        synchronous=True,  # one indicator's units or one unit's indicators: a few hundred rows
    )
)
register(
    Export(
        identifier="weak_items_xlsx",
        label="工作弱项（Excel）",
        render=render_weak_items,
        allowed=allowed,
        cache_key=comparison_key,
        synchronous=True,
    )
)
