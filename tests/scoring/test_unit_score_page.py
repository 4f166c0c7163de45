"""A unit opens its own score page; another unit's, even in its group after publication, is 404."""

from datetime import timedelta

import pytest
from django.urls import reverse

from scoring.services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from tests.campaigns.builders import build_small_year

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")


def test_unit_score_pages_after_publication(client, db):
    small = build_small_year()
    evaluation = open_evaluation(year=small.year, quarter=1)
    compute_quarter(evaluation=evaluation, user=small.office)
    evaluation.refresh_from_db()
    review_quarter(
        evaluation=evaluation,
        user=small.office,
        now=evaluation.appeal_deadline + timedelta(minutes=1),
    )
    publish_quarter(evaluation=evaluation, user=small.office)
    own, neighbour = small.reporter.unit, small.other_reporter.unit

    client.force_login(small.reporter)
    assert client.get(reverse("unit-score", args=[evaluation.pk, own.pk])).status_code == 200
    assert client.get(reverse("unit-score", args=[evaluation.pk, neighbour.pk])).status_code == 404
    ranking = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert neighbour.name in ranking  # the published group ranking is public to the group

    client.force_login(small.office)
    assert client.get(reverse("unit-score", args=[evaluation.pk, neighbour.pk])).status_code == 200
