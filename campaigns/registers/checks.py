"""On-site checks (实地查看) of register rows: the latest check of each row, in one query.

Every register page that shows "days since the last check" reads it here, so the lists, a
row's page and the 分包 view count the same days.
"""

from datetime import date

from django.db.models import Max

from ..models import Inspection

# A row unchecked for longer than this is red in the 分包 view (issue 13).
UNCHECKED_DAYS = 30

_FIELD = {"projects": "project_id", "villages": "village_id"}


def last_checks(register: str, row_ids) -> dict[int, date]:
    """Row id -> the date of its latest on-site check, for rows of "projects" or "villages"
    that have one. `row_ids`: ids, or a queryset of them (the 分包 view's thousands of rows)."""
    field = _FIELD[register]
    rows = (
        Inspection.objects.filter(**{f"{field}__in": row_ids})
        .values(field)
        .annotate(last=Max("visited_on"))
    )
    return {row[field]: row["last"] for row in rows}


def days_since(last: date | None, *, today: date) -> int | None:
    """Whole days from the last check to `today`; None when the row was never checked."""
    return None if last is None else (today - last).days


def unchecked_too_long(last: date | None, *, today: date, since: date) -> bool:
    """Red: no check for more than UNCHECKED_DAYS, counting a never-checked row from `since`
    (the day it entered the register, or the year's start, whichever is later)."""
    return (today - (last or since)).days > UNCHECKED_DAYS
