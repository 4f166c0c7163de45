"""The demo registers' simulated truth (campaigns/demo_registers.py): how each key project,
pilot village and signing really goes over the year, and the weekly reports that tell it.

Deterministic: every draw comes from a random.Random seeded by the row's name.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Unit

from . import demo_register_data as data
from .models import (
    KeyProject,
    ProjectReport,
    SignedProject,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
    WeeklyLedger,
)
from .register_models import Funds, ReviewStatus

PStatus = KeyProject.Status
PENDING = (ReviewStatus.PENDING, None, None, "")


def _ramp(day: date, begin: date, end: date) -> float:
    if day <= begin:
        return 0.0
    if day >= end:
        return 1.0
    return (day - begin).days / max(1, (end - begin).days)


def _days(rng, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _review(row, review) -> None:
    state, reviewer, at, comment = review or PENDING
    row.review_status, row.reviewer_id, row.reviewed_at, row.review_comment = (
        state,
        reviewer,
        at,
        comment if state == ReviewStatus.RETURNED else "",
    )


def _visits(rng, start: date, today: date) -> list[date]:
    if today - start < timedelta(days=10):
        return []
    span = (today - start).days - 1
    days = {start + _days(rng, 1, span) for _ in range(rng.choice([0, 1, 1, 2, 2, 3]))}
    if rng.random() < 0.45:  # checked within the last month: about half the rows are not red
        days.add(today - _days(rng, 1, min(28, span)))
    return sorted(days)


@dataclass
class ProjectTruth:
    row: KeyProject
    year: int
    start: date | None
    suspended: date | None
    completed: date | None
    operating: date | None
    pace: float
    causes: tuple
    new: bool = False

    @classmethod
    def draw(cls, row, rng, year: int, *, laggard: bool) -> "ProjectTruth":
        planned = row.planned_start
        if row.registered_status != PStatus.NOT_STARTED:
            start = row.started_on or date(year - 1, 11, 1)
        else:
            draw, stuck = rng.random(), (0.15 if laggard else 0.06)
            if draw < stuck:
                start = None
            elif draw < stuck + (0.3 if laggard else 0.12):
                start = planned + _days(rng, 35, 100)
            else:
                start = planned + _days(rng, -10, 21)
        suspended = start + _days(rng, 50, 120) if start and rng.random() < 0.05 else None
        completed = operating = None
        small = row.annual_plan >= row.total_investment  # finished within the year
        if start and not suspended and small and rng.random() < 0.6:
            completed = max(start, date(year, 1, 1)) + _days(rng, 120, 240)
            if row.category == KeyProject.Category.INDUSTRY:
                operating = completed + _days(rng, 20, 45)
        pace = rng.uniform(0.6, 0.85) if laggard else rng.uniform(0.85, 1.08)
        causes = tuple(rng.sample(KeyProject.BLOCKER_FIELDS, 2 if start is None else 1))
        return cls(row, year, start, suspended, completed, operating, pace, causes)

    def state(self, day: date):
        """(status, started_on, investment to date in 万元, blocking causes) at the end of `day`."""
        row = self.row
        if self.start is None or day < self.start:
            late = row.planned_start and day >= row.planned_start - timedelta(days=14)
            return PStatus.NOT_STARTED, None, Decimal(0), self.causes if late else ()
        status = PStatus.UNDER_CONSTRUCTION
        begin = max(self.start, date(self.year, 1, 1))
        end = self.completed or date(self.year, 12, 20)
        stop = day
        if self.suspended and day >= self.suspended:
            status, stop = PStatus.SUSPENDED, self.suspended
        if self.completed and day >= self.completed:
            status = PStatus.COMPLETED
        if self.operating and day >= self.operating:
            status = PStatus.OPERATING
        invested = float(row.annual_plan) * self.pace * _ramp(stop, begin, end)
        invested = min(float(row.total_investment), invested)
        causes = ("blocked_funds",) if status == PStatus.SUSPENDED else ()
        return status, self.start, Decimal(round(invested)), causes

    def report(self, ledger: WeeklyLedger, review) -> ProjectReport:
        day = ledger.period.ends_on
        status, started_on, invested, causes = self.state(day)
        before = self.state(day - timedelta(days=7))
        report = ProjectReport(
            project=self.row, ledger=ledger, status=status, started_on=started_on,
            investment_to_date=invested, progress=self._progress(status, invested, before),
        )  # fmt: skip
        if status == PStatus.SUSPENDED:
            report.status_reason = data.SUSPENDED_NOTE
        for name in causes:
            setattr(report, name, True)
        report.blocking_note = "；".join(
            data.SUSPENDED_NOTE if status == PStatus.SUSPENDED else data.BLOCKING_NOTES[name]
            for name in causes
        )
        _review(report, review)
        return report

    def _progress(self, status, invested, before) -> str:
        label = PStatus(status).label
        if status == PStatus.NOT_STARTED:
            return "前期手续办理中" if not before[3] else "受制约因素影响，尚未开工，正在逐项会诊"
        if before[0] == PStatus.NOT_STARTED:
            return f"本周正式开工，累计完成投资{invested}万元"
        grew = invested - before[2]
        if grew > 0:
            return f"{label}，本周完成投资{grew}万元，累计{invested}万元"
        return f"{label}，本周无新增投资，累计{invested}万元"

    def visits(self, rng, today):
        return _visits(rng, date(self.year, 2, 20), today)

    def findings(self, day: date) -> str:
        status, _, invested, causes = self.state(day)
        if status == PStatus.NOT_STARTED:
            return "项目尚未开工：" + (
                "；".join(data.BLOCKING_NOTES[c] for c in causes) or "前期工作推进中"
            )
        if status == PStatus.SUSPENDED:
            return f"现场已停工，{data.SUSPENDED_NOTE}"
        return f"现场{PStatus(status).label}，累计完成投资约{invested}万元，与周报相符"


@dataclass
class VillageTruth:
    row: object  # PilotVillage
    year: int
    specs: list  # [(name, due, start, finish)]
    funds: dict  # field -> (begin, end, share)
    highlights: list[str]
    tasks: list = field(default_factory=list)  # VillageTask rows, in spec order
    new: bool = False

    @classmethod
    def draw(cls, row, rng, year: int, *, laggard: bool) -> "VillageTruth":
        chosen = sorted(
            rng.sample(data.VILLAGE_TASKS, rng.randint(6, 10)), key=lambda t: (t[1], t[2])
        )
        specs = []
        for name, month, day in chosen:
            due = date(year, month, day)
            start = date(year, 3, 1) + _days(rng, 0, 45)
            finish = due + (_days(rng, 0, 60) if laggard else _days(rng, -20, 25))
            specs.append((name, due, start, max(finish, start + timedelta(days=21))))
        funds = {
            name: (
                date(year, 3, 1) + _days(rng, 0, 60),
                date(year, 9, 15) + _days(rng, -45, 60),
                0.8 if laggard and name in Funds.MATCHING_FIELDS else 1.0,
            )
            for name in Funds.FUND_FIELDS
        }
        return cls(row, year, specs, funds, rng.sample(data.HIGHLIGHTS, 2))

    def make_tasks(self) -> list[VillageTask]:
        self.tasks = [
            VillageTask(village=self.row, name=name, due_on=due, sort_order=n * 10)
            for n, (name, due, _, _) in enumerate(self.specs, start=1)
        ]
        return self.tasks

    def load_tasks(self, *, new: bool) -> None:
        self.new = new
        if not new:
            by_name = {t.name: t for t in VillageTask.objects.filter(village=self.row)}
            self.tasks = [by_name[name] for name, *_ in self.specs if name in by_name]
            self.specs = [s for s in self.specs if s[0] in by_name]

    def completion(self, spec, day: date) -> Decimal:
        return Decimal(int(_ramp(day, spec[2], spec[3]) * 100))

    def report(self, ledger: WeeklyLedger, review):
        day = ledger.period.ends_on
        report = VillageReport(village=self.row, ledger=ledger)
        for name, (begin, end, share) in self.funds.items():
            planned = float(getattr(self.row, name))
            setattr(report, name, Decimal(f"{planned * share * _ramp(day, begin, end):.1f}"))
        shown = [h for n, h in enumerate(self.highlights) if day >= date(self.year, 5 + 2 * n, 1)]
        report.highlights = "；".join(shown)
        lines, moving = [], []
        for task, spec in zip(self.tasks, self.specs, strict=True):
            done = self.completion(spec, day)
            lines.append(
                VillageTaskProgress(
                    task=task, completion=done, done_on=spec[3] if done == 100 else None
                )
            )
            if done != self.completion(spec, day - timedelta(days=7)):
                moving.append(f"{spec[0]}{done}%")
        average = sum((line.completion for line in lines), Decimal(0)) / max(1, len(lines))
        report.progress = (
            f"本周推进：{'、'.join(moving)}" if moving else "本周各项任务无新进展"
        ) + f"；任务平均完成{average:.0f}%"
        _review(report, review)
        return report, lines

    def visits(self, rng, today):
        return _visits(rng, date(self.year, 3, 10), today)

    def findings(self, day: date) -> str:
        done = [self.completion(spec, day) for spec in self.specs]
        average = sum(done, Decimal(0)) / max(1, len(done))
        return f"实地查看建设任务{len(done)}项，平均完成约{average:.0f}%，现场与周报基本相符"


@dataclass
class SignedTruth:
    year: object  # AssessmentYear
    unit: object
    name: str
    investor: str
    investor_class: str
    amount: Decimal
    signed_on: date

    @classmethod
    def draw_unit(cls, assessment, unit, amount_yi, rng) -> list["SignedTruth"]:
        kind = unit.kind
        if kind == Unit.Kind.PARK:
            count = rng.randint(4, 7)
        else:
            count = rng.randint(1, 3) if kind == Unit.Kind.TOWNSHIP else 1
        total = float(amount_yi or 1) * 10000 * rng.uniform(0.75, 1.15)
        weights = [rng.uniform(0.5, 1.5) for _ in range(count)]
        first = date(assessment.year, 1, 12)
        days = sorted(first + _days(rng, 0, 310) for _ in range(count))
        Class = SignedProject.InvestorClass
        special = [Class.CENTRAL_SOE, Class.GLOBAL_500, Class.CHINA_500]
        rng.shuffle(special)
        out, names = [], set()
        for n in range(count):
            if kind == Unit.Kind.PARK and n < 3:
                cls_ = special[n]
            else:
                cls_ = Class.CHINA_500 if rng.random() < 0.2 else Class.OTHER
            investor = rng.choice(data.INVESTORS[cls_])
            name = f"{investor}{rng.choice(data.SIGNED_SUBJECTS)}项目"
            while name in names:
                name = name.removesuffix("项目") + "二期项目"
            names.add(name)
            wan = max(500, round(total * weights[n] / sum(weights) / 100) * 100)
            out.append(cls(assessment, unit, name, investor, cls_, Decimal(wan), days[n]))
        return out

    def row(self, ledger, review) -> SignedProject:
        signing = SignedProject(
            year=self.year, unit=self.unit, ledger=ledger, name=self.name,
            investor=self.investor, investor_class=self.investor_class, amount=self.amount,
            signed_on=self.signed_on,
        )  # fmt: skip
        _review(signing, review)
        return signing
