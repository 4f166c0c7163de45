"""What both dashboards read the same way: the year and week in question, the latest published
quarter, and links to the pages behind each figure. Follow-ups are counted through the
follow-up area's own scoped selector (re-exported here with its OPEN states)."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from campaigns.follow_up_selectors import OPEN, follow_ups_visible_to
from campaigns.models import AssessmentYear, Period
from campaigns.selectors import chosen_year, period_containing, periods_visible_to

from ..models import QuarterlyEvaluation
from ..selectors import evaluations_visible_to

__all__ = ["OPEN", "Moment", "follow_ups_visible_to", "latest_published", "link", "moment"]


def link(name: str, *args, **query) -> str:
    """The address of page `name` with a query string (empty values left out): every figure
    on the dashboards links to the page that lists the same things, filtered."""
    url = reverse(name, args=args)
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Moment:
    """When the dashboard is read: the year, today, this week, and the week last due."""

    now: datetime
    year: AssessmentYear | None
    week: Period | None  # the period holding today
    due_week: Period | None  # the latest period whose deadline has passed

    @property
    def today(self):
        return timezone.localdate(self.now)


def moment(user, now: datetime | None = None) -> Moment:
    now = now or timezone.now()
    year = chosen_year(user, None)
    if year is None:
        return Moment(now, None, None, None)
    week = period_containing(year, now)
    due = (
        periods_visible_to(user)
        .filter(year=year, deadline__lte=now)
        .order_by("-deadline", "-iso_week")
        .first()
    )
    return Moment(now, year, week, due)


def latest_published(user) -> QuarterlyEvaluation | None:
    """The newest published quarter the user may read (the one whose 后进 units are flagged)."""
    return (
        evaluations_visible_to(user)
        .filter(status=QuarterlyEvaluation.Status.PUBLISHED, current_version__isnull=False)
        .order_by("-year__year", "-quarter")
        .first()
    )
