"""The weekly ledger as an Excel sheet: download it prefilled, fill it offline, upload it.

The upload is all or nothing and goes through `save_entries`, so a workbook is held to exactly
the checks of the web form (negatives, decreases without a reason, milestone dates, entries no
longer editable); on any problem nothing is saved and every problem is reported with its sheet,
row and column in the year import's style ("工作表「周帐」第7行「本周累计」：…").

What the upload accepts and ignores:
- Only the workbook this package wrote for the same unit and week: a hidden sheet 「_meta」
  names the template, its version, the ledger, unit and period, and is checked first.
- Rows are matched by 指标编号, not by position; rows deleted from the sheet leave their
  entries as they are; rows marked 不可修改 are ignored as long as they are unchanged.
- Figures are read like the form reads them (`campaigns.figures.parse_figure`: "1,200.5" is
  fine, "1e20" or more digits than the field holds is not); 问题类别 is
  one of the list's labels (土地/资金/手续/其他); 完成日期 a date cell or text like 2026-07-31.

The package: `layout` (the sheet's columns and identity, shared), `download` (the workbook
written prefilled) and `upload` (reading a filled-in one back through `save_entries`).
"""

from .download import ledger_workbook
from .layout import HEADERS
from .upload import MAX_UNPACKED_BYTES, ImportResult, import_ledger_workbook, max_upload_bytes

__all__ = [
    "HEADERS",
    "MAX_UNPACKED_BYTES",
    "ImportResult",
    "import_ledger_workbook",
    "ledger_workbook",
    "max_upload_bytes",
]
