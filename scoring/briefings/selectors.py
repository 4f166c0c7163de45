"""Who reads which weekly briefings: the office every one (drafts too), everyone else the
issued ones.

An issued 周通报 is county-wide published material, like a published ranking (DESIGN §2):
it names the units that moved, that lag and that are overdue, and it is sent to every unit
and leader, so every signed-in user reads it. A draft is the office's working copy.
"""

from django.db.models import QuerySet

from accounts.permissions import acts_as_office

from ..models import WeeklyBriefing

Status = WeeklyBriefing.Status


def briefings_visible_to(user) -> QuerySet[WeeklyBriefing]:
    briefings = WeeklyBriefing.objects.select_related("year", "period", "issued_by")
    if not user.is_authenticated or not user.is_active:
        return briefings.none()
    if acts_as_office(user):
        return briefings
    return briefings.filter(status=Status.ISSUED)


def briefing_list(user, *, year=None) -> list[WeeklyBriefing]:
    """The list page's rows, newest week first; without the facts (the page does not read
    them, and a city's facts are large)."""
    briefings = briefings_visible_to(user).defer("facts", "body")
    if year is not None:
        briefings = briefings.filter(year=year)
    return list(briefings.order_by("-period__starts_on", "-pk"))


def weeks_to_generate(year, today) -> list:
    """The periods of `year` that have ended by `today` and have no issued briefing, latest
    first: the weeks the office may generate (or refresh) a briefing for."""
    if year is None:
        return []
    return list(
        year.periods.filter(ends_on__lt=today)
        .exclude(briefings__status=Status.ISSUED)
        .order_by("-iso_week")
    )
