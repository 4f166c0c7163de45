"""The ledger form, the reviewer queue and the completeness matrix make as many queries for a
county of 60 units as for one of 10 (the demo county builder at two sizes, three weeks)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from campaigns.demo import build_demo
from campaigns.selectors import current_year, period_containing
from tests.helpers import count_queries

PAGES = {
    "reporter": lambda: reverse(
        "ledger-week", args=[period_containing(current_year(), timezone.now()).pk]
    ),
    "reviewer": lambda: reverse("review-queue") + "?status=all",
    "office": lambda: reverse("completeness"),
}


def _counts(client) -> dict[str, int]:
    counts = {}
    for username, url in PAGES.items():
        client.force_login(User.objects.get(username=username))
        target = url()
        client.get(target)  # first visit may open this week's ledger (a write)
        with count_queries() as ctx:
            assert client.get(target).status_code == 200
        counts[username] = len(ctx)
    return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_county(client):
    build_demo(townships=4, departments=4, parks=2, weeks=3)
    small = _counts(client)
    build_demo(townships=20, departments=36, parks=4, weeks=3)
    large = _counts(client)
    assert small == large, (small, large)
