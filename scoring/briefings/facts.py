"""The figures of a weekly briefing (周通报), read from one week's ledgers as a JSON-ready dict.

Which figures count (看真帐, DESIGN §4 rule 1): a unit's figure on an indicator "as of" a week
is the verified figure (`verified_value`, the reviewer's correction if there is one) of its
latest verified entry in or before that week — a week whose entry is not verified carries the
last verified figure forward. Unverified figures never count.

- **Moved most** (本周进展较快): per campaign, the (unit, indicator) pairs of higher-better
  indicators with an annual target above 0, ranked by the verified increase over the week
  (figure as of the week − figure as of the week before; nothing verified before → 0) as a
  share of the annual target, so 0.6 亿元 of a 6 亿元 target (10 %) ranks above 1 亿元 of a
  20 亿元 target (5 %) and units of any size compare. Ties: the larger increase, then unit
  order. The first MOVERS_SHOWN pairs with an increase above 0 are kept.
- **Behind** (进度滞后): DESIGN §4 rules 2–3 measured at the week's last day (its Sunday) with
  the engine's own functions: T = annual target × the fraction of the last milestone due by
  then; rate r < 1 (no verified figure → A = 0); a milestone indicator due by then and not
  done. Nothing due yet → not behind. Grouped per campaign by unit, most items behind first.
- **Blocked** (存在问题): the week's handed-in entries with a problem written, not returned
  (a returned entry's text is being rewritten), by problem category (none chosen → 其他).
  Problems are the unit's statement, so they count before verification.
- **Overdue follow-ups** (逾期未办结的交办事项): open follow-ups (待签收, 办理中, 申请办结) with a
  card, or due before the day of generation.
- **Completeness** (报送情况): the units that carry a target this year, each on time, late
  (handed in after the deadline) or not handed in at the moment of generation.
"""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Unit
from campaigns.models import (
    FollowUp,
    Indicator,
    LedgerEntry,
    Milestone,
    Period,
    Target,
    WeeklyLedger,
)
from campaigns.progress_rules import standing
from campaigns.verified_figures import latest_verified, verified_completions

from .. import engine
from ..display import shown

FACTS_VERSION = 1
PLACES = Decimal("0.0001")  # rates and shares are kept to four places (0.1 % shown to one)
MOVERS_SHOWN = 3
PROBLEM_TEXT_KEPT = 120  # characters of a problem kept in the facts
CATEGORY_LABELS = dict(LedgerEntry.ProblemCategory.choices)
CATEGORY_ORDER = [label for _, label in LedgerEntry.ProblemCategory.choices]
Direction = Indicator.Direction
VERIFIED = LedgerEntry.ReviewStatus.VERIFIED


def percent(share: Decimal) -> str:
    """0.1 → "10.0%" (one place, half up, as every score is rounded)."""
    return f"{shown(share * 100, 1)}%"


def figures_as_of(year, iso_week: int) -> dict[tuple[int, int], Decimal]:
    """Per (unit, indicator) the verified figure of the latest verified entry in or before
    `iso_week` (none before week 1): rule 1 as the quarter reads it."""
    latest = latest_verified(year, through_week=iso_week)
    return {key: found.verified for key, found in latest.items() if found.verified is not None}


def completions_by(year, day: date) -> dict[tuple[int, int], date]:
    """Per (unit, milestone indicator) the earliest verified completion date on or before `day`."""
    return verified_completions(year, by=day)


def _targets(year) -> tuple[list[Target], dict[int, list[engine.Milestone]]]:
    targets = list(
        Target.objects.filter(indicator__campaign__year=year, unit__active=True)
        .select_related("indicator", "indicator__campaign", "unit")
        .order_by("indicator__campaign__sort_order", "indicator__campaign_id", "unit__sort_order")
    )
    milestones: dict[int, list[engine.Milestone]] = defaultdict(list)
    for target_id, due, fraction in Milestone.objects.filter(
        target__indicator__campaign__year=year, target__unit__active=True
    ).values_list("target_id", "due_date", "fraction"):
        milestones[target_id].append(engine.Milestone(due, fraction))
    return targets, milestones


def _behind(target, milestones, figure, done_on, as_of: date) -> dict | None:
    """The pair's shortfall at `as_of` (rules 2–3, as the weak-items page judges it), or None
    when it is on track or not measured yet."""
    indicator = target.indicator
    now = standing(
        direction=indicator.direction,
        annual=target.annual_value,
        milestones=milestones,
        actual=figure,
        done_on=done_on,
        as_of=as_of,
    )
    if now is None or not now.behind:
        return None
    if now.milestone:
        text = f"未完成（节点{now.due.month}月{now.due.day}日）"
    elif indicator.direction == Direction.HIGHER_BETTER:
        measure = indicator.measure
        text = (
            f"序时目标{shown(now.target)}{measure}，核实{shown(now.actual)}{measure}"
            f"（完成{percent(now.rate)}）"
        )
    else:
        measure = indicator.measure
        text = f"控制目标{shown(now.target)}{measure}，核实{shown(now.actual)}{measure}"
    return {"indicator": indicator.name, "rate": str(now.rate.quantize(PLACES)), "text": text}


def _mover(target, now_figure, before_figure) -> dict | None:
    indicator = target.indicator
    annual = target.annual_value
    if indicator.direction != Direction.HIGHER_BETTER or not annual or annual <= 0:
        return None
    if now_figure is None:
        return None
    increase = now_figure - (before_figure or Decimal(0))
    if increase <= 0:
        return None
    share = increase / annual
    return {
        "unit": target.unit.name,
        "unit_id": target.unit_id,
        "sort": target.unit.sort_order,
        "indicator": indicator.name,
        "measure": indicator.measure,
        "increase": str(increase),
        "figure": str(now_figure),
        "annual": str(annual),
        "share": str(share.quantize(PLACES)),
    }


def _blocked(period) -> dict[int, list[dict]]:
    """The week's problems per campaign id, in unit and indicator order."""
    entries = (
        LedgerEntry.objects.filter(
            ledger__period=period,
            ledger__status__in=WeeklyLedger.HANDED_IN,
            ledger__unit__active=True,
        )
        .exclude(problems="")
        .exclude(review_status=LedgerEntry.ReviewStatus.RETURNED)
        .order_by("ledger__unit__sort_order", "indicator__sort_order", "indicator_id")
        .values_list(
            "indicator__campaign_id",
            "ledger__unit__name",
            "indicator__name",
            "problem_category",
            "problems",
        )
    )
    blocked = defaultdict(list)
    for campaign_id, unit, indicator, category, text in entries:
        text = " ".join(text.split())
        if len(text) > PROBLEM_TEXT_KEPT:
            text = text[: PROBLEM_TEXT_KEPT - 1] + "…"
        blocked[campaign_id].append(
            {
                "unit": unit,
                "indicator": indicator,
                "category": CATEGORY_LABELS.get(category, CATEGORY_LABELS["other"]),
                "text": text,
            }
        )
    return blocked


def overdue_follow_ups(year, today: date) -> list[dict]:
    """Open follow-ups of the year with a card or past their due date, red first, then the
    longest overdue. The system's read (no user): what the briefing publishes."""
    open_states = [FollowUp.Status.ISSUED, FollowUp.Status.ACKNOWLEDGED, FollowUp.Status.CLOSING]
    rows = (
        FollowUp.objects.filter(year=year, status__in=open_states)
        .exclude(card="", due_on__gte=today)
        .select_related("unit", "issuer_unit", "year")
        .order_by("due_on", "unit__sort_order", "pk")
    )
    found = []
    for follow_up in rows:
        found.append(
            {
                "id": follow_up.pk,
                "serial": follow_up.serial,
                "unit": follow_up.unit.name,
                "issuer": follow_up.issuer_unit.name,
                "title": follow_up.title,
                "due_on": follow_up.due_on.isoformat(),
                "days": max((today - follow_up.due_on).days, 0),
                "card": follow_up.card,
                "card_label": follow_up.get_card_display() if follow_up.card else "",
                "status": follow_up.get_status_display(),
            }
        )
    order = {"red": 0, "yellow": 1, "": 2}
    found.sort(key=lambda row: (order.get(row["card"], 2), -row["days"]))
    return found


def completeness(period: Period, unit_ids: list[int], units: dict, now: datetime) -> dict:
    handed = dict(
        WeeklyLedger.objects.filter(
            period=period,
            unit_id__in=unit_ids,
            status__in=WeeklyLedger.HANDED_IN,
            submitted_at__isnull=False,
        ).values_list("unit_id", "submitted_at")
    )
    on_time, late, missing = [], [], []
    for unit_id in unit_ids:
        submitted = handed.get(unit_id)
        if submitted is None:
            missing.append(units[unit_id].name)
        elif submitted > period.deadline:
            late.append(units[unit_id].name)
        else:
            on_time.append(units[unit_id].name)
    return {
        "units": len(unit_ids),
        "on_time": len(on_time),
        "late": late,
        "missing": missing,
        # Not handed in and the period already locked: 缺报 (rule 6), else still 未报.
        "locked": now > period.locks_at,
    }


def briefing_facts(*, period: Period, now: datetime) -> dict:
    """Everything a briefing states about `period`, generated at `now`, as JSON-ready data."""
    year = period.year
    as_of = period.ends_on
    targets, milestones = _targets(year)
    now_figures = figures_as_of(year, period.iso_week)
    before = figures_as_of(year, period.iso_week - 1)
    done = completions_by(year, as_of)
    blocked = _blocked(period)
    campaigns: dict[int, dict] = {}
    behind: dict[int, dict[int, dict]] = defaultdict(dict)
    units: dict[int, Unit] = {}
    for target in targets:
        indicator = target.indicator
        campaign = indicator.campaign
        units[target.unit_id] = target.unit
        facts = campaigns.setdefault(
            campaign.pk,
            {"id": campaign.pk, "name": campaign.name, "sort": campaign.sort_order, "movers": []},
        )
        key = (target.unit_id, indicator.pk)
        mover = _mover(target, now_figures.get(key), before.get(key))
        if mover:
            facts["movers"].append(mover)
        short = _behind(target, milestones[target.pk], now_figures.get(key), done.get(key), as_of)
        if short:
            row = behind[campaign.pk].setdefault(
                target.unit_id,
                {"unit": target.unit.name, "unit_id": target.unit_id,
                 "sort": target.unit.sort_order, "items": []},
            )  # fmt: skip
            row["items"].append(short)
    result = []
    for campaign_id, facts in campaigns.items():
        movers = sorted(
            facts["movers"],
            key=lambda m: (-Decimal(m["share"]), -Decimal(m["increase"]), m["sort"]),
        )
        lagging = sorted(
            behind[campaign_id].values(),
            key=lambda r: (
                -len(r["items"]),
                min(Decimal(i["rate"]) for i in r["items"]),
                r["sort"],
            ),
        )
        problems = blocked.get(campaign_id, [])
        counts = defaultdict(int)
        for item in problems:
            counts[item["category"]] += 1
        result.append(
            {
                "id": campaign_id,
                "name": facts["name"],
                "movers": [_strip(m) for m in movers[:MOVERS_SHOWN]],
                "behind": [
                    {
                        "unit": r["unit"],
                        "unit_id": r["unit_id"],
                        "count": len(r["items"]),
                        "items": sorted(r["items"], key=lambda i: Decimal(i["rate"])),
                    }
                    for r in lagging
                ],
                "behind_items": sum(len(r["items"]) for r in lagging),
                "blocked": {
                    "counts": [[c, counts[c]] for c in CATEGORY_ORDER if counts[c]],
                    "items": problems,
                },
            }
        )
    result.sort(key=lambda c: (campaigns[c["id"]]["sort"], c["id"]))
    unit_ids = sorted(units, key=lambda pk: (units[pk].sort_order, pk))
    return {
        "version": FACTS_VERSION,
        "year": year.year,
        "period": {
            "id": period.pk,
            "iso_week": period.iso_week,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
        },
        "generated_at": timezone.localtime(now).isoformat(timespec="minutes"),
        "completeness": completeness(period, unit_ids, units, now),
        "campaigns": result,
        "overdue": overdue_follow_ups(year, timezone.localdate(now)),
    }


def _strip(mover: dict) -> dict:
    return {key: value for key, value in mover.items() if key != "sort"}
