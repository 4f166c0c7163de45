"""The leader dashboard's red flags (红色预警): each a count, what it counts, and the page that
lists the same things — so a leader can follow every flag to what is behind it.

Each flag is one function below; `red_flags` runs them in order. The registers of issue 13
add three (`register_flags`): projects not started after their planned start, projects
suspended or stalled, and projects / pilot villages unchecked on site for more than 30 days —
the rule is campaigns.registers.red_flags, the rows are read once by the dashboard
(campaigns.registers.contracted.register_rows) and each flag links to the 分包 view listing the
same rows (`?leader=all&red=<kind>`).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from campaigns.models import FollowUp
from campaigns.registers.contracted import ALL
from campaigns.registers.red_flags import matches
from campaigns.selectors import Cell, completeness_matrix

from ..models import UnitScore
from ..selectors import unit_scores_visible_to
from .common import OPEN, Moment, follow_ups_visible_to, latest_published, link
from .progress import Progress


@dataclass
class Flag:
    key: str
    label: str
    count: int
    url: str | None
    note: str = ""  # what is counted, in a line
    names: list[str] = field(default_factory=list)  # the units named, when few

    @property
    def raised(self) -> bool:
        return self.count > 0


def lagging_units(user, at: Moment) -> Flag | None:
    """后进 units of the latest published quarter (rule 10), as its results page lists them."""
    evaluation = latest_published(user)
    if evaluation is None:
        return None
    scores = (
        unit_scores_visible_to(user)
        .filter(version_id=evaluation.current_version_id, tier=UnitScore.Tier.LAGGING)
        .order_by("group__sort_order", "position", "sort_order")
    )
    names = [score.unit.short_name or score.unit.name for score in scores]
    return Flag(
        "lagging",
        "后进单位",
        len(names),
        link("results-detail", evaluation.pk),
        f"{evaluation.title}考评结果",
        names,
    )


def carded_follow_ups(user, at: Moment) -> list[Flag]:
    """Open follow-ups carrying a red or a yellow card (overdue escalation), one flag each."""
    counts = follow_ups_visible_to(user).aggregate(
        red=Count("pk", filter=Q(status__in=OPEN, card=FollowUp.Card.RED)),
        yellow=Count("pk", filter=Q(status__in=OPEN, card=FollowUp.Card.YELLOW)),
    )
    return [
        Flag("red", "红牌督办事项", counts["red"], _carded("red"), "逾期未办结，已亮红牌"),
        Flag("yellow", "黄牌督办事项", counts["yellow"], _carded("yellow"), "逾期未办结，已亮黄牌"),
    ]


def _carded(card: str) -> str | None:
    """The follow-up list filtered as the flag counts: open ones carrying the card."""
    return link("follow-up-list", card=card, status="open")


def missing_ledgers(user, at: Moment) -> Flag | None:
    """Units that owe the latest week whose deadline has passed and have not handed it in (the
    completeness matrix's 逾期未交 and 缺报 cells of that week)."""
    if at.due_week is None:
        return None
    _periods, rows = completeness_matrix(user, year=at.year, periods=[at.due_week], now=at.now)
    unhanded = {Cell.MISSING[0], Cell.OVERDUE[0]}
    names = [
        unit.short_name or unit.name
        for unit, cells in rows
        if any(code in unhanded for _period, code, _label in cells)
    ]
    return Flag(
        "missing",
        "未交周帐单位",
        len(names),
        link("completeness"),
        f"{at.due_week.label}截止时未交",
        names,
    )


def weak_items(at: Moment, progress: Progress) -> Flag | None:
    """The weak-items page's count, taken from the measured targets (so the figures are read
    once per page, not twice): from the half-year on, the items under 50 % of their half-year
    target (the speech's "连过半的任务都没有完成"); before it, every item behind its milestone.
    tests/scoring/test_dashboards.py holds it equal to campaigns.weak_items' own count."""
    if at.year is None:
        return None
    measured = progress.measured()
    if progress.at_half_year:
        count = sum(line.below_half for line in measured)
        label, note = "半年任务未过半", "已核实数不足半年目标的一半"
    else:
        count = sum(not line.on_track for line in measured)
        label, note = "进度滞后事项", "已核实数落后于序时目标"
    return Flag("weak", label, count, link("weak-items"), note)


REGISTER_FLAGS = (
    ("not_started", "逾期未开工项目", "计划开工日期已过仍未开工", ("project",)),
    (
        "stalled",
        "停建或连续4周无进展的项目/试点村",
        "停建，或核实投资（试点村为任务完成度）连续4周未增长",
        ("project", "village"),
    ),
    ("unchecked", "超过30天未实地查看的项目/试点村", "重点项目和试点村", ("project", "village")),
)


def register_flags(registers) -> list[Flag]:
    """The register flags from (projects, villages) ContractedRows of the year (None: no year
    or nothing registered — no flags then, as before the registers existed)."""
    if registers is None:
        return []
    rows = [*registers[0], *registers[1]]
    if not rows:
        return []
    flags = []
    for kind, label, note, kinds in REGISTER_FLAGS:
        names = [r.name for r in rows if r.kind in kinds and matches(r.reasons, kind)]
        flags.append(
            Flag(
                f"register-{kind}",
                label,
                len(names),
                link("register-contracted", leader=ALL, red=kind),
                note,
                names,
            )
        )
    return flags


def red_flags(user, at: Moment, progress: Progress, registers=None) -> list[Flag]:
    flags = [lagging_units(user, at), *carded_follow_ups(user, at), missing_ledgers(user, at)]
    flags.append(weak_items(at, progress))
    flags.extend(register_flags(registers))
    return [flag for flag in flags if flag is not None]
