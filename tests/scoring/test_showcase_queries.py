"""The deck's query count does not grow with the units: 10 units and 60 units (one 亮相 slide
each, every unit with an on-site photo of the quarter and an open follow-up) take the same
number of queries, for the office, a leader and a unit's reporter."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from campaigns.models import Evidence, FollowUp, Inspection
from scoring.models import UnitScore
from tests.helpers import count_queries, make_user
from tests.scoring.test_results_pages import _grow, published_quarter
from tests.scoring.test_showcase import follow_up, inspect

pytestmark = pytest.mark.clock("2026-04-15 10:00")


def _with_photos_and_follow_ups(small, evaluation, photo: Evidence) -> None:
    """Every scored unit without one gets an inspection of March (its photo a copy of
    `photo`'s row) and an open follow-up."""
    scores = UnitScore.objects.filter(version=evaluation.current_version).select_related("unit")
    inspected = set(Inspection.objects.values_list("unit_id", flat=True))
    numbered = FollowUp.objects.count() + 100
    for index, score in enumerate(s for s in scores if s.unit_id not in inspected):
        inspection = Inspection.objects.create(
            unit=score.unit, inspector=small.reviewer, visited_on=date(2026, 3, 2),
            place="村口", findings="已查看",
        )  # fmt: skip
        photo.pk, photo.inspection = None, inspection
        photo.save()
        follow_up(small, score.unit, numbered + index)


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.REPORTER])
def test_deck_queries_are_flat_from_10_to_60_units(client, db, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    small, evaluation, (a, _b, _c) = published_quarter()
    photo = inspect(small, a, date(2026, 3, 10)).photos.get()
    follow_up(small, a, 99)
    user = {Role.OFFICE: small.office, Role.REPORTER: small.reporter}.get(role) or make_user(
        "leader", Role.LEADER
    )
    client.force_login(user)
    url = reverse("showcase", args=[evaluation.pk])
    assert _grow(evaluation, townships=10) >= 10
    _with_photos_and_follow_ups(small, evaluation, photo)
    client.get(url)  # warm-up: sessions, content types
    with count_queries() as ten:
        small_page = client.get(url)
    assert _grow(evaluation, townships=60) >= 60
    _with_photos_and_follow_ups(small, evaluation, photo)
    with count_queries() as sixty:
        large_page = client.get(url)
    assert large_page.status_code == small_page.status_code == 200
    deck = large_page.context["deck"]
    if role == Role.REPORTER:
        assert len(deck.units) == 1  # its own unit's slide only
    else:
        assert len(deck.units) >= 60
        assert all(slide.photos and slide.follow_ups for slide in deck.units)
    assert len(sixty) == len(ten), "\n".join(q["sql"] for q in sixty)
