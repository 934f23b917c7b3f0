"""The import report: per row of the workbook, what was imported, changed, not representable.

Items carry a message code and parameters, not text, so that the report can be stored (in the
import's audit event) and shown later in the reader's language.  ``MESSAGES`` holds every
text the import can say; ``ReportItem.text()`` translates one.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask_babel import lazy_gettext as _l

#: Outcomes, in the order the report page lists them.
OUTCOMES = ("error", "unsupported", "changed", "imported")
#: How the report names each outcome (the upload page's table uses the same words).
OUTCOME_LABELS = {"error": _l("Error"), "unsupported": _l("Not imported"), "changed": _l("Changed"),
                  "imported": _l("Imported")}

MESSAGES = {
    # --- the file as a whole -------------------------------------------------------------
    "empty_file": _l("The file is empty."),
    "unsupported_extension": _l("Only XLSForm files (.xlsx, .xlsm, .xls, .csv) and LimeSurvey structure files (.lss) can be imported."),
    "invalid_xlsform": _l("The file is not valid as an XLSForm: %(detail)s"),
    "not_a_spreadsheet": _l("This file is not a spreadsheet that can be read (.xlsx, .xls or .csv)."),
    "csv_not_utf8": _l("The CSV file is not saved as UTF-8 (Unicode). Save it again as “CSV UTF-8” and retry."),
    "too_large": _l("The file is larger than %(limit)s MB."),
    "missing_survey_sheet": _l("There is no sheet named “survey”. An XLSForm needs a “survey” sheet with the questions (found: %(sheets)s)."),
    "missing_column": _l("The “survey” sheet has no “%(column)s” column in its first row."),
    "no_questions": _l("The “survey” sheet holds no question that can be imported."),
    "pyxform": _l("The XLSForm checker (pyxform) refused the file: %(detail)s"),
    "unexpected": _l("Something in this form could not be understood (%(detail)s). Check the rows of the “survey” and “choices” sheets, or send the file to the technical team."),
    "too_large_unzipped": _l("The workbook unpacks to more than %(limit)s MB; it cannot be read safely."),
    "too_many_rows": _l("The file has more than %(limit)s rows; split it into smaller questionnaires."),
    # --- LimeSurvey (.lss) ---------------------------------------------------------------
    "not_lss": _l("This file is not a LimeSurvey survey structure (.lss): export the survey from LimeSurvey with “Survey structure (.lss)”."),
    "lss_unsafe": _l("The file declares XML entities or a document type (DTD), which are refused for safety."),
    "lss_xml": _l("The .lss file cannot be read as XML: %(detail)s"),
    "no_questions_lss": _l("The LimeSurvey file holds no question that can be imported."),
    "lss_equation": _l("Equations (type *) are not supported; the question was not imported."),
    "lss_bad_code": _l("The question code is not a valid name (letters, digits and _ only, starting with a letter); the question was not imported."),
    "lss_soft_mandatory": _l("“Soft mandatory” is not supported: the question was made optional."),
    "lss_comment_dropped": _l("The comment box of this question was not kept."),
    "lss_array_numbers": _l("The array of numbers became a matrix with the options %(low)s to %(high)s."),
    "lss_second_scale": _l("Only the first scale of this dual-scale array was imported."),
    "lss_split": _l("The %(count)s fields of this question were imported as %(count)s separate questions."),
    "lss_attribute_ignored": _l("The setting “%(attribute)s” (%(value)s) is not used by the platform."),
    "lss_relevance_dropped": _l("The condition “%(expression)s” cannot be written as a show-if here; the question is always shown."),
    "lss_html_removed": _l("Formatting (HTML) was removed from the texts; the words were kept."),
    # --- one row: errors -----------------------------------------------------------------
    "duplicate_name": _l("The name “%(name)s” is already used on row %(first_row)s; every question needs its own name."),
    "duplicate_choice": _l("The list “%(list)s” has the choice “%(name)s” twice (first on row %(first_row)s)."),
    "bad_name": _l("The name “%(name)s” is not valid: use letters, digits and _ only, starting with a letter, at most 64 characters."),
    "expression": _l("Column “%(column)s”: %(problem)s"),
    "expression_dropped": _l("Column “%(column)s”: %(problem)s This logic was not imported; the question was kept without it."),
    "quotes_repaired": _l("Column “%(column)s”: typographic quotes were replaced by straight ones: “%(expression)s”."),
    "renamed_duplicate": _l("The name “%(old)s” is already used on row %(first_row)s; this one was renamed “%(name)s”."),
    "renamed_duplicate_choice": _l("The list “%(list)s” has the option “%(old)s” twice (first on row %(first_row)s); this one was renamed “%(name)s”."),
    # --- one row: what could not be represented or was changed ---------------------------
    "imported": _l("Imported as “%(kind)s”."),
    "imported_page": _l("Imported as a page."),
    "imported_matrix": _l("The group and its %(count)s rows were imported as one matrix question."),
    "matrix_header": _l("The header row of the matrix “%(matrix)s”: its options are the matrix's scale."),
    "column_ignored": _l("The column “%(column)s” is not used by the platform; its value “%(value)s” was not kept."),
    "matrix_row": _l("Imported as a row of the matrix “%(matrix)s”."),
    "matrix_kept_separate": _l("The group looks like a matrix but its rows have their own logic or are referred to elsewhere; its questions were imported one by one."),
    "repeat": _l("A repeat (begin_repeat) cannot be represented: the group and the questions inside it were not imported."),
    "inside_repeat": _l("Not imported: this question is inside the repeat “%(repeat)s”."),
    "loop": _l("A loop (begin loop) cannot be represented: the loop and the questions inside it were not imported."),
    "inside_loop": _l("Not imported: this question is inside the loop “%(repeat)s”."),
    "media_dropped": _l("Pictures, sound and video are not shown (%(media)s); the text was kept."),
    "choice_media_dropped": _l("The options' pictures, sound or video are not shown (%(media)s); their text was kept."),
    "media_only": _l("This note has only a picture, sound or video and no text; it was not imported."),
    "empty_note": _l("This note has no text; it was not imported."),
    "label_from_name": _l("The question has no label in Vietnamese or English; its name was used as its label."),
    "reference_rewritten": _l("The text refers to %(references)s, which was not imported; the reference was written as [name] in brackets."),
    "language_substituted": _l("The form has no texts in Vietnamese or English; the texts in “%(language)s” were imported in their place."),
    "unsupported_type": _l("The question type “%(type)s” is not supported; the row was not imported."),
    "metadata": _l("The metadata field “%(type)s” is not collected; the row was not imported."),
    "calculate": _l("Calculations are not supported; “%(name)s” was not imported."),
    "select_from_file": _l("Options read from a file (%(type)s) are not supported; the question was not imported."),
    "choice_filter": _l("The choice filter “%(expression)s” is not supported: every option is shown."),
    "required_expression": _l("The condition “%(expression)s” in “required” is not supported: the question was made optional."),
    "required_message": _l("The custom “required” message is not kept; the platform shows its own."),
    "nested_group": _l("The group “%(name)s” inside a page was merged into that page; its show-if was added to each of its questions."),
    "or_other_ranking": _l("“Other” was added as an option to rank, without a text box."),
    "or_other": _l("“Other, please specify” was added as an option with its own text box."),
    "range_step": _l("The step %(step)s of the range was not kept: the rating goes from %(low)s to %(high)s in steps of 1."),
    "file_pdf_only": _l("Only PDF files up to %(size)s MB are accepted for this question."),
    "language_dropped": _l("The language “%(language)s” is not used by the platform; its texts were not imported."),
    "setting_ignored": _l("The setting “%(setting)s” is not used by the platform."),
    "likert": _l("Shown as a rating scale (appearance likert)."),
    "dropdown": _l("Shown as a dropdown list (appearance %(appearance)s)."),
    "bad_parameter": _l("The value of the parameter “%(parameter)s” is not valid; it was not kept."),
    "unknown_parameter": _l("The parameter “%(parameter)s” is not used by the platform."),
    "provision_not_found": _l("The article “%(anchor)s” is not in the consultation's draft; the question is not pinned."),
}


@dataclass
class ReportItem:
    """One line of the report: where (sheet, row, name), what happened, and why."""

    outcome: str
    code: str
    sheet: str = "survey"
    row: int | None = None
    name: str = ""
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        if self.code not in MESSAGES:  # a stored report from another version of the code
            return self.code
        return _message(self.code, {"name": self.name, **self.params})


def _message(code: str, params: dict) -> str:
    """Translate ``MESSAGES[code]`` with ``params``; missing params never raise."""
    if code in ("expression", "expression_dropped"):
        from surveys.authoring import EXPRESSION_MESSAGES

        problem = EXPRESSION_MESSAGES.get(params.get("error_code"), EXPRESSION_MESSAGES["syntax"])
        params = {**params, "problem": _format(str(problem), params.get("details", {}))}
    if "kind" in params:
        from surveys.kinds import KIND_LABELS

        params = {**params, "kind": str(KIND_LABELS.get(params["kind"], params["kind"]))}
    return _format(str(MESSAGES[code]), params)


def _format(text: str, params: dict) -> str:
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text


@dataclass
class ImportReport:
    """Everything the import has to say, row by row; ``errors`` mean nothing was imported."""

    filename: str = ""
    items: list[ReportItem] = field(default_factory=list)

    def add(self, outcome: str, code: str, *, sheet: str = "survey", row: int | None = None,
            name: str = "", **params) -> ReportItem:
        item = ReportItem(outcome, code, sheet, row, name, params)
        self.items.append(item)
        return item

    def error(self, code: str, **where_and_params) -> ReportItem:
        return self.add("error", code, **where_and_params)

    @property
    def errors(self) -> list[ReportItem]:
        return [item for item in self.items if item.outcome == "error"]

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)

    def sorted_items(self) -> list[ReportItem]:
        """By sheet (survey, choices, settings, the file), then row, keeping insertion order."""
        sheet_order = {"": 0, "survey": 1, "choices": 2, "settings": 3}
        return sorted(self.items, key=lambda i: (sheet_order.get(i.sheet, 4), i.row or 0))

    def as_dict(self) -> dict:
        return {"filename": self.filename, "items": [asdict(item) for item in self.items]}

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        items = [ReportItem(**item) for item in (data or {}).get("items", [])]
        return cls(filename=(data or {}).get("filename", ""), items=items)


class XLSFormError(Exception):
    """The workbook cannot be imported; ``report.errors`` says why, row by row."""

    def __init__(self, report: ImportReport):
        super().__init__("; ".join(f"{i.row}:{i.code}" for i in report.errors))
        self.report = report
