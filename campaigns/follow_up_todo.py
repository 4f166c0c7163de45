"""The 待办 lines of follow-ups on the home pages (registered by campaigns.todo): the unit's
open follow-ups first on the reporter's and the unit head's pages; on the reviewer's and the
office's, the closings and extensions waiting for them, the overdue ones and the system's
drafts. Two queries per page whatever the size of the county (follow_up_selectors.todo_counts).
"""

from datetime import datetime

from django.urls import reverse

from accounts.todo import TodoItem

from .follow_up_selectors import todo_counts

NAMES_SHOWN = 3


def _url(rows, status: str = "", card: str = "") -> str:
    """One follow-up: its page; several: the list filtered to them."""
    if len(rows) == 1:
        return reverse("follow-up-detail", args=[rows[0].pk])
    query = "&".join(p for p in (f"status={status}" if status else "", card) if p)
    return reverse("follow-up-list") + (f"?{query}" if query else "")


def _names(rows) -> str:
    shown = "；".join(f"{f.serial or '草稿'} {f.title}" for f in rows[:NAMES_SHOWN])
    return f"{shown}等{len(rows)}件" if len(rows) > NAMES_SHOWN else shown


def unit_items(user, now: datetime) -> list[TodoItem]:
    rows = todo_counts(user, now)
    waiting, soon, returned = rows["to_acknowledge"], rows["due_soon"], rows["returned"]
    late = sum(1 for f in waiting if f.ack_overdue)
    items = [
        TodoItem(
            label="待签收的交办事项",
            count=len(waiting),
            url=_url(waiting, "issued"),
            level="danger",
            detail=(f"其中{late}件发出超过一个工作日未签收；" if late else "")
            + (_names(waiting) if waiting else "没有待签收的交办事项"),
        )
    ]
    if returned:
        items.append(
            TodoItem(
                label="被退回重办的交办事项",
                count=len(returned),
                url=_url(returned, "acknowledged"),
                level="danger",
                detail=_names(returned),
            )
        )
    if soon:
        items.append(
            TodoItem(
                label="临近或超过办理时限的交办事项",
                count=len(soon),
                url=_url(soon, "acknowledged"),
                level="warning",
                detail=_names(soon),
            )
        )
    return items


def issuer_items(user, now: datetime) -> list[TodoItem]:
    rows = todo_counts(user, now)
    closing, extensions = rows["closing"], rows["extensions"]
    overdue, drafts = rows["overdue"], rows["drafts"]
    items = [
        TodoItem(
            label="待办结审核的交办事项",
            count=len(closing),
            url=_url(closing, "closing"),
            level="warning",
            detail=_names(closing) if closing else "没有待审核的办结申请",
        )
    ]
    if extensions:
        items.append(
            TodoItem(
                label="待批复的延期申请",
                count=len(extensions),
                url=_url(extensions, "open"),
                level="warning",
                detail=_names(extensions),
            )
        )
    if overdue:
        items.append(
            TodoItem(
                label="逾期的交办事项",
                count=len(overdue),
                url=_url(overdue, "open"),
                level="danger",
                detail=_names(overdue),
            )
        )
    if drafts:
        items.append(
            TodoItem(
                label="系统起草待发出的交办单",
                count=len(drafts),
                url=_url(drafts, "draft"),
                level="info",
                detail="审核修改后发出：" + _names(drafts),
            )
        )
    return items
