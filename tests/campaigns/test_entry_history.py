"""An entry's history for the office: every change with old and new value, who, when and why,
in Chinese (field names, choice labels, people by name, local time)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from campaigns.models import LedgerEntry
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import return_entry, verify_entries
from tests.campaigns.builders import build_small_year


def _local(moment) -> str:
    moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def history_rows(client, entry) -> list[str]:
    """Each row of the rendered history page as plain text (cells joined by " | ")."""
    page = client.get(reverse("entry-history", args=[entry.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    rows = re.findall(r'<tr data-testid="history-row">(.*?)</tr>', html, re.S)
    return [
        " | ".join(
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        )
        for row in rows
    ]


@pytest.fixture
def small(db):
    return build_small_year()


def test_a_returned_and_resubmitted_entry_shows_every_change(client, small):
    week = 10
    reported_at = small.during(week, hours_before_deadline=48)
    returned_at = small.during(week, hours_before_deadline=30)
    corrected_at = small.during(week, hours_before_deadline=6)
    opened_at = reported_at - timedelta(hours=1)
    with time_machine.travel(opened_at, tick=False):
        ledger = open_ledger(unit=small.reporter.unit, period=small.period(week))
    changes = {
        small.investment.pk: EntryInput(value=Decimal("3")),
        small.cases.pk: EntryInput(value=Decimal("2")),
        small.flood.pk: EntryInput(),
    }
    with time_machine.travel(reported_at, tick=False):
        save_entries(ledger=ledger, user=small.reporter, now=reported_at, changes=changes)
        submit_ledger(ledger=ledger, user=small.reporter, now=reported_at)
    entry = ledger.entries.get(indicator=small.investment)
    with time_machine.travel(returned_at, tick=False):
        return_entry(
            entry=entry, user=small.reviewer, comment="含0.6亿元土地款，请更正", now=returned_at
        )
    with time_machine.travel(corrected_at, tick=False):
        save_entries(
            ledger=ledger,
            user=small.reporter,
            now=corrected_at,
            changes={small.investment.pk: EntryInput(value=Decimal("2.4"))},
        )
    with time_machine.travel(corrected_at + timedelta(minutes=1), tick=False):
        submit_ledger(ledger=ledger, user=small.reporter, now=corrected_at)

    client.force_login(small.office)
    rows = history_rows(client, entry)
    reporter, reviewer = small.reporter.full_name, small.reviewer.full_name
    assert rows[0] == f"{_local(opened_at)} | 系统 | 开帐 | 创建"
    assert rows[1] == f"{_local(reported_at)} | {reporter} | 填报 | 填报值：（空） → 3"
    assert rows[2] == (
        f"{_local(returned_at)} | {reviewer} | 退回：含0.6亿元土地款，请更正 | "
        f"核实状态：待核实 → 已退回核实人：（空） → {reviewer}"
        f"核实时间：（空） → {_local(returned_at)}审核意见：（空） → 含0.6亿元土地款，请更正"
    )
    assert rows[3] == f"{_local(corrected_at)} | {reporter} | 退回后重新填报 | 填报值：3 → 2.4"
    assert rows[4] == (
        f"{_local(corrected_at + timedelta(minutes=1))} | {reporter} | 退回后重新提交 | "
        "核实状态：已退回 → 待核实"
    )
    assert len(rows) == 5


@pytest.mark.clock("2026-04-15 10:00")  # after week 10: history dates follow the steps' order
def test_every_service_change_records_who_and_why(small):
    """The class check: whatever path changed an entry, its history row has a user and reason."""
    now = small.during(10)
    with time_machine.travel(now - timedelta(hours=1), tick=False):
        ledger = open_ledger(unit=small.reporter.unit, period=small.period(10))
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=now,
        changes={
            small.investment.pk: EntryInput(value=Decimal("3")),
            small.cases.pk: EntryInput(value=Decimal("2")),
            small.flood.pk: EntryInput(),
        },
    )
    submit_ledger(ledger=ledger, user=small.reporter, now=now)
    entry = ledger.entries.get(indicator=small.investment)
    return_entry(entry=entry, user=small.reviewer, comment="请更正", now=now)
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=now,
        changes={small.investment.pk: EntryInput(value=Decimal("2.8"))},
    )
    submit_ledger(ledger=ledger, user=small.reporter, now=now)
    verify_entries(
        entry_ids=[entry.pk],
        user=small.reviewer,
        comment="土地款不计",
        corrections={entry.pk: Decimal("2.4")},
    )
    history = LedgerEntry.history.filter(id=entry.pk).order_by("history_date", "pk")
    reasons = [(h.history_user_id, h.history_change_reason) for h in history]
    assert reasons == [
        (None, "开帐"),
        (small.reporter.pk, "填报"),
        (small.reviewer.pk, "退回：请更正"),
        (small.reporter.pk, "退回后重新填报"),
        (small.reporter.pk, "退回后重新提交"),
        (small.reviewer.pk, "核减：土地款不计"),
    ]
