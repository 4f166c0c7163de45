"""The issuer's writing of a follow-up: who may task whom, drafts, sending, withdrawing.

The serial number (督办〔2026〕12号) is given when a follow-up is sent, never to a draft: the
AssessmentYear row is locked first, so two issuers sending at once get 12 and 13, not 12 twice.
"""

from datetime import date, datetime

from django.db.models import Max
from django.utils import timezone

from accounts.permissions import acts_as_office
from accounts.roles import Role

from ...models import AssessmentYear, FollowUp, Indicator, Target
from .common import (
    OPEN,
    Event,
    FollowUpError,
    Status,
    atomic,
    follow_up_people,
    locked,
    record_event,
    require_issuer_side,
    require_status,
    save,
    tell,
    today,
)

# Fields a draft's issuer may change (update_draft) and the form shows.
DRAFT_FIELDS = ("title", "problem", "requirement", "due_on", "kind", "indicator")


def may_task(user, unit, *, indicator: Indicator | None = None, year) -> str | None:
    """Why `user` may not hand `unit` a follow-up (about `indicator`, in `year`), or None.

    The office tasks any active unit; a reviewer only about an indicator its own unit leads
    and on which the unit carries a target that year. Nobody tasks their own unit.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return "请先登录。"
    office = acts_as_office(user)
    if not office and not user.has_role(Role.REVIEWER):
        return "只有牵头部门审核员或考核办可以交办。"
    if user.unit_id is None:
        return "您的账号未关联单位，不能作为交办单位。"
    if unit is None:
        return "请选择承办单位。"
    if not unit.active:
        return f"「{unit}」已停用，不能交办。"
    if unit.pk == user.unit_id:
        return "不能向本单位交办。"
    if indicator is not None and indicator.campaign.year_id != year.pk:
        return f"「{indicator.name}」不是{year.year}年度的指标。"
    if office:
        return None
    if indicator is None:
        return "牵头部门只能就本单位牵头的指标交办，请选择指标。"
    if indicator.lead_unit_id != user.unit_id:
        return f"「{indicator.name}」不是本单位牵头的指标，不能就此向「{unit}」交办。"
    if not Target.objects.filter(indicator=indicator, unit=unit).exists():
        return f"「{unit}」在「{indicator.name}」上没有目标任务，不能就此交办。"
    return None


def _check_due(due_on: date | None, now: datetime) -> None:
    if due_on is None:
        raise FollowUpError({"due_on": "请填写办理时限。"})
    if due_on < today(now):
        raise FollowUpError({"due_on": "办理时限不能早于今天。"})


def _check_text(follow_up: FollowUp) -> None:
    errors = {}
    for name, label in (("title", "事项"), ("problem", "存在问题"), ("requirement", "办理要求")):
        value = (getattr(follow_up, name) or "").strip()
        setattr(follow_up, name, value)
        if not value:
            errors[name] = f"请填写{label}。"
    if errors:
        raise FollowUpError(errors)


@atomic
def draft_follow_up(
    *,
    year: AssessmentYear,
    issuer_unit=None,
    unit,
    title: str,
    problem: str,
    requirement: str,
    due_on: date,
    kind: str = FollowUp.Kind.TASK,
    origin: str = FollowUp.Origin.MANUAL,
    indicator: Indicator | None = None,
    inspection=None,
    quarter: int | None = None,
    user=None,
    now: datetime | None = None,
) -> FollowUp:
    """A DRAFT follow-up. `user` None: drafted by the system for `issuer_unit` (no permission
    check; the issuer edits and sends it); with a user, `may_task` applies and the issuer
    unit is the user's."""
    now = now or timezone.now()
    if user is not None:
        refusal = may_task(user, unit, indicator=indicator, year=year)
        if refusal:
            raise FollowUpError(refusal)
        issuer_unit = user.unit
        _check_due(due_on, now)
    elif issuer_unit is None:
        raise FollowUpError("系统起草的交办单须指明交办单位。")
    elif due_on is None:
        raise FollowUpError({"due_on": "请填写办理时限。"})
    follow_up = FollowUp(
        year=year,
        issuer_unit=issuer_unit,
        created_by=user,
        unit=unit,
        kind=kind,
        origin=origin,
        indicator=indicator,
        inspection=inspection,
        quarter=quarter,
        title=title,
        problem=problem,
        requirement=requirement,
        due_on=due_on,
    )
    _check_text(follow_up)
    save(follow_up, user=user)
    return follow_up


@atomic
def ensure_draft(
    *,
    year: AssessmentYear,
    unit,
    origin: str,
    indicator: Indicator | None = None,
    inspection=None,
    quarter: int | None = None,
    **fields,
) -> FollowUp:
    """The system's idempotent drafting. An existing follow-up with the same year, unit,
    origin and subject (indicator / inspection / quarter) that was not withdrawn is returned
    as it is, whatever its state; else a new draft. `result.created` says which.

    The unit's row is locked first, so two runs at once (a retried publication) draft once.
    """
    type(unit).objects.select_for_update().filter(pk=unit.pk).first()
    existing = (
        FollowUp.objects.filter(
            year=year,
            unit=unit,
            origin=origin,
            indicator=indicator,
            inspection=inspection,
            quarter=quarter,
        )
        .exclude(status=Status.WITHDRAWN)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        existing.created = False
        return existing
    follow_up = draft_follow_up(
        year=year,
        unit=unit,
        origin=origin,
        indicator=indicator,
        inspection=inspection,
        quarter=quarter,
        **fields,
    )
    follow_up.created = True
    return follow_up


@atomic
def update_draft(*, follow_up: FollowUp, user, now: datetime | None = None, **fields) -> FollowUp:
    """Change a draft's text, kind, indicator or due date (DRAFT_FIELDS) before it is sent."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_issuer_side(user, follow_up, "修改草稿")
    require_status(follow_up, (Status.DRAFT,), "修改")
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise FollowUpError(f"草稿不能修改这些内容：{'、'.join(sorted(unknown))}。")
    for name, value in fields.items():
        setattr(follow_up, name, value)
    if "indicator" in fields and follow_up.created_by_id is not None:
        refusal = may_task(user, follow_up.unit, indicator=follow_up.indicator, year=follow_up.year)
        if refusal:
            raise FollowUpError(refusal)
    if "due_on" in fields:
        _check_due(follow_up.due_on, now)
    _check_text(follow_up)
    save(follow_up, user=user)
    return follow_up


def _next_number(year: AssessmentYear) -> int:
    # The year's row is the lock: max()+1 under it cannot be read twice at once.
    AssessmentYear.objects.select_for_update().filter(pk=year.pk).first()
    top = FollowUp.objects.filter(year=year).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


@atomic
def issue_follow_up(*, follow_up: FollowUp, user, now: datetime | None = None) -> FollowUp:
    """Send a draft (交办): numbered, ISSUED, the unit's people told."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_issuer_side(user, follow_up, "发出交办单")
    require_status(follow_up, (Status.DRAFT,), "再次发出")
    # may_task holds for the sender; only the office may send a system draft it fails
    # (a 责令检讨 without an indicator, a weak-item draft of a lead department).
    refusal = may_task(user, follow_up.unit, indicator=follow_up.indicator, year=follow_up.year)
    if refusal and not (follow_up.created_by_id is None and acts_as_office(user)):
        raise FollowUpError(refusal)
    _check_due(follow_up.due_on, now)
    _check_text(follow_up)
    follow_up.number = _next_number(follow_up.year)
    follow_up.status = Status.ISSUED
    follow_up.issued_by, follow_up.issued_at = user, now
    save(follow_up, user=user)
    record_event(follow_up, kind=Event.ISSUED, actor=user, text=follow_up.requirement, now=now)
    tell(
        follow_up,
        follow_up_people(follow_up)["unit_users"],
        title=f"{follow_up.issuer_unit}交办「{follow_up.title}」",
        body=f"请于{follow_up.due_on.year}年{follow_up.due_on.month}月"
        f"{follow_up.due_on.day}日前办结并反馈。请及时签收。",
    )
    return follow_up


@atomic
def create_and_issue(*, send: bool = True, user, now: datetime | None = None, **fields) -> FollowUp:
    """The one-click 交办 form: a draft by `user` (保存草稿), sent at once when `send` (发出)."""
    follow_up = draft_follow_up(user=user, now=now, **fields)
    if send:
        follow_up = issue_follow_up(follow_up=follow_up, user=user, now=now)
    return follow_up


@atomic
def withdraw(
    *, follow_up: FollowUp, user, reason: str = "", now: datetime | None = None
) -> FollowUp:
    """撤销: a draft at any time; a sent one only with a reason (the unit is told)."""
    now = now or timezone.now()
    follow_up = locked(follow_up)
    require_issuer_side(user, follow_up, "撤销交办单")
    require_status(follow_up, (Status.DRAFT, *OPEN), "撤销")
    sent = follow_up.status != Status.DRAFT
    if sent and not reason.strip():
        raise FollowUpError({"reason": "请填写撤销理由：已发出的交办单撤销时须写明理由。"})
    follow_up.status = Status.WITHDRAWN
    save(follow_up, user=user)
    for extension in follow_up.extensions.filter(status="pending"):
        extension.status, extension.decided_by, extension.decided_at = "refused", user, now
        extension.decision_note = "交办单已撤销"
        save(extension, user=user)
    record_event(follow_up, kind=Event.WITHDRAWN, actor=user, text=reason, now=now)
    if sent:
        tell(
            follow_up,
            follow_up_people(follow_up)["unit_users"],
            title="交办事项已撤销",
            body=f"{follow_up.title}：{reason.strip()}",
        )
    return follow_up
