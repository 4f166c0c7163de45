"""The reporter's side of the weekly ledger: open, fill, submit, confirm; the office's reopen.

Every operation checks who may do it and what state allows it, runs in one transaction and
raises LedgerError with Chinese messages on bad input, leaving the database as it was.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.permissions import acts_as_office
from accounts.roles import Role
from accounts.services import notify

from ..errors import LedgerError
from ..history import saved_with_history
from ..models import Indicator, LedgerEntry, LedgerReopening, Period, Target, WeeklyLedger
from ..plausibility import warning_for
from ..registers.derivation import derived_refusal
from ..versions import check_version, stale_refusal
from .entry_rules import EntryInput, EntryProblem, check_entry, entry_problems  # noqa: F401

Status = WeeklyLedger.Status
Review = LedgerEntry.ReviewStatus

TEXT_FIELDS = ("decrease_reason", "progress", "problem_category", "problems", "next_steps")


class EntryErrors(LedgerError):
    """A LedgerError whose messages belong to entries' fields (`problems`): the week page
    marks each field, a workbook lists `messages` (the problems' texts) as before."""

    def __init__(self, problems: list[EntryProblem], *, summary: list[str] | None = None):
        self.problems = list(problems)
        super().__init__(summary if summary is not None else [p.text for p in self.problems])


def last_figures(*, unit_id: int, period: Period, indicator_ids) -> dict[int, Decimal | None]:
    """Each indicator's latest figure before `period` in a handed-in ledger of the unit.

    The verified figure where a reviewer has verified it (a correction counts), otherwise the
    reported one: that is what this week's cumulative figure must not silently fall below.
    """
    rows = (
        LedgerEntry.objects.filter(
            ledger__unit_id=unit_id,
            ledger__period__year_id=period.year_id,
            ledger__period__iso_week__lt=period.iso_week,
            indicator_id__in=list(indicator_ids),
        )
        .exclude(ledger__status__in=WeeklyLedger.NOT_HANDED_IN)
        .order_by("indicator_id", "-ledger__period__iso_week")
        .values("indicator_id", "value", "verified_value", "review_status")
    )
    latest: dict[int, Decimal | None] = {}
    for row in rows:
        if row["indicator_id"] in latest:
            continue
        verified = row["review_status"] == Review.VERIFIED and row["verified_value"] is not None
        latest[row["indicator_id"]] = row["verified_value"] if verified else row["value"]
    return latest


def annual_targets(*, unit_id: int, indicator_ids) -> dict[int, Decimal | None]:
    """The unit's annual target of each indicator (one query): plausibility's yardstick."""
    return dict(
        Target.objects.filter(unit_id=unit_id, indicator_id__in=list(indicator_ids)).values_list(
            "indicator_id", "annual_value"
        )
    )


def is_unit_member(user, unit_id: int) -> bool:
    return user.unit_id == unit_id and (
        user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD)
    )


def window_open(ledger: WeeklyLedger, *, now: datetime) -> bool:
    """Before the period locks, or within a reopening granted by the office."""
    if now <= ledger.period.locks_at:
        return True
    return ledger.reopened_until is not None and now <= ledger.reopened_until


def editable_indicator_ids(ledger: WeeklyLedger, *, now: datetime) -> set[int]:
    """Indicators the unit may still change in this ledger right now.

    Before hand-in: all of them while the window is open. After: only entries a reviewer
    returned — those stay correctable after the lock, since the reviewer asked for them.
    """
    # Derived entries (Indicator.is_derived) are never typed: they follow the registers.
    typed = ledger.entries.filter(indicator__source=Indicator.Source.LEDGER)
    if ledger.status in WeeklyLedger.NOT_HANDED_IN:
        if not window_open(ledger, now=now):
            return set()
        return {e.indicator_id for e in typed}
    return {e.indicator_id for e in typed if e.review_status == Review.RETURNED}


@transaction.atomic
def open_ledger(*, unit, period: Period) -> WeeklyLedger:
    """The unit's ledger of the period, created with one entry per indicator it carries.

    Targets added after a ledger was opened get their entry here too, while it is a draft.
    """
    ledger, _ = WeeklyLedger.objects.get_or_create(unit=unit, period=period)
    if ledger.status == Status.DRAFT:
        carried = Target.objects.filter(
            unit=unit, indicator__campaign__year_id=period.year_id
        ).values_list("indicator_id", flat=True)
        present = set(ledger.entries.values_list("indicator_id", flat=True))
        missing = [LedgerEntry(ledger=ledger, indicator_id=i) for i in carried if i not in present]
        if missing:
            # With their "created" history rows: an entry's history starts where it does.
            bulk_create_with_history(missing, LedgerEntry, default_change_reason="开帐")
        from .registers.reporting import open_register_reports  # (imports this module)

        open_register_reports(ledger)
    return ledger


def save_entry(entry: LedgerEntry, *, user, reason: str, update_fields=None) -> None:
    """The one way a service writes a LedgerEntry: its history row records who and why (the
    old and new values come from comparing it with the row before). Never bulk-update entries:
    a bulk update leaves no history."""
    saved_with_history(entry, user=user, reason=reason, update_fields=update_fields)


def _ledger_for_update(ledger: WeeklyLedger) -> WeeklyLedger:
    # Row lock: two browser tabs (or a tab and an Excel upload) saving at once serialise here.
    return (
        WeeklyLedger.objects.select_for_update().select_related("period", "unit").get(pk=ledger.pk)
    )


@transaction.atomic
def save_entries(
    *,
    ledger: WeeklyLedger,
    user,
    changes: dict[int, EntryInput],
    now: datetime | None = None,
    source: str = "",
    format_problems: list[EntryProblem] = (),
    require_notes: bool = False,
    versions: dict[int, int] | None = None,
) -> WeeklyLedger:
    """Save what the reporter typed (a draft, or corrections of returned entries); `source`
    names where it came from in the entries' history (e.g. "Excel 导入").

    All or nothing, in one pass: `format_problems` (fields the form could not read, whose
    entries are left out of `changes`) and every rule broken by `changes` are raised together
    as EntryErrors; so is an entry changed since the page showed it (`versions`: indicator id
    -> the entry's version the page showed; a workbook carries none). With `require_notes`
    (the week page) an implausible figure needs its note now; a workbook has no column for
    it, so its figure is saved flagged and the note is asked for before the ledger can be
    submitted.
    """
    now = now or timezone.now()
    ledger = _ledger_for_update(ledger)
    if not is_unit_member(user, ledger.unit_id):
        raise LedgerError("只能填报本单位的周帐。")
    # Locked after the ledger (the one order: services.review._locked_entries), so the
    # version each is compared with stays true until this transaction ends.
    locked = ledger.entries.select_for_update(of=("self",)).select_related("indicator")
    entries = {e.indicator_id: e for e in locked}
    editable = editable_indicator_ids(ledger, now=now)
    previous = last_figures(unit_id=ledger.unit_id, period=ledger.period, indicator_ids=changes)
    targets = annual_targets(unit_id=ledger.unit_id, indicator_ids=changes)
    problems = list(format_problems)
    for indicator_id, data in changes.items():
        entry = entries.get(indicator_id)
        if entry is None:
            text = f"{data.where}本单位没有承担该指标（编号 {indicator_id}），不能填报"
            problems.append(EntryProblem(indicator_id, "", text, text))
            continue
        if entry.indicator.is_derived:  # never typed: derive_ledger keeps it
            if entry_differs(entry, data):
                message, name = derived_refusal(entry.indicator), entry.indicator.name
                problems.append(EntryProblem(indicator_id, "", message, f"「{name}」{message}"))
            continue
        stale = stale_refusal(entry, (versions or {}).get(indicator_id), what="该指标")
        if stale and entry_differs(entry, data):
            text = f"「{entry.indicator.name}」{stale}"
            problems.append(EntryProblem(indicator_id, "", stale, text))
            continue
        if indicator_id not in editable:
            if entry_differs(entry, data):
                message = "当前不可修改（已提交或帐期已锁定）"
                text = f"「{entry.indicator.name}」{message}"
                problems.append(EntryProblem(indicator_id, "", message, text))
            continue
        if data.plausibility_note is None:
            data.plausibility_note = entry.plausibility_note
        problems += entry_problems(
            entry.indicator,
            data,
            previous=previous.get(indicator_id),
            period=ledger.period,
            annual_target=targets.get(indicator_id),
            note_required=require_notes,
        )
    if problems:
        raise EntryErrors(problems)
    for indicator_id, data in changes.items():
        entry = entries[indicator_id]
        if indicator_id in editable and entry_differs(entry, data):
            entry.value, entry.done_on = data.value, data.done_on
            for name in TEXT_FIELDS:
                setattr(entry, name, getattr(data, name).strip())
            if data.plausibility_note is not None:
                entry.plausibility_note = data.plausibility_note.strip()
            entry.plausibility_flagged = bool(
                warning_for(entry.indicator, targets.get(indicator_id), entry.value)
            )
            reason = "退回后重新填报" if entry.review_status == Review.RETURNED else "填报"
            save_entry(entry, user=user, reason=f"{source}{'：' if source else ''}{reason}")
    # What the page carries next (the autosave answer): each entry's version after this save.
    ledger.entry_versions = {i: e.version for i, e in entries.items()}
    return ledger


def entry_differs(entry: LedgerEntry, data: EntryInput) -> bool:
    """Whether `data` changes `entry`: the one definition, shared by the form and the workbook."""
    if entry.value != data.value or entry.done_on != data.done_on:
        return True
    if data.plausibility_note is not None and (
        entry.plausibility_note != data.plausibility_note.strip()
    ):
        return True
    return any(getattr(entry, name) != getattr(data, name).strip() for name in TEXT_FIELDS)


def _check_complete(ledger: WeeklyLedger) -> None:
    """Every figure filled in and every rule met, or EntryErrors whose summary says what is
    missing once (not once per entry) while each empty field is still marked."""
    entries = list(ledger.entries.select_related("indicator"))
    if not entries:
        raise LedgerError("本周帐没有需要填报的指标，无需提交。")
    ids = [e.indicator_id for e in entries]
    previous = last_figures(unit_id=ledger.unit_id, period=ledger.period, indicator_ids=ids)
    targets = annual_targets(unit_id=ledger.unit_id, indicator_ids=ids)
    missing, problems = [], []
    for entry in entries:
        if entry.indicator.is_derived:
            continue  # derived from the registers (derive_ledger runs before this check)
        if not entry.indicator.is_milestone and entry.value is None:
            missing.append(entry.indicator.name)
            text = f"「{entry.indicator.name}」尚未填写累计数"
            problems.append(EntryProblem(entry.indicator_id, "value", "请填写本周累计数", text))
        data = EntryInput(
            value=entry.value,
            done_on=entry.done_on,
            plausibility_note=entry.plausibility_note,
            **{name: getattr(entry, name) for name in TEXT_FIELDS},
        )
        problems += entry_problems(
            entry.indicator,
            data,
            previous=previous.get(entry.indicator_id),
            period=ledger.period,
            annual_target=targets.get(entry.indicator_id),
            note_required=True,
        )
    if problems:
        summary = [p.text for p in problems if p.message != "请填写本周累计数"]
        if missing:
            names = "、".join(f"「{name}」" for name in missing[:5])
            more = f"等 {len(missing)} 项指标" if len(missing) > 5 else ""
            summary.insert(0, f"尚未填写累计数：{names}{more}（已在下方标出）")
        raise EntryErrors(problems, summary=summary)


def _local_minute(moment: datetime) -> str:
    """`2026年6月12日 18:00`: how a time is shown to people here (local time)."""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _heads_of(unit_id):
    from accounts.models import User

    return User.objects.filter(
        unit_id=unit_id, is_active=True, groups__name=Role.UNIT_HEAD.group_name
    )


@transaction.atomic
def submit_ledger(
    *, ledger: WeeklyLedger, user, now: datetime | None = None, expected_version: int | None = None
) -> WeeklyLedger:
    """Hand the ledger in (or, after a return, hand the corrected entries back in).

    Where the year requires the unit head's confirmation and the submitter is not a unit head,
    the ledger waits for it; it counts as handed in when confirmed.
    """
    now = now or timezone.now()
    ledger = _ledger_for_update(ledger)
    check_version(ledger, expected_version, what="该周帐")
    if not is_unit_member(user, ledger.unit_id):
        raise LedgerError("只能提交本单位的周帐。")

    from .registers.derive import derive_ledger  # (they import this module)
    from .registers.reporting import registers_back_to_pending

    if ledger.status == Status.RETURNED:
        derive_ledger(ledger, user=user)
        _check_complete(ledger)
        registers_back_to_pending(ledger, user=user)
        for entry in ledger.entries.filter(review_status=Review.RETURNED):
            entry.review_status = Review.PENDING
            save_entry(entry, user=user, reason="退回后重新提交")
        derive_ledger(ledger, user=user)
        refresh_status(ledger)
        return ledger
    if ledger.status != Status.DRAFT:
        raise LedgerError(f"该周帐{ledger.get_status_display()}，不能重复提交。")
    if not window_open(ledger, now=now):
        raise LedgerError("该帐期已锁定，不能再提交；如需补报，请联系考核办重新开放。")
    derive_ledger(ledger, user=user)
    _check_complete(ledger)

    ledger.submitted_by = user
    needs_head = ledger.period.year.requires_head_confirmation
    if needs_head and not user.has_role(Role.UNIT_HEAD):
        ledger.status = Status.AWAITING_CONFIRMATION
        ledger.save()
        notify(
            recipients=_heads_of(ledger.unit_id),
            kind="confirm",
            title=f"{ledger.period}周帐待您确认",
            body=f"{user.full_name}已提交{ledger.unit}{ledger.period}的周帐，请审阅后确认。",
            url=reverse("ledger-week", args=[ledger.period_id]),
        )
        return ledger
    if needs_head:
        ledger.confirmed_by, ledger.confirmed_at = user, now
    _hand_in(ledger, now=now)
    derive_ledger(ledger, user=user)
    return ledger


@transaction.atomic
def confirm_ledger(
    *, ledger: WeeklyLedger, user, now: datetime | None = None, expected_version: int | None = None
) -> WeeklyLedger:
    """The unit head signs the ledger; it is handed in to the reviewers at this moment."""
    now = now or timezone.now()
    ledger = _ledger_for_update(ledger)
    check_version(ledger, expected_version, what="该周帐")
    if not (user.unit_id == ledger.unit_id and user.has_role(Role.UNIT_HEAD)):
        raise LedgerError("只有本单位负责人可以确认周帐。")
    if ledger.status != Status.AWAITING_CONFIRMATION:
        raise LedgerError("该周帐不在待确认状态。")
    if not window_open(ledger, now=now):
        raise LedgerError("该帐期已锁定，不能再确认；如需补报，请联系考核办重新开放。")
    ledger.confirmed_by, ledger.confirmed_at = user, now
    _hand_in(ledger, now=now)
    from .registers.derive import derive_ledger  # (it imports this module)

    derive_ledger(ledger, user=user)
    return ledger


@transaction.atomic
def withdraw_ledger(
    *, ledger: WeeklyLedger, user, now: datetime | None = None, expected_version: int | None = None
) -> WeeklyLedger:
    """Back to draft before the unit head confirmed (the head may send it back too)."""
    ledger = _ledger_for_update(ledger)
    check_version(ledger, expected_version, what="该周帐")
    if not is_unit_member(user, ledger.unit_id):
        raise LedgerError("只能操作本单位的周帐。")
    if ledger.status != Status.AWAITING_CONFIRMATION:
        raise LedgerError("只有待确认的周帐可以退回草稿。")
    ledger.status = Status.DRAFT
    ledger.save()
    return ledger


def _hand_in(ledger: WeeklyLedger, *, now: datetime) -> None:
    ledger.hand_in(at=now)
    ledger.save()


def refresh_status(ledger: WeeklyLedger) -> None:
    """Derive a handed-in ledger's status from its entries' review states."""
    if ledger.status in WeeklyLedger.NOT_HANDED_IN:
        return
    status = WeeklyLedger.status_from_reviews(
        ledger.entries.values_list("review_status", flat=True)
    )
    if status != ledger.status:
        ledger.status = status
        ledger.save(update_fields=["status"])


@transaction.atomic
def reopen_ledger(*, unit, period: Period, user, until: datetime, reason: str) -> WeeklyLedger:
    """The office reopens a locked period for one unit, with a reason that is kept."""
    if not acts_as_office(user):
        raise LedgerError("只有考核办可以重新开放帐期。")
    if not reason.strip():
        raise LedgerError("请填写重新开放的原因。")
    if until <= timezone.now():
        raise LedgerError("补报截止时间须晚于现在。")
    ledger = _ledger_for_update(open_ledger(unit=unit, period=period))
    if ledger.status not in WeeklyLedger.NOT_HANDED_IN:
        raise LedgerError("该周帐已提交，无需重新开放；被退回的条目可直接修改。")
    if ledger.reopened_until == until:
        return ledger  # the same reopening twice (a double click, a retry): kept and told once
    ledger.reopened_until = until
    ledger.save()
    LedgerReopening.objects.create(
        ledger=ledger, reopened_by=user, until=until, reason=reason.strip()
    )
    notify(
        recipients=ledger.unit.users.filter(is_active=True),
        kind="reopened",
        title=f"{period}周帐已重新开放",
        body=(
            f"考核办已重新开放本单位{period}的周帐，"
            f"请于{_local_minute(until)}前补报。原因：{reason.strip()}"
        ),
        url=reverse("ledger-week", args=[period.pk]),
    )
    return ledger
