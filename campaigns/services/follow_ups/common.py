"""What every follow-up step shares: who is on which side, the thread, the people to tell.

The unit side is a reporter or unit head of the follow-up's unit (campaigns.services.ledger's
`is_unit_member`); the issuer side a reviewer of the issuing unit, or the office (考核办).
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import acts_as_office
from accounts.roles import Role
from accounts.services import mark_notices_done, notify

from ...errors import LedgerError
from ...history import recorded_as
from ...models import FollowUp, FollowUpEvent
from ..ledger import is_unit_member

Status = FollowUp.Status
Event = FollowUpEvent.Kind
OPEN = (Status.ISSUED, Status.ACKNOWLEDGED, Status.CLOSING)


class FollowUpError(LedgerError):
    """A refused follow-up step: Chinese messages, nothing saved."""


def is_unit_side(user, follow_up: FollowUp) -> bool:
    return bool(user.is_active) and is_unit_member(user, follow_up.unit_id)


def is_issuer_side(user, follow_up: FollowUp) -> bool:
    if acts_as_office(user):
        return True
    return (
        user.is_active
        and user.has_role(Role.REVIEWER)
        and user.unit_id is not None
        and user.unit_id == follow_up.issuer_unit_id
    )


def require_unit_side(user, follow_up: FollowUp, verb: str) -> None:
    if not is_unit_side(user, follow_up):
        raise FollowUpError(f"只有承办单位（{follow_up.unit}）的填报员或负责人可以{verb}。")


def require_issuer_side(user, follow_up: FollowUp, verb: str) -> None:
    if not is_issuer_side(user, follow_up):
        raise FollowUpError(f"只有交办单位（{follow_up.issuer_unit}）的审核员或考核办可以{verb}。")


def require_status(follow_up: FollowUp, allowed, action: str) -> None:
    """Refuse `action` unless the follow-up is in one of `allowed` states, saying why."""
    if follow_up.status in allowed:
        return
    state = follow_up.get_status_display()
    if follow_up.status == Status.CLOSED:
        raise FollowUpError(f"该交办事项已办结，不能{action}。")
    if follow_up.status == Status.WITHDRAWN:
        raise FollowUpError(f"该交办事项已撤销，不能{action}。")
    if follow_up.status == Status.DRAFT:
        raise FollowUpError(f"该交办事项尚未发出，不能{action}。")
    raise FollowUpError(f"该交办事项当前为“{state}”，不能{action}。")


def locked(follow_up: FollowUp) -> FollowUp:
    """The row again, locked for this transaction: the caller's copy may be stale."""
    return (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("year", "unit", "issuer_unit", "indicator")
        .get(pk=follow_up.pk)
    )


def save(row, *, user) -> None:
    """full_clean and save a follow-up or an extension, the history row naming `user`
    (None: the system)."""
    row.full_clean()
    with recorded_as(user):
        row.save()


def record_event(
    follow_up: FollowUp,
    *,
    kind: str,
    actor,
    text: str = "",
    measures: str = "",
    due_on=None,
    now: datetime | None = None,
) -> FollowUpEvent:
    """One step of the thread: who (None = the system) did what, when."""
    event = FollowUpEvent(
        follow_up=follow_up,
        kind=kind,
        actor=actor,
        at=now or timezone.now(),
        text=(text or "").strip(),
        measures=(measures or "").strip(),
        due_on=due_on,
    )
    event.full_clean()
    event.save()
    return event


def _with_role(users, role: Role):
    return users.filter(groups__name=role.group_name)


def follow_up_people(follow_up: FollowUp) -> dict:
    """Who a follow-up concerns: `unit_users` (the unit's active reporters and heads),
    `heads` (its unit heads), `issuer` (the person who sent it, else who drafted it, or
    None), `issuer_reviewers` (the issuing unit's active reviewers), and `everyone` (all of
    them once each). Four queries."""
    users = get_user_model().objects.filter(is_active=True)
    unit_users = list(
        users.filter(
            unit_id=follow_up.unit_id,
            groups__name__in=[Role.REPORTER.group_name, Role.UNIT_HEAD.group_name],
        ).distinct()
    )
    heads = list(_with_role(users.filter(unit_id=follow_up.unit_id), Role.UNIT_HEAD))
    issuer_id = follow_up.issued_by_id or follow_up.created_by_id
    issuer = users.filter(pk=issuer_id).first() if issuer_id else None
    reviewers = list(_with_role(users.filter(unit_id=follow_up.issuer_unit_id), Role.REVIEWER))
    everyone = {}
    for user in [*unit_users, *heads, *([issuer] if issuer else []), *reviewers]:
        everyone.setdefault(user.pk, user)
    return {
        "unit_users": unit_users,
        "heads": heads,
        "issuer": issuer,
        "issuer_reviewers": reviewers,
        "everyone": list(everyone.values()),
    }


def issuer_recipients(follow_up: FollowUp) -> list:
    """The issuer, else the issuing unit's reviewers: who hears of the unit's steps."""
    people = follow_up_people(follow_up)
    if people["issuer"] is not None:
        return [people["issuer"]]
    return people["issuer_reviewers"]


def tell(follow_up: FollowUp, recipients, *, title: str, body: str = "", skip=None) -> None:
    """A FOLLOW_UP notification linking to the follow-up's page, after the change is saved
    (never to `skip`, the person who made the change)."""
    recipients = [r for r in recipients if skip is None or r.pk != skip.pk]
    if not recipients:
        return
    label = follow_up.serial or "交办事项"
    notify(
        recipients=recipients,
        kind="follow_up",
        title=f"{label}：{title}",
        body=body or follow_up.title,
        url=reverse("follow-up-detail", args=[follow_up.pk]),
    )


def notices_done(follow_up: FollowUp, *, unit_id: int, now: datetime) -> None:
    """Mark read the follow-up notices about this follow-up sent to `unit_id`'s people."""
    mark_notices_done(
        unit_id=unit_id,
        url=reverse("follow-up-detail", args=[follow_up.pk]),
        kinds=["follow_up"],
        now=now,
    )


def today(now: datetime) -> "datetime.date":
    return timezone.localdate(now)


atomic = transaction.atomic
