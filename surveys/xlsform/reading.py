"""Read an uploaded XLSForm with pyxform and check it before anything is stored.

``read_workbook`` turns the bytes of a ``.xlsx``, ``.xlsm``, ``.xls`` or ``.csv`` file into
pyxform's workbook data (its own readers, so the formats read alike), with the headers other
tools write (``Label``, ``label:English``, ``text:english``) spelled as pyxform spells them,
and ``convert`` into pyxform's JSON form (``pyxform.xls2json.workbook_to_json``), which
validates the XLSForm.  Before that, ``precheck`` (``surveys.xlsform.repair``) looks at the
rows as written: a name used twice (KoboToolbox allows it in two groups) is renamed, and logic
our evaluator refuses is dropped, each with a line in the report, so that one item never
refuses the whole form.

Row numbers follow pyxform: the header is row 1 of the sheet, so the first question is row 2.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath
from typing import TYPE_CHECKING

from surveys.xlsform import headers
from surveys.xlsform.report import ImportReport, XLSFormError

if TYPE_CHECKING:
    from pyxform.xls2json_backends import DefinitionData

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")
MAX_BYTES = 5 * 1024 * 1024
#: What an .xlsx may unpack to: a real form of 5,000 rows is a few MB of XML.
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
#: Rows of the survey and choices sheets together.
MAX_ROWS = 10_000
#: Types that close a block and carry no name.
CLOSING_TYPES = {"end_group", "end group", "end_repeat", "end repeat", "end_loop", "end loop"}
#: What pyxform's readers say when the bytes are no spreadsheet at all (pyxform 4.5).
UNREADABLE = ("not recognized as a supported type", "does not appear to be a valid XLSForm")
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
    if extension in (".xlsx", ".xlsm"):
        _check_zip(data, report)
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform  # pyxform loads with the first import

    try:
        workbook = get_xlsform(io.BytesIO(data), file_type=extension)
    except PyXFormError as error:
        if any(sign in str(error) for sign in UNREADABLE):
            _fail(report, "not_a_spreadsheet")
        _fail(report, "invalid_xlsform", detail=str(error)[:500])  # read, refused as an XLSForm
    except Exception:  # each reader raises its own errors on bytes that are not its format
        _fail(report, "not_a_spreadsheet")
    sheets = [name.lower() for name in workbook.sheet_names or []]
    if "survey" not in sheets and not workbook.survey:
        _fail(report, "missing_survey_sheet", sheets=", ".join(workbook.sheet_names or []) or "—")
    if not any(workbook.survey or []):
        _fail(report, "no_questions")
    if len(workbook.survey or []) + len(workbook.choices or []) > MAX_ROWS:
        _fail(report, "too_many_rows", limit=MAX_ROWS)
    workbook = headers.normalised(workbook)
    columns = set((workbook.survey_header or [{}])[0]) if workbook.survey_header else set()
    for column in ("type", "name"):
        if column not in columns:
            _fail(report, "missing_column", column=column)
    return workbook


def _check_zip(data: bytes, report: ImportReport) -> None:
    """Refuse a workbook that unpacks to much more than it weighs (a zip bomb) before reading."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        _fail(report, "not_a_spreadsheet")
    if unpacked > MAX_UNZIPPED_BYTES:
        _fail(report, "too_large_unzipped", limit=MAX_UNZIPPED_BYTES // (1024 * 1024))


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
