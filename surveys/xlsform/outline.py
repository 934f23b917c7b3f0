"""A survey's outline: what must be the same after an XLSForm export and re-import.

Pages (title, show-if), and per question its kind, name, labels and hints in both languages,
choices, required, show-if, constraint and its message, appearance and the parameters the kind
uses.  Ids, slugs, positions and page names are left out: they are the database's, not the
author's.  Tests and ``bench/xlsforms`` compare two outlines with ``==``, and check with
``unreported_rows`` that an import's report mentions every row it did not import.
"""
from __future__ import annotations

from surveys.kinds import xlsform_appearance
from surveys.models import Question, Survey
from surveys.xlsform.reading import CLOSING_TYPES, read_workbook, row_numbers
from surveys.xlsform.report import ImportReport


def survey_outline(survey: Survey) -> dict:
    return {"title": survey.title, "introduction": survey.introduction or {},
            "pages": [{"title": page.title or {}, "relevant": page.relevant or "",
                       "questions": [question_outline(q) for q in page.questions]}
                      for page in survey.pages]}


def question_outline(question: Question) -> dict:
    return {"name": question.name, "kind": question.kind, "label": question.label or {},
            "hint": question.hint or {}, "required": bool(question.required),
            "relevant": question.relevant or "", "constraint": question.constraint or "",
            "constraint_message": question.constraint_message or {},
            "parameters": _parameters(question),
            "provision": question.provision.anchor if question.provision else None,
            "choices": [(c.name, c.label or {}, bool(c.is_other)) for c in question.choices]}


def _parameters(question: Question) -> dict:
    """The parameters, with the appearance as the export writes it (a rating is ``likert``
    whether or not the author typed it)."""
    parameters = dict(question.parameters or {})
    appearance = xlsform_appearance(question.kind, parameters.pop("appearance", ""))
    return {**parameters, "appearance": appearance} if appearance else parameters


def unreported_rows(filename: str, data: bytes, report: ImportReport) -> list[int]:
    """Rows of the survey sheet with a name or a type that no line of the report mentions.

    An empty list means that the report is complete: every question, group, note, calculation
    or metadata field of the file was imported, changed or reported as not imported.
    """
    workbook = read_workbook(filename, data, ImportReport())
    mentioned = {item.row for item in report.items if item.sheet == "survey"}
    return [number for number, values in row_numbers(workbook.survey)
            if str(values.get("type") or "").strip().lower() not in CLOSING_TYPES
            and (str(values.get("name") or "").strip() or str(values.get("type") or "").strip())
            and number not in mentioned]
