"""Read an uploaded XLSForm with pyxform and check it before anything is stored.

``read_workbook`` turns the bytes of a ``.xlsx``, ``.xls`` or ``.csv`` file into pyxform's
workbook data (its own readers, so the three formats read alike) and ``convert`` into pyxform's
JSON form (``pyxform.xls2json.workbook_to_json``), which validates the XLSForm.  Before that,
``precheck`` looks at the rows as written and lists, with row numbers, every problem we can
name ourselves (duplicate names, expressions our evaluator refuses), so that an author gets all
of them at once and in Vietnamese rather than pyxform's first one in English.

Row numbers follow pyxform: the header is row 1 of the sheet, so the first question is row 2.
"""
from __future__ import annotations

import io
import re
from pathlib import PurePath
from typing import TYPE_CHECKING

from surveys import expressions
from surveys.xlsform.report import ImportReport, XLSFormError

if TYPE_CHECKING:
    from pyxform.xls2json_backends import DefinitionData

EXTENSIONS = (".xlsx", ".xls", ".csv")
MAX_BYTES = 5 * 1024 * 1024
#: Types that close a block and carry no name.
CLOSING_TYPES = {"end_group", "end group", "end_repeat", "end repeat"}
#: Columns holding expressions that we check (``choice_filter`` is reported, not checked).
EXPRESSION_COLUMNS = ("relevant", "constraint")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}\Z")
_PYXFORM_ROW = re.compile(r"^\[row : (\d+)\]\s*")


#: Row number of the first row after the header.
FIRST_ROW = 2


def read_workbook(filename: str, data: bytes, report: ImportReport) -> DefinitionData:
    """pyxform's workbook data for the upload; raises ``XLSFormError`` for an unreadable file."""
    extension = PurePath(filename or "").suffix.lower()
    if not data:
        _fail(report, "empty_file")
    if extension not in EXTENSIONS:
        _fail(report, "unsupported_extension")
    if len(data) > MAX_BYTES:
        _fail(report, "too_large", limit=MAX_BYTES // (1024 * 1024))
    if extension == ".csv":
        data = _csv_as_utf8(data, report)
    from pyxform.xls2json_backends import get_xlsform  # pyxform loads with the first import

    try:
        workbook = get_xlsform(io.BytesIO(data), file_type=extension)
    except Exception:  # each reader raises its own errors on bytes that are not its format
        _fail(report, "not_a_spreadsheet")
    sheets = [name.lower() for name in workbook.sheet_names or []]
    if "survey" not in sheets:
        _fail(report, "missing_survey_sheet", sheets=", ".join(workbook.sheet_names or []) or "—")
    if not any(workbook.survey or []):
        _fail(report, "no_questions")
    headers = set((workbook.survey_header or [{}])[0]) if workbook.survey_header else set()
    for column in ("type", "name"):
        if column not in headers:
            _fail(report, "missing_column", column=column)
    return workbook


def _csv_as_utf8(data: bytes, report: ImportReport) -> bytes:
    """CSV as pyxform reads it: UTF-8 without the byte-order mark Excel writes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(report, "csv_not_utf8")
    return text.encode("utf-8")


def _fail(report: ImportReport, code: str, **params) -> None:
    report.error(code, sheet="", **params)
    raise XLSFormError(report)


def row_numbers(rows: list[dict]) -> list[tuple[int, dict]]:
    return [(index + FIRST_ROW, values) for index, values in enumerate(rows)]


def precheck(workbook: DefinitionData, report: ImportReport) -> dict[str, int]:
    """Check names and expressions row by row; returns name -> row of the survey sheet."""
    rows = row_numbers(workbook.survey)
    names: dict[str, int] = {}
    for number, values in rows:
        type_ = str(values.get("type", "")).strip()
        name = str(values.get("name", "")).strip()
        if not name or type_.lower() in CLOSING_TYPES:
            continue
        if name in names:
            report.error("duplicate_name", row=number, name=name, first_row=names[name])
            continue
        if not _NAME.match(name):
            report.error("bad_name", row=number, name=name)
        names[name] = number
    for number, values in rows:
        for column in EXPRESSION_COLUMNS:
            expression = str(values.get(column, "") or "").strip()
            if expression:
                check_expression(expression, set(names), report, row=number,
                                 name=str(values.get("name", "")), column=column)
    _check_choice_names(workbook, report)
    return names


def check_expression(expression: str, known: set[str], report: ImportReport, *, row: int | None,
                     name: str, column: str) -> bool:
    """Add an error for ``expression`` if ``expressions.check`` refuses it; True when it passes."""
    from surveys.authoring import expression_params, message_code

    try:
        expressions.check(expression, known)
    except expressions.ExpressionError as error:
        report.error("expression", row=row, name=name, column=column, error_code=message_code(error, expression),
                     details=expression_params(error, expression))
        return False
    return True


def _check_choice_names(workbook: DefinitionData, report: ImportReport) -> None:
    seen: dict[tuple[str, str], int] = {}
    for number, values in row_numbers(workbook.choices or []):
        key = (str(values.get("list_name", "")).strip(), str(values.get("name", "")).strip())
        if not all(key):
            continue
        if key in seen:
            report.error("duplicate_choice", sheet="choices", row=number, name=key[1],
                         list=key[0], first_row=seen[key])
        else:
            seen[key] = number
            if len(key[1]) > 64:
                report.error("bad_name", sheet="choices", row=number, name=key[1])


def convert(workbook: DefinitionData, report: ImportReport, warnings: list[str]) -> dict:
    """pyxform's JSON form of the workbook; its refusal becomes a report error with the row."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json

    try:
        return workbook_to_json(workbook_dict=workbook, form_name=None,
                                fallback_form_name="survey", default_language=None,
                                warnings=warnings)
    except PyXFormError as error:
        message = str(error)
        match = _PYXFORM_ROW.match(message)
        report.error("pyxform", sheet="survey" if match else "",
                     row=int(match.group(1)) if match else None,
                     detail=_PYXFORM_ROW.sub("", message)[:500])
        raise XLSFormError(report) from None
    except Exception as error:  # pyxform meeting input it did not foresee
        report.error("pyxform", sheet="", detail=type(error).__name__)
        raise XLSFormError(report) from None
