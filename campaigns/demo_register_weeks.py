"""The demo's weekly register reports and derived entries, in bulk (campaigns/demo_registers.py).

derive_ledger (campaigns.services.registers.derive) reads a ledger's rows in a dozen queries
and saves each derived entry with its history: a few tens of milliseconds a ledger, minutes
for the demo's ~2,900. The demo builder instead fills the derived entries in memory before
they are first written (campaigns.demo's history writer calls `fill` before its bulk_create),
with the same pure functions (campaigns.registers.derivation.figure and its states) and the
same rules as derive_ledger's docstring:

- rows behind an entry: the unit's active projects of the indicator's campaign, its signings
  signed on or before the period's end, the township's active villages;
- value from what this ledger reports (a row without a report: its latest verified state up
  to this week, else its registered baseline); verified_value from verified states only;
- review state: pending before hand-in; returned if a report / signing of this ledger behind
  it is returned; verified if all are (none counts); else pending. The ledger's status then
  follows its entries (WeeklyLedger.status_from_reviews), as refresh_status would.

tests/campaigns/test_demo_registers.py checks that derive_ledger changes nothing afterwards.
"""

from collections import defaultdict
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from .models import (
    LedgerEntry,
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTaskProgress,
    WeeklyLedger,
)
from .register_models import Funds, ReviewStatus
from .registers.derivation import ProjectState, SignedState, VillageState, figure

Review = LedgerEntry.ReviewStatus
ZERO = Decimal("0")
PENDING = (ReviewStatus.PENDING, None, None, "")
RANK = {ReviewStatus.VERIFIED: 0, ReviewStatus.PENDING: 1, ReviewStatus.RETURNED: 2}


def _funds(row) -> dict:
    return {name: getattr(row, name) for name in Funds.FUND_FIELDS}


class RegisterWeeks:
    """Builds each new ledger's register reports and fills its derived entries, unit by unit
    and week by week (the history writer's order), keeping each row's latest verified state."""

    def __init__(self, *, projects, villages, signings, indicators, reviewers, assessment):
        self.indicators = {i.pk: i for i in indicators}
        self.projects = defaultdict(list)  # unit id -> [ProjectTruth]
        for truth in projects:
            if truth.row.active:
                self.projects[truth.row.unit_id].append(truth)
        self.villages = defaultdict(list)  # township id -> [VillageTruth]
        for truth in villages:
            self.villages[truth.row.township_id].append(truth)
        self.to_sign = defaultdict(list)  # unit id -> [SignedTruth] not yet entered
        entered = set(SignedProject.objects.filter(year=assessment).values_list("unit_id", "name"))
        for truth in signings:
            if (truth.unit.pk, truth.name) not in entered:
                self.to_sign[truth.unit.pk].append(truth)
        self.signed = defaultdict(list)  # unit id -> [SignedProject], entered or existing
        for signing in SignedProject.objects.filter(year=assessment):
            self.signed[signing.unit_id].append(signing)
        self.reviewer_of = {}
        for i in indicators:
            key = (i.register, i.campaign_id if i.register == "projects" else None)
            self.reviewer_of.setdefault(key, reviewers.get(i.lead_unit_id))
        self._load_verified(assessment)
        self.pending = []  # (model, rows) to write once the ledgers have ids
        self.reports = 0

    def _load_verified(self, assessment):
        """Latest verified states from the reports of earlier runs."""
        self.project_verified = {}
        for r in ProjectReport.objects.filter(
            project__year=assessment, review_status=ReviewStatus.VERIFIED
        ).order_by("ledger__period__iso_week"):
            self.project_verified[r.project_id] = (r.status, r.counted_investment)
        self.village_verified = {}
        for r in VillageReport.objects.filter(
            village__year=assessment, review_status=ReviewStatus.VERIFIED
        ).order_by("ledger__period__iso_week"):
            self.village_verified[r.village_id] = _funds(r)
        self.task_verified = dict(
            VillageTaskProgress.objects.filter(
                task__village__year=assessment, report__review_status=ReviewStatus.VERIFIED
            )
            .order_by("report__ledger__period__iso_week")
            .values_list("task_id", "completion")
        )

    # --- reviews ----------------------------------------------------------------------------

    def _reviews(self, ledger, entries) -> dict:
        """(register, campaign id | None) -> (state, reviewer, at, comment) of this ledger's
        reports: like its entries of the register's derived indicators (the worst of them),
        else like the ledger as a whole; pending before hand-in."""
        if ledger.status in WeeklyLedger.NOT_HANDED_IN:
            return defaultdict(lambda: PENDING)
        specific, verified, latest = {}, True, None
        for entry in entries:
            verified &= entry.review_status == Review.VERIFIED
            if entry.reviewed_at and (latest is None or entry.reviewed_at > latest):
                latest = entry.reviewed_at
            indicator = self.indicators.get(entry.indicator_id)
            if indicator is None:
                continue
            key = (indicator.register, indicator.campaign_id)
            if indicator.register != "projects":
                key = (indicator.register, None)
            seen = specific.get(key)
            if seen is None or RANK[entry.review_status] > RANK[seen[0]]:
                specific[key] = (
                    entry.review_status,
                    entry.reviewer_id,
                    entry.reviewed_at,
                    entry.review_comment,
                )
        for key, reviewer in self.reviewer_of.items():
            if key not in specific:
                ok = verified and latest and reviewer
                specific[key] = (ReviewStatus.VERIFIED, reviewer, latest, "") if ok else PENDING
        return specific

    # --- one ledger -------------------------------------------------------------------------

    def fill(self, ledgers, entries) -> None:
        """Reports of each new ledger (unsaved) and its derived entries' figures, in place."""
        for ledger, rows in zip(ledgers, entries, strict=True):
            derived = [e for e in rows if e.indicator_id in self.indicators]
            unit_id = ledger.unit.pk
            if not (derived or self.projects[unit_id] or self.villages[unit_id]):
                continue
            reviews = self._reviews(ledger, rows)
            behind = {
                "signed": self._signed(ledger, reviews),
                "villages": self._villages(ledger, reviews),
            }
            for campaign_id, states in self._projects(ledger, reviews).items():
                behind[("projects", campaign_id)] = states
            if not derived:
                continue
            handed_in = ledger.status not in WeeklyLedger.NOT_HANDED_IN
            for entry in derived:
                indicator = self.indicators[entry.indicator_id]
                key = indicator.register
                if key == "projects":
                    key = ("projects", indicator.campaign_id)
                reported, verified, states = behind.get(key) or ([], [], [])
                entry.value = figure(indicator.source, indicator.measure, reported)
                entry.progress = "由台帐自动生成"  # the simulated narrative told another figure
                entry.review_status = self._state(handed_in, states)
                entry.verified_value = (
                    figure(indicator.source, indicator.measure, verified)
                    if entry.review_status == Review.VERIFIED
                    else None
                )
            if handed_in:
                ledger.status = WeeklyLedger.status_from_reviews(e.review_status for e in rows)

    @staticmethod
    def _state(handed_in: bool, states: list) -> str:
        if not handed_in:
            return Review.PENDING
        if ReviewStatus.RETURNED in states:
            return Review.RETURNED
        if all(s == ReviewStatus.VERIFIED for s in states):
            return Review.VERIFIED
        return Review.PENDING

    def _projects(self, ledger, reviews) -> dict:
        out = defaultdict(lambda: ([], [], []))
        reports = []
        for truth in self.projects[ledger.unit.pk]:
            project = truth.row
            review = reviews.get(("projects", project.campaign_id)) or PENDING
            report = truth.report(ledger, review)
            reports.append(report)
            if report.review_status == ReviewStatus.VERIFIED:
                self.project_verified[project.pk] = (report.status, report.counted_investment)
            base = {"annual_plan": project.annual_plan, "is_new": project.is_new}
            status, invested = self.project_verified.get(
                project.pk, (project.registered_status, ZERO)
            )
            reported, verified, states = out[project.campaign_id]
            verified.append(ProjectState(status=status, investment=invested, **base))
            reported.append(
                ProjectState(status=report.status, investment=report.investment_to_date, **base)
            )
            states.append(report.review_status)
        self.pending.append((ProjectReport, reports))
        self.reports += len(reports)
        return out

    def _signed(self, ledger, reviews):
        unit_id, ends_on = ledger.unit.pk, ledger.period.ends_on
        waiting = self.to_sign[unit_id]
        now_entered = [t for t in waiting if t.signed_on <= ends_on]
        if now_entered:
            review = reviews.get(("signed", None)) or PENDING
            rows = [t.row(ledger, review) for t in now_entered]
            self.to_sign[unit_id] = [t for t in waiting if t.signed_on > ends_on]
            self.signed[unit_id] += rows
            self.pending.append((SignedProject, rows))
            self.reports += len(rows)
        reported, verified, states = [], [], []
        for signing in self.signed[unit_id]:
            if signing.signed_on > ends_on:
                continue
            reported.append(SignedState(signing.amount, signing.investor_class))
            if signing.review_status == ReviewStatus.VERIFIED:
                verified.append(SignedState(signing.counted_amount, signing.investor_class))
            if signing.pk is None and signing.ledger is ledger:
                states.append(signing.review_status)
        return reported, verified, states

    def _villages(self, ledger, reviews):
        reported, verified, states = [], [], []
        review = reviews.get(("villages", None)) or PENDING
        for truth in self.villages[ledger.unit.pk]:
            village = truth.row
            report, lines = truth.report(ledger, review)
            for line in lines:
                line.report = report
            self.pending.append((VillageReport, [report]))
            self.pending.append((VillageTaskProgress, lines))
            self.reports += 1
            if report.review_status == ReviewStatus.VERIFIED:
                self.village_verified[village.pk] = _funds(report)
                for line in lines:
                    self.task_verified[line.task.pk] = line.completion
            planned = _funds(village)
            done = tuple(self.task_verified.get(t.pk, ZERO) for t in truth.tasks)
            verified.append(VillageState(done, planned, self.village_verified.get(village.pk, {})))
            reported.append(
                VillageState(tuple(line.completion for line in lines), planned, _funds(report))
            )
            states.append(report.review_status)
        return reported, verified, states

    # --- writing ----------------------------------------------------------------------------

    def save(self) -> None:
        """Write the reports built by `fill` once their ledgers have ids (with history)."""
        by_model = defaultdict(list)
        for model, rows in self.pending:
            by_model[model] += rows
        self.pending = []
        for model in (ProjectReport, SignedProject, VillageReport, VillageTaskProgress):
            rows = by_model[model]
            if not rows:
                continue
            for row in rows:
                for name in ("ledger", "report"):
                    if hasattr(row, f"{name}_id") and getattr(row, f"{name}_id") is None:
                        setattr(row, name, getattr(row, name))  # the id given by bulk_create
            bulk_create_with_history(rows, model, batch_size=2000)
