"""The 亮相会 deck's read model: the slides of a quarter's 交帐亮相会, for the screen and the pack.

One deck, two readers. `showcase_deck(user, evaluation_id)` is the meeting-room screen, built
from the user's scoped selectors (a unit's people get their own group and their own unit
slide; photos and follow-ups as far as the user may see them). `printed_deck(evaluation)` is
the meeting's printed pack (the `showcase_deck` PDF export), which only the office and county
leaders may have (scoring/reports/pdf/deck.py): their scopes hold every unit score, every
inspection photo and every open follow-up, so the pack reads them county-wide.

Slides, in order: title, headline figures, one ranking per group, 通报表扬, 责令检讨, then one
亮相 slide per unit in ranking order. Every list comes from a fixed number of queries, whatever
the number of units (photos and follow-ups are fetched for all unit slides at once).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby
from math import ceil

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from campaigns.follow_up_selectors import OPEN as OPEN_FOLLOW_UPS
from campaigns.follow_up_selectors import follow_ups_visible_to
from campaigns.models import Evidence, FollowUp
from campaigns.quarters import quarter_end
from campaigns.selectors import evidence_visible_to

from .display import rounded, shown
from .models import IndicatorScore, QuarterlyEvaluation, UnitScore
from .selectors import campaign_progress, result_scores, results_visible_to, scorecard_unit_ids

Tier = UnitScore.Tier
# What fits on one unit slide at the back of a room; the rest is counted ("另有 3 张").
PHOTOS_PER_SLIDE = 4
FOLLOW_UPS_PER_SLIDE = 4
# A ranking slide's rows per column: larger groups are split into two or three columns.
ROWS_PER_COLUMN = 12
# Indicator lines a unit slide shows in full; a longer list shows the lines behind schedule.
LINES_PER_SLIDE = 14
# Slides every deck has besides the groups and the units: title, headline, 表扬, 检讨.
FIXED_SLIDES = 4


def quarter_days(year: int, quarter: int) -> tuple[date, date]:
    """The calendar days of a quarter: its on-site checks are those visited in between."""
    return date(year, 3 * quarter - 2, 1), quarter_end(year, quarter)


@dataclass
class RankingSlide:
    group: object
    rows: list[UnitScore]
    average: Decimal | None  # the group's average total

    @property
    def columns(self) -> list[list[UnitScore]]:
        """The rows in one to three balanced columns (a 40-unit group still fits a slide)."""
        count = max(1, min(3, ceil(len(self.rows) / ROWS_PER_COLUMN)))
        per = max(1, ceil(len(self.rows) / count))
        return [self.rows[i : i + per] for i in range(0, len(self.rows), per)]

    @property
    def density(self) -> str:
        """The type size class: a few rows large, two or three columns smaller."""
        rows = len(self.rows)
        if rows <= ROWS_PER_COLUMN // 2:
            return "sparse"
        if rows <= ROWS_PER_COLUMN:
            return ""
        return "dense" if rows <= 2 * ROWS_PER_COLUMN else "denser"


@dataclass
class CampaignLines:
    """A campaign's indicator lines on a unit slide. A long task list (a township has 30 and
    more) does not fit a slide read from the back of a room: then only the lines behind
    schedule are shown, and the rest counted ("其余 9 项已达序时进度")."""

    name: str
    lines: list[IndicatorScore]
    items: int = 0  # scored lines
    on_track: int = 0  # scored lines at or above their target to date
    hidden_on_track: int = 0
    hidden_unscored: int = 0
    hidden_behind: int = 0  # behind schedule but past the slide's room (the least behind)

    @property
    def hidden(self) -> int:
        return self.hidden_on_track + self.hidden_unscored + self.hidden_behind


@dataclass
class UnitSlide:
    score: UnitScore
    campaigns: list[CampaignLines] = field(default_factory=list)
    photos: list[Evidence] = field(default_factory=list)
    more_photos: int = 0
    follow_ups: list[FollowUp] = field(default_factory=list)
    more_follow_ups: int = 0
    compact: bool = False  # only the lines behind schedule are shown (see CampaignLines)

    @property
    def line_count(self) -> int:
        return sum(len(c.lines) for c in self.campaigns)

    @property
    def density(self) -> str:
        """The table's type size class, by the rows it prints (campaign rows and counts too)."""
        rows = sum(len(c.lines) + 1 + bool(c.hidden) for c in self.campaigns)
        if rows <= 7:
            return "sparse"
        return "" if rows <= 11 else ("dense" if rows <= 18 else "denser")


@dataclass
class Deck:
    evaluation: QuarterlyEvaluation
    preview: bool  # not published yet: every slide says 预览
    county: str
    office: str
    meeting_on: date
    headline: dict
    campaigns: list[dict]  # campaign_progress rows
    rankings: list[RankingSlide]
    praised: list[tuple[object, list[UnitScore]]]
    lagging: list[tuple[object, list[UnitScore]]]
    units: list[UnitSlide]
    has_previous: bool  # some unit has a previous quarter's rank: "新" means new to the ranking

    @property
    def slide_count(self) -> int:
        return FIXED_SLIDES + len(self.rankings) + len(self.units)

    # Slide numbers: title 1, headline 2, the rankings, 表扬, 检讨, then the units.
    @property
    def praise_number(self) -> int:
        return 3 + len(self.rankings)

    @property
    def lagging_number(self) -> int:
        return 4 + len(self.rankings)

    @property
    def units_offset(self) -> int:
        return FIXED_SLIDES + len(self.rankings)


def showcase_deck(user, evaluation_id: int, *, now=None) -> Deck | None:
    """The deck of a quarter the user may see on the results pages (published; the office
    also computed ones, as a preview), or None."""
    evaluation = results_visible_to(user).filter(pk=evaluation_id).first()
    if evaluation is None:
        return None
    scores = result_scores(user, evaluation)
    slide_units = scorecard_unit_ids(user, evaluation)
    start, end = quarter_days(evaluation.year.year, evaluation.quarter)
    photos = evidence_visible_to(user).filter(
        inspection__unit_id__in=slide_units, inspection__visited_on__range=(start, end)
    )
    follow_ups = follow_ups_visible_to(user).filter(unit_id__in=slide_units)
    return _assemble(evaluation, scores, slide_units, photos, follow_ups, now=now)


def printed_deck(evaluation: QuarterlyEvaluation, *, now=None) -> Deck:
    """The whole county's deck, for the printed pack (its export checks who may have it)."""
    scores = UnitScore.objects.filter(version_id=evaluation.current_version_id).select_related(
        "unit", "group"
    )
    start, end = quarter_days(evaluation.year.year, evaluation.quarter)
    photos = Evidence.objects.filter(
        inspection__isnull=False, inspection__visited_on__range=(start, end)
    )
    follow_ups = FollowUp.objects.all()
    return _assemble(evaluation, scores, None, photos, follow_ups, now=now)


def _assemble(
    evaluation, scores: QuerySet, slide_units, photos: QuerySet, follow_ups: QuerySet, *, now
) -> Deck:
    """The slides from the scores and what the reader may see; `slide_units` None: all."""
    ordered = list(scores.order_by("group__sort_order", "group_id", "position", "sort_order"))
    groups = [(g, list(rows)) for g, rows in groupby(ordered, key=lambda s: s.group)]
    rankings = [RankingSlide(g, rows, _average(rows)) for g, rows in groups]
    shown_units = [s for s in ordered if slide_units is None or s.unit_id in slide_units]
    units = _unit_slides(evaluation, shown_units, photos, follow_ups)
    published = evaluation.status == QuarterlyEvaluation.Status.PUBLISHED
    moment = evaluation.published_at if published else (now or timezone.now())
    return Deck(
        evaluation=evaluation,
        preview=not published,
        county=settings.COUNTY_NAME,
        office=settings.ISSUING_OFFICE,
        meeting_on=timezone.localdate(moment),
        headline=_headline(ordered, rankings),
        campaigns=campaign_progress(scores) if ordered else [],
        rankings=rankings,
        praised=[(g, [s for s in rows if s.tier == Tier.ADVANCED]) for g, rows in groups],
        lagging=[(g, [s for s in rows if s.tier == Tier.LAGGING]) for g, rows in groups],
        units=units,
        has_previous=any(s.previous_rank is not None for s in ordered),
    )


def _average(rows) -> Decimal | None:
    totals = [s.total for s in rows if s.total is not None]
    return rounded(sum(totals) / len(totals)) if totals else None


def _headline(scores, rankings) -> dict:
    evaluated = [s for s in scores if s.total is not None]
    return {
        "units": len(evaluated),
        "groups": len(rankings),
        "advanced": sum(s.tier == Tier.ADVANCED for s in evaluated),
        "standard": sum(s.tier == Tier.STANDARD for s in evaluated),
        "lagging": sum(s.tier == Tier.LAGGING for s in evaluated),
        "vetoed": sum(s.vetoed for s in evaluated),
        "averages": [(r.group, shown(r.average)) for r in rankings],
    }


def _unit_slides(evaluation, scores, photos, follow_ups) -> list[UnitSlide]:
    """One slide per score: its indicator lines by campaign, its quarter's on-site photos and
    its open follow-ups — three queries for all units together."""
    slides = {s.pk: UnitSlide(score=s) for s in scores}
    by_unit = {s.unit_id: slides[s.pk] for s in scores}
    items = (
        IndicatorScore.objects.filter(unit_score_id__in=list(slides))
        .select_related("indicator", "indicator__campaign")
        .order_by("unit_score_id", "indicator__campaign__sort_order", "indicator__sort_order", "pk")
    )
    for (score_id, campaign), lines in groupby(
        items, key=lambda i: (i.unit_score_id, i.indicator.campaign)
    ):
        lines = list(lines)
        scored = [i for i in lines if i.rate is not None]
        slides[score_id].campaigns.append(
            CampaignLines(
                campaign.name,
                lines,
                items=len(scored),
                on_track=sum(i.rate >= 1 for i in scored),
            )
        )
    for slide in slides.values():
        _fit(slide)
    _attach(
        by_unit,
        photos.filter(inspection__unit_id__in=list(by_unit), kind=Evidence.Kind.IMAGE)
        .exclude(thumbnail="")
        .select_related("inspection")
        .order_by("-inspection__visited_on", "-pk"),
        unit_of=lambda e: e.inspection.unit_id,
        limit=PHOTOS_PER_SLIDE,
        items="photos",
    )
    _attach(
        by_unit,
        follow_ups.filter(unit_id__in=list(by_unit), status__in=OPEN_FOLLOW_UPS)
        .select_related("year")
        .order_by("due_on", "pk"),
        unit_of=lambda f: f.unit_id,
        limit=FOLLOW_UPS_PER_SLIDE,
        items="follow_ups",
    )
    return list(slides.values())


def _fit(slide: UnitSlide) -> None:
    """Keep a slide's lines within LINES_PER_SLIDE: past it, only the lines behind schedule
    (the furthest behind first, if even those are too many), the others counted."""
    if slide.line_count <= LINES_PER_SLIDE:
        return
    behind = sorted(
        (i for c in slide.campaigns for i in c.lines if i.rate is not None and i.rate < 1),
        key=lambda i: (i.rate, i.pk),
    )
    kept = {i.pk for i in behind[:LINES_PER_SLIDE]}
    for campaign in slide.campaigns:
        lines = campaign.lines
        campaign.lines = [i for i in lines if i.pk in kept]
        campaign.hidden_unscored = sum(i.rate is None for i in lines)
        campaign.hidden_on_track = sum(i.rate is not None and i.rate >= 1 for i in lines)
        campaign.hidden_behind = len(lines) - len(campaign.lines) - campaign.hidden_unscored
        campaign.hidden_behind -= campaign.hidden_on_track
    slide.compact = True


def _attach(by_unit, rows, *, unit_of, limit: int, items: str) -> None:
    """Deal rows out to their units' slides, the first `limit` shown, the rest counted."""
    counted: dict[int, int] = defaultdict(int)
    for row in rows:
        slide = by_unit.get(unit_of(row))
        if slide is None:
            continue
        counted[slide.score.unit_id] += 1
        if counted[slide.score.unit_id] <= limit:
            getattr(slide, items).append(row)
        else:
            setattr(slide, f"more_{items}", getattr(slide, f"more_{items}") + 1)
