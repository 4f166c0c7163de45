"""The office sets up a year from Excel: indicator and target templates, and their imports.

Both imports are all or nothing: every row and cell is checked first, and any problem rejects
the whole file with one Chinese message per problem naming sheet, row and column; the
database is then unchanged. Imports create and update, never delete.

What a cell may hold (also written on each template's 「说明」 sheet):
- Numbers: a number cell, or text that is a plain decimal ("1200", "12.5"), since figures
  pasted from Word or WPS often arrive as text. Text with thousands separators ("1,200") or a
  percent sign ("12.5%") is refused with a message saying so: "1,200" may be a typo of
  "1.200", and for an indicator measured in % it is unclear whether "12.5%" means 12.5 or
  0.125. The one exception is the 比例 column of 「时间节点」, where "80%" can only mean 0.8.
- Campaigns are not created by an import: the sheet's 会战 must name a campaign of the year
  (the four are set up in the admin first), so a misspelt campaign cannot start a fifth one.
- Units are named by their full name (单位名称) and must be active.

The package: `sheets` (the files' sheets, columns and cell rules, shared), `templates` (the
two workbooks written for download), `indicators` and `targets` (the two imports).
"""

from .indicators import import_indicators
from .sheets import MAX_UNPACKED_BYTES, ImportResult
from .targets import import_targets
from .templates import indicator_template, target_template

__all__ = [
    "MAX_UNPACKED_BYTES",
    "ImportResult",
    "import_indicators",
    "import_targets",
    "indicator_template",
    "target_template",
]
