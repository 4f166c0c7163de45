"""The unit's steps: 签收, 反馈 (with photos and PDFs), 申请办结, 申请延期."""

from datetime import date, datetime

from django.utils import timezone

from ...errors import LedgerError
from ...models import Extension, FollowUp
from ..evidence import attach_evidence, check_upload
from .common import (
    Event,
    FollowUpError,
    Status,
    atomic,
    issuer_recipients,
    locked,
    notices_done,
    record_event,
    require_status,
    require_unit_side,
    save,
    tell,
)


@atomic
def acknowledge(*, follow_up: FollowUp, user, now: datetime | None = None) -> FollowUp:
    """签收: the unit has received the follow-up and is working on it."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_unit_side(user, follow_up, "签收")
    require_status(follow_up, (Status.ISSUED,), "签收")
    follow_up.status = Status.ACKNOWLEDGED
    follow_up.acknowledged_by, follow_up.acknowledged_at = user, now
    save(follow_up, user=user)
    record_event(follow_up, kind=Event.ACKNOWLEDGED, actor=user, now=now)
    # The unit's "please acknowledge" notices are answered: the bell's count drops.
    notices_done(follow_up, unit_id=follow_up.unit_id, now=now)
    return follow_up


@atomic
def reply(
    *,
    follow_up: FollowUp,
    user,
    text: str,
    measures: str = "",
    files=(),
    now: datetime | None = None,
):
    """反馈: progress in words, with photos or PDFs through the evidence guards. A 责令检讨's
    reply is the 检讨 itself and needs both the text and the 整改措施. All or nothing: one
    refused file refuses the reply."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    if follow_up.kind == FollowUp.Kind.SELF_REVIEW:
        require_unit_side(user, follow_up, "提交检讨")
    else:
        require_unit_side(user, follow_up, "反馈")
    if follow_up.status == Status.ISSUED:
        raise FollowUpError("请先签收，再反馈办理情况。")
    require_status(follow_up, (Status.ACKNOWLEDGED, Status.CLOSING), "反馈")
    errors = {}
    if not (text or "").strip():
        self_review = follow_up.kind == FollowUp.Kind.SELF_REVIEW
        errors["text"] = "请填写检讨内容。" if self_review else "请填写反馈内容。"
    if follow_up.kind == FollowUp.Kind.SELF_REVIEW and not (measures or "").strip():
        errors["measures"] = "请填写整改措施：责令检讨须同时提交检讨和整改措施。"
    if errors:
        raise FollowUpError(errors)
    files = list(files)
    refusals = []
    for upload in files:  # every file checked before anything is written
        try:
            check_upload(upload)
        except LedgerError as error:
            refusals += error.messages
    if refusals:
        raise FollowUpError({"files": refusals})
    event = record_event(
        follow_up, kind=Event.REPLY, actor=user, text=text, measures=measures, now=now
    )
    for upload in files:
        attach_evidence(follow_up_event=event, upload=upload, user=user, now=now)
    save(follow_up, user=user)  # updated_at: the unit moved
    tell(
        follow_up,
        issuer_recipients(follow_up),
        title=f"{follow_up.unit}反馈了办理情况",
        body=(text or "").strip()[:200],
        skip=user,
    )
    return event


def _replied_since_last_return(follow_up: FollowUp) -> bool:
    # By id, the order events were written in (two may share a timestamp).
    returned = follow_up.events.filter(kind=Event.RETURNED).order_by("-id").first()
    replies = follow_up.events.filter(kind=Event.REPLY)
    if returned is not None:
        replies = replies.filter(id__gt=returned.pk)
    return replies.exists()


@atomic
def request_close(
    *, follow_up: FollowUp, user, text: str = "", now: datetime | None = None
) -> FollowUp:
    """申请办结: the unit says it is done; needs a reply (since the last 退回重办, if any)."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_unit_side(user, follow_up, "申请办结")
    if follow_up.status == Status.ISSUED:
        raise FollowUpError("请先签收并反馈办理情况，再申请办结。")
    require_status(follow_up, (Status.ACKNOWLEDGED,), "申请办结")
    if not _replied_since_last_return(follow_up):
        raise FollowUpError("请先反馈办理情况（至少一次），再申请办结。")
    follow_up.status = Status.CLOSING
    save(follow_up, user=user)
    record_event(follow_up, kind=Event.CLOSE_REQUESTED, actor=user, text=text, now=now)
    tell(
        follow_up,
        issuer_recipients(follow_up),
        title=f"{follow_up.unit}申请办结",
        body=f"「{follow_up.title}」待您审核办结。",
        skip=user,
    )
    return follow_up


@atomic
def request_extension(
    *, follow_up: FollowUp, user, reason: str, due_on: date | None, now: datetime | None = None
) -> Extension:
    """申请延期 to a date after the current due date; one pending request at a time."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_unit_side(user, follow_up, "申请延期")
    if follow_up.status == Status.ISSUED:
        raise FollowUpError("请先签收，再申请延期。")
    require_status(follow_up, (Status.ACKNOWLEDGED,), "申请延期")
    if follow_up.extensions.filter(status=Extension.Status.PENDING).exists():
        raise FollowUpError("已有一项延期申请等待审批，请等交办单位批复后再申请。")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "请填写延期理由。"
    if due_on is None:
        errors["due_on"] = "请填写申请延至的日期。"
    elif due_on <= follow_up.due_on:
        errors["due_on"] = "申请延至的日期须晚于当前办理时限。"
    if errors:
        raise FollowUpError(errors)
    extension = Extension(
        follow_up=follow_up,
        requested_by=user,
        requested_at=now,
        reason=reason.strip(),
        due_on=due_on,
    )
    save(extension, user=user)
    record_event(
        follow_up, kind=Event.EXTENSION_REQUESTED, actor=user, text=reason, due_on=due_on, now=now
    )
    tell(
        follow_up,
        issuer_recipients(follow_up),
        title=f"{follow_up.unit}申请延期",
        body=f"申请延至{due_on.year}年{due_on.month}月{due_on.day}日：{reason.strip()}",
        skip=user,
    )
    return extension
