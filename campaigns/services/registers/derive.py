"""Derived ledger entries from the registers (issue 13): nobody types them.

`derive_ledger(ledger)` recomputes every derived entry of a ledger (Indicator.is_derived):

- The rows behind an indicator are the unit's rows of its register: its active key projects
  of the indicator's campaign; its signings of the year signed on or before the period's end;
  the active pilot villages of the township.
- entry.value is the figure from what was REPORTED in this ledger: a row reported this week
  counts with its report (the investment as reported, a signing's amount as entered); a row
  without a report this week counts with its latest VERIFIED state up to this week, else its
  registered baseline (a project: its registered status, no investment yet; a task: 0 %; a
  village's funds in place: 0).
- The VERIFIED figure takes verified states only (a verified report counts the reviewer's
  corrected figure; a pending or returned one is replaced by the row's latest verified state,
  a signing not verified does not count).
- Review state: before hand-in, pending. After: returned when any report / signing of THIS
  ledger behind the entry is returned; verified (verified_value = the verified figure) when
  every one of them is verified — none at all also counts, the figure then rests on verified
  states only; otherwise pending with no verified value. So until a row's report is verified,
  rule 1 (campaigns.verified_figures) keeps the unit's figure at the last verified value.

Entries are written through `save_entry` (history) only when something changed; then
`refresh_status(ledger)`. The rows are read in a fixed number of queries, not one per row.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from ...models import (
    Indicator,
    KeyProject,
    LedgerEntry,
    PilotVillage,
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
    WeeklyLedger,
)
from ...register_models import Funds, ReviewStatus
from ...registers.derivation import ProjectState, SignedState, VillageState, figure
from ..ledger import refresh_status, save_entry

Review = LedgerEntry.ReviewStatus
ZERO = Decimal("0")
DEFAULT_REASON = "由台帐自动生成"


class _Behind:
    """One indicator's rows: reported and verified states, and this ledger's review states."""

    def __init__(self):
        self.reported: list = []
        self.verified: list = []
        self.states: list[str] = []  # review states of this ledger's reports behind it

    def review(self, handed_in: bool) -> str:
        if not handed_in:
            return Review.PENDING
        if ReviewStatus.RETURNED in self.states:
            return Review.RETURNED
        if all(s == ReviewStatus.VERIFIED for s in self.states):
            return Review.VERIFIED
        return Review.PENDING


def _latest_per(rows, key) -> dict:
    """The first row per key of rows ordered newest first."""
    latest = {}
    for row in rows:
        latest.setdefault(key(row), row)
    return latest


def _latest_verified(model, row_field: str, ids, period) -> dict:
    """Row id -> its latest verified report (ProjectReport / VillageReport) in the period's
    year up to the period."""
    return _latest_per(
        model.objects.filter(
            **{f"{row_field}__in": ids},
            review_status=ReviewStatus.VERIFIED,
            ledger__period__year_id=period.year_id,
            ledger__period__iso_week__lte=period.iso_week,
        ).order_by(row_field, "-ledger__period__iso_week"),
        key=lambda r: getattr(r, row_field),
    )


def _projects(ledger: WeeklyLedger, campaign_ids: set[int]) -> dict[int, _Behind]:
    """campaign id -> the unit's projects of that campaign."""
    period = ledger.period
    projects = list(
        KeyProject.objects.filter(
            unit_id=ledger.unit_id,
            year_id=period.year_id,
            campaign_id__in=campaign_ids,
            active=True,
        )
    )
    ids = [p.pk for p in projects]
    this_week = {
        r.project_id: r for r in ProjectReport.objects.filter(ledger=ledger, project_id__in=ids)
    }
    verified = _latest_verified(ProjectReport, "project_id", ids, period)
    behind: dict[int, _Behind] = defaultdict(_Behind)
    for project in projects:
        rows = behind[project.campaign_id]
        base = dict(annual_plan=project.annual_plan, is_new=project.is_new)
        last = verified.get(project.pk)
        if last is not None:
            verified_state = ProjectState(
                status=last.status, investment=last.counted_investment, **base
            )
        else:
            verified_state = ProjectState(status=project.registered_status, investment=ZERO, **base)
        report = this_week.get(project.pk)
        if report is not None:
            rows.states.append(report.review_status)
            rows.reported.append(
                ProjectState(status=report.status, investment=report.investment_to_date, **base)
            )
        else:
            rows.reported.append(verified_state)
        rows.verified.append(verified_state)
    return behind


def _signed(ledger: WeeklyLedger) -> _Behind:
    rows = _Behind()
    for signing in SignedProject.objects.filter(
        unit_id=ledger.unit_id,
        year_id=ledger.period.year_id,
        signed_on__lte=ledger.period.ends_on,
    ):
        rows.reported.append(SignedState(signing.amount, signing.investor_class))
        if signing.review_status == ReviewStatus.VERIFIED:
            rows.verified.append(SignedState(signing.counted_amount, signing.investor_class))
        if signing.ledger_id == ledger.pk:
            rows.states.append(signing.review_status)
    return rows


def _funds(row) -> dict[str, Decimal]:
    return {name: getattr(row, name) for name in Funds.FUND_FIELDS}


def _villages(ledger: WeeklyLedger) -> _Behind:
    period = ledger.period
    villages = list(
        PilotVillage.objects.filter(township_id=ledger.unit_id, year_id=period.year_id, active=True)
    )
    ids = [v.pk for v in villages]
    tasks = defaultdict(list)
    for task in VillageTask.objects.filter(village_id__in=ids):
        tasks[task.village_id].append(task.pk)
    this_week = {
        r.village_id: r for r in VillageReport.objects.filter(ledger=ledger, village_id__in=ids)
    }
    verified = _latest_verified(VillageReport, "village_id", ids, period)
    # A task's latest verified completion up to this week (a report may leave a task out).
    task_verified = _latest_per(
        # Through the report's village, not the task's: the same lines, and an index the
        # planner finds (through the task it scanned every ledger of the year at city scale).
        VillageTaskProgress.objects.filter(
            report__village_id__in=ids,
            report__review_status=ReviewStatus.VERIFIED,
            report__ledger__period__year_id=period.year_id,
            report__ledger__period__iso_week__lte=period.iso_week,
        )
        .order_by("task_id", "-report__ledger__period__iso_week")
        .only("task_id", "completion"),
        key=lambda p: p.task_id,
    )
    task_reported = {
        p.task_id: p.completion
        for p in VillageTaskProgress.objects.filter(report__in=list(this_week.values())).only(
            "task_id", "completion"
        )
    }
    rows = _Behind()
    for village in villages:
        planned = _funds(village)
        done = {
            t: (task_verified[t].completion if t in task_verified else ZERO)
            for t in tasks[village.pk]
        }
        last = verified.get(village.pk)
        verified_funds = _funds(last) if last is not None else {}
        verified_state = VillageState(tuple(done.values()), planned, verified_funds)
        rows.verified.append(verified_state)
        report = this_week.get(village.pk)
        if report is None:
            rows.reported.append(verified_state)
            continue
        rows.states.append(report.review_status)
        reported = tuple(task_reported.get(t, done[t]) for t in tasks[village.pk])
        rows.reported.append(VillageState(reported, planned, _funds(report)))
    return rows


def _behind_entries(ledger: WeeklyLedger, entries: list[LedgerEntry]) -> dict[int, _Behind]:
    """entry id -> the rows behind it."""
    registers = {e.indicator.register for e in entries}
    campaigns = {e.indicator.campaign_id for e in entries if e.indicator.register == "projects"}
    projects = _projects(ledger, campaigns) if campaigns else {}
    signed = _signed(ledger) if "signed" in registers else None
    villages = _villages(ledger) if "villages" in registers else None
    behind = {}
    for entry in entries:
        register = entry.indicator.register
        if register == "projects":
            behind[entry.pk] = projects.get(entry.indicator.campaign_id) or _Behind()
        else:
            behind[entry.pk] = signed if register == "signed" else villages
    return behind


@transaction.atomic
def derive_ledger(ledger: WeeklyLedger, *, user=None, reason: str = DEFAULT_REASON) -> list[int]:
    """Recompute the ledger's derived entries (the rule is the module's docstring); returns
    the ids of the entries that changed."""
    ledger = WeeklyLedger.objects.select_related("period").get(pk=ledger.pk)
    entries = list(
        ledger.entries.select_related("indicator")
        .exclude(indicator__source=Indicator.Source.LEDGER)
        .select_for_update(of=("self",))
    )
    if not entries:
        return []
    handed_in = ledger.status not in WeeklyLedger.NOT_HANDED_IN
    behind = _behind_entries(ledger, entries)
    changed = []
    for entry in entries:
        indicator, rows = entry.indicator, behind[entry.pk]
        value = figure(indicator.source, indicator.measure, rows.reported)
        status = rows.review(handed_in)
        verified_value = None
        if status == Review.VERIFIED:
            verified_value = figure(indicator.source, indicator.measure, rows.verified)
        if (entry.value, entry.verified_value, entry.review_status) == (
            value,
            verified_value,
            status,
        ):
            continue
        entry.value, entry.verified_value, entry.review_status = value, verified_value, status
        save_entry(entry, user=user, reason=reason)
        changed.append(entry.pk)
    refresh_status(ledger)
    return changed
