"""Views stay thin (issue 11): no view module queries a model or sends a notification itself.

Reads go through the selectors (querysets scoped to a user, read models), writes and the
notifications they cause through the services, so that an action taken in the admin, the shell
or a task tells the same people as one taken on a page. A view parses the request, calls a
selector or a service, and renders. Read from the source (AST), so a new view module is
covered as it is added.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEW_MODULES = sorted({*ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py")})

MANAGERS = {"objects", "_default_manager", "_base_manager"}  # Model.objects.get(pk=…) too
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}  # given a model class, they query it
MODEL_GETTERS = {"get_user_model", "get_model", "get_history_model_for_model"}
SENDERS = {"notify", "send_mail", "send_mass_mail", "mail_admins", "mail_managers"}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _imported_models(tree: ast.Module) -> set[str]:
    """The names a module imports from a models module (`..models`, `accounts.models`…)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "models"
        for alias in node.names
    }


def query_offences(source: str) -> list[str]:
    """Where the module queries a model itself instead of asking a selector."""
    tree = ast.parse(source)
    models = _imported_models(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "history"
            and isinstance(node.value, ast.Name)
            and node.value.id in models
        ):
            found.append(f"line {node.lineno}: {node.value.id}.history")
        elif isinstance(node, ast.Call):
            name = _name(node.func)
            first = node.args[0] if node.args else None
            if name in SHORTCUTS and isinstance(first, ast.Name) and first.id in models:
                found.append(f"line {node.lineno}: {name}({first.id}, …)")
            elif name in MODEL_GETTERS:
                found.append(f"line {node.lineno}: {name}()")
    return found


def notification_offences(source: str) -> list[str]:
    """Where the module notifies or mails someone itself instead of leaving it to a service."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            found += [
                f"line {node.lineno}: imports {alias.name}"
                for alias in node.names
                if alias.name in SENDERS
            ]
        elif isinstance(node, ast.Call) and _name(node.func) in SENDERS:
            found.append(f"line {node.lineno}: calls {_name(node.func)}()")
    return found


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_view_modules_are_found():
    found = {_id(path) for path in VIEW_MODULES}
    assert {"accounts/views.py", "scoring/views/appeals.py", "campaigns/views/review.py"} <= found


@pytest.mark.parametrize("path", VIEW_MODULES, ids=_id)
def test_no_view_module_queries_a_model(path):
    assert query_offences(path.read_text(encoding="utf-8")) == [], (
        "Read through a selector (campaigns/scoring/accounts selectors.py) that takes the user."
    )


@pytest.mark.parametrize("path", VIEW_MODULES, ids=_id)
def test_no_view_module_sends_notifications(path):
    assert notification_offences(path.read_text(encoding="utf-8")) == [], (
        "Notify from the service that does the thing, so every caller tells the same people."
    )


def test_the_checks_catch_what_they_are_for():
    source = """
from django.contrib.auth import get_user_model
from accounts.services import notify
from ..models import Appeal, User

def view(request, pk):
    Appeal.objects.get(pk=pk)
    get_object_or_404(Appeal, pk=pk)
    User._default_manager.all()
    Appeal.history.all()
    get_user_model()
    notify(recipients=[], kind="appeal", title="")
"""
    assert len(query_offences(source)) == 5
    assert len(notification_offences(source)) == 2
    # Reading a model's choices or field metadata, and selectors' querysets, are fine.
    fine = """
from ..models import Appeal
from ..selectors import appeals_visible_to

def view(request, pk):
    get_object_or_404(appeals_visible_to(request.user), pk=pk)
    return Appeal.Status.PENDING, Appeal._meta.get_field("claim")
"""
    assert query_offences(fine) == [] and notification_offences(fine) == []
