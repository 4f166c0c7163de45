"""The small year of the 用好帐 tests, with a few weeks of verified figures (see the table in
tests/campaigns/test_comparisons.py's docstring)."""

from datetime import date
from decimal import Decimal

from accounts.roles import Role
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.review import verify_entries
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

D = Decimal


def report(small, unit, week, *, investment=None, cases=None, flood_done=None, verify=True):
    """The unit's week-`week` ledger handed in and (unless told otherwise) verified as typed."""
    reporter = small.reporter if unit == small.reporter.unit else None
    if reporter is None:
        reporter = small.county_reporters.get(unit.pk)
        if reporter is None:
            reporter = make_user(f"r{unit.pk}", Role.REPORTER, unit=unit)
            small.county_reporters[unit.pk] = reporter
    now = small.during(week)
    ledger = open_ledger(unit=unit, period=small.period(week))
    changes = {small.flood.pk: EntryInput(done_on=flood_done)}
    if investment is not None:
        changes[small.investment.pk] = EntryInput(value=D(investment))
    if cases is not None:
        changes[small.cases.pk] = EntryInput(value=D(cases))
    save_entries(ledger=ledger, user=reporter, now=now, changes=changes)
    submit_ledger(ledger=ledger, user=reporter, now=now)
    if verify:
        entries = list(ledger.entries.exclude(value__isnull=True, done_on__isnull=True))
        by_lead = {}
        for entry in entries:
            by_lead.setdefault(entry.indicator.lead_unit_id, []).append(entry.pk)
        for lead_unit_id, ids in by_lead.items():
            verify_entries(entry_ids=ids, user=small.reviewers[lead_unit_id], now=now)
    return ledger


def build_analysis_year():
    """The small year with the verified figures of tests/campaigns/test_comparisons.py's table."""
    small = build_small_year(year=2026)
    small.county_reporters = {}
    zfw = small.cases.lead_unit
    small.zfw_reviewer = make_user("rev-zfw", Role.REVIEWER, unit=zfw)
    small.reviewers = {small.reviewer.unit_id: small.reviewer, zfw.pk: small.zfw_reviewer}
    chengguan, qingshan, third = small.county.units[:3]
    small.units = chengguan, qingshan, third
    report(small, chengguan, 10, investment="1.0", cases="4")
    report(small, chengguan, 12, investment="1.6", cases="4")
    report(small, third, 13, investment="2.4", cases="9")
    report(small, chengguan, 14, investment="2.0", cases="12")
    report(small, qingshan, 14, investment="3.6", cases="6", flood_done=date(2026, 3, 20))
    report(small, third, 14, investment="5.0", cases="10", verify=False)
    return small
