"""The briefing's text, written from its facts in the plain official prose of a 通报.

The body is what the office edits before issuing; `compose_body(facts)` is deterministic, so
the service can tell an edited body (it differs from the text its facts give) from one still
as generated, and refresh only the latter when the week's figures change.
"""

from datetime import date
from decimal import Decimal

from ..display import shown
from .facts import percent

NAMES_SHOWN = 10  # units named in a sentence before "等N个单位"
PROBLEMS_SHOWN = 3  # problems quoted per campaign


def day_text(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.month}月{day.day}日"


def week_text(facts: dict) -> str:
    """2026年第12周（3月16日至3月22日）."""
    period = facts["period"]
    starts = date.fromisoformat(period["starts_on"])
    return (
        f"{starts.year}年第{period['iso_week']}周"
        f"（{day_text(period['starts_on'])}至{day_text(period['ends_on'])}）"
    )


def title_for(facts: dict) -> str:
    return f"“交帐亮相”工作周通报（{facts['year']}年第{facts['period']['iso_week']}周）"


def names(items: list[str], unit: str = "个单位") -> str:
    shown_names = "、".join(items[:NAMES_SHOWN])
    return f"{shown_names}等{len(items)}{unit}" if len(items) > NAMES_SHOWN else shown_names


def _completeness(facts: dict) -> str:
    c = facts["completeness"]
    missing_word = "缺报" if c["locked"] else "截至通报生成时未报送"
    text = (
        f"{week_text(facts)}，全县应报送周帐{c['units']}个单位，按时报送{c['on_time']}个，"
        f"迟报{len(c['late'])}个，{missing_word}{len(c['missing'])}个。"
    )
    if c["late"]:
        text += f"迟报单位：{names(c['late'], '个')}。"
    if c["missing"]:
        text += f"{missing_word}单位：{names(c['missing'], '个')}。"
    return text


def _mover_text(m: dict) -> str:
    return (
        f"{m['unit']}{m['indicator']}本周新增{shown(Decimal(m['increase']))}{m['measure']}，"
        f"占年度目标的{percent(Decimal(m['share']))}"
    )


def _campaign(numeral: str, campaign: dict) -> list[str]:
    parts = []
    if campaign["movers"]:
        parts.append(
            "本周进展较快的有：" + "；".join(_mover_text(m) for m in campaign["movers"]) + "。"
        )
    else:
        parts.append("本周无经核实的新增进度。")
    behind = campaign["behind"]
    if behind:
        parts.append(
            f"未达到序时进度的有{names([r['unit'] for r in behind])}，"
            f"共{campaign['behind_items']}项指标。"
        )
    else:
        parts.append("各单位均达到序时进度。")
    blocked = campaign["blocked"]
    if blocked["items"]:
        counts = "、".join(f"{label}问题{n}项" for label, n in blocked["counts"])
        quoted = "；".join(
            f"{item['unit']}{item['indicator']}：{item['text'].rstrip('。；;.')}"
            for item in blocked["items"][:PROBLEMS_SHOWN]
        )
        more = "等" if len(blocked["items"]) > PROBLEMS_SHOWN else ""
        parts.append(f"各单位反映{counts}，主要是{quoted}{more}。")
    return [f"（{numeral}）{campaign['name']}。" + "".join(parts)]


def _overdue(facts: dict) -> str:
    rows = facts["overdue"]
    if not rows:
        return "截至通报生成时，无逾期未办结的交办事项。"
    red = sum(1 for r in rows if r["card"] == "red")
    yellow = sum(1 for r in rows if r["card"] == "yellow")
    listed = "；".join(
        f"{r['unit']}“{r['title']}”（{r['serial']}，{r['card_label'] or '已逾期'}）"
        for r in rows[:NAMES_SHOWN]
    )
    more = f"等{len(rows)}项" if len(rows) > NAMES_SHOWN else ""
    return (
        f"截至通报生成时，逾期未办结的交办事项{len(rows)}项，其中红牌{red}项、黄牌{yellow}项："
        f"{listed}{more}。请相关单位立即办理并反馈，逾期事项已按规定记入绩误档案。"
    )


def compose_body(facts: dict) -> str:
    """The generated body: paragraphs separated by blank lines; a line "一、…" is a heading."""
    # The documents' numbering (一, 二 …); imported here because the PDF package imports us.
    from ..reports.pdf.rendering import chinese_number

    paragraphs = [_completeness(facts) + "现将本周各会战推进情况通报如下。", "一、各会战推进情况"]
    for index, campaign in enumerate(facts["campaigns"], 1):
        paragraphs += _campaign(chinese_number(index), campaign)
    if not facts["campaigns"]:
        paragraphs.append("本年度尚未下达目标任务。")
    paragraphs += ["二、交办事项办理情况", _overdue(facts)]
    paragraphs += [
        "三、有关要求",
        "各单位要对照本通报，对进度滞后的指标逐项分析原因、明确措施，对反映的问题主动对接"
        "牵头部门协调解决；按时报送周帐，确保数据真实准确。各牵头部门要坚持勤要帐、看真帐、"
        "要实帐，及时核实各单位周帐。",
    ]
    return "\n\n".join(paragraphs)


def body_blocks(body: str) -> list[tuple[str, str]]:
    """The body as (kind, text) blocks for the page and the PDF: "heading" for a line such as
    "一、…" (a numbered section), else "paragraph". Text stays text (templates escape it)."""
    blocks = []
    for line in body.replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        head, sep, _rest = line.partition("、")
        is_heading = sep and head and all(ch in "一二三四五六七八九十" for ch in head)
        blocks.append(("heading" if is_heading and len(line) <= 30 else "paragraph", line))
    return blocks


def fact_tables(facts: dict) -> dict[str, list[dict]]:
    """The facts as flat table rows (each with its campaign's name), for the page, the PDF's
    attachments and the workbook alike."""
    tables = {"movers": [], "behind": [], "blocked": []}
    for campaign in facts.get("campaigns", []):
        for key, rows in (
            ("movers", campaign["movers"]),
            ("behind", campaign["behind"]),
            ("blocked", campaign["blocked"]["items"]),
        ):
            tables[key] += [{"campaign": campaign["name"], **row} for row in rows]
    tables["overdue"] = list(facts.get("overdue", []))
    return tables
