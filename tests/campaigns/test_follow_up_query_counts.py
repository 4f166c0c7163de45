"""The follow-up list, a thread and the 交办 form make as many queries for 60 units as for
10, and a thread of twelve steps with photos as many as one of three."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.demo import build_county
from accounts.models import Unit
from accounts.roles import Role
from campaigns.models import FollowUp
from campaigns.services import follow_ups
from tests.campaigns.builders import build_small_year
from tests.campaigns.follow_up_builders import photo
from tests.helpers import count_queries, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-06-02 10:00")]
NOW = timezone.make_aware(datetime(2026, 6, 2, 10, 0))


def _task_every_unit(small, office, *, replies: int):
    """A sent follow-up to every active unit without one yet (rows written directly: the
    list is under test here, not sending); the last is sent by the service, acknowledged and
    answered `replies` times (the first two answers with a photo)."""
    tasked = set(small.year.follow_ups.values_list("unit_id", flat=True))
    units = list(Unit.objects.filter(active=True).exclude(pk__in=[office.unit_id, *tasked]))
    first = (max(small.year.follow_ups.values_list("number", flat=True), default=0) or 0) + 1
    FollowUp.objects.bulk_create(
        FollowUp(
            year=small.year,
            number=first + n,
            status=FollowUp.Status.ISSUED,
            issuer_unit=office.unit,
            created_by=office,
            issued_by=office,
            issued_at=NOW,
            unit=unit,
            title=f"{unit.short_name}整改",
            problem="进度滞后",
            requirement="整改",
            due_on=date(2026, 6, 1 + n % 29),
            card=["", "yellow", "red"][n % 3],
        )
        for n, unit in enumerate(units[:-1])
    )
    follow_up = follow_ups.create_and_issue(
        year=small.year,
        unit=units[-1],
        title="整改",
        problem="进度滞后",
        requirement="整改",
        due_on=date(2026, 6, 30),
        user=office,
        now=NOW,
    )
    reporter = make_user(f"rep{follow_up.unit_id}", Role.REPORTER, unit=follow_up.unit)
    follow_ups.acknowledge(follow_up=follow_up, user=reporter, now=NOW)
    for n in range(replies):
        files = [photo(f"{n}.jpg")] if n < 2 else []
        follow_ups.reply(
            follow_up=follow_up, user=reporter, text=f"第{n + 1}次反馈", files=files, now=NOW
        )
    return follow_up


def _counts(client, users, thread) -> dict[str, int]:
    pages = {
        "list": reverse("follow-up-list"),
        "open": reverse("follow-up-list") + "?status=open",
        "detail": reverse("follow-up-detail", args=[thread.pk]),
        "new": reverse("follow-up-new"),
    }
    counts = {}
    for who, user in users.items():
        client.force_login(user)
        for name, url in pages.items():
            if name == "new" and who == "reporter":
                continue
            client.get(url)
            with count_queries() as ctx:
                assert client.get(url).status_code == 200, (who, url)
            counts[f"{who} {name}"] = len(ctx)
    return counts


def test_follow_up_pages_do_not_grow_with_the_county_or_the_thread(client):
    small = build_small_year(year=2026)
    build_county(townships=5, departments=4, parks=1)  # 10 units
    office = make_user("office_q", Role.OFFICE, unit=small.county.units_named("县农业农村局"))
    thread = _task_every_unit(small, office, replies=1)
    users = {"office": office, "reporter": thread.unit.users.get()}
    assert Unit.objects.count() == 10
    few = _counts(client, users, thread)
    build_county(townships=20, departments=36, parks=4)  # 60 units
    thread = _task_every_unit(small, office, replies=10)
    assert Unit.objects.count() == 60
    users = {"office": office, "reporter": thread.unit.users.get()}
    many = _counts(client, users, thread)
    assert few == many, (few, many)
