"""Fixtures for campaigns tests: the 2026 assessment year with its four campaigns and periods."""

import pytest

from campaigns.models import AssessmentYear, Campaign
from campaigns.services.years import generate_periods
from tests.campaigns.builders import BEFORE_2026

# (campaign, lead unit): the four 会战 of DESIGN §3, led by units of the demo county.
CAMPAIGNS = [
    ("项目建设会战", "县发展和改革委员会"),
    ("县城建设会战", "县住房和城乡建设局"),
    ("美丽乡村会战", "县农业农村局"),
    ("严打整治会战", "县委政法委员会"),
]


@pytest.fixture
def year_2026(county) -> AssessmentYear:
    """AssessmentYear 2026 (active; deadline Friday 18:00, locks 3 days later).

    It has the four campaigns in CAMPAIGNS order (sort_order 1–4) and its 53 periods; no
    indicators or targets — add those with `campaigns.services.years.set_target` and friends.
    Reach the campaigns with `year_2026.campaigns.get(name="项目建设会战")`.
    """
    year = AssessmentYear.objects.create(year=2026, status=AssessmentYear.Status.ACTIVE)
    for order, (name, lead) in enumerate(CAMPAIGNS, start=1):
        Campaign.objects.create(
            year=year, name=name, lead_unit=county.units_named(lead), sort_order=order
        )
    generate_periods(year=year, now=BEFORE_2026)
    return year
