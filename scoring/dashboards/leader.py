"""The leader dashboard (县领导驾驶舱): red flags first, then campaign progress on verified
figures, then "mine" — the units the leader is linked to (联系单位)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q

from accounts.selectors import units_visible_to
from campaigns.models import FollowUp
from campaigns.registers.contracted import register_rows
from campaigns.selectors import cell_state, ledgers_visible_to
from campaigns.weak_items import as_of_week

from ..selectors import unit_scores_visible_to
from . import progress as progress_model
from .common import OPEN, Moment, follow_ups_visible_to, latest_published, link, moment
from .flags import Flag, red_flags


@dataclass
class MineRow:
    """One of the leader's units, each figure with the page behind it."""

    unit: object
    score: object = None  # UnitScore of the latest published quarter, or None
    score_url: str | None = None
    week_code: str = ""
    week_label: str = ""
    ledger_url: str | None = None
    open_follow_ups: int = 0
    red: int = 0
    yellow: int = 0
    follow_ups_url: str | None = None
    file_url: str | None = None


@dataclass
class LeaderDashboard:
    at: Moment
    flags: list[Flag] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)
    keys: list[dict] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    evaluation: object = None
    mine: list[MineRow] = field(default_factory=list)
    contracted: dict | None = None  # 我分包的项目和试点村 (contracted_box), None: no year


def contracted_box(user, registers) -> dict:
    """The leader's own rows among the year's register rows (read once for the flags too):
    counts and the red ones, each linking to the 分包 view."""
    projects, villages = (
        [row for row in group if row.row.leader_id == user.pk] for group in registers
    )
    return {
        "projects": len(projects),
        "villages": len(villages),
        "red": [row for row in projects + villages if row.red],
        "url": link("register-contracted"),
    }


def mine(user, at: Moment, evaluation) -> list[MineRow]:
    """The user's contact units with their latest rank and tier, this week's ledger and their
    open follow-ups: four queries however many units."""
    units = list(
        units_visible_to(user)
        .filter(contact_leaders=user)
        .order_by("group__sort_order", "sort_order")
    )
    if not units:
        return []
    rows = {unit.pk: MineRow(unit=unit, file_url=link("file-unit", unit.pk)) for unit in units}
    if evaluation is not None:
        scores = unit_scores_visible_to(user).filter(
            version_id=evaluation.current_version_id, unit__in=units
        )
        for score in scores:
            rows[score.unit_id].score = score
            rows[score.unit_id].score_url = link("unit-score", evaluation.pk, score.unit_id)
    if at.week is not None:
        ledgers = {
            ledger.unit_id: ledger
            for ledger in ledgers_visible_to(user)
            .filter(period=at.week, unit__in=units)
            .select_related(None)
            .only("id", "unit_id", "period_id", "status", "submitted_at", "reopened_until")
        }
        for unit_id, row in rows.items():
            ledger = ledgers.get(unit_id)
            row.week_code, row.week_label = cell_state(ledger, at.week, at.now)
            row.ledger_url = (
                link("ledger-view", unit_id, at.week.pk) if ledger else link("completeness")
            )
    counts = (
        follow_ups_visible_to(user)
        .filter(unit__in=units, status__in=OPEN)
        .values("unit_id")
        .annotate(
            n=Count("pk"),
            red=Count("pk", filter=Q(card=FollowUp.Card.RED)),
            yellow=Count("pk", filter=Q(card=FollowUp.Card.YELLOW)),
        )
        .order_by()
    )
    for count in counts:
        row = rows[count["unit_id"]]
        row.open_follow_ups, row.red, row.yellow = count["n"], count["red"], count["yellow"]
    for unit_id, row in rows.items():
        row.follow_ups_url = link("follow-up-list", unit=unit_id, status="open")
    return list(rows.values())


def leader_dashboard(user, *, now: datetime | None = None) -> LeaderDashboard:
    at = moment(user, now)
    board = LeaderDashboard(at=at)
    board.evaluation = latest_published(user)
    if at.year is not None:
        # Measured as of this week's Sunday, the date the weak-items page measures at, so a
        # campaign's "behind" count is the length of the list it links to.
        _week, as_of = as_of_week(at.year, None, today=at.today)
        measured = progress_model.measure(at.year, as_of)
        registers = register_rows(user, year=at.year, today=at.today)
        board.flags = red_flags(user, at, measured, registers)
        board.contracted = contracted_box(user, registers)
        board.campaigns = progress_model.campaign_rows(measured)
        board.keys = progress_model.key_indicator_rows(measured)
        board.chart = progress_model.chart_data(board.campaigns, board.keys)
        for row in board.campaigns:
            row["url"] = link("weak-items", campaign=row["campaign"].pk)
    board.mine = mine(user, at, board.evaluation)
    return board
