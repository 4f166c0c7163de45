"""Publication, recomputation and the office's reopening each run twice at once (two threads,
two PostgreSQL connections): the row lock makes the second wait and find the work done, so
there is one outcome. (Escalation twice at once: tests/scoring/test_escalation.py.)"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from campaigns.models import LedgerReopening
from campaigns.services.ledger import open_ledger, reopen_ledger
from campaigns.services.review import verify_entries
from scoring.errors import ScoringError
from scoring.models import FileEntry, UnitScore
from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from tests.campaigns.builders import build_small_year, hand_in
from tests.concurrency.threads import at_once
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock("2026-06-10 10:00")]


def test_reopen_recompute_and_publish_each_twice_at_once_give_one_outcome_each():
    """(One test, so one database flush.) A double click on 重新开放 for 青山镇's week 10
    (locked in March): one reopening row, one notice per person of the unit. Two computations
    at once: versions 1 and 2 (never two of the same number), one score per unit in each, the
    same scores. Two publications at once: one succeeds, the other is told it is done; one
    history row of the status change, file entries written once."""
    small = build_small_year()
    office2 = make_user("off2", Role.OFFICE)
    unit, period = small.other_reporter.unit, small.period(10)
    open_ledger(unit=unit, period=period)
    until = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    def reopen(user):
        return lambda: reopen_ledger(
            unit=unit, period=period, user=user, until=until, reason="系统故障补报"
        )

    reopened = at_once(reopen(small.office), reopen(office2))

    assert not [o for o in reopened if isinstance(o, Exception)], reopened
    assert LedgerReopening.objects.filter(ledger__unit=unit).count() == 1
    people = unit.users.filter(is_active=True).count()
    assert Notification.objects.filter(kind="reopened").count() == people > 0

    entries = hand_in(small, week=10).entries.filter(indicator=small.investment)
    verify_entries(entry_ids=[e.pk for e in entries], user=small.reviewer)
    evaluation = open_evaluation(year=small.year, quarter=1)

    def compute(user):
        return lambda: compute_quarter(evaluation=evaluation, user=user, confirm_open_periods=True)

    versions = at_once(compute(small.office), compute(office2))

    assert not [v for v in versions if isinstance(v, Exception)], versions
    assert sorted(v.number for v in versions) == [1, 2]
    scores = []
    for version in versions:
        rows = UnitScore.objects.filter(version=version)
        assert rows.count() == rows.values("unit").distinct().count() > 0
        scores.append(sorted(rows.values_list("unit_id", "total")))
    assert scores[0] == scores[1]
    assert any(total != Decimal(0) for _unit, total in scores[0])

    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )

    def publish(user):
        return lambda: publish_quarter(evaluation=evaluation, user=user)

    outcomes = at_once(publish(small.office), publish(office2))

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ScoringError), outcomes
    assert errors[0].messages == ["该季度考评已经发布，不能重复发布。"]
    published = evaluation.history.filter(status="published")
    assert published.count() == 1
    one_publication = sum(
        s.late_ledgers + s.missing_ledgers + (s.tier in ("advanced", "lagging"))
        for s in UnitScore.objects.filter(version=evaluation.current_version)
    )
    assert FileEntry.objects.count() == one_publication > 0
