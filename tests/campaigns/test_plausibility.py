"""The plausibility rule (campaigns/plausibility.py), with numbers worked out by hand."""

from decimal import Decimal

import pytest

from campaigns.plausibility import exceeds, warning_for
from campaigns.selectors import ledger_rows
from campaigns.services.ledger import open_ledger
from tests.campaigns.builders import build_small_year

D = Decimal


@pytest.mark.parametrize(
    ("value", "target", "flagged"),
    [
        ("99999999999", "4", True),  # the audit's figure: far above 3 × 4 = 12
        ("12", "4", False),  # exactly 3 × 4: allowed
        ("12.01", "4", True),  # just above 12
        ("36", "12", False),
        ("36.5", "12", True),
        ("1000", "0", False),  # no scale to judge against
        ("1000", None, False),
        (None, "4", False),  # nothing typed
        ("-5", "4", False),  # negative figures are refused by another rule
    ],
)
def test_the_rule(value, target, flagged):
    assert exceeds(D(value) if value else None, D(target) if target else None) is flagged


@pytest.mark.clock("2026-06-10 10:00")
def test_warning_for_a_week_row_reads_the_units_target(db):
    """城关镇's investment target is 12 亿元: 40 > 36 is flagged, 30 is not; the milestone
    (no target figure) never is."""
    small = build_small_year()
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(24))
    rows = {r.entry.indicator_id: r for r in ledger_rows(ledger, editable_ids=set())}

    def warning(row, value):
        target = row.target.annual_value if row.target is not None else None
        return warning_for(row.entry.indicator, target, value)

    expected = "填报值 40亿元 超过年度目标（12亿元）的 3 倍，请核对"
    assert warning(rows[small.investment.pk], D("40")) == expected
    assert warning(rows[small.investment.pk], D("30")) is None
    assert warning(rows[small.flood.pk], D("40")) is None
