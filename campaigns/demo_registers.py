"""The demo county's registers (issue 13): key projects, signings, pilot villages and their weeks.

Called by campaigns.demo.build_year once the ledgers are written, before any result is computed.

Decisions a reader should know:

- The rows follow the targets: every unit carrying a project-derived indicator (开工率, 开工个数,
  投资完成率) gets new projects (registered 未开工) — about as many as its 开工个数 target — and
  parks a few continuing ones; the units carrying 中心城区精品工程开工个数 get 精品工程 of the
  县城建设 campaign, and a few other departments and seat townships the county town's other
  works. Units carrying a signing indicator get signings summing to about their 签约额 target;
  every township carrying a village indicator gets one or two pilot villages.
- Each row has a simulated truth (deterministic per row name and seed): the day it breaks
  ground (most around the planned start, some late, about one in nine not at all, a few 停建
  later), a linear investment rising to about the annual plan, tasks ramping towards their due
  date (most 7月31日), funds arriving over the year. A week's report carries that truth at the
  period's end.
- A report is reviewed like the ledger it sits in: its state, reviewer and time mirror the
  ledger's entries of the register's derived indicators (returned if one is returned, pending
  if one is pending, else verified); a unit with no such entry (the county town's other works)
  follows the ledger as a whole. Drafts' reports are pending. A signing is entered in the
  unit's ledger of its signing week (or the next the unit handed in).
- The derived entries are then written by derive_ledger, one ledger at a time (the one rule,
  with history); the rows' current state is the latest verified report.
- Idempotent: rows are created once (by name), reports only for the ledgers built in this
  run, inspections only with new rows.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from simple_history.utils import bulk_create_with_history

from accounts.models import Unit, User
from accounts.roles import Role

from . import demo_register_data as data
from .demo_register_truths import ProjectTruth, SignedTruth, VillageTruth
from .demo_register_weeks import RegisterWeeks
from .models import (
    Indicator,
    Inspection,
    KeyProject,
    PilotVillage,
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
)
from .register_models import Funds, ReviewStatus

Source = Indicator.Source
PStatus = KeyProject.Status
PARK, TOWNSHIP = Unit.Kind.PARK, Unit.Kind.TOWNSHIP
CITY_WORK_UNITS = ("县交通运输局", "县城市管理局", "县自然资源局", "县水利局")


@dataclass
class RegisterCounts:
    projects: int = 0
    started: int = 0
    unstarted_late: int = 0
    suspended: int = 0
    signed: int = 0
    villages: int = 0
    tasks: int = 0
    reports: int = 0

    def line(self) -> str:
        return (
            f"台帐：重点项目 {self.projects} 个（已开工 {self.started} 个，逾期未开工 "
            f"{self.unstarted_late} 个，停建 {self.suspended} 个）、招商签约 {self.signed} 个、"
            f"试点村 {self.villages} 个（建设任务 {self.tasks} 项）；本次新建周报和签约 "
            f"{self.reports} 份。"
        )


class DemoRegisters:
    """The registers of one build_year run: rows first, then `weeks` fills each new ledger's
    reports and derived entries as the history writer builds it, then `finish`."""

    def __init__(self, *, assessment, units, plans, profiles, reviewers, seed, now):
        self.assessment, self.seed, self.reviewers = assessment, seed, reviewers
        self.today = now.date() if hasattr(now, "date") else now
        derived = {
            uid: [p.indicator for p in unit_plans if p.indicator.source != Source.LEDGER]
            for uid, unit_plans in plans.items()
            if uid is not None
        }
        targets = {
            (uid, p.indicator.source, p.indicator.campaign_id): p.annual
            for uid, unit_plans in plans.items()
            if uid is not None
            for p in unit_plans
        }
        self.indicators = list({i.pk: i for rows in derived.values() for i in rows}.values())
        leaders = _leaders()
        self.projects = _projects(
            assessment, units, derived, targets, self.indicators, profiles, leaders, seed
        )
        self.villages = _villages(assessment, units, derived, profiles, leaders, seed)
        signings = _signings(assessment, units, derived, targets, seed, self.today)
        self.weeks = RegisterWeeks(
            projects=self.projects, villages=self.villages, signings=signings,
            indicators=self.indicators, reviewers=reviewers, assessment=assessment,
        )  # fmt: skip

    def finish(self) -> RegisterCounts:
        """Inspections of the new rows, the rows' current state, the counts."""
        _inspections(
            self.projects, self.villages, self.reviewers, self.indicators, self.today, self.seed
        )
        _current_states(self.assessment)
        counts = RegisterCounts(reports=self.weeks.reports)
        _count(counts, self.assessment, self.today)
        return counts


def _leaders() -> list[tuple[int, set[int]]]:
    """[(leader id, their 联系单位 ids)] of the demo's county leaders, by username."""
    group = Group.objects.filter(name=Role.LEADER.group_name).first()
    if group is None:
        return []
    users = User.objects.filter(groups=group, is_active=True, username__startswith="leader")
    return [
        (user.pk, {unit.pk for unit in user.contact_units.all()})
        for user in users.order_by("username").prefetch_related("contact_units")
    ]


def _leader_for(leaders, unit_id: int, index: int) -> int | None:
    if not leaders:
        return None
    mine = [pk for pk, contacts in leaders if unit_id in contacts]
    return mine[0] if mine and index % 3 else leaders[(index // 3) % len(leaders)][0]


def _carries(derived, uid, register, campaign_id=None) -> bool:
    return any(
        i.register == register and (campaign_id is None or i.campaign_id == campaign_id)
        for i in derived.get(uid, [])
    )


def _project_rows(assessment, units, derived, targets, indicators, seed):
    """[(unit, campaign id, name, category, plan range, strategic, showcase, continuing)]."""
    campaigns = {i.campaign_id: i.campaign.name for i in indicators if i.register == "projects"}
    city = next((cid for cid, name in campaigns.items() if name == "县城建设会战"), None)
    leads = {i.lead_unit_id for i in indicators if i.register == "projects"}
    rows, strategic_left = [], 10
    for unit in units:
        for cid in campaigns:
            if cid == city or not _carries(derived, unit.pk, "projects", cid):
                continue
            rng = random.Random(f"{seed}:{unit.name}:projects")
            count = targets.get((unit.pk, Source.PROJECTS_STARTED_COUNT, cid))
            new = int(count) + rng.randint(0, 1) if count else (7 if unit.kind == PARK else 3)
            continuing = rng.randint(2, 3) if unit.kind == PARK else int(rng.random() < 0.3)
            names = rng.sample(data.INDUSTRY_PROJECTS, min(new + continuing, 26))
            strategic = 2 if unit.kind == PARK else int(rng.random() < 0.25)
            for n, (suffix, category, bounds) in enumerate(names):
                big = n < min(strategic, strategic_left)
                if big:
                    suffix, category, bounds = data.STRATEGIC_PROJECTS[n % 5]
                    strategic_left -= 1
                rows.append(
                    (unit, cid, f"{unit.short_name}{suffix}", category, bounds, big, False,
                     n >= new)
                )  # fmt: skip
    if city is None:
        return rows
    showcase = iter(data.SHOWCASE_PROJECTS)
    works = iter(data.CITY_WORKS)
    townships = [u for u in units if u.kind == TOWNSHIP]
    others = [
        u for u in units if u.name in CITY_WORK_UNITS or u in townships[1:4]
    ]  # the county town's other works: its departments and the seat townships
    for unit in units:
        if _carries(derived, unit.pk, "projects", city):
            count = targets.get((unit.pk, Source.PROJECTS_STARTED_COUNT, city)) or 1
            for _ in range(int(count) + 1):
                name, category, bounds = next(showcase, (None, None, None))
                if name:
                    rows.append((unit, city, name, category, bounds, False, True, False))
    for n in range(4 * len(others)):
        unit = others[n % len(others)]
        item = next(works, None)
        if item is None or unit.pk in leads or _carries(derived, unit.pk, "projects", city):
            continue
        rows.append((unit, city, item[0], item[1], item[2], False, False, n % 5 == 4))
    return rows


def _projects(assessment, units, derived, targets, indicators, profiles, leaders, seed):
    year = assessment.year
    rows = _project_rows(assessment, units, derived, targets, indicators, seed)
    found = {p.name: p for p in KeyProject.objects.filter(year=assessment)}
    truths, new = [], []
    for order, (unit, cid, name, category, bounds, strategic, showcase, continuing) in enumerate(
        rows, start=1
    ):
        rng = random.Random(f"{seed}:{name}:project")
        annual = Decimal(round(rng.uniform(*bounds) / 10) * 10)
        total = annual * Decimal(rng.choice(["1", "1", "1.5", "2", "3"]))
        planned = date(year, 2, 20) + timedelta(days=rng.randint(0, 150))
        row = found.get(name)
        if row is None:
            row = KeyProject(
                year=assessment, campaign_id=cid, name=name, unit=unit,
                park=unit if unit.kind == PARK else None,
                leader_id=_leader_for(leaders, unit.pk, order), category=category,
                total_investment=total, annual_plan=annual,
                planned_start=date(year - 1, 10, 1) if continuing else planned,
                registered_status=PStatus.UNDER_CONSTRUCTION if continuing else PStatus.NOT_STARTED,
                status=PStatus.UNDER_CONSTRUCTION if continuing else PStatus.NOT_STARTED,
                started_on=date(year - 1, 10, 1) + timedelta(days=rng.randint(0, 60))
                if continuing else None,
                strategic=strategic, showcase=showcase, sort_order=order * 10,
            )  # fmt: skip
            new.append(row)
        laggard = profiles[unit.pk].laggard if unit.pk in profiles else False
        truths.append(ProjectTruth.draw(row, rng, year, laggard=laggard))
    if new:
        bulk_create_with_history(new, KeyProject, default_change_reason="示范数据")
    for truth in truths:
        truth.new = truth.row in new
    return truths


def _villages(assessment, units, derived, profiles, leaders, seed):
    townships = [u for u in units if u.kind == TOWNSHIP and _carries(derived, u.pk, "villages")]
    extra = min(len(townships), max(0, round(len(townships) * 25 / 18) - len(townships)))
    levels = [PilotVillage.Level.PROVINCIAL] * 4 + [PilotVillage.Level.MUNICIPAL] * 8
    found = {(v.township_id, v.name): v for v in PilotVillage.objects.filter(year=assessment)}
    names = iter(data.VILLAGE_NAMES * 3)
    truths, new, order = [], [], 0
    stride = len(townships) / extra if extra else 0
    doubles = {int(i * stride) + 1 for i in range(extra)}  # townships with two villages
    for n, unit in enumerate(townships):
        for _ in range(2 if n in doubles else 1):
            order += 1
            name = next(names) if order <= len(data.VILLAGE_NAMES) else f"试点{order}村"
            rng = random.Random(f"{seed}:{unit.name}:{name}:village")
            level = levels[order % len(levels)] if order % 2 else PilotVillage.Level.COUNTY_AID
            row = found.get((unit.pk, name))
            if row is None:
                row = PilotVillage(
                    year=assessment, township=unit, name=name, level=level,
                    leader_id=_leader_for(leaders, unit.pk, order + 1), sort_order=order * 10,
                )  # fmt: skip
                for field, bounds in zip(
                    Funds.FUND_FIELDS,
                    data.LEVEL_FUNDS[level] + data.MATCHING_FUNDS,
                    strict=True,
                ):
                    setattr(row, field, Decimal(round(rng.uniform(*bounds) / 10) * 10))
                new.append(row)
            laggard = profiles[unit.pk].laggard if unit.pk in profiles else False
            truths.append(VillageTruth.draw(row, rng, assessment.year, laggard=laggard))
    if new:
        bulk_create_with_history(new, PilotVillage, default_change_reason="示范数据")
        tasks = [task for truth in truths if truth.row in new for task in truth.make_tasks()]
        bulk_create_with_history(tasks, VillageTask, default_change_reason="示范数据")
    for truth in truths:
        truth.load_tasks(new=truth.row in new)
    return truths


def _signings(assessment, units, derived, targets, seed, today):
    """The signings the units will enter over the year (unsaved SignedTruth, by date)."""
    out = []
    for unit in units:
        if not _carries(derived, unit.pk, "signed"):
            continue
        amount = next(
            (v for (uid, src, _), v in targets.items() if uid == unit.pk
             and src == Source.SIGNED_AMOUNT and v), None,
        )  # fmt: skip
        rng = random.Random(f"{seed}:{unit.name}:signed")
        out += SignedTruth.draw_unit(assessment, unit, amount, rng)
    return sorted(out, key=lambda s: (s.signed_on, s.unit.pk))


def _inspections(truths, villages, reviewers, indicators, today, seed):
    lead = {}
    for i in indicators:
        lead.setdefault((i.register, i.campaign_id if i.register == "projects" else None), i)
    rows = []
    for truth in truths + villages:
        if not truth.new:
            continue
        project = isinstance(truth, ProjectTruth)
        key = ("projects", truth.row.campaign_id) if project else ("villages", None)
        indicator = lead.get(key)
        inspector = reviewers.get(indicator.lead_unit_id) if indicator else None
        inspector = inspector or truth.row.leader_id
        if inspector is None:
            continue
        rng = random.Random(f"{seed}:{truth.row.name}:inspections")
        for visited in truth.visits(rng, today):
            rows.append(
                Inspection(
                    unit_id=truth.row.unit_id if project else truth.row.township_id,
                    project=truth.row if project else None,
                    village=None if project else truth.row,
                    inspector_id=inspector,
                    visited_on=visited,
                    place=f"{truth.row}现场",
                    findings=truth.findings(visited),
                )
            )
    Inspection.objects.bulk_create(rows)


def _current_states(assessment):
    """Rows' current state = their latest verified report (saved only where it differs)."""
    latest = {}
    for report in ProjectReport.objects.filter(
        project__year=assessment, review_status=ReviewStatus.VERIFIED
    ).order_by("project_id", "-ledger__period__ends_on"):
        latest.setdefault(report.project_id, report)
    for project in KeyProject.objects.filter(pk__in=latest):
        report = latest[project.pk]
        values = {
            "status": report.status,
            "started_on": report.started_on,
            "investment_to_date": report.counted_investment,
            **{name: getattr(report, name) for name in KeyProject.BLOCKER_FIELDS},
            "blocking_note": report.blocking_note,
        }
        _save_changed(project, values)
    done = {}
    for line in VillageTaskProgress.objects.filter(
        task__village__year=assessment, report__review_status=ReviewStatus.VERIFIED
    ).order_by("task_id", "-report__ledger__period__ends_on"):
        done.setdefault(line.task_id, line.completion)
    for task in VillageTask.objects.filter(pk__in=done):
        _save_changed(task, {"completion": done[task.pk]})
    highlights = {}
    for report in VillageReport.objects.filter(
        village__year=assessment, review_status=ReviewStatus.VERIFIED
    ).order_by("village_id", "-ledger__period__ends_on"):
        highlights.setdefault(report.village_id, report.highlights)
    for village in PilotVillage.objects.filter(pk__in=highlights):
        _save_changed(village, {"highlights": highlights[village.pk]})


def _save_changed(row, values):
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row._change_reason = "示范数据：最近一次核实的周报"
        row.save(update_fields=changed)


def _count(counts, assessment, today):
    projects = KeyProject.objects.filter(year=assessment)
    counts.projects = projects.count()
    counts.started = projects.filter(status__in=KeyProject.STARTED).count()
    counts.unstarted_late = projects.filter(
        status=PStatus.NOT_STARTED, planned_start__lt=today
    ).count()
    counts.suspended = projects.filter(status=PStatus.SUSPENDED).count()
    counts.signed = SignedProject.objects.filter(year=assessment).count()
    counts.villages = PilotVillage.objects.filter(year=assessment).count()
    counts.tasks = VillageTask.objects.filter(village__year=assessment).count()
