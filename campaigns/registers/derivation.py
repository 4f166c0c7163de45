"""The derived indicators' arithmetic (issue 13): register states in, one figure out.

Pure functions on plain dataclasses, no ORM: `campaigns.services.registers.derive` loads the
rows behind a ledger's derived entries, builds their states (what was reported this week, or
only what was verified) and asks `figure(source, measure, states)` for each entry.

Amounts in the registers are in 万元; an indicator measured in 亿元 divides by 10000, one in
万元 keeps them; a rate is × 100; a count is a count. Decimal throughout; the result is
rounded half-up to 4 decimals, the precision a LedgerEntry keeps (FIGURE).

- 开工率 (PROJECTS_STARTED_RATE) = started new projects ÷ new projects × 100, where a new
  project is one registered 未开工 and "started" is a status in KeyProject.STARTED. No new
  project behind it gives 0: the target shows the gap until the register is filled in.
- PROJECTS_STARTED_COUNT = started new projects.
- 投资完成率 = Σ investment to date ÷ Σ annual plan × 100; PROJECTS_INVESTMENT = Σ investment.
- SIGNED_AMOUNT = Σ amount; SIGNED_COUNT; SIGNED_LARGE_COUNT (amount ≥ 10000 万元 = 1 亿);
  SIGNED_CENTRAL_SOE / GLOBAL_500 / CHINA_500: signings of that investor class.
- 试点村任务完成率 = mean completion % over every task of the villages.
- 资金到位率 = Σ in place ÷ Σ planned (all six sources) × 100; 配套资金到位率 the same over
  县 / 乡镇 / 村; VILLAGE_SECURED_FUNDS = Σ in place of 中央 + 省 + 市.
Every rate over an empty denominator is 0.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..register_models import Funds, KeyProject, SignedProject

ZERO = Decimal("0")
HUNDRED = Decimal("100")
WAN_PER_YI = Decimal("10000")  # 万元 in one 亿元
LARGE_SIGNING = Decimal("10000")  # 万元: a signing of 1 亿元 or more
PLACES = Decimal("0.0001")

STARTED = frozenset(KeyProject.STARTED)
SECURED = Funds.SECURED_FIELDS
MATCHING = Funds.MATCHING_FIELDS
ALL_FUNDS = Funds.FUND_FIELDS
InvestorClass = SignedProject.InvestorClass


@dataclass(frozen=True)
class ProjectState:
    """A key project as one week sees it."""

    status: str
    investment: Decimal  # cumulative this year, 万元
    annual_plan: Decimal  # 万元
    is_new: bool  # registered 未开工: the 开工率's denominator

    @property
    def started(self) -> bool:
        return self.status in STARTED


@dataclass(frozen=True)
class SignedState:
    amount: Decimal  # 万元
    investor_class: str


@dataclass(frozen=True)
class VillageState:
    """A pilot village as one week sees it: each task's completion (0–100) and its funds by
    source (Funds field name → 万元), planned and in place."""

    task_completions: tuple[Decimal, ...] = ()
    planned: Mapping[str, Decimal] = field(default_factory=dict)
    in_place: Mapping[str, Decimal] = field(default_factory=dict)


REGISTER_NAMES = {"projects": "重点项目库", "signed": "招商签约库", "villages": "试点村库"}


def derived_refusal(indicator) -> str:
    """Why a derived indicator's entry cannot be typed (the message, without its name)."""
    return f"由{REGISTER_NAMES[indicator.register]}自动生成，不能直接填写"


def round_figure(value: Decimal) -> Decimal:
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)


def rate(part: Decimal, whole: Decimal) -> Decimal:
    """part ÷ whole × 100, 0 over an empty denominator."""
    if not whole:
        return ZERO
    return Decimal(part) * HUNDRED / Decimal(whole)


def amount_in(measure: str, wan: Decimal) -> Decimal:
    """An amount in 万元 expressed in the indicator's measure (亿元 divides by 10000)."""
    return Decimal(wan) / WAN_PER_YI if measure == "亿元" else Decimal(wan)


def _funds(villages: Iterable[VillageState], side: str, names) -> Decimal:
    return sum((Decimal(getattr(v, side).get(n, ZERO)) for v in villages for n in names), ZERO)


def _projects(source: str, measure: str, states: list[ProjectState]) -> Decimal:
    new = [s for s in states if s.is_new]
    started = sum(1 for s in new if s.started)
    invested = sum((s.investment for s in states), ZERO)
    if source == "projects_started_rate":
        return rate(Decimal(started), Decimal(len(new)))
    if source == "projects_started_count":
        return Decimal(started)
    if source == "projects_investment_rate":
        return rate(invested, sum((s.annual_plan for s in states), ZERO))
    if source == "projects_investment":
        return amount_in(measure, invested)
    raise ValueError(f"unknown project source {source}")


SIGNED_CLASS_SOURCES = {
    "signed_central_soe": InvestorClass.CENTRAL_SOE,
    "signed_global500": InvestorClass.GLOBAL_500,
    "signed_china500": InvestorClass.CHINA_500,
}


def _signed(source: str, measure: str, states: list[SignedState]) -> Decimal:
    if source == "signed_amount":
        return amount_in(measure, sum((s.amount for s in states), ZERO))
    if source == "signed_count":
        return Decimal(len(states))
    if source == "signed_large_count":
        return Decimal(sum(1 for s in states if s.amount >= LARGE_SIGNING))
    if source in SIGNED_CLASS_SOURCES:
        wanted = SIGNED_CLASS_SOURCES[source]
        return Decimal(sum(1 for s in states if s.investor_class == wanted))
    raise ValueError(f"unknown signing source {source}")


def _villages(source: str, measure: str, states: list[VillageState]) -> Decimal:
    if source == "village_task_rate":
        tasks = [Decimal(c) for s in states for c in s.task_completions]
        return sum(tasks, ZERO) / len(tasks) if tasks else ZERO
    if source == "village_funds_rate":
        return rate(_funds(states, "in_place", ALL_FUNDS), _funds(states, "planned", ALL_FUNDS))
    if source == "village_matching_rate":
        return rate(_funds(states, "in_place", MATCHING), _funds(states, "planned", MATCHING))
    if source == "village_secured_funds":
        return amount_in(measure, _funds(states, "in_place", SECURED))
    raise ValueError(f"unknown village source {source}")


def figure(source: str, measure: str, states: Iterable) -> Decimal:
    """The figure of a derived indicator (`source`, an Indicator.Source value, and its
    `measure`) from the states of the rows behind it, rounded to 4 decimals."""
    states = list(states)
    if source.startswith("projects_"):
        value = _projects(source, measure, states)
    elif source.startswith("signed_"):
        value = _signed(source, measure, states)
    elif source.startswith("village_"):
        value = _villages(source, measure, states)
    else:
        raise ValueError(f"{source} is not a derived source")
    return round_figure(value)
