"""Pages carry the version they showed: a form posted after someone else changed the row is
refused with who changed what, beside the row, and saves nothing (two test clients)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from campaigns.models import LedgerEntry
from campaigns.selectors import current_year, period_containing
from tests.campaigns.builders import build_small_year, hand_in
from tests.helpers import make_user

pytestmark = pytest.mark.clock("2026-06-10 10:00")  # week 24 of 2026 is open


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_two_reviewers_post_the_same_correction_form_the_second_is_told_who_won():
    small = build_small_year()
    second = make_user("rev2", Role.REVIEWER, unit=small.reviewer.unit)
    entry = hand_in(small, week=10).entries.get(indicator=small.investment)
    first_tab, second_tab = signed_in(small.reviewer), signed_in(second)
    queue = first_tab.get(reverse("review-queue")).content.decode()
    assert f'name="version" value="{entry.version}"' in queue  # the page carries it
    form = {"verified_value": "2.4", "comment": "土地款不计入", "version": str(entry.version)}
    url = reverse("review-correct", args=[entry.pk])

    assert first_tab.post(url, form).status_code == 302
    late = second_tab.post(url, {**form, "verified_value": "2.8"}, follow=True)

    page = late.content.decode()
    assert f"已被 {small.reviewer.full_name} 于" in page and "核实值 空→2.4" in page
    entry.refresh_from_db()
    assert (entry.verified_value, entry.reviewer) == (Decimal("2.4"), small.reviewer)


@pytest.mark.django_db
def test_the_week_page_refuses_a_tab_left_open_while_the_autosave_of_another_moved_on():
    """Tab 1 autosaves 投资 4 (the answer carries the new version); tab 2, opened before,
    posts 投资 5 with the old version: refused beside the row, 4 kept."""
    small = build_small_year()
    week = period_containing(current_year(), timezone.now())
    tab1, tab2 = signed_in(small.reporter), signed_in(small.reporter)
    page = tab1.get(reverse("ledger-week", args=[week.pk])).content.decode()
    entry = LedgerEntry.objects.get(ledger__period=week, indicator=small.investment)
    field = f"e{small.investment.pk}-"
    assert f'name="{field}version" value="{entry.version}"' in page
    autosave = reverse("ledger-autosave", args=[week.pk, small.investment.pk])

    saved = tab1.post(autosave, {f"{field}value": "4", f"{field}version": str(entry.version)})
    assert saved.json()["version"] == entry.version + 1

    stale = tab2.post(
        reverse("ledger-week", args=[week.pk]),
        {"action": "save", f"{field}value": "5", f"{field}version": str(entry.version)},
    )
    assert stale.status_code == 400
    assert f"已被 {small.reporter.full_name} 于" in stale.content.decode()
    assert "填报值 空→4" in stale.content.decode()
    # The autosave script meets the same refusal, beside the row (anchor row-<id>).
    again = tab2.post(autosave, {f"{field}value": "5", f"{field}version": str(entry.version)})
    assert again.status_code == 400
    assert list(again.json()["errors"]) == [f"row-{small.investment.pk}"]
    entry.refresh_from_db()
    assert entry.value == Decimal("4")
