"""Cells a spreadsheet would run as a formula ("CSV injection"), for every export.

An opinion, a name or a survey label beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab
or carriage return, which some spreadsheets skip before looking) is a formula to Excel and
LibreOffice when the file is opened: ``=HYPERLINK(…)`` becomes a live link, ``=cmd|…`` a
command. Only text cells are touched: a number, negative or not, stays a number.

- CSV has no cell types: such text gets a leading apostrophe, which spreadsheets read as
  "this cell is text" (``csv_text``).
- XLSX has them: the text is written as a string cell, never a formula, and shown exactly as
  written (``xlsxwriter`` with ``strings_to_formulas`` off; ``openpyxl_text`` for openpyxl,
  which turns any string beginning with ``=`` into a formula by itself). The cell is also
  marked "quote prefix", so editing it in Excel keeps it text.

No Flask here: ``analysis`` uses it too.
"""
from __future__ import annotations

#: What a text cell must not begin with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value):
    """The value for a CSV cell: text that looks like a formula behind an apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def openpyxl_text(cell) -> None:
    """Keep an openpyxl cell whose text looks like a formula a plain, quote-prefixed string."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
