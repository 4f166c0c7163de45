"""The office imports the county's key-project and pilot-village lists from Excel.

All or nothing, like the year set-up import: every row and cell is checked first, any problem
rejects the whole file with one Chinese message per problem
(工作表「重点项目」第5行「总投资（万元）」：…)
and the database is unchanged. Rows are matched by name within the year (a project by its
name, a village by township and name, a task by village and name): a re-import updates the
matched rows (recorded in their history) and adds the new ones; it never deletes. Only the
office imports (the lists are the county's, set up by 考核办); a unit reports its rows weekly.
Which year: the active assessment year.

The package: `common` (cell rules, lookups), `projects`, `villages`, `templates`.
"""

from django.db import transaction

from ....errors import LedgerError
from .common import MAX_UPLOAD_BYTES, ImportResult, import_year, require_office
from .projects import import_projects
from .templates import template
from .villages import import_villages

KINDS = {"projects": "重点项目", "villages": "美丽乡村试点村"}


@transaction.atomic
def import_register(*, kind: str, file, user) -> ImportResult:
    require_office(user)
    year = import_year()
    if kind == "projects":
        return import_projects(year=year, file=file, user=user)
    if kind == "villages":
        return import_villages(year=year, file=file, user=user)
    raise LedgerError("未知的导入类型。")


__all__ = [
    "KINDS",
    "MAX_UPLOAD_BYTES",
    "ImportResult",
    "import_projects",
    "import_register",
    "import_villages",
    "template",
]
