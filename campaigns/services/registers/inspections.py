"""On-site checks (实地查看) of register rows: a key project or a pilot village (issue 13).

Who may record one:
- a reviewer whose unit reviews that register row (scope.reviews_row: it leads a derived
  indicator of the row's register), though not a row of its own unit (review and reporting
  stay apart, as for entries);
- the office;
- the row's contracting county leader (分包县领导).
The check's unit is the row's responsible unit (a project) or township (a village); photos go
through campaigns.services.evidence like every inspection's. A row check that differs from what
was reported is recorded with its flag only: the follow-up draft of an entry check
(review.draft_for_difference) names an entry's indicator and figure, which a row has not, so
the inspector writes a follow-up by hand if one is needed (the page says so).
"""

from datetime import date, datetime

from django.db import transaction

from accounts.permissions import acts_as_office, user_acts_as
from accounts.roles import Role

from ...errors import LedgerError
from ...models import Inspection, KeyProject, PilotVillage
from ...registers.scope import reviews_row
from ..evidence import attach_evidence
from ..review import check_inspection


def inspection_refusal(user, *, project: KeyProject | None = None, village=None) -> str | None:
    """Why `user` may not record a check of the row, or None when they may."""
    row, register = (project, "projects") if project is not None else (village, "villages")
    unit_id = row.unit_id if project is not None else row.township_id
    if acts_as_office(user):
        return None
    if user_acts_as(user, Role.LEADER) and row.leader_id == user.pk:
        return None
    if user.has_role(Role.REVIEWER) and reviews_row(user, register, row):
        if user.unit_id == unit_id:
            return "不能实地查看本单位自己负责的项目或试点村（审核与填报须分离）。"
        return None
    what = "该重点项目" if project is not None else "该试点村"
    return f"只有负责审核{what}的牵头部门、考核办或分包县领导可以记录实地查看。"


@transaction.atomic
def record_row_inspection(
    *,
    user,
    project: KeyProject | None = None,
    village: PilotVillage | None = None,
    visited_on: date,
    place: str,
    findings: str,
    differs_from_ledger: bool = False,
    photos=(),
    now: datetime | None = None,
) -> Inspection:
    """Record an on-site check of a key project or a pilot village, with its photos: the record
    and its photos stand or fall together."""
    if (project is None) == (village is None):
        raise LedgerError("请指明被查看的重点项目或试点村（只能一个）。")
    refusal = inspection_refusal(user, project=project, village=village)
    if refusal:
        raise LedgerError(refusal)
    row = project if project is not None else village
    if not row.active:
        raise LedgerError(f"「{row}」已移出项目库，不能再记录实地查看。")
    check_inspection(visited_on=visited_on, place=place, findings=findings)
    inspection = Inspection(
        unit_id=project.unit_id if project is not None else village.township_id,
        project=project,
        village=village,
        inspector=user,
        visited_on=visited_on,
        place=place.strip(),
        findings=findings.strip(),
        differs_from_ledger=bool(differs_from_ledger),
    )
    inspection.full_clean()
    inspection.save()
    for photo in photos:
        attach_evidence(inspection=inspection, upload=photo, user=user, now=now)
    return inspection
