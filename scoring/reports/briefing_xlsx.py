"""The weekly briefing (周通报) as a workbook: its text, and one sheet per table of its facts.

Every cell goes through `campaigns.excel.append_safe` (a unit's problem typed as "=HYPERLINK(…)"
stays text); each sheet has the workbooks' red header row, widths and print set-up
(`campaigns.excel.print_setup`). Small (a county's week is a few hundred rows), so it renders
within the request.
"""

from datetime import date
from decimal import Decimal

from campaigns.excel import (
    FIGURE,
    PERCENT,
    StreamedWorkbook,
    Style,
    Styled,
    append_safe,
    clean_text,
    excel_number,
    workbook_bytes,
)

from ..briefings.prose import fact_tables, week_text
from ..models import WeeklyBriefing
from .pdf.rendering import param_id, safe_filename
from .pdf.weekly_briefing import briefing_allowed, briefing_cache_key
from .registry import Export, register
from .xlsx import XLSX, sheet_title

DAY = Style(number_format="yyyy年m月d日")


def _sheet(book, title: str, columns: list[tuple[str, float]], taken: set, footer: str):
    return book.add_sheet(sheet_title(title, taken), columns, footer=f"{footer} {title}")


def _number(value, style):
    if value in (None, ""):
        return None
    return Styled(excel_number(Decimal(str(value))), style)


def _day(iso: str):
    return Styled(date.fromisoformat(iso), DAY)


def briefing_workbook(briefing: WeeklyBriefing) -> bytes:
    facts = briefing.facts or {}
    tables = fact_tables(facts)
    name = briefing.document_number or f"{briefing.title}（未签发稿）"
    book = StreamedWorkbook(title=name)
    taken: set[str] = set()

    text = _sheet(book, "通报正文", [("周通报", 110)], taken, name)
    for line in [briefing.document_number, briefing.title, week_text(facts) if facts else ""]:
        if line:
            append_safe(text, [clean_text(line)])
    for paragraph in briefing.body.replace("\r\n", "\n").split("\n"):
        if paragraph.strip():
            append_safe(text, [clean_text(paragraph.strip())])

    c = facts.get("completeness", {})
    sheet = _sheet(book, "报送情况", [("报送情况", 14), ("单位数", 10), ("单位", 90)], taken, name)
    append_safe(sheet, ["应报", c.get("units", 0), ""])
    append_safe(sheet, ["按时报送", c.get("on_time", 0), ""])
    append_safe(sheet, ["迟报", len(c.get("late", [])), clean_text("、".join(c.get("late", [])))])
    append_safe(
        sheet, ["未报", len(c.get("missing", [])), clean_text("、".join(c.get("missing", [])))]
    )

    sheet = _sheet(
        book,
        "进展较快",
        [("会战", 16), ("单位", 22), ("指标", 28), ("计量单位", 9), ("本周新增", 12),
         ("累计（核实）", 14), ("年度目标", 12), ("占年度目标", 12)],
        taken, name,
    )  # fmt: skip
    for m in tables["movers"]:
        append_safe(
            sheet,
            [clean_text(m["campaign"]), clean_text(m["unit"]), clean_text(m["indicator"]),
             m["measure"], _number(m["increase"], FIGURE),
             _number(m["figure"], FIGURE), _number(m["annual"], FIGURE),
             _number(m["share"], PERCENT)],
        )  # fmt: skip

    sheet = _sheet(
        book, "未达序时进度",
        [("会战", 16), ("单位", 22), ("指标", 28), ("完成率", 10), ("情况", 50)], taken, name,
    )  # fmt: skip
    for row in tables["behind"]:
        for item in row["items"]:
            append_safe(
                sheet,
                [clean_text(row["campaign"]), clean_text(row["unit"]),
                 clean_text(item["indicator"]), _number(item["rate"], PERCENT),
                 clean_text(item["text"])],
            )  # fmt: skip

    sheet = _sheet(
        book, "存在问题",
        [("会战", 16), ("类别", 8), ("单位", 22), ("指标", 28), ("存在问题", 60)], taken, name,
    )  # fmt: skip
    for item in tables["blocked"]:
        append_safe(
            sheet,
            [clean_text(item["campaign"]), item["category"], clean_text(item["unit"]),
             clean_text(item["indicator"]), clean_text(item["text"])],
        )  # fmt: skip

    sheet = _sheet(
        book, "逾期交办",
        [("编号", 20), ("承办单位", 22), ("交办单位", 22), ("事项", 40), ("办理时限", 12),
         ("逾期天数", 10), ("警示", 8), ("状态", 10)],
        taken, name,
    )  # fmt: skip
    for r in tables["overdue"]:
        append_safe(
            sheet,
            [r["serial"], clean_text(r["unit"]), clean_text(r["issuer"]), clean_text(r["title"]),
             _day(r["due_on"]), r["days"], r["card_label"] or "已逾期", r["status"]],
        )  # fmt: skip
    return workbook_bytes(book)


def render_briefing_workbook(params: dict):
    briefing = WeeklyBriefing.objects.select_related("year", "period").get(
        pk=param_id(params, "briefing_id")
    )
    name = briefing.document_number or f"{briefing.title}（未签发稿）"
    return safe_filename(f"{name}.xlsx"), XLSX, briefing_workbook(briefing)


register(
    Export(
        identifier="weekly_briefing_xlsx",
        label="周通报（Excel）",
        render=render_briefing_workbook,
        allowed=briefing_allowed,
        cache_key=briefing_cache_key,
        synchronous=True,
    )
)
