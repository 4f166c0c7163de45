"""The ledger workbook's layout, shared by its download and its upload: sheets, columns, labels."""

from ...models import LedgerEntry

SHEET = "周帐"
META_SHEET = "_meta"
TEMPLATE = "jiaozhang-ledger"
TEMPLATE_VERSION = 1
HEADER_ROW = 3

# (header, width): the sheet's columns in order. The upload finds columns by header text.
COLUMNS = [
    ("指标编号", 9),
    ("会战", 14),
    ("指标", 30),
    ("计量单位", 9),
    ("年度目标", 11),
    ("上周累计", 11),
    ("上次核实", 11),
    ("本周累计", 12),
    ("完成日期", 12),
    ("下降原因", 22),
    ("本周进展", 32),
    ("问题类别", 10),
    ("存在问题", 28),
    ("下步打算", 28),
    ("可否修改", 10),
    ("审核意见", 26),
]
HEADERS = [name for name, _ in COLUMNS]
COLUMN = {name: number for number, name in enumerate(HEADERS, start=1)}
REQUIRED = [
    "指标编号",
    "本周累计",
    "完成日期",
    "下降原因",
    "本周进展",
    "问题类别",
    "存在问题",
    "下步打算",
]
TEXT_COLUMNS = {
    "decrease_reason": "下降原因",
    "progress": "本周进展",
    "problems": "存在问题",
    "next_steps": "下步打算",
}
CATEGORIES = {str(label): value for value, label in LedgerEntry.ProblemCategory.choices}
EDITABLE, NOT_EDITABLE = "可修改", "不可修改"
DERIVED = "自动生成"  # a derived indicator's row: from the registers, skipped by the upload
