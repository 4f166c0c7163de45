"""The import rules of docs/architecture.md, read from the source (AST) so a new module is
covered as it is added.

- Apps build one way: accounts ← campaigns ← scoring. accounts imports neither campaigns nor
  scoring, campaigns does not import scoring, at module level or inside a function.
- Services never import tasks modules: a task is a thin wrapper that imports its service, and
  a service starts a task by name through jiaozhang.tasking (no cycle hidden in a function).
- No module imports another module's private (`_name`) helpers: what two modules share is
  public, in the module that owns it.
- No hand-written module grows past ~500 lines, except the pure engine, the demo data and the
  models (one file per app, as Django keeps them).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "campaigns", "scoring", "jiaozhang")
MAX_LINES = 500
LONG_ALLOWED = {
    "scoring/engine.py",  # the pure rules, one function per rule of DESIGN §4
    "campaigns/demo.py",  # the demo county's data
    "campaigns/models.py",
    "scoring/models.py",
}


def app_modules(root: Path = ROOT):
    """(dotted name, path) of every hand-written module of the apps (not migrations)."""
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts or "__pycache__" in path.parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imports_of(name: str, path: Path):
    """(imported module, imported name or None, line) for every import, at any depth."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            for alias in node.names:
                yield module, alias.name, node.lineno


def upward_imports(root: Path = ROOT) -> list[str]:
    below = {"accounts": ("campaigns", "scoring"), "campaigns": ("scoring",)}
    found = []
    for name, path in app_modules(root):
        forbidden = below.get(name.split(".")[0], ())
        for module, _, line in imports_of(name, path):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(root)}:{line} imports {module}")
    return found


def is_tasks(names) -> bool:
    """Whether any of `names` (parts of a dotted path, an imported name) is a tasks module."""
    return any(n == "tasks" or n.endswith("_tasks") for n in names)


def services_importing_tasks(root: Path = ROOT) -> list[str]:
    found = []
    for name, path in app_modules(root):
        if "services" not in name.split("."):
            continue
        for module, imported, line in imports_of(name, path):
            if is_tasks([module.rpartition(".")[2], imported or ""]):
                found.append(f"{path.relative_to(root)}:{line} imports {module} {imported or ''}")
    return found


def layer_imports(root: Path = ROOT) -> list[str]:
    """Selectors that import services or tasks; modules other than URL confs (and a views
    package itself) that import views."""
    found = []
    for name, path in app_modules(root):
        parts = name.split(".")
        for module, imported, line in imports_of(name, path):
            targets = module.split(".") + ([imported] if imported else [])
            where = f"{path.relative_to(root)}:{line} imports {module} {imported or ''}"
            if parts[-1] == "selectors" and ("services" in targets or is_tasks(targets)):
                found.append(where)
            in_views = "views" in parts or parts[-1] == "urls"
            if "views" in targets and not in_views and not module.startswith("django."):
                found.append(where)
    return found


def private_imports(root: Path = ROOT) -> list[str]:
    found = []
    for name, path in app_modules(root):
        for module, imported, line in imports_of(name, path):
            if imported and imported.startswith("_") and not imported.startswith("__"):
                found.append(f"{path.relative_to(root)}:{line} imports {imported} from {module}")
    return found


def long_modules(root: Path = ROOT) -> list[str]:
    found = []
    for _, path in app_modules(root):
        relative = path.relative_to(root).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and relative not in LONG_ALLOWED:
            found.append(f"{relative}: {lines} lines")
    return found


def test_apps_import_one_way():
    """accounts ← campaigns ← scoring: a lower app never imports a higher one (an app that
    needs a higher one's answer offers a hook, as campaigns' `freeze_deadlines`)."""
    assert upward_imports() == []


def test_services_never_import_tasks():
    assert services_importing_tasks() == []


def test_selectors_only_read_and_only_url_confs_import_views():
    assert layer_imports() == []


def test_no_module_imports_another_modules_private_helpers():
    assert private_imports() == []


def test_no_hand_written_module_is_too_long():
    assert long_modules() == []


def test_the_seed_demo_command_lives_with_the_demo():
    assert not (ROOT / "accounts" / "management").exists()
    assert (ROOT / "campaigns" / "management" / "commands" / "seed_demo.py").is_file()


@pytest.mark.parametrize(
    "owner, constant",
    [
        ("accounts.services", "SEND_NOTIFICATION_EMAILS"),
        ("scoring.services.reports", "RENDER_REPORT"),
        ("scoring.services.compute_jobs", "COMPUTE_QUARTER"),
    ],
)
def test_the_tasks_services_start_by_name_are_registered(owner, constant):
    """Every process knows them: each app's ready() imports its tasks modules."""
    from importlib import import_module

    from jiaozhang.tasking import task_named

    name = getattr(import_module(owner), constant)
    assert task_named(name).name == name


def test_the_checks_catch_what_they_are_for(tmp_path):
    """Each check finds its rule broken in a small tree of modules written for it."""
    modules = {
        "accounts/views.py": "from campaigns.models import Ledger\n",
        "campaigns/services/ledger.py": (
            "def notify():\n    from ..tasks import send\n    from scoring import models\n"
        ),
        "scoring/services/reports.py": "from scoring.report_tasks import render_report\n",
        "scoring/selectors.py": "from .services import evaluations\n",
        "scoring/admin.py": "from .views.office import page\nfrom .engine import _rank\n",
        "jiaozhang/tasking.py": "x = 1\n" * (MAX_LINES + 1),
    }
    for relative, text in modules.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert upward_imports(tmp_path) == [
        "accounts/views.py:1 imports campaigns.models",
        "campaigns/services/ledger.py:3 imports scoring",
    ]
    assert services_importing_tasks(tmp_path) == [
        "campaigns/services/ledger.py:2 imports campaigns.tasks send",
        "scoring/services/reports.py:1 imports scoring.report_tasks render_report",
    ]
    assert layer_imports(tmp_path) == [
        "scoring/admin.py:1 imports scoring.views.office page",
        "scoring/selectors.py:1 imports scoring.services evaluations",
    ]
    assert private_imports(tmp_path) == ["scoring/admin.py:2 imports _rank from scoring.engine"]
    assert long_modules(tmp_path) == [f"jiaozhang/tasking.py: {MAX_LINES + 1} lines"]
