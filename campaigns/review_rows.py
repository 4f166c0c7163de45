"""The rows of the reviewer's queue (a read model): each entry with its figure's context, its
flags and what the unit wrote about it, in the same number of queries whatever the page holds.

Kept beside `selectors` (which it builds on) so the services can judge a batch by the very
flags the reviewer saw: `entry_flags` is the one answer to "does this entry carry flags".
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from .flag_data import flags_for_entries
from .flags import Flag
from .models import LedgerEntry
from .selectors import trends_and_peers

# campaigns.plausibility: a figure far outside the unit's target, explained by the unit in its
# 异常说明 (shown beside the flag) — or not yet, when it came in through a workbook.
IMPLAUSIBLE = Flag("implausible", "数值异常")
IMPLAUSIBLE_UNEXPLAINED = Flag("implausible", "数值异常（单位未说明）")


class PagedByIds:
    """A sorted queryset for a Paginator that reads a page in two steps: the page's ids by the
    sort alone, then only those rows whole, with their joins and prefetches. Sorting whole
    joined rows to keep 50 of a city reviewer's 36,000 took most of the queue's time (issue
    14). Paginator slices it; a slice is a list in the queryset's order."""

    def __init__(self, rows: QuerySet):
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list:
        ids = list(self.rows.values_list("pk", flat=True)[index])
        found = {row.pk: row for row in self.rows.filter(pk__in=ids).order_by()}
        return [found[pk] for pk in ids if pk in found]  # one gone meanwhile is left out


@dataclass(frozen=True)
class Note:
    """One thing the unit wrote beside its figure, under the label the week page asks with."""

    label: str
    text: str


def entry_flags(entries: Iterable[LedgerEntry]) -> dict[int, list[Flag]]:
    """Each entry's flags (an entry without any maps to []): the reviewer's prompts of
    campaigns.flags, and 数值异常 on a figure campaigns.plausibility found implausible."""
    entries = list(entries)
    flags = flags_for_entries(entries)
    return {entry.pk: flags.get(entry.pk, []) + _plausibility(entry) for entry in entries}


def _plausibility(entry: LedgerEntry) -> list[Flag]:
    if not entry.plausibility_flagged:
        return []
    return [IMPLAUSIBLE if entry.plausibility_note.strip() else IMPLAUSIBLE_UNEXPLAINED]


def unit_notes(entry: LedgerEntry) -> list[Note]:
    """What the unit wrote about the week, in the week page's order; empty fields left out.

    下降原因 and 异常说明 are not here: they explain a flag and are shown beside it.
    """
    notes = []
    if entry.progress.strip():
        notes.append(Note("本周进展", entry.progress.strip()))
    if entry.problems.strip() or entry.problem_category:
        label = "存在问题"
        if entry.problem_category:
            label += f"（{entry.get_problem_category_display()}）"
        notes.append(Note(label, entry.problems.strip()))
    if entry.next_steps.strip():
        notes.append(Note("下步打算", entry.next_steps.strip()))
    return notes


def review_rows(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """The entries, each given `trend` (前后比), `peers` (左右比), `flags` and `notes`."""
    entries = list(entries)
    trend, peers = trends_and_peers(entries)
    flags = entry_flags(entries)
    for entry in entries:
        entry.trend, entry.peers = trend.get(entry.pk, []), peers.get(entry.pk)
        entry.flags = flags[entry.pk]
        entry.notes = unit_notes(entry)
    return entries
