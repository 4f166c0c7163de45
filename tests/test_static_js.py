"""Our scripts build chart HTML only from escaped values, through the one helper in escape.js."""

import re
from pathlib import Path

from django.conf import settings

SCRIPTS = Path(settings.STATICFILES_DIRS[0]) / "js"
STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


def _balanced(text: str, start: int, opening: str, closing: str) -> int:
    """The index just past the bracket that closes the one at `start`."""
    depth = 0
    for index in range(start, len(text)):
        depth += {opening: 1, closing: -1}.get(text[index], 0)
        if depth == 0:
            return index + 1
    raise AssertionError("unbalanced brackets")


def _without_escaped_calls(expression: str) -> str:
    while (found := re.search(r"\besc\(", expression)) is not None:
        end = _balanced(expression, found.end() - 1, "(", ")")
        expression = expression[: found.start()] + expression[end:]
    return expression


def _formatter_returns(source: str):
    for found in re.finditer(r"[fF]ormatter:\s*function\s*\([^)]*\)\s*\{", source):
        body = source[found.end() - 1 : _balanced(source, found.end() - 1, "{", "}")]
        for statement in re.finditer(r"\breturn\b(.*?);", body, re.S):
            yield statement.group(1)


def test_every_chart_formatter_returns_only_literals_and_escaped_values():
    scripts = sorted(SCRIPTS.glob("*.js"))
    assert scripts
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        for expression in _formatter_returns(source):
            rest = _without_escaped_calls(STRING.sub("", expression))
            shown = expression.strip()
            assert re.fullmatch(r"[\s+]*", rest), f"{script.name}: 未转义的值 `{shown}`"


def test_scripts_with_formatters_use_the_one_escaping_helper():
    for script in sorted(SCRIPTS.glob("*.js")):
        source = script.read_text(encoding="utf-8")
        if script.name == "escape.js":
            assert "window.jz.escapeHtml = function" in source
            continue
        assert "&lt;" not in source, f"{script.name} 自行转义：请用 jz.escapeHtml"
        if "formatter: function" in source or "Formatter: function" in source:
            assert "var esc = window.jz.escapeHtml" in source, script.name
