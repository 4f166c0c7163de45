"""One place for each rule (issue 11): guards that fail if a repeated piece comes back.

Each guard reads the source tree (Python by its syntax tree, templates and scripts as text) and
names the file and line of a copy. `test_the_guards_see_the_old_copies` feeds each guard the
code it replaced, so a guard that has gone blind fails too.
"""

import ast
import re
from pathlib import Path

from django.conf import settings

from campaigns.models import WeeklyLedger

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "campaigns", "scoring", "jiaozhang", "bench"]


def sources():
    """(name, text) of every hand-written Python module of the apps."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in name:
                yield name, path.read_text(encoding="utf-8")


def _names_in(node) -> set[str]:
    """Attribute names and constants listed directly in a tuple, list or set literal."""
    found = set()
    for element in node.elts:
        if isinstance(element, ast.Attribute):
            found.add(element.attr)
        elif isinstance(element, ast.Constant):
            found.add(str(element.value))
        elif (
            isinstance(element, ast.Call)  # Decimal("0.25")
            and element.args
            and isinstance(element.args[0], ast.Constant)
        ):
            found.add(str(element.args[0].value))
    return found


def _literals(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            yield node


# --- the guards: each returns "file:line: what" for every copy it finds ------------------------


def not_handed_in_copies(name: str, text: str) -> list[str]:
    """The "not handed in" set and the status-from-reviews rule live on WeeklyLedger only."""
    if name == "campaigns/models.py":
        return []
    tree = ast.parse(text)
    found = [
        f"{name}:{node.lineno}: (DRAFT, AWAITING_CONFIRMATION) — use WeeklyLedger.NOT_HANDED_IN"
        for node in _literals(tree)
        if {"DRAFT", "AWAITING_CONFIRMATION"} <= _names_in(node)
    ]
    found += [
        f"{name}:{node.lineno}: PARTLY_VERIFIED — use WeeklyLedger.status_from_reviews"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "PARTLY_VERIFIED"
    ]
    return found


def milestone_copies(name: str, text: str) -> list[str]:
    """The default milestones (25/50/75/100 % at the quarter ends) live in campaigns/quarters.py."""
    if name == "campaigns/quarters.py":
        return []
    tree = ast.parse(text)
    found = [
        f"{name}:{node.lineno}: quarter fractions — use campaigns.quarters"
        for node in _literals(tree)
        if {"0.25", "0.75"} <= _names_in(node)
    ]
    for number, line in enumerate(text.splitlines(), 1):
        if re.search(r"31 if month in \(3, 12\)|date\(\w+, 9, 30\)", line):
            found.append(f"{name}:{number}: a quarter end — use campaigns.quarters.quarter_end")
    return found


def disposition_copies(name: str, text: str) -> list[str]:
    """Every download names its file through jiaozhang/downloads.py."""
    if name == "jiaozhang/downloads.py":
        return []
    pattern = re.compile(r"Content-Disposition|content_disposition_header|as_attachment\s*=")
    return [
        f"{name}:{number}: {line.strip()} — use jiaozhang.downloads"
        for number, line in enumerate(text.splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]


PERMISSIONS = {"has_add_permission", "has_change_permission", "has_delete_permission"}


def read_only_admin_copies(name: str, text: str) -> list[str]:
    """A class that refuses add, change and delete by returning False is jiaozhang.admin_site's
    ReadOnly (or ReadOnlyAdmin), defined once."""
    if name == "jiaozhang/admin_site.py":
        return []
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.ClassDef):
            continue
        refusing = {
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef)
            and item.name in PERMISSIONS
            and len(item.body) == 1
            and isinstance(item.body[0], ast.Return)
            and isinstance(item.body[0].value, ast.Constant)
            and item.body[0].value.value is False
        }
        if refusing == PERMISSIONS or node.name in ("ReadOnly", "ReadOnlyAdmin"):
            found.append(f"{name}:{node.lineno}: class {node.name} — use jiaozhang.admin_site")
    return found


def export_route_copies(name: str, text: str) -> list[str]:
    """An export renders through the registry only: no view renders the completeness workbook
    itself, and no view keeps its own list of exports that may run in a request."""
    if name in ("campaigns/exports.py", "scoring/reports/xlsx.py"):
        return []
    found = [
        f"{name}:{number}: {line.strip()} — render exports through scoring.reports.registry"
        for number, line in enumerate(text.splitlines(), 1)
        if "completeness_workbook" in line
    ]
    tree = ast.parse(text)
    for node in _literals(tree):
        exports = {n for n in _names_in(node) if n.endswith("_xlsx") or n.endswith("_pdf")}
        if len(exports) >= 2:
            found.append(f"{name}:{node.lineno}: a list of exports — say `synchronous` on each")
    return found


def dead_code(name: str, text: str) -> list[str]:
    """Removed as unused (issue 11); a new need should be a new, used, name."""
    tree = ast.parse(text)
    dead = {"EntryCheck", "indicators_visible_to", "current_period", "EXCEL_EXPORTS"}
    found = []
    for node in ast.walk(tree):
        defined = None
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            defined = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            defined = node.targets[0].id
        if defined in dead:
            found.append(f"{name}:{node.lineno}: {defined}")
    return found


GUARDS = [
    not_handed_in_copies,
    milestone_copies,
    disposition_copies,
    read_only_admin_copies,
    export_route_copies,
    dead_code,
]


def test_no_rule_is_written_twice():
    found = [copy for name, text in sources() for guard in GUARDS for copy in guard(name, text)]
    assert not found, "\n".join(found)


# --- numbers shown: one rounding (scoring/display.py) ------------------------------------------


def test_templates_and_charts_do_not_round_numbers_themselves():
    """Tables use the `points` filter, charts print the server's labels, views never round a
    float: `floatformat` (scores), `toFixed` and `round(float(` would each round again."""
    templates = Path(settings.TEMPLATES[0]["DIRS"][0])
    found = [
        f"{path.relative_to(templates)}: floatformat"
        for folder in ("scoring", "reports")
        for path in sorted((templates / folder).rglob("*.html"))
        if "floatformat" in path.read_text(encoding="utf-8")
    ]
    scripts = Path(settings.STATICFILES_DIRS[0]) / "js"
    found += [
        f"{path.name}: toFixed" for path in scripts.glob("*.js") if "toFixed" in path.read_text()
    ]
    found += [
        f"{name}: round(float(" for name, text in sources() if re.search(r"round\(float\(", text)
    ]
    assert not found, "\n".join(found)


def test_the_ledger_states_split_in_two():
    assert set(WeeklyLedger.HANDED_IN) | set(WeeklyLedger.NOT_HANDED_IN) == set(WeeklyLedger.Status)
    assert not set(WeeklyLedger.HANDED_IN) & set(WeeklyLedger.NOT_HANDED_IN)


# --- the guards are not blind: each finds the copy it replaced --------------------------------

OLD_COPIES = {
    not_handed_in_copies: (
        "campaigns/flag_data.py",
        "NOT_HANDED_IN = (WeeklyLedger.Status.DRAFT, WeeklyLedger.Status.AWAITING_CONFIRMATION)\n"
        "if x:\n    status = Status.PARTLY_VERIFIED\n",
    ),
    milestone_copies: (
        "campaigns/services/years.py",
        'QUARTER_FRACTIONS = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("1"))\n'
        "ends = [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]\n",
    ),
    disposition_copies: (
        "campaigns/views/office.py",
        "response['Content-Disposition'] = f'attachment; filename=\"x.xlsx\"'\n"
        "FileResponse(handle, as_attachment=True, filename=name)\n",
    ),
    read_only_admin_copies: (
        "scoring/admin.py",
        "class ReadOnlyAdmin(admin.ModelAdmin):\n    pass\n"
        "class Quiet(admin.ModelAdmin):\n"
        "    def has_add_permission(self, request, obj=None):\n        return False\n"
        "    def has_change_permission(self, request, obj=None):\n        return False\n"
        "    def has_delete_permission(self, request, obj=None):\n        return False\n",
    ),
    export_route_copies: (
        "scoring/views/results.py",
        'EXCEL = ("ranking_xlsx", "indicator_detail_xlsx", "completeness_xlsx")\n'
        "content = completeness_workbook(year=year, periods=periods, rows=rows)\n",
    ),
    dead_code: (
        "campaigns/selectors.py",
        "def indicators_visible_to(user):\n    pass\n",
    ),
}


def test_the_guards_see_the_old_copies():
    for guard, (name, text) in OLD_COPIES.items():
        found = guard(name, text)
        assert len(found) >= (1 if guard is dead_code else 2), (guard.__name__, found)
