"""What the two register imports share: who may import, which year, the cell rules."""

from accounts.models import Unit, User
from accounts.permissions import acts_as_office
from accounts.roles import Role

from ....errors import LedgerError
from ....excel import CellError, cell_at, cell_date, cell_text
from ....models import AssessmentYear
from ...year_import.sheets import (
    ImportResult,
    NotANumber,
    OutOfRange,
    header_columns,
    open_upload,
    read_number,
    read_rows,
    sheet_named,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
YES, NO = "是", "否"
TEMPLATE = "台帐导入模板"

__all__ = [
    "ImportResult",
    "Reader",
    "header_columns",
    "import_year",
    "open_upload",
    "read_rows",
    "require_office",
    "sheet_named",
]


def require_office(user) -> None:
    if not acts_as_office(user):
        raise LedgerError("只有考核办可以导入台帐。")


def import_year() -> AssessmentYear:
    year = (
        AssessmentYear.objects.filter(status=AssessmentYear.Status.ACTIVE).order_by("-year").first()
    )
    if year is None:
        raise LedgerError("没有进行中的考核年度，无法导入台帐。")
    return year


def leaders_by_name() -> dict[str, list[User]]:
    names: dict[str, list[User]] = {}
    for user in User.objects.filter(groups__name=Role.LEADER.group_name, is_active=True).distinct():
        names.setdefault(user.full_name, []).append(user)
    return names


class Reader:
    """Reads one row's cells by header, reporting each bad cell to the collector."""

    def __init__(self, collector, sheet: str, columns: dict[str, int]):
        self.collector, self.sheet, self.columns = collector, sheet, columns
        self.units = {u.name: u for u in Unit.objects.filter(active=True)}
        self.leaders = leaders_by_name()
        self.row = 0
        self.values = ()

    def at(self, number: int, values) -> "Reader":
        self.row, self.values = number, values
        return self

    def raw(self, column: str):
        return cell_at(self.values, self.columns[column])

    def error(self, column: str, message: str) -> None:
        self.collector.add(self.sheet, self.row, column, message)

    def text(self, column: str, *, required: bool = True, max_length: int = 100) -> str:
        value = cell_text(self.raw(column))
        if required and not value:
            self.error(column, "不能为空")
        elif len(value) > max_length:
            self.error(column, f"最多 {max_length} 个字")
            return ""
        return value

    def number(self, column: str, field, *, required: bool = True):
        raw = self.raw(column)
        try:
            number = read_number(raw, field)
        except NotANumber as error:
            self.collector.bad(self.sheet, self.row, column, f"应为数字{error.hint}", raw)
            return None
        except (OutOfRange, CellError) as error:
            self.error(column, f"{error}，实际为“{cell_text(raw)}”")
            return None
        if number is None:
            if required:
                self.error(column, "不能为空")
            return None
        if number < 0:
            self.error(column, f"不能为负数，实际为“{cell_text(raw)}”")
            return None
        return number

    def date(self, column: str):
        raw = self.raw(column)
        try:
            return cell_date(raw)
        except CellError as error:
            self.collector.bad(self.sheet, self.row, column, str(error), raw)
            return None

    def choice(self, column: str, choices, *, default=None):
        """The value of a choice written by its Chinese label."""
        label = cell_text(self.raw(column))
        if not label and default is not None:
            return default
        labels = {str(text): value for value, text in choices}
        if label not in labels:
            allowed = "、".join(labels)
            self.collector.bad(self.sheet, self.row, column, f"应为{allowed}之一", label)
            return None
        return labels[label]

    def flag(self, column: str) -> bool:
        value = cell_text(self.raw(column))
        if value not in ("", YES, NO):
            self.collector.bad(self.sheet, self.row, column, "应填“是”或“否”", value)
        return value == YES

    def unit(self, column: str, *, required: bool = True) -> Unit | None:
        name = cell_text(self.raw(column))
        if not name:
            if required:
                self.error(column, "不能为空")
            return None
        unit = self.units.get(name)
        if unit is None:
            self.error(column, f"找不到单位“{name}”，请填写在用单位的全称")
        return unit

    def leader(self, column: str) -> User | None:
        name = cell_text(self.raw(column))
        if not name:
            return None
        found = self.leaders.get(name, [])
        if not found:
            self.error(column, f"找不到县领导“{name}”，请填写县领导账号的姓名")
            return None
        if len(found) > 1:
            self.error(column, f"有多位县领导名为“{name}”，请在后台区分后再导入")
            return None
        return found[0]
