"""The three register lists make as many queries for 60 units' rows as for 10."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Unit
from campaigns.models import Inspection, KeyProject, PilotVillage, SignedProject, VillageTask
from campaigns.services.ledger import open_ledger
from tests.campaigns.register_builders import build_register_year
from tests.helpers import count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-05-15 10:00")]

LISTS = ("register-projects", "register-signed", "register-villages")


def _add_units(reg, start: int, stop: int) -> None:
    """Units `start`..`stop`-1, each with two projects (one checked), a signing and a village
    with two tasks."""
    small = reg.small
    campaign = small.investment.campaign
    for i in range(start, stop):
        unit = Unit.objects.create(
            name=f"测试镇{i}",
            short_name=f"测{i}",
            kind=reg.township.kind,
            group=reg.township.group,
            sort_order=100 + i,
        )
        for n in range(2):
            project = KeyProject.objects.create(
                year=small.year,
                campaign=campaign,
                name=f"测试项目{i}-{n}",
                unit=unit,
                park=reg.township if n else None,
                leader=reg.leader,
                category=KeyProject.Category.INDUSTRY,
                total_investment=Decimal(1000),
                annual_plan=Decimal(500),
                planned_start=date(2026, 4, 1),
            )
        Inspection.objects.create(
            unit=unit,
            project=project,
            inspector=small.office,
            visited_on=date(2026, 5, 1),
            place="现场",
            findings="正常",
        )
        ledger = open_ledger(unit=unit, period=small.period(19))
        SignedProject.objects.create(
            year=small.year,
            unit=unit,
            ledger=ledger,
            name=f"签约{i}",
            investor="某公司",
            amount=Decimal(100),
            signed_on=date(2026, 5, 6),
        )
        village = PilotVillage.objects.create(
            year=small.year, township=unit, name=f"试点村{i}", level="county_aid", leader=reg.leader
        )
        for n in range(2):
            VillageTask.objects.create(village=village, name=f"任务{n}", due_on=date(2026, 7, 31))


def _counts(client, users) -> dict:
    counts = {}
    for user in users:
        client.force_login(user)
        for name in LISTS:
            with count_queries() as ctx:
                assert client.get(reverse(name)).status_code == 200
            counts[user.username, name] = len(ctx)
    return counts


def test_register_lists_do_not_grow_with_the_county(client):
    reg = build_register_year(year=2026)
    users = [reg.small.office, reg.small.reviewer, reg.small.reporter, reg.leader]
    _add_units(reg, 0, 10)
    small = _counts(client, users)
    _add_units(reg, 10, 60)
    large = _counts(client, users)
    assert small == large, (small, large)
    client.force_login(reg.small.office)
    page = client.get(reverse("register-projects")).content.decode()
    # A page of 50 rows (campaigns/views/registers/pages.py), the count of them all.
    assert page.count('data-testid="project-row"') == 50 and "共 124 个项目" in page
