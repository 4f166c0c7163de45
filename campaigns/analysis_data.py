"""What 用好帐 reads: who sees which rows, targets with milestones, verified figures by week.

Shared by the comparison view (campaigns/comparisons.py) and the weak items
(campaigns/weak_items.py), so both count the same figures the same way:

- Only verified figures count (看真帐, DESIGN §4 rule 1): an entry's figure is its verified value
  (a reviewer's 核减 where there is one, else the value as reported — the review service stores
  it either way), and only entries whose review status is verified are read.
- Figures are year to date, so a unit's figure "as of week W" is the one of the latest week
  W' <= W with a verified entry: a week without one carries the last verified figure forward.
  No verified figure yet → None here; the callers say what they do with it.
- A week counts "as of a date" when its Thursday (the day a period belongs to, DESIGN §3) is on
  or before that date, as rule 1 reads a quarter end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from accounts.permissions import reads_every_unit, user_acts_as
from accounts.roles import Role

from . import verified_figures
from .models import AssessmentYear, Indicator, LedgerEntry, Milestone, Period, Target
from .progress_rules import Milestone as Due

VERIFIED = verified_figures.VERIFIED


@dataclass(frozen=True)
class AnalysisScope:
    """Which (unit, indicator) rows a user may compare, and whose names it may read.

    `all_units`: the office and leaders. `lead_unit_id`: a reviewer's unit — every unit's rows
    on the indicators it leads, names included. `own_unit_id`: a unit's reporter or head — its
    own rows only; its group's best and average are shown without naming the other units
    (DESIGN §2: nothing of another unit before publication).
    """

    all_units: bool = False
    lead_unit_id: int | None = None
    own_unit_id: int | None = None

    def sees_row(self, unit_id: int, indicator: Indicator) -> bool:
        return (
            self.all_units
            or (self.lead_unit_id is not None and indicator.lead_unit_id == self.lead_unit_id)
            or unit_id == self.own_unit_id
        )

    def names_peers(self, indicator: Indicator) -> bool:
        return self.all_units or (
            self.lead_unit_id is not None and indicator.lead_unit_id == self.lead_unit_id
        )

    def indicator_filter(self) -> Q:
        """Indicators with at least one visible row (own: those the unit carries a target on)."""
        if self.all_units:
            return Q()
        scope = Q(pk__in=[])
        if self.lead_unit_id is not None:
            scope |= Q(lead_unit_id=self.lead_unit_id)
        if self.own_unit_id is not None:
            scope |= Q(targets__unit_id=self.own_unit_id)
        return scope

    def as_params(self) -> dict:
        """The scope as an export's parameters (scoring/reports/analysis_sheets.py)."""
        if self.all_units:
            return {"scope": "all"}
        params = {}
        if self.lead_unit_id is not None:
            params["lead_unit_id"] = self.lead_unit_id
        if self.own_unit_id is not None:
            params["own_unit_id"] = self.own_unit_id
        return params


def analysis_scope(user) -> AnalysisScope | None:
    """The user's scope, or None when the user may not compare at all (the administrator)."""
    if reads_every_unit(user):
        return AnalysisScope(all_units=True)
    lead = user.unit_id if user_acts_as(user, Role.REVIEWER) and user.unit_id else None
    own = None
    if user.unit_id and (user_acts_as(user, Role.REPORTER) or user_acts_as(user, Role.UNIT_HEAD)):
        own = user.unit_id
    if lead is None and own is None:
        return None
    return AnalysisScope(lead_unit_id=lead, own_unit_id=own)


# --- weeks -----------------------------------------------------------------------------------


def thursday(period: Period) -> date:
    return period.starts_on + timedelta(days=3)


def week_as_of(periods: list[Period], as_of: date) -> int:
    """The latest iso week whose Thursday is on or before `as_of` (0: none yet)."""
    weeks = [p.iso_week for p in periods if thursday(p) <= as_of]
    return max(weeks, default=0)


def periods_of(year: AssessmentYear) -> list[Period]:
    return list(Period.objects.filter(year=year).order_by("iso_week"))


def current_week(periods: list[Period], today: date) -> int:
    """The week holding `today`; before the year its first week, after it its last."""
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period.iso_week
    if periods and today > periods[-1].ends_on:
        return periods[-1].iso_week
    return periods[0].iso_week if periods else 0


# --- targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    unit_id: int
    indicator_id: int
    annual: Decimal | None  # None for a milestone (done / not done) indicator
    milestones: tuple[Due, ...]


def target_rows(year: AssessmentYear, **filters) -> list[TargetRow]:
    """Active units' targets of the year (`filters` narrow the Target queryset), with their
    milestones as the rules' plain dataclasses: two queries, no model instances."""
    targets = Target.objects.filter(
        indicator__campaign__year=year, unit__active=True, **filters
    ).values_list("pk", "unit_id", "indicator_id", "annual_value")
    targets = list(targets)
    dues: dict[int, list[Due]] = defaultdict(list)
    milestones = Milestone.objects.filter(
        target__indicator__campaign__year=year, target__unit__active=True
    )
    milestones = milestones.filter(**{f"target__{k}": v for k, v in filters.items()})
    # Most targets share their milestones (the quarter-end defaults): one object per distinct
    # (date, fraction), not one per row — a city's 45,000 rows made 0.4 s of constructors.
    shared: dict[tuple, Due] = {}
    for target_id, due_date, fraction in milestones.values_list(
        "target_id", "due_date", "fraction"
    ):
        key = (due_date, fraction)
        due = shared.get(key)
        if due is None:
            due = shared[key] = Due(due_date, fraction)
        dues[target_id].append(due)
    return [
        TargetRow(unit_id, indicator_id, annual, tuple(dues[pk]))
        for pk, unit_id, indicator_id, annual in targets
    ]


# --- verified figures ------------------------------------------------------------------------


def verified_entries(year: AssessmentYear, *, up_to_week: int, **filters):
    return LedgerEntry.objects.filter(
        ledger__period__year=year,
        ledger__period__iso_week__lte=up_to_week,
        review_status=VERIFIED,
        **filters,
    )


def latest_figures(
    year: AssessmentYear, *, up_to_week: int, **filters
) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """Per (unit, indicator): (week, figure) of the latest verified entry up to `up_to_week`
    (rule 1 as the quarter reads it: campaigns.verified_figures)."""
    latest = verified_figures.latest_verified(year, through_week=up_to_week, **filters)
    return {
        key: (found.iso_week, found.verified)
        for key, found in latest.items()
        if found.verified is not None
    }


def weekly_figures(
    year: AssessmentYear, *, up_to_week: int, **filters
) -> dict[tuple[int, int], dict[int, Decimal]]:
    """Per (unit, indicator): {week: verified figure} up to `up_to_week` (a chart's series)."""
    series: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    rows = verified_entries(year, up_to_week=up_to_week, **filters).values_list(
        "ledger__unit_id", "indicator_id", "ledger__period__iso_week", "verified_value"
    )
    for unit_id, indicator_id, week, figure in rows:
        if figure is not None:
            series[(unit_id, indicator_id)][week] = figure
    return series


def carried(weekly: dict[int, Decimal], weeks: list[int]) -> list[Decimal | None]:
    """The figure of each week in `weeks` (ascending), the last verified one carried forward."""
    out, last = [], None
    for week in weeks:
        last = weekly.get(week, last)
        out.append(last)
    return out


def done_dates(year: AssessmentYear, *, as_of: date, **filters) -> dict[tuple[int, int], date]:
    """Per (unit, milestone indicator): the earliest verified completion date by `as_of`."""
    return verified_figures.verified_completions(year, by=as_of, **filters)


# --- display ---------------------------------------------------------------------------------

# A figure shown in a table, chart label or sheet: 2 places, half up, trailing zeros dropped.
# scoring/display.py rounds scores the same way; campaigns may not import scoring, and these
# are ledger figures (averages, gaps), not scores.
HUNDREDTH = Decimal("0.01")


def shown(value: Decimal | None) -> str:
    if value is None:
        return ""
    number = value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP).normalize()
    text = f"{number:f}"
    return "0" if text in ("-0", "0") else text


def percent(value: Decimal | None) -> str:
    """A rate as a percentage to 1 place: 0.625 → "62.5%"."""
    if value is None:
        return ""
    number = (value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number:f}%"
