"""交办 (follow-ups): the issuer drafts and sends, the unit acknowledges, replies and asks to
close, the issuer closes or returns; 催办 and 延期 on the way. Every step is a FollowUpEvent in
the thread and a history row; a refused step raises FollowUpError and saves nothing.

The overdue cards (黄牌/红牌) are scoring's escalation; it uses `record_event` and
`follow_up_people` from here.
"""

from ...follow_up_selectors import acknowledgement_overdue
from .common import (
    OPEN,
    FollowUpError,
    follow_up_people,
    is_issuer_side,
    is_unit_side,
    record_event,
)
from .drafting import (
    DRAFT_FIELDS,
    create_and_issue,
    draft_follow_up,
    ensure_draft,
    issue_follow_up,
    may_task,
    update_draft,
    withdraw,
)
from .issuer_side import close, decide_extension, return_for_redo, urge
from .unit_side import acknowledge, reply, request_close, request_extension

__all__ = [
    "DRAFT_FIELDS",
    "OPEN",
    "FollowUpError",
    "acknowledge",
    "acknowledgement_overdue",
    "close",
    "create_and_issue",
    "decide_extension",
    "draft_follow_up",
    "ensure_draft",
    "follow_up_people",
    "is_issuer_side",
    "is_unit_side",
    "issue_follow_up",
    "may_task",
    "record_event",
    "reply",
    "request_close",
    "request_extension",
    "return_for_redo",
    "update_draft",
    "urge",
    "withdraw",
]
