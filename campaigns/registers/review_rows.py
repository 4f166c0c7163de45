"""The lead department's register review queue (a read model): project reports, village reports
and signings of handed-in ledgers that the reviewer's unit verifies (`scope.reviewer_scope`),
never its own unit's — each with its reported figures beside the last verified ones and its
photos, in the same number of queries whatever the page holds.

The office and county leaders read every handed-in row (they do not verify).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from accounts.permissions import reads_every_unit

from ..models import ProjectReport, VillageReport, VillageTaskProgress, WeeklyLedger
from ..register_models import Funds, ReviewStatus
from ..templatetags.figures import figure
from . import scope

KINDS = ("project", "village", "signed")


@dataclass
class Figure:
    label: str
    reported: object
    verified: object = None  # last week's verified figure (the row's latest before this week)
    suffix: str = ""

    @property
    def shown(self) -> str:
        return _shown(self.reported, self.suffix)

    @property
    def shown_verified(self) -> str:
        return _shown(self.verified, self.suffix)


def _shown(value, suffix: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{figure(value)}{suffix}"
    return str(value)


@dataclass
class ReviewRow:
    kind: str  # "project", "village", "signed"
    obj: object  # the ProjectReport, VillageReport or SignedProject
    figures: list[Figure] = field(default_factory=list)
    photos: list = field(default_factory=list)

    @property
    def ledger(self):
        return self.obj.ledger

    @property
    def row(self):
        """The register row: a KeyProject, PilotVillage or the SignedProject itself."""
        if self.kind == "project":
            return self.obj.project
        if self.kind == "village":
            return self.obj.village
        return self.obj

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.obj.pk}"


def _scoped(user, rows, *, register: str, year_ref: str, campaign_ref=None):
    rows = rows.filter(ledger__status__in=WeeklyLedger.HANDED_IN)
    if reads_every_unit(user):
        return rows
    return rows.filter(
        scope.reviewer_scope(user, register, year_ref=year_ref, campaign_ref=campaign_ref)
    ).exclude(ledger__unit_id=user.unit_id)


def _filtered(rows, *, status, period_id, unit_id):
    q = Q()
    if status:
        q &= Q(review_status=status)
    if period_id:
        q &= Q(ledger__period_id=period_id)
    if unit_id:
        q &= Q(ledger__unit_id=unit_id)
    return rows.filter(q)


def register_review_queue(
    user, *, kind=None, status=ReviewStatus.PENDING, period_id=None, unit_id=None
) -> list[ReviewRow]:
    """The rows the user's unit verifies (or, for the office and leaders, reads), newest week
    first; each a ReviewRow without its figures yet (`with_figures` adds them to a page)."""
    filters = {"status": status, "period_id": period_id, "unit_id": unit_id}
    found: list[ReviewRow] = []
    if kind in (None, "project"):
        rows = scope.project_reports_visible_to(user).select_related("project__campaign")
        rows = _scoped(
            user,
            rows,
            register="projects",
            year_ref="project__year_id",
            campaign_ref="project__campaign_id",
        )
        found += [ReviewRow("project", r) for r in _filtered(rows, **filters)]
    if kind in (None, "village"):
        rows = _scoped(
            user,
            scope.village_reports_visible_to(user),
            register="villages",
            year_ref="village__year_id",
        )
        found += [ReviewRow("village", r) for r in _filtered(rows, **filters)]
    if kind in (None, "signed"):
        rows = scope.signed_projects_visible_to(user).select_related("ledger__unit")
        rows = _scoped(user, rows, register="signed", year_ref="year_id")
        found += [ReviewRow("signed", r) for r in _filtered(rows, **filters)]
    found.sort(
        key=lambda r: (-r.ledger.period.iso_week, r.ledger.unit.sort_order, r.kind, r.obj.pk)
    )
    return found


def _latest_before(rows, key) -> dict:
    """key -> [(iso_week, row)] newest first, for 'the latest before week w' lookups."""
    by_key: dict = {}
    for row in rows:
        by_key.setdefault(key(row), []).append((row.ledger.period.iso_week, row))
    return by_key


def _before(history: dict, key, week: int):
    return next((row for w, row in history.get(key, []) if w < week), None)


def _mean(values) -> Decimal | None:
    values = list(values)
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01")) if values else None


def _in_place(report) -> Decimal:
    return sum((getattr(report, name) for name in Funds.FUND_FIELDS), Decimal(0))


def with_figures(rows: list[ReviewRow]) -> list[ReviewRow]:
    """Each row given its figures (reported beside the last verified) and its photos: a fixed
    number of queries for the page."""
    projects = [r for r in rows if r.kind == "project"]
    villages = [r for r in rows if r.kind == "village"]
    if projects:
        history = _latest_before(
            ProjectReport.objects.filter(
                project_id__in={r.obj.project_id for r in projects},
                review_status=ReviewStatus.VERIFIED,
            )
            .select_related("ledger__period")
            .order_by("project_id", "-ledger__period__iso_week"),
            key=lambda r: r.project_id,
        )
        photos = ProjectReport.objects.filter(pk__in=[r.obj.pk for r in projects])
        evidence = {p.pk: list(p.evidence.all()) for p in photos.prefetch_related("evidence")}
        for row in projects:
            report = row.obj
            last = _before(history, report.project_id, report.ledger.period.iso_week)
            row.figures = [
                Figure(
                    "项目状态",
                    report.get_status_display(),
                    last.get_status_display()
                    if last
                    else report.project.get_registered_status_display(),
                ),
                Figure(
                    "本年累计完成投资",
                    report.investment_to_date,
                    last.counted_investment if last else None,
                    "万元",
                ),
            ]
            row.photos = evidence.get(report.pk, [])
    if villages:
        ids = {r.obj.village_id for r in villages}
        history = _latest_before(
            VillageReport.objects.filter(village_id__in=ids, review_status=ReviewStatus.VERIFIED)
            .select_related("ledger__period")
            .order_by("village_id", "-ledger__period__iso_week"),
            key=lambda r: r.village_id,
        )
        report_ids = {r.obj.pk for r in villages} | {
            row.pk for rows_ in history.values() for _, row in rows_
        }
        lines: dict[int, list] = {}
        for line in VillageTaskProgress.objects.filter(report_id__in=report_ids):
            lines.setdefault(line.report_id, []).append(line.completion)
        photos = VillageReport.objects.filter(pk__in=[r.obj.pk for r in villages])
        evidence = {p.pk: list(p.evidence.all()) for p in photos.prefetch_related("evidence")}
        for row in villages:
            report = row.obj
            last = _before(history, report.village_id, report.ledger.period.iso_week)
            row.figures = [
                Figure(
                    "任务平均完成进度",
                    _mean(lines.get(report.pk, [])),
                    _mean(lines.get(last.pk, [])) if last else None,
                    "%",
                ),
                Figure(
                    "资金到位合计", _in_place(report), _in_place(last) if last else None, "万元"
                ),
            ]
            row.photos = evidence.get(report.pk, [])
    for row in rows:
        if row.kind == "signed":
            signing = row.obj
            row.figures = [
                Figure("投资方", f"{signing.investor}（{signing.get_investor_class_display()}）"),
                Figure("协议投资额", signing.amount, signing.verified_amount, "万元"),
                Figure("进展阶段", signing.get_stage_display()),
            ]
    return rows
