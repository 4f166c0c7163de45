"""The issuer's answers: 办结 (销号), 退回重办, 催办, 批复延期."""

from datetime import datetime

from django.utils import timezone

from ...models import Extension, FollowUp
from .common import (
    OPEN,
    Event,
    FollowUpError,
    Status,
    atomic,
    follow_up_people,
    locked,
    notices_done,
    record_event,
    require_issuer_side,
    require_status,
    save,
    tell,
)


def _unit_users(follow_up):
    return follow_up_people(follow_up)["unit_users"]


@atomic
def close(*, follow_up: FollowUp, user, text: str = "", now: datetime | None = None) -> FollowUp:
    """办结 (销号) after the unit asked to close; for a 责令检讨: the 检讨 is accepted."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_issuer_side(user, follow_up, "办结")
    if follow_up.status == Status.ACKNOWLEDGED or follow_up.status == Status.ISSUED:
        raise FollowUpError("承办单位尚未申请办结，不能办结。")
    require_status(follow_up, (Status.CLOSING,), "办结")
    follow_up.status = Status.CLOSED
    follow_up.closed_by, follow_up.closed_at = user, now
    save(follow_up, user=user)
    record_event(follow_up, kind=Event.CLOSED, actor=user, text=text, now=now)
    notices_done(follow_up, unit_id=follow_up.issuer_unit_id, now=now)
    accepted = "检讨已被接受" if follow_up.kind == FollowUp.Kind.SELF_REVIEW else "已办结销号"
    tell(follow_up, _unit_users(follow_up), title=accepted, skip=user)
    return follow_up


@atomic
def return_for_redo(
    *, follow_up: FollowUp, user, reason: str, now: datetime | None = None
) -> FollowUp:
    """退回重办: back to 办理中 with the reason; the unit replies again before closing."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_issuer_side(user, follow_up, "退回重办")
    require_status(follow_up, (Status.CLOSING,), "退回重办")
    if not (reason or "").strip():
        raise FollowUpError({"reason": "请填写退回理由。"})
    follow_up.status = Status.ACKNOWLEDGED
    save(follow_up, user=user)
    record_event(follow_up, kind=Event.RETURNED, actor=user, text=reason, now=now)
    tell(follow_up, _unit_users(follow_up), title="退回重办", body=reason.strip(), skip=user)
    return follow_up


URGE_TEXT = "请抓紧办理，按时反馈。"


@atomic
def urge(*, follow_up: FollowUp, user, text: str = "", now: datetime | None = None):
    """催办: an urging notice to the unit, recorded in the thread."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_issuer_side(user, follow_up, "催办")
    require_status(follow_up, (Status.ISSUED, Status.ACKNOWLEDGED), "催办")
    text = (text or "").strip() or URGE_TEXT
    event = record_event(follow_up, kind=Event.URGED, actor=user, text=text, now=now)
    tell(follow_up, _unit_users(follow_up), title="催办", body=text, skip=user)
    return event


@atomic
def decide_extension(
    *,
    extension: Extension,
    user,
    grant: bool,
    note: str = "",
    now: datetime | None = None,
) -> Extension:
    """批复延期: granted moves the due date (a card already given stays); refused needs a note."""
    now = now or timezone.now()
    follow_up = locked(extension.follow_up)
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    require_issuer_side(user, follow_up, "批复延期申请")
    if extension.status != Extension.Status.PENDING:
        raise FollowUpError("该延期申请已批复。")
    require_status(follow_up, OPEN, "批复延期")
    note = (note or "").strip()
    if not grant and not note:
        raise FollowUpError({"note": "请填写不同意延期的理由。"})
    extension.status = Extension.Status.GRANTED if grant else Extension.Status.REFUSED
    extension.decided_by, extension.decided_at = user, now
    extension.decision_note = note[:300]
    save(extension, user=user)
    if grant:
        follow_up.due_on = extension.due_on
        save(follow_up, user=user)
    due = extension.due_on
    record_event(
        follow_up,
        kind=Event.EXTENSION_GRANTED if grant else Event.EXTENSION_REFUSED,
        actor=user,
        text=note,
        due_on=due if grant else None,
        now=now,
    )
    when = f"{due.year}年{due.month}月{due.day}日"
    tell(
        follow_up,
        _unit_users(follow_up),
        title=f"同意延期至{when}" if grant else "不同意延期",
        body=note or follow_up.title,
        skip=user,
    )
    return extension
