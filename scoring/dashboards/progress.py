"""Campaign progress on verified figures only (看真帐): each target's rate against its target
to date, as of today — the share on track per campaign, and a few key indicators' totals.

The rules are the scoring rules' own: rule 1's "latest verified figure"
(scoring.services.loading), rule 2's target to date and rule 3's rates
(campaigns.progress_rules), measured at today instead of a quarter end.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from campaigns.models import AssessmentYear, Indicator, Milestone, Target
from campaigns.progress_rules import Milestone as Due
from campaigns.progress_rules import standing

from ..display import rounded, shown
from ..services.loading import latest_verified, milestone_completions

HALF = Decimal("0.5")
LOWER = Indicator.Direction.LOWER_BETTER
MILESTONE = Indicator.Direction.MILESTONE

# The figures a leader asks about first (DESIGN §5: 开工率, 投资完成率, village progress, cases),
# by indicator name; a campaign without any of them shows its two weightiest indicators.
KEY_INDICATORS = (
    "重点项目开工率",
    "重点项目投资完成率",
    "固定资产投资完成额",
    "招商签约额",
    "县城重点城建工程投资完成额",
    "县城道路改造完成率",
    "试点村建设任务完成率",
    "刑事案件发案数",
    "信访积案化解率",
)


@dataclass
class Line:
    """One unit's target on one indicator, measured today."""

    unit_id: int
    indicator: Indicator
    target: Decimal | None  # rule 2 at today; None: nothing due yet
    actual: Decimal | None  # the latest verified figure (milestones: None)
    rate: Decimal | None  # rule 3; None when not measured
    half_rate: Decimal | None = None  # rule 3 against the half-year target (from 30 June)

    @property
    def on_track(self) -> bool:
        """Not behind, as the weak-items page judges it: a milestone once done (even late),
        any other target at a rate of 1 or more."""
        if self.rate is None:
            return False
        return self.rate > 0 if self.indicator.is_milestone else self.rate >= 1

    @property
    def below_half(self) -> bool:
        """Under 50 % of the half-year target ("连过半的任务都没有完成")."""
        return self.rate is not None and self.half_rate is not None and self.half_rate < HALF


@dataclass
class Progress:
    as_of: date
    lines: list[Line] = field(default_factory=list)

    @property
    def at_half_year(self) -> bool:
        return self.as_of >= date(self.as_of.year, 6, 30)

    def measured(self) -> list[Line]:
        return [line for line in self.lines if line.rate is not None]


def measure(year: AssessmentYear, today: date) -> Progress:
    """Every target of the year's active units, measured at `today` (five queries): its rate
    against the target to date and, from the half-year on, against the half-year target — the
    weak-items page's rules (campaigns/weak_items.py), on the same verified figures.

    Callers are the dashboards, which open only to readers of every unit: the figures are the
    county's, not scoped further."""
    # Plain rows, and each indicator built once: ~1,250 Target instances with their related
    # rows cost ~180 ms at county scale (bench/dashboards.py), the whole page's budget.
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(campaign__year=year).select_related("campaign")
    }
    targets = Target.objects.filter(indicator__campaign__year=year, unit__active=True).values_list(
        "pk", "unit_id", "indicator_id", "annual_value"
    )
    milestones: dict[int, list[Due]] = defaultdict(list)
    for target_id, due_date, fraction in Milestone.objects.filter(
        target__indicator__campaign__year=year, target__unit__active=True
    ).values_list("target_id", "due_date", "fraction"):
        milestones[target_id].append(Due(due_date, fraction))
    sources = latest_verified(year, 4)  # every verified week so far
    done = milestone_completions(year, 4)
    half_year = date(year.year, 6, 30)
    progress = Progress(as_of=today)
    at_half_year = today >= half_year
    for target_id, unit_id, indicator_id, annual in targets:
        indicator = indicators[indicator_id]
        key = (unit_id, indicator_id)
        source = sources.get(key)
        on = done.get(key)
        rules = {
            "direction": indicator.direction,
            "annual": annual,
            "milestones": milestones[target_id],
            "actual": None if source is None else source.verified,
            "done_on": on if on and on <= today else None,
        }
        now = standing(**rules, as_of=today)
        half = standing(**rules, as_of=half_year) if at_half_year else None
        progress.lines.append(
            Line(
                unit_id,
                indicator,
                target=None if now is None or now.milestone else now.target,
                actual=rules["actual"],
                rate=None if now is None else now.rate,
                half_rate=None if half is None else half.rate,
            )
        )
    return progress


def percent(part, whole) -> Decimal | None:
    return None if not whole else rounded(Decimal(100) * Decimal(part) / Decimal(whole), 1)


def campaign_rows(progress: Progress) -> list[dict]:
    """Per campaign: targets measured, on track, the share on track (%)."""
    rows: dict[int, dict] = {}
    for line in progress.measured():
        campaign = line.indicator.campaign
        row = rows.setdefault(
            campaign.pk,
            {"campaign": campaign, "measured": 0, "on_track": 0},
        )
        row["measured"] += 1
        row["on_track"] += line.on_track
    ordered = sorted(rows.values(), key=lambda r: (r["campaign"].sort_order, r["campaign"].pk))
    for row in ordered:
        share = percent(row["on_track"], row["measured"])
        row["share"] = share
        row["share_label"] = shown(share, 1)
        row["behind"] = row["measured"] - row["on_track"]
    return ordered


def _key_indicators(lines: list[Line]) -> list[Indicator]:
    by_campaign: dict[int, dict[int, Indicator]] = defaultdict(dict)
    for line in lines:
        if line.indicator.direction != MILESTONE and line.target is not None:
            by_campaign[line.indicator.campaign_id][line.indicator.pk] = line.indicator
    chosen = []
    for indicators in by_campaign.values():
        named = [i for i in indicators.values() if i.name in KEY_INDICATORS]
        if not named:
            named = sorted(indicators.values(), key=lambda i: (-i.points, i.sort_order, i.pk))[:2]
        chosen += named
    return sorted(chosen, key=lambda i: (i.campaign.sort_order, i.sort_order, i.pk))


def key_indicator_rows(progress: Progress) -> list[dict]:
    """Key indicators: verified year-to-date against the target to date, over the units that
    carry them. Amounts and counts are summed; a rate (%) is the units' average level."""
    lines = progress.measured()
    by_indicator: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_indicator[line.indicator.pk].append(line)
    rows = []
    for indicator in _key_indicators(lines):
        mine = by_indicator[indicator.pk]
        actual = sum((line.actual or Decimal(0) for line in mine), Decimal(0))
        target = sum((line.target for line in mine), Decimal(0))
        averaged = indicator.measure == "%"
        if averaged:
            actual, target = actual / len(mine), target / len(mine)
        places = 1 if averaged else 2
        rows.append(
            {
                "indicator": indicator,
                "campaign": indicator.campaign,
                "units": len(mine),
                "behind": sum(not line.on_track for line in mine),
                "actual": shown(actual, places),
                "target": shown(target, places),
                "measure": indicator.get_measure_display(),
                "averaged": averaged,
                "lower_better": indicator.direction == LOWER,
                "completion": percent(actual, target),
            }
        )
    return rows


def chart_data(campaigns: list[dict], keys: list[dict]) -> dict:
    """The charts' JSON: numbers for the bars and the same figures as text for the labels
    (rounded once, by scoring/display.py)."""
    return {
        "campaigns": {
            "names": [row["campaign"].name for row in campaigns],
            "shares": [float(row["share"]) for row in campaigns],
            "labels": [row["share_label"] for row in campaigns],
            "counts": [f"{row['on_track']}/{row['measured']}" for row in campaigns],
        },
        "keys": {
            "names": [row["indicator"].name for row in keys],
            "completion": [
                None if row["completion"] is None else float(row["completion"]) for row in keys
            ],
            "labels": [shown(row["completion"], 1) for row in keys],
            "figures": [f"{row['actual']} / {row['target']} {row['measure']}" for row in keys],
            "lower": [row["lower_better"] for row in keys],
        },
    }
