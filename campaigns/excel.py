"""Small openpyxl helpers shared by every workbook we write: formula-injection-safe cells.

Text from the database (an indicator's name, a unit's note) must never become a formula in
the office's Excel. openpyxl turns any string starting with "=" into a formula cell, and
Excel, LibreOffice and WPS treat text starting with "+", "-", "@" (and a leading tab or CR) as
a formula when a user edits the cell. We do not alter the text: a leading apostrophe stored
in the value would become part of an indicator's name on re-import. Instead such a cell is
written as a plain string cell (`data_type = "s"`) with the style flag `quotePrefix` — what
Excel itself stores when one types a leading ' — so the text is shown and read back exactly,
and stays text when edited.
"""

from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(value, sheet=None):
    """`value` itself, or for formula-like text a string cell to append in its place.

    Use it on every value that comes from user input: `ws.append([safe_cell(v) for v in row])`.
    In write-only workbooks pass the sheet (`safe_cell(v, ws)`): a write-only sheet needs the
    cell bound to it to store the cell's style. Other values (numbers, dates, harmless text)
    pass through unchanged.
    """
    if not is_formula_like(value):
        return value
    cell = Cell(sheet, row=1, column=1)  # append() moves it to its place
    cell._value = cell.check_string(value)  # bypass openpyxl's "starts with = → formula" inference
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_safe(ws, *, row: int, column: int, value):
    """Set one cell of a normal (not write-only) sheet safely; returns the cell."""
    cell = ws.cell(row=row, column=column)
    if is_formula_like(value):
        cell._value = cell.check_string(value)
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell
