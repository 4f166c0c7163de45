"""Home pages make the same number of queries for a county of 10 units and one of 60.

With the 待办 centre every home page counts work (ledgers, entries, flags, appeals, approvals,
locked accounts), so the counties carry a demo year with weeks of ledgers: a count that ran
one query per unit, entry or flag would differ between the two sizes.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.demo import build_year
from tests.helpers import count_queries, make_user

# Wednesday of ISO week 25: weeks 22-24 of ledgers behind, this week open.
NOW = datetime(2026, 6, 17, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# Where each role sits: unit people in a township, the reviewer in a lead department.
SEATS = {
    Role.REPORTER: "城关镇",
    Role.UNIT_HEAD: "城关镇",
    Role.REVIEWER: "县发展和改革委员会",
    Role.OFFICE: "县委政法委员会",
    Role.LEADER: None,
    Role.ADMIN: None,
}


def _queries_per_role(client, county) -> dict[Role, int]:
    build_year(county=county, year=2026, weeks=3, seed=3, now=NOW)
    size = len(county.units)
    counts = {}
    for role in Role:
        unit = county.units_named(SEATS[role]) if SEATS[role] else None
        user = make_user(f"q-{role.value}-{size}", role, unit=unit)
        client.force_login(user)
        # Units need colleagues on the page to expose per-row queries.
        for i in range(3):
            make_user(f"c{i}-{role.value}-{size}", Role.REPORTER, unit=county.units[0])
        url = reverse(f"home-{role.value.replace('_', '-')}")
        with count_queries() as ctx:
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["todo"], role  # the 待办 centre was built, not skipped
        counts[role] = len(ctx)
    return counts


@pytest.mark.django_db
@pytest.mark.clock("2026-06-17 10:00")
def test_query_count_does_not_grow_with_units(client):
    small = _queries_per_role(client, build_county(townships=4, departments=4, parks=2))
    large = _queries_per_role(client, build_county(townships=20, departments=36, parks=4))
    assert small == large
    assert max(large.values()) <= 25, large
