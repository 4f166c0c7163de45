"""Home pages make the same number of queries for a county of 10 units and one of 60."""

import pytest
from django.urls import reverse

from accounts.demo import build_county
from accounts.roles import Role
from tests.helpers import count_queries, make_user


def _queries_per_role(client, county) -> dict[Role, int]:
    township = county.units[0]
    counts = {}
    for role in Role:
        user = make_user(f"q-{role.value}-{len(county.units)}", role, unit=township)
        client.force_login(user)
        # Units need colleagues on the page to expose per-row queries.
        for i in range(3):
            make_user(f"c{i}-{role.value}-{len(county.units)}", Role.REPORTER, unit=township)
        url = reverse(f"home-{role.value.replace('_', '-')}")
        with count_queries() as ctx:
            assert client.get(url).status_code == 200
        counts[role] = len(ctx)
    return counts


@pytest.mark.django_db
def test_query_count_does_not_grow_with_units(client):
    small = _queries_per_role(client, build_county(townships=4, departments=4, parks=2))
    large = _queries_per_role(client, build_county(townships=20, departments=36, parks=4))
    assert small == large
    assert max(large.values()) <= 15, large
