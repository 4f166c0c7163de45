"""The lead department's side: verify, correct (核减) or return entries; record on-site checks."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import acts_as_office
from accounts.roles import Role
from accounts.services import notify

from ..errors import LedgerError
from ..flags import Flag
from ..models import FollowUp, Inspection, LedgerEntry, WeeklyLedger
from ..review_rows import entry_flags
from ..templatetags.figures import figure
from ..versions import check_version, stale_refusal
from ..workdays import add_working_days
from .follow_ups import ensure_draft
from .ledger import refresh_status, save_entry

Review = LedgerEntry.ReviewStatus
HANDED_IN = WeeklyLedger.HANDED_IN


def review_refusal(user, entry: LedgerEntry) -> str | None:
    """Why `user` may not review `entry`, or None when they may."""
    if not user.has_role(Role.REVIEWER):
        return "只有牵头部门审核员可以核实实帐。"
    if entry.indicator.is_derived:
        return f"「{entry.indicator.name}」该指标由台帐自动核实，请核实台帐行。"
    if user.unit_id != entry.indicator.lead_unit_id:
        return f"「{entry.indicator.name}」不是本单位牵头的指标。"
    if entry.ledger.unit_id == user.unit_id:
        return "不能核实本单位自己填报的实帐（审核与填报须分离）。"
    if entry.ledger.status not in HANDED_IN:
        return "该周帐尚未提交，不能核实。"
    return None


def _locked_entries(entry_ids) -> list[LedgerEntry]:
    """The entries, row-locked after their ledgers: ledger first, then its rows, in every
    service (submit_ledger and save_entries lock the same way), so a verdict and a
    resubmission of the same ledger wait for each other instead of deadlocking."""
    entry_ids = list(entry_ids)
    ledger_ids = LedgerEntry.objects.filter(pk__in=entry_ids).values("ledger_id")
    list(WeeklyLedger.objects.select_for_update().filter(pk__in=ledger_ids).order_by("pk"))
    return list(
        LedgerEntry.objects.select_for_update(of=("self",))
        .select_related("indicator", "ledger__period", "ledger__unit")
        .filter(pk__in=list(entry_ids))
        .order_by("pk")
    )


def _reviewable_entries(entry_ids, user, versions=None) -> list[LedgerEntry]:
    """The entries, locked; refused as a whole when one is missing, not the user's to review
    or changed since the page showed it (`versions`: entry id -> the version it showed)."""
    entry_ids = list(entry_ids)
    entries = _locked_entries(entry_ids)
    if len(entries) != len(set(entry_ids)):
        raise LedgerError("部分实帐条目不存在或无权查看。")
    refusals = [r for r in (review_refusal(user, e) for e in entries) if r]
    if refusals:
        raise LedgerError(sorted(set(refusals)))
    for entry in entries:
        check_version(entry, (versions or {}).get(entry.pk), what=f"「{entry.indicator.name}」")
    return entries


def _verify(entry: LedgerEntry, *, user, verified_value, comment: str, now: datetime) -> None:
    if entry.review_status == Review.RETURNED:
        raise LedgerError(f"「{entry.indicator.name}」已退回单位修改，待其重新提交后再核实。")
    if entry.indicator.is_milestone:
        verified_value = None
    elif verified_value is None:
        verified_value = entry.value
    elif verified_value < 0:
        raise LedgerError({"verified_value": "核实值不能为负数。"})
    if verified_value != entry.value and not comment.strip():
        # Keyed by the field, so a page marks the reason box rather than naming the indicator.
        raise LedgerError({"comment": "请填写核减理由：核减或更正数值时须写明理由。"})
    corrected = verified_value != entry.value
    entry.review_status = Review.VERIFIED
    entry.verified_value = verified_value
    entry.reviewer, entry.reviewed_at = user, now
    entry.review_comment = comment.strip()
    reason = f"核减：{comment.strip()}" if corrected else "核实"
    if not corrected and comment.strip():
        reason = f"核实：{comment.strip()}"
    save_entry(entry, user=user, reason=reason)


@transaction.atomic
def verify_entries(
    *,
    entry_ids,
    user,
    corrections: dict[int, Decimal] | None = None,
    comment: str = "",
    now: datetime | None = None,
    versions: dict[int, int] | None = None,
) -> list[LedgerEntry]:
    """Verify entries as reported, or at a corrected figure (核减, the reported one is kept).

    All or nothing: one entry the user may not verify, or one changed since the page showed
    it (`versions`), refuses the whole batch.
    """
    now = now or timezone.now()
    corrections = corrections or {}
    entries = _reviewable_entries(entry_ids, user, versions)
    for entry in entries:
        _verify(
            entry, user=user, verified_value=corrections.get(entry.pk), comment=comment, now=now
        )
    for ledger in {e.ledger for e in entries}:
        refresh_status(ledger)
    return entries


@dataclass(frozen=True)
class Selection:
    """What 核实所选 did with the chosen entries."""

    verified: list[LedgerEntry]
    # Left pending: they carry flags the reviewer did not acknowledge one by one.
    unacknowledged: list[LedgerEntry] = field(default_factory=list)
    flags: dict[int, list[Flag]] = field(default_factory=dict)
    # Left as they were: verified or returned meanwhile (by another reviewer, another tab).
    not_pending: list[LedgerEntry] = field(default_factory=list)
    # Of those, the ones changed since the page showed them: who changed what (versions given).
    changed: dict[int, str] = field(default_factory=dict)


@transaction.atomic
def verify_selected(
    *,
    entry_ids,
    user,
    acknowledged: Iterable[int] = (),
    now: datetime | None = None,
    versions: dict[int, int] | None = None,
) -> Selection:
    """核实 of chosen entries at their reported figures, from the queue (one row or many).

    An entry carrying flags (review_rows.entry_flags: the reviewer's prompts and 数值异常) is
    verified only when the reviewer acknowledged it by itself (已知悉该提示: its id is in
    `acknowledged`); otherwise it stays pending and is named in the answer — a batch never
    verifies a flagged entry silently. Entries no longer pending are left as they are. One
    entry the user may not review refuses the whole batch, as in verify_entries.
    """
    entries = _reviewable_entries(entry_ids, user)
    flags = entry_flags(entries)
    acknowledged = set(acknowledged)
    pending = [e for e in entries if e.review_status == Review.PENDING]
    unacknowledged = [e for e in pending if flags[e.pk] and e.pk not in acknowledged]
    skipped = {e.pk for e in unacknowledged}
    chosen = [e.pk for e in pending if e.pk not in skipped]
    # Only the entries still pending are checked against `versions`: the others are named.
    kept = {pk: number for pk, number in (versions or {}).items() if pk in chosen}
    verified = verify_entries(entry_ids=chosen, user=user, now=now, versions=kept) if chosen else []
    not_pending = [e for e in entries if e.review_status != Review.PENDING]
    changed = {
        e.pk: stale_refusal(e, (versions or {}).get(e.pk), what=f"「{e.indicator.name}」")
        for e in not_pending
    }
    return Selection(
        verified=verified,
        unacknowledged=unacknowledged,
        flags={e.pk: flags[e.pk] for e in unacknowledged},
        not_pending=not_pending,
        changed={pk: text for pk, text in changed.items() if text},
    )


@transaction.atomic
def return_entry(
    *,
    entry: LedgerEntry,
    user,
    comment: str,
    now: datetime | None = None,
    expected_version: int | None = None,
):
    """Send an entry back to its unit with the reason; the unit corrects and resubmits it."""
    now = now or timezone.now()
    (entry,) = _locked_entries([entry.pk])
    refusal = review_refusal(user, entry)
    if refusal:
        raise LedgerError(refusal)
    check_version(entry, expected_version, what=f"「{entry.indicator.name}」")
    if not comment.strip():
        raise LedgerError({"comment": "请填写退回理由：退回时须写明退回理由。"})
    if entry.review_status == Review.RETURNED:
        raise LedgerError("该条目已退回，等待单位修改。")
    entry.review_status = Review.RETURNED
    entry.reviewer, entry.reviewed_at = user, now
    entry.review_comment = comment.strip()
    entry.verified_value = None
    save_entry(entry, user=user, reason=f"退回：{comment.strip()}")
    refresh_status(entry.ledger)
    ledger = entry.ledger
    tell_unit_returned(
        ledger,
        user=user,
        what=f"「{entry.indicator.name}」",
        comment=comment.strip(),
        url=reverse("ledger-week", args=[ledger.period_id]),
    )
    return entry


def tell_unit_returned(ledger, *, user, what: str, comment: str, url: str) -> None:
    """Tell the unit's people that `what` of their ledger was returned, why, and where to
    correct it: the one notice for a returned entry or register row."""
    notify(
        recipients=ledger.unit.users.filter(is_active=True),
        kind="returned",
        title=f"{what}被退回修改",
        body=f"{user.unit}退回了{ledger.period}的{what}：{comment}",
        url=url,
    )


@transaction.atomic
def record_inspection(
    *,
    user,
    entry: LedgerEntry | None = None,
    unit=None,
    visited_on: date,
    place: str,
    findings: str,
    differs_from_ledger: bool = False,
    now: datetime | None = None,
) -> Inspection:
    """Record an on-site check (实地查看), against an entry when there is one.

    Findings that differ from the ledger (`differs_from_ledger`) on an entry open a follow-up
    draft from the inspector's unit to the inspected unit (draft_for_difference)."""
    if not user.has_role(Role.REVIEWER) and not acts_as_office(user):
        raise LedgerError("只有审核员或考核办可以记录实地查看。")
    if entry is not None:
        (entry,) = _locked_entries([entry.pk])  # the caller's copy may be stale
        refusal = review_refusal(user, entry) if user.has_role(Role.REVIEWER) else None
        if refusal:
            raise LedgerError(refusal)
        unit = entry.ledger.unit
    if unit is None:
        raise LedgerError("请指明被查看的单位。")
    check_inspection(visited_on=visited_on, place=place, findings=findings)
    inspection = Inspection.objects.create(
        unit=unit,
        entry=entry,
        inspector=user,
        visited_on=visited_on,
        place=place.strip(),
        findings=findings.strip(),
        differs_from_ledger=bool(differs_from_ledger),
    )
    if entry is not None and not entry.checked_on_site:
        entry.checked_on_site = True
        save_entry(entry, user=user, reason="实地查看", update_fields=["checked_on_site"])
    if inspection.differs_from_ledger and entry is not None:
        draft_for_difference(inspection, entry=entry, user=user, now=now)
    return inspection


def check_inspection(*, visited_on: date, place: str, findings: str) -> None:
    """The checks every on-site check passes (of an entry, a unit or a register row)."""
    errors = []
    if visited_on > timezone.localdate():
        errors.append("查看日期不能晚于今天。")
    if not place.strip():
        errors.append("请填写查看地点。")
    if not findings.strip():
        errors.append("请填写查看情况。")
    if errors:
        raise LedgerError(errors)


INSPECTION_DAYS = 5  # working days to answer a check that differs from the ledger


def draft_for_difference(inspection: Inspection, *, entry: LedgerEntry, user, now=None):
    """A follow-up DRAFT (never sent by itself) from the inspector's unit to the inspected unit
    about the entry's indicator, the findings as its problem; the inspector is told. Once per
    inspection (ensure_draft). None when the inspector belongs to no unit (nobody to send it)."""
    if user.unit_id is None:
        return None
    now = now or timezone.now()
    indicator, ledger = entry.indicator, entry.ledger
    reported = figure(entry.value) or "未填"
    visited = inspection.visited_on
    follow_up = ensure_draft(
        year=ledger.period.year,
        unit=inspection.unit,
        origin=FollowUp.Origin.INSPECTION,
        indicator=indicator,
        inspection=inspection,
        issuer_unit=user.unit,
        title=f"实地查看与周帐所报不符：{indicator.name}"[:200],
        problem=(
            f"{visited.year}年{visited.month}月{visited.day}日实地查看（{inspection.place}）："
            f"{inspection.findings}\n周帐所报：{ledger.period.label}「{indicator.name}」"
            f"填报 {reported}{indicator.measure}。"
        ),
        requirement="核实实际情况，如实更正周帐并说明不符原因，按期反馈。",
        due_on=timezone.localdate(add_working_days(now, INSPECTION_DAYS)),
        now=now,
    )
    if follow_up.created:
        notify(
            recipients=[user],
            kind="follow_up",
            title=f"实地查看与周帐不符：已起草对{inspection.unit}的交办单",
            body="请审核修改后发出。",
            url=reverse("follow-up-detail", args=[follow_up.pk]),
        )
    return follow_up
