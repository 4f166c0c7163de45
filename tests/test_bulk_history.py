"""No bulk write on an audited model skips its history (issue 14), read from the source.

`Model.objects.bulk_create(...)`, `.bulk_update(...)` and `Model.objects.filter(...).update(...)`
write no history row; on a model of `jiaozhang.audit.AUDITED_MODELS` they must be
simple-history's `bulk_create_with_history` / `bulk_update_with_history` or per-row saves
(`campaigns.history.saved_with_history`). The exceptions below say why each may stay. The
runtime walk (tests/test_history_walk.py) catches what a name cannot show (a queryset held in
a variable); this guard names the file and line before anything runs.
"""

import ast
from pathlib import Path

from jiaozhang.audit import AUDITED_MODELS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["accounts", "campaigns", "scoring", "jiaozhang", "bench", "scripts"]
AUDITED = {label.split(".")[1] for label in AUDITED_MODELS}
WRITES = {"bulk_create", "bulk_update", "update"}

# (file, model, method) -> why it may write without simple-history's helpers.
ALLOWED = {
    ("campaigns/demo.py", "WeeklyLedger", "bulk_create"): (
        "the demo's simulated weeks: _HistoryWriter writes each ledger's history itself, dated "
        "and signed as the simulated hand-in"
    ),
    ("campaigns/demo.py", "LedgerEntry", "bulk_create"): (
        "the demo's simulated weeks: _HistoryWriter writes every entry's history itself, the "
        "returned and corrected ones step by step"
    ),
    ("bench/dashboards.py", "FollowUp", "bulk_create"): "a benchmark's throwaway rows",
    ("bench/escalation.py", "FollowUp", "bulk_create"): "a benchmark's throwaway rows",
    ("bench/follow_ups.py", "FollowUp", "bulk_create"): "a benchmark's throwaway rows",
    ("bench/ledger_year.py", "Indicator", "bulk_create"): "a benchmark's throwaway rows",
    ("bench/ledger_year.py", "Target", "bulk_create"): "a benchmark's throwaway rows",
    ("bench/report_pdf.py", "Unit", "bulk_create"): "a benchmark's throwaway rows",
}


def _receiver(node):
    """(root name, attribute chain) of a call's receiver: `A.objects.filter(...).update` ->
    ("A", ["objects", "filter", "update"])."""
    chain = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, chain[::-1]
        else:
            return None, chain[::-1]


def history_skipping_writes(name: str, text: str) -> list[tuple[str, str, int]]:
    """(model, method, line) of every bulk write on an audited model's manager in `text`."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in WRITES:
            continue
        root, chain = _receiver(node.func.value)
        # `A.history...` writes history rows themselves; only `A.objects...` writes the table.
        if root in AUDITED and chain[:1] == ["objects"]:
            found.append((root, method, node.lineno))
    return found


def sources():
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in name:
                yield name, path.read_text(encoding="utf-8")


def test_no_bulk_write_on_an_audited_model_skips_history():
    found, used = [], set()
    for name, text in sources():
        for model, method, line in history_skipping_writes(name, text):
            if (name, model, method) in ALLOWED:
                used.add((name, model, method))
            else:
                found.append(f"{name}:{line}: {model}.objects…{method}() writes no history")
    assert found == [], "use bulk_create_with_history / bulk_update_with_history:\n" + "\n".join(
        found
    )
    assert set(ALLOWED) - used == set(), "an allowed exception no longer exists: remove it"


def test_the_guard_sees_the_writes_it_forbids():
    code = (
        "FileEntry.objects.bulk_create(rows)\n"
        "LedgerEntry.objects.filter(ledger=ledger).update(review_status='verified')\n"
        "Target.objects.bulk_update(targets, ['annual_value'])\n"
        "LedgerEntry.history.model.objects.bulk_create(snapshots)\n"  # history rows: fine
        "UnitScore.objects.bulk_update(scores, ['previous_rank'])\n"  # not audited: fine
        "bulk_create_with_history(rows, FileEntry)\n"
    )
    assert history_skipping_writes("x.py", code) == [
        ("FileEntry", "bulk_create", 1),
        ("LedgerEntry", "update", 2),
        ("Target", "bulk_update", 3),
    ]
