"""docs/operations.md stays true to the code: every setting read from the environment is in
its table, and the scripts and commands it tells an operator to run exist."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOC = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
# os.environ.get("X", …), env_bool("X", …), env_list("X", …), dj_database_url's env="X".
READS = re.compile(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"|\benv="([A-Z_]+)"')


def _settings_variables() -> set[str]:
    source = (ROOT / "jiaozhang" / "settings.py").read_text(encoding="utf-8")
    return {a or b for a, b in READS.findall(source)}


def _documented_variables() -> set[str]:
    section = DOC.split("\n## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row.split("|")[1])}


def test_every_environment_variable_is_documented():
    variables = _settings_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "NOTICE_COPY_TO"} <= variables  # the pattern reads
    assert variables - _documented_variables() == set()


def test_the_scripts_it_names_exist_and_are_executable():
    named = set(re.findall(r"scripts/[\w-]+\.sh", DOC))
    assert {"scripts/backup.sh", "scripts/restore.sh"} <= named
    for script in named:
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
