"""The lead department's verdicts on register rows: a project report, a village report (as a
whole, with its task lines) or a signing — verify, correct (核减: the reviewer's figure beside
the unit's, which is kept) or return (with the reason; the unit is told).

Who: a reviewer of a unit that leads a derived indicator of the row's register
(`scope.reviews_row`), never on its own unit's rows, once the ledger it sits in is handed in.
Each verdict locks the row, records who and why in its history, keeps the register row's
current state when the report is the latest verified one, and re-derives the ledger's
derived entries (`derive_ledger`), which refreshes the ledger's status.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ...errors import LedgerError
from ...history import saved_with_history
from ...models import (
    KeyProject,
    PilotVillage,
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTask,
    WeeklyLedger,
)
from ...register_models import Blockers, ReviewStatus
from ...registers import scope
from ...versions import check_version
from ..review import tell_unit_returned
from .derive import derive_ledger


@dataclass(frozen=True)
class Kind:
    """One kind of reviewable register row."""

    key: str  # "project", "village", "signed" (the URLs' word)
    register: str  # scope's register name
    model: type
    label: str
    corrected_field: str | None  # where the reviewer's figure goes


KINDS = {
    "project": Kind("project", "projects", ProjectReport, "重点项目周报", "verified_investment"),
    "village": Kind("village", "villages", VillageReport, "试点村周报", None),
    "signed": Kind("signed", "signed", SignedProject, "招商签约项目", "verified_amount"),
}


def kind_of(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise LedgerError("没有这类台帐。") from None


def _register_row(kind: Kind, row):
    if kind.key == "project":
        return row.project
    if kind.key == "village":
        return row.village
    return row


def _unit_id(kind: Kind, row) -> int:
    return row.ledger.unit_id


def _name(kind: Kind, row) -> str:
    return str(_register_row(kind, row))


def _locked(kind: Kind, row_id: int):
    related = {"project": ["project"], "village": ["village"], "signed": []}[kind.key]
    # Its ledger first, then the row: the one lock order (services.review._locked_entries).
    ledger_id = kind.model.objects.filter(pk=row_id).values("ledger_id")
    list(WeeklyLedger.objects.select_for_update().filter(pk__in=ledger_id))
    row = (
        kind.model.objects.select_for_update(of=("self",))
        .select_related("ledger__period", "ledger__unit", *related)
        .filter(pk=row_id)
        .first()
    )
    if row is None:
        raise LedgerError("该台帐行不存在或无权查看。")
    return row


def review_refusal(user, kind: Kind, row) -> str | None:
    """Why `user` may not review this register row, or None when they may."""
    if not scope.reviews_row(user, kind.register, _register_row(kind, row)):
        return f"「{_name(kind, row)}」不属于本单位牵头核实的台帐。"
    if _unit_id(kind, row) == user.unit_id:
        return "不能核实本单位自己填报的台帐（审核与填报须分离）。"
    if row.ledger.status not in WeeklyLedger.HANDED_IN:
        return "该周帐尚未提交，不能核实。"
    return None


def _reviewable(kind_key: str, row_id: int, user, expected_version: int | None = None):
    kind = kind_of(kind_key)
    row = _locked(kind, row_id)
    refusal = review_refusal(user, kind, row)
    if refusal:
        raise LedgerError(refusal)
    check_version(row, expected_version, what=f"「{_name(kind, row)}」")
    return kind, row


def _is_latest_verified(kind: Kind, row) -> bool:
    """No verified report of the same row in a later week of the year."""
    if kind.key == "project":
        same = ProjectReport.objects.filter(project_id=row.project_id)
    else:
        same = VillageReport.objects.filter(village_id=row.village_id)
    return not same.filter(
        review_status=ReviewStatus.VERIFIED,
        ledger__period__year_id=row.ledger.period.year_id,
        ledger__period__iso_week__gt=row.ledger.period.iso_week,
    ).exists()


def _keep_project_state(report: ProjectReport, *, user) -> None:
    project = KeyProject.objects.select_for_update().get(pk=report.project_id)
    project.status = report.status
    project.started_on = report.started_on or project.started_on
    project.investment_to_date = report.counted_investment
    for name in (*Blockers.BLOCKER_FIELDS, "blocking_note"):
        setattr(project, name, getattr(report, name))
    saved_with_history(project, user=user, reason=f"核实{report.ledger.period}周报")


def _keep_village_state(report: VillageReport, *, user) -> None:
    village = PilotVillage.objects.select_for_update().get(pk=report.village_id)
    reason = f"核实{report.ledger.period}周报"
    if report.highlights.strip() and village.highlights != report.highlights:
        village.highlights = report.highlights
        saved_with_history(village, user=user, reason=reason)
    lines = {line.task_id: line.completion for line in report.tasks.all()}
    for task in VillageTask.objects.select_for_update().filter(pk__in=list(lines)):
        if task.completion != lines[task.pk]:
            task.completion = lines[task.pk]
            saved_with_history(task, user=user, reason=reason)


def rederive_from(ledger: WeeklyLedger, *, user, reason: str) -> None:
    """Re-derive the ledger and the unit's later ledgers of the year: a later week counts a
    row with no report of its own (a signing of an earlier week, a project without a
    report) at its latest verified state, which this verdict may have changed."""
    later = WeeklyLedger.objects.filter(
        unit_id=ledger.unit_id,
        period__year_id=ledger.period.year_id,
        period__iso_week__gte=ledger.period.iso_week,
    ).order_by("period__iso_week")
    for each in later:
        derive_ledger(each, user=user, reason=reason)


@transaction.atomic
def verify_row(
    *,
    kind: str,
    row_id: int,
    user,
    corrected: Decimal | None = None,
    comment: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
):
    """Verify a register row as reported, or at the reviewer's `corrected` figure (核减:
    a project's investment, a signing's amount; a comment is then required). Refused when
    the row changed since the page showed it at `expected_version` (campaigns.versions)."""
    now = now or timezone.now()
    kind, row = _reviewable(kind, row_id, user, expected_version)
    comment = comment.strip()
    if row.review_status == ReviewStatus.RETURNED:
        raise LedgerError(f"「{_name(kind, row)}」已退回单位修改，待其重新提交后再核实。")
    if corrected is not None:
        if kind.corrected_field is None:
            raise LedgerError("试点村周报不能核减，请退回单位修改。")
        if corrected < 0:
            raise LedgerError({"corrected": "核实数不能为负数。"})
        reported = row.investment_to_date if kind.key == "project" else row.amount
        if corrected == reported:
            corrected = None
        elif not comment:
            raise LedgerError({"comment": "请填写核减理由：核减或更正数值时须写明理由。"})
    if kind.corrected_field:
        setattr(row, kind.corrected_field, corrected)
    row.review_status = ReviewStatus.VERIFIED
    row.reviewer, row.reviewed_at, row.review_comment = user, now, comment
    reason = f"核减：{comment}" if corrected is not None else "核实"
    if corrected is None and comment:
        reason = f"核实：{comment}"
    saved_with_history(row, user=user, reason=reason)
    if kind.key in ("project", "village") and _is_latest_verified(kind, row):
        if kind.key == "project":
            _keep_project_state(row, user=user)
        else:
            _keep_village_state(row, user=user)
    rederive_from(row.ledger, user=user, reason=f"台帐核实：{_name(kind, row)}")
    return row


@transaction.atomic
def return_row(
    *,
    kind: str,
    row_id: int,
    user,
    comment: str,
    now: datetime | None = None,
    expected_version: int | None = None,
):
    """Send a register row back to its unit with the reason; the unit corrects it and hands
    the ledger back in (its reports then go back to pending)."""
    now = now or timezone.now()
    kind, row = _reviewable(kind, row_id, user, expected_version)
    comment = (comment or "").strip()
    if not comment:
        raise LedgerError({"comment": "请填写退回理由：退回时须写明退回理由。"})
    if row.review_status == ReviewStatus.RETURNED:
        raise LedgerError("该台帐行已退回，等待单位修改。")
    if kind.corrected_field:
        setattr(row, kind.corrected_field, None)
    row.review_status = ReviewStatus.RETURNED
    row.reviewer, row.reviewed_at, row.review_comment = user, now, comment
    saved_with_history(row, user=user, reason=f"退回：{comment}")
    ledger = row.ledger
    rederive_from(ledger, user=user, reason=f"台帐退回：{_name(kind, row)}")
    # The unit lands on the register section where the row is corrected.
    section = {"project": "projects", "village": "villages", "signed": "signed"}[kind.key]
    tell_unit_returned(
        ledger,
        user=user,
        what=f"{kind.label}「{_name(kind, row)}」",
        comment=comment,
        url=reverse(f"register-week-{section}", args=[ledger.period_id]),
    )
    return row
