"""The database itself refuses what the scoring rules forbid (issue 9), and the services say so
in Chinese first: enterer ≠ approver, quarter 1–4, one pending appeal per unit and indicator
per version."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role
from scoring.errors import ScoringError
from scoring.models import (
    Adjustment,
    Appeal,
    EvaluationVersion,
    FileEntry,
    QuarterlyEvaluation,
    SkippedQuarter,
    Veto,
)
from scoring.services.adjustments import approve_veto, enter_adjustment, enter_veto
from scoring.services.appeals import file_appeal
from scoring.services.evaluations import compute_quarter, open_evaluation
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

NOW = datetime(2026, 7, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def small(db):
    with time_machine.travel(NOW, tick=False):
        small = build_small_year()
        small.office2 = make_user("off2", Role.OFFICE)
        small.unit = small.county.units[0]
        yield small


def refused(**row):
    def create(model):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(**row)

    return create


def decision(small, **changes):
    return {"unit": small.unit, "year": small.year, "quarter": 1, "reason": "x",
            "entered_by": small.office, **changes}  # fmt: skip


@pytest.mark.parametrize("model", [Adjustment, Veto])
def test_the_database_refuses_an_item_approved_by_whoever_entered_it(small, model):
    extra = {"kind": "other", "points": Decimal(1)} if model is Adjustment else {"kind": "veto"}
    refused(**decision(small, approved_by=small.office, **extra))(model)
    model.objects.create(**decision(small, approved_by=small.office2, **extra))  # four eyes
    model.objects.create(**decision(small, **extra))  # not approved yet
    item = model(**decision(small, approved_by=small.office, **extra))
    with pytest.raises(ValidationError, match="须由录入人以外的考核办人员审核"):
        item.full_clean()


def test_the_service_refuses_self_approval_first(small):
    veto = enter_veto(
        unit=small.unit, year=small.year, quarter=1, kind="veto", reason="事故", user=small.office
    )
    with pytest.raises(ScoringError, match="录入人以外"):
        approve_veto(veto=veto, user=small.office)
    assert Veto.objects.get().approved_by is None


@pytest.mark.parametrize("quarter", [0, 5])
def test_the_database_refuses_a_quarter_outside_1_to_4(small, quarter):
    refused(**decision(small, quarter=quarter, kind="other", points=1))(Adjustment)
    refused(**decision(small, quarter=quarter, kind="veto"))(Veto)
    refused(year=small.year, quarter=quarter)(QuarterlyEvaluation)
    refused(
        year=small.year, quarter=quarter, reason="x", recorded_by=small.office, recorded_at=NOW
    )(SkippedQuarter)
    refused(
        unit=small.unit,
        year=small.year,
        quarter=quarter,
        recorded_on=date(2026, 5, 6),
        merit=True,
        kind="x",
        source="office",
        description="x",
    )(FileEntry)
    with pytest.raises(ScoringError, match="季度只能是 1–4"):
        enter_adjustment(
            unit=small.unit,
            year=small.year,
            quarter=quarter,
            kind="other",
            points=1,
            reason="x",
            user=small.office,
        )
    with pytest.raises(ScoringError, match="季度只能是 1–4"):
        enter_veto(
            unit=small.unit,
            year=small.year,
            quarter=quarter,
            kind="veto",
            reason="x",
            user=small.office,
        )
    with pytest.raises(ScoringError, match="季度只能是 1–4"):
        open_evaluation(year=small.year, quarter=quarter)
    assert not Adjustment.objects.exists() and not Veto.objects.exists()
    assert not QuarterlyEvaluation.objects.exists()


def test_one_pending_appeal_per_unit_and_indicator_per_version(small):
    """The unit head appeals the investment figure once; a second appeal while the first is
    pending is refused by the service (Chinese) and by the database (IntegrityError). Once
    the first is decided, a new appeal on the same indicator is allowed."""
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=small.office, now=NOW)
    evaluation.refresh_from_db()
    moment = evaluation.appeal_deadline - timedelta(hours=1)
    first = file_appeal(
        evaluation=evaluation,
        indicator=small.investment,
        user=small.head,
        claim="数据有误",
        now=moment,
    )
    with pytest.raises(ScoringError, match="已就该指标提出申诉，尚未处理"):
        file_appeal(
            evaluation=evaluation,
            indicator=small.investment,
            user=small.head,
            claim="再次申诉",
            now=moment,
        )
    row = {"version": EvaluationVersion.objects.get(), "unit": small.unit,
           "indicator": small.investment, "claim": "x", "filed_by": small.head}  # fmt: skip
    refused(**row)(Appeal)
    with pytest.raises(ValidationError, match="不能重复申诉"):
        Appeal(**row).validate_constraints()
    Appeal.objects.filter(pk=first.pk).update(
        status=Appeal.Status.REJECTED, decided_at=timezone.now()
    )
    file_appeal(
        evaluation=evaluation,
        indicator=small.investment,
        user=small.head,
        claim="补充证据后再次申诉",
        now=moment,
    )
    assert Appeal.objects.filter(status="pending").count() == 1
    assert Appeal.objects.count() == 2
