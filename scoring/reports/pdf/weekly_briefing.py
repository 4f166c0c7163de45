"""The weekly briefing (周通报) as a PDF, in the quarterly 通报's official layout: red header,
its own 文号, title, the office's text with its numbered sections, the week's tables as
attachments (附表), signature and 版记."""

import hashlib

from django.utils import timezone

from ...briefings.prose import body_blocks, fact_tables, week_text
from ...briefings.selectors import briefings_visible_to
from ...models import WeeklyBriefing
from ..registry import Export, Rendered, register
from .rendering import (
    MISSING_PARAMS,
    PDF,
    Progress,
    chinese_date,
    document,
    param_id,
    safe_filename,
)

NOT_FOUND = "没有这期周通报，或该周通报尚未签发。"


def briefing_allowed(user, params) -> str | None:
    briefing_id = param_id(params, "briefing_id")
    if briefing_id is None:
        return MISSING_PARAMS
    if not briefings_visible_to(user).filter(pk=briefing_id).exists():
        return NOT_FOUND
    return None


def briefing_cache_key(params) -> str:
    """Changes with every edit of a draft (its text is in the key's digest) and with issuing."""
    briefing = WeeklyBriefing.objects.get(pk=param_id(params, "briefing_id"))
    digest = hashlib.sha256(
        "\x00".join(
            [briefing.title, briefing.body, briefing.document_number,
             briefing.generated_at.isoformat()]
        ).encode()
    ).hexdigest()[:16]  # fmt: skip
    return f"b{briefing.pk}-{briefing.status}-{digest}"


def title_lines(title: str) -> tuple[str, ...]:
    """“交帐亮相”工作周通报（2026年第12周） breaks before its bracket, as official titles do."""
    head, sep, tail = title.partition("（")
    return (head, sep + tail) if sep and head else (title,)


def weekly_briefing_context(briefing: WeeklyBriefing) -> dict:
    facts = briefing.facts or {}
    issued = briefing.status == WeeklyBriefing.Status.ISSUED
    issued_on = timezone.localdate(briefing.issued_at) if issued else timezone.localdate()
    return {
        "briefing": briefing,
        "published": issued,
        "title": briefing.title,
        "title_lines": title_lines(briefing.title),
        "document_number": briefing.document_number if issued else "",
        "issued_on": chinese_date(issued_on),
        "blocks": body_blocks(briefing.body),
        "facts": facts,
        "tables": fact_tables(facts),
        "week": week_text(facts) if facts.get("period") else str(briefing.period),
    }


def render_weekly_briefing(params: dict, progress: Progress = None) -> Rendered:
    briefing = WeeklyBriefing.objects.select_related("year", "period").get(
        pk=param_id(params, "briefing_id")
    )
    context = weekly_briefing_context(briefing)
    content = document("reports/weekly_briefing.html", context, progress)
    name = briefing.document_number or f"{briefing.title}（未签发稿）"
    return safe_filename(f"{name}.pdf"), PDF, content


register(
    Export(
        identifier="weekly_briefing",
        label="周通报（PDF）",
        render=render_weekly_briefing,
        allowed=briefing_allowed,
        cache_key=briefing_cache_key,
    )
)
