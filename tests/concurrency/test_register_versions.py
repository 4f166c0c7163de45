"""Register rows carry versions as ledger entries do: a verdict or a correction posted from a
page opened before someone else changed the row is refused with what changed."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import SignedProject
from campaigns.services.registers.review import return_row, verify_row
from tests.campaigns.builders import hand_in
from tests.campaigns.register_builders import build_register_year
from tests.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-05-15 10:00")]


def test_a_stale_return_of_a_verified_signing_is_refused_and_the_verdict_stands(client):
    reg = build_register_year(year=2026)
    ledger = hand_in(reg.small, week=10)
    signing = SignedProject.objects.create(
        year=reg.small.year,
        unit=reg.township,
        ledger=ledger,
        name="冷链物流项目",
        investor="某公司",
        amount=Decimal(12000),
        signed_on=date(2026, 3, 2),
    )
    seen = signing.version
    second = make_user("rev2", Role.REVIEWER, unit=reg.small.reviewer.unit)
    verify_row(kind="signed", row_id=signing.pk, user=reg.small.reviewer, expected_version=seen)

    with pytest.raises(LedgerError, match=r"「冷链物流项目」已被 .*修改：核实状态 待核实→已核实"):
        return_row(
            kind="signed", row_id=signing.pk, user=second, comment="金额有误", expected_version=seen
        )
    # The review page posts the version it showed, and says why it refused.
    client.force_login(second)
    answer = client.post(
        reverse("register-review-return", args=[signing.pk]),
        {"kind": "signed", "comment": "金额有误", "version": str(seen)},
        follow=True,
    )
    assert "请刷新页面后再操作" in answer.content.decode()
    signing.refresh_from_db()
    assert (signing.review_status, signing.reviewer, signing.version) == (
        "verified",
        reg.small.reviewer,
        seen + 1,
    )
