"""Look at the rows as written, before pyxform: keep every item we can, name every change.

One unsupported item never refuses the whole form.  ``precheck`` edits the workbook's rows in
place and reports each edit on its row:

* a name used twice (KoboToolbox allows it in two groups) is renamed ``name_2`` (references
  ``${name}`` keep pointing at the first);
* a show-if or constraint our evaluator refuses (``sum()``, ``pulldata()``…) is dropped, the
  question kept; typographic quotes (‘ ’ “ ”) that a word processor put in are straightened;
* with ``allow_choice_duplicates`` in the settings, an option name repeated in a list is renamed
  (without it pyxform refuses the list, and so do we).

What stays an error: names that are not XLSForm names and an option name over 64 characters.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import re


from surveys import expressions
from surveys.xlsform.reading import CLOSING_TYPES, row_numbers
from surveys.xlsform.report import ImportReport

if TYPE_CHECKING:  # pyxform loads with the first import, not with the app
    from pyxform.xls2json_backends import DefinitionData

#: Columns holding expressions that we check (``choice_filter`` is reported, not checked).
EXPRESSION_COLUMNS = ("relevant", "constraint")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}\Z")
CURLY_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
TRUE_WORDS = {"yes", "true", "true()", "1"}


def precheck(workbook: DefinitionData, report: ImportReport) -> dict[str, int]:
    """Rename, repair or drop row by row (see the module docstring); name -> row."""
    names = _unique_names(workbook, report)
    for number, values in row_numbers(workbook.survey):
        for column in EXPRESSION_COLUMNS:
            expression = str(values.get(column, "") or "").strip()
            if expression:
                values[column] = checked_expression(expression, set(names), report, row=number,
                                                    name=str(values.get("name", "")), column=column)
                if column == "constraint" and not values[column]:
                    _drop_messages(values)
    _check_choice_names(workbook, report)
    return names


def _unique_names(workbook: DefinitionData, report: ImportReport) -> dict[str, int]:
    names: dict[str, int] = {}
    for number, values in row_numbers(workbook.survey):
        type_ = str(values.get("type", "")).strip()
        name = str(values.get("name", "")).strip()
        if not name or type_.lower() in CLOSING_TYPES:
            continue
        if name in names:
            new = _free_name(name, names)
            report.add("changed", "renamed_duplicate", row=number, name=new, old=name,
                       first_row=names[name])
            values["name"], name = new, new
        elif not NAME.match(name):
            report.error("bad_name", row=number, name=name)
        names[name] = number
    return names


def _free_name(name: str, taken) -> str:
    number = 2
    while f"{name}_{number}" in taken:
        number += 1
    return f"{name}_{number}"


def checked_expression(expression: str, known: set[str], report: ImportReport, *,
                       row: int | None, name: str, column: str) -> str:
    """The expression, repaired if need be, or "" after reporting why it was dropped."""
    error = _problem(expression, known)
    if error is None:
        return expression
    straight = expression.translate(CURLY_QUOTES)
    if straight != expression and _problem(straight, known) is None:
        report.add("changed", "quotes_repaired", row=row, name=name, column=column,
                   expression=straight)
        return straight
    from surveys.authoring import expression_params, message_code

    report.add("unsupported", "expression_dropped", row=row, name=name, column=column,
               error_code=message_code(error, expression),
               details=expression_params(error, expression))
    return ""


def _problem(expression: str, known: set[str]) -> expressions.ExpressionError | None:
    try:
        expressions.check(expression, known)
    except expressions.ExpressionError as error:
        return error
    return None


def _drop_messages(values: dict) -> None:
    for key in list(values):
        if key.split("::")[0] in ("constraint_message", "jr:constraintMsg"):
            values[key] = ""


def _check_choice_names(workbook: DefinitionData, report: ImportReport) -> None:
    settings = (workbook.settings or [{}])[0]
    allow = str(settings.get("allow_choice_duplicates", "")).strip().lower() in TRUE_WORDS
    seen: dict[tuple[str, str], int] = {}
    for number, values in row_numbers(workbook.choices or []):
        key = (str(values.get("list_name", "")).strip(), str(values.get("name", "")).strip())
        if not all(key):
            continue
        if key in seen and allow:
            new = _free_name(key[1], {name for list_name, name in seen if list_name == key[0]})
            report.add("changed", "renamed_duplicate_choice", sheet="choices", row=number,
                       name=new, old=key[1], list=key[0], first_row=seen[key])
            values["name"], key = new, (key[0], new)
        elif key in seen:
            report.error("duplicate_choice", sheet="choices", row=number, name=key[1],
                         list=key[0], first_row=seen[key])
            continue
        seen[key] = number
        if len(key[1]) > 64:
            report.error("bad_name", sheet="choices", row=number, name=key[1])
