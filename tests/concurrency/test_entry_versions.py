"""Two people acting on the same ledger entry at once, on two real PostgreSQL connections:
one wins, the other is refused with what changed (campaigns/versions.py), nothing is
silently overwritten."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import LedgerEntry
from campaigns.services.ledger import EntryInput, save_entries, submit_ledger
from campaigns.services.review import return_entry, verify_entries
from tests.campaigns.builders import build_small_year, hand_in
from tests.concurrency.threads import at_once
from tests.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def refused(outcomes) -> list[str]:
    return [" ".join(o.messages) for o in outcomes if isinstance(o, LedgerError)]


def test_two_reviewers_correct_the_same_entry_one_wins_and_the_other_sees_what_changed():
    """Both saw 投资 3 at the same version: 发改委's two reviewers correct it to 2.4 and 2.8.
    The row lock makes the second wait; it then finds a newer version and is refused with the
    first one's verdict, so the row holds exactly one of the two figures."""
    small = build_small_year()
    second = make_user("rev2", Role.REVIEWER, unit=small.reviewer.unit, full_name="王五")
    entry = hand_in(small, week=10).entries.get(indicator=small.investment)
    seen = entry.version

    def correct(user, figure):
        return lambda: verify_entries(
            entry_ids=[entry.pk],
            user=user,
            corrections={entry.pk: Decimal(figure)},
            comment="土地款不计入",
            versions={entry.pk: seen},
        )

    outcomes = at_once(correct(small.reviewer, "2.4"), correct(second, "2.8"))

    messages = refused(outcomes)
    assert len(messages) == 1, outcomes
    entry.refresh_from_db()
    assert entry.version == seen + 1
    winner = small.reviewer if entry.verified_value == Decimal("2.4") else second
    assert entry.reviewer == winner and entry.review_status == "verified"
    # The loser reads who changed what from the history: the winner's name, the new status
    # and the figure, and is told to reload.
    assert f"已被 {winner.full_name} 于" in messages[0]
    assert "核实状态 待核实→已核实" in messages[0]
    assert f"核实值 空→{entry.verified_value.normalize():f}" in messages[0]
    assert messages[0].endswith("请刷新页面后再操作。")
    assert entry.history.filter(history_change_reason__startswith="核减").count() == 1


def test_a_resubmission_and_a_stale_verification_at_once_keep_the_units_figure():
    """A reviewer had the entry open while pending (3); meanwhile another returned it and the
    unit corrected it to 3.6. The unit's resubmission and the stale 核实 run at once: the
    resubmission stands and the verification is refused whichever runs first (the row it saw
    is gone), so 3.6 is never verified unseen."""
    small = build_small_year()
    second = make_user("rev2", Role.REVIEWER, unit=small.reviewer.unit)
    ledger = hand_in(small, week=10)
    entry = ledger.entries.get(indicator=small.investment)
    seen_by_second = entry.version
    return_entry(entry=entry, user=small.reviewer, comment="请附开工照片")
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=small.during(10),
        changes={small.investment.pk: EntryInput(value=Decimal("3.6"))},
        versions={small.investment.pk: seen_by_second + 1},
    )
    ledger.refresh_from_db()

    outcomes = at_once(
        lambda: submit_ledger(ledger=ledger, user=small.reporter, expected_version=ledger.version),
        lambda: verify_entries(
            entry_ids=[entry.pk], user=second, versions={entry.pk: seen_by_second}
        ),
    )

    assert not isinstance(outcomes[0], Exception), outcomes[0]
    assert isinstance(outcomes[1], LedgerError)
    assert "请刷新页面后再操作" in refused(outcomes)[0]
    entry.refresh_from_db()
    assert (entry.value, entry.review_status, entry.verified_value) == (
        Decimal("3.6"),
        LedgerEntry.ReviewStatus.PENDING,
        None,
    )


@pytest.mark.django_db(transaction=False)
def test_a_caller_without_a_version_skips_the_check_but_still_raises_it():
    """Tasks, the shell and derive_ledger see no page: no check, yet the row's version moves
    so a page opened before them is refused."""
    small = build_small_year()
    entry = hand_in(small, week=10).entries.get(indicator=small.investment)
    seen = entry.version
    verify_entries(entry_ids=[entry.pk], user=small.reviewer)
    entry.refresh_from_db()
    assert entry.version == seen + 1
    with pytest.raises(LedgerError, match=r"已被 .* 修改"):
        return_entry(entry=entry, user=small.reviewer, comment="重新核对", expected_version=seen)
