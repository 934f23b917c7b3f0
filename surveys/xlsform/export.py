"""Write a survey as an XLSForm workbook (``survey``, ``choices``, ``settings`` sheets).

Labels, hints and constraint messages go in ``label::Tiếng Việt (vi)`` / ``label::English (en)``
columns; pages become groups, a matrix a ``table-list`` group, a rating a ``likert`` list.  What
XLSForm has no column for (number ranges, pick limits, the article a question is pinned to, the
survey's audience and introduction) is kept as JSON in ``platform_parameters`` (survey sheet)
and ``platform_settings`` (settings sheet), which other tools ignore and our import reads back.
"""
from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

from consult.spreadsheet import openpyxl_text
from surveys.kinds import CHOICE_SOURCES, KINDS, xlsform_appearance
from surveys.models import Question, Survey, SurveyPage
from surveys.xlsform.mapping import PLATFORM_KEYS, PLATFORM_PARAMETERS, PLATFORM_SETTINGS

if TYPE_CHECKING:
    from openpyxl import Workbook

VI, EN = "Tiếng Việt (vi)", "English (en)"
LANGUAGE_NAMES = {"vi": VI, "en": EN}
SURVEY_COLUMNS = ["type", "name", f"label::{VI}", f"label::{EN}", f"hint::{VI}", f"hint::{EN}",
                  "required", "relevant", "constraint", f"constraint_message::{VI}",
                  f"constraint_message::{EN}", "appearance", "parameters", PLATFORM_PARAMETERS]
CHOICE_COLUMNS = ["list_name", "name", f"label::{VI}", f"label::{EN}"]
SETTINGS_COLUMNS = ["form_title", "form_id", "default_language", "version", PLATFORM_SETTINGS]


def export_xlsform(survey: Survey) -> bytes:
    """The survey as ``.xlsx`` bytes."""
    writer = _Writer(survey)
    writer.write_pages()
    from openpyxl import Workbook  # loads with the first export, not in every web worker

    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", SURVEY_COLUMNS, writer.survey_rows)
    _sheet(workbook, "choices", CHOICE_COLUMNS, writer.choice_rows)
    _sheet(workbook, "settings", SETTINGS_COLUMNS, [_settings_row(survey)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Workbook, title: str, columns: list[str], rows: list[dict]) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(column) if row.get(column) not in ("", None) else None
                      for column in columns])
        for cell in sheet[sheet.max_row]:
            openpyxl_text(cell)  # a label "=…" stays a label, not a live formula


def _settings_row(survey: Survey) -> dict:
    extra = {"title": survey.title or {}, "introduction": survey.introduction or {},
             "audience": survey.audience, "settings": survey.settings or {}}
    stamp = survey.updated_at or survey.created_at
    return {"form_title": survey.title_in("vi"), "form_id": survey.slug.replace("-", "_"),
            "default_language": VI, "version": stamp.strftime("%Y%m%d%H%M") if stamp else "1",
            PLATFORM_SETTINGS: json.dumps(extra, ensure_ascii=False, sort_keys=True)}


def _texts(prefix: str, value: dict | str | None) -> dict:
    if isinstance(value, str):
        value = {"vi": value}
    return {f"{prefix}::{LANGUAGE_NAMES[code]}": text for code, text in (value or {}).items()
            if code in LANGUAGE_NAMES and text}


class _Writer:
    def __init__(self, survey: Survey):
        self.survey = survey
        self.survey_rows: list[dict] = []
        self.choice_rows: list[dict] = []
        self.used_names = {q.name for q in survey.questions}

    def write_pages(self) -> None:
        """Pages as groups; a page without name, title or show-if may stay bare when it will
        come back as the same page (not merged with loose questions written just before)."""
        after_loose = False
        for number, page in enumerate(self.survey.pages, start=1):
            kinds = [question.kind for question in page.questions]
            only_matrix = kinds == ["matrix"]
            bare = not (page.name or page.title or page.relevant) and (
                only_matrix or ("matrix" not in kinds and not after_loose))
            if not bare:
                self.survey_rows.append({"type": "begin_group", "name": self._page_name(page, number),
                                         **_texts("label", page.title), "relevant": page.relevant,
                                         "appearance": "field-list"})
            for question in page.questions:
                self.question(question)
            if not bare:
                self.survey_rows.append({"type": "end_group"})
            after_loose = bare and not only_matrix

    def _page_name(self, page: SurveyPage, number: int) -> str:
        name = page.name if page.name and page.name not in self.used_names else f"trang_{number}"
        while name in self.used_names:
            name += "_"
        self.used_names.add(name)
        return name

    def question(self, question: Question) -> None:
        if question.kind == "matrix":
            self.matrix(question)
            return
        row = {"name": question.name, **_texts("label", question.label), **_texts("hint", question.hint),
               "required": "yes" if question.required else "", "relevant": question.relevant,
               "constraint": question.constraint, **_texts("constraint_message", question.constraint_message),
               "appearance": self.appearance(question)}
        row["type"] = self.type_and_list(question, row)
        extra = {key: value for key, value in (question.parameters or {}).items() if key in PLATFORM_KEYS}
        if question.provision is not None:
            extra["provision"] = question.provision.anchor
        if question.kind == "file" and question.param("max_mb"):
            row["parameters"] = f"max-file-size={question.param('max_mb')}"
        if extra:
            row[PLATFORM_PARAMETERS] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        self.survey_rows.append(row)

    def appearance(self, question: Question) -> str:
        return xlsform_appearance(question.kind, question.param("appearance"))

    def type_and_list(self, question: Question, row: dict) -> str:
        kind = KINDS.get(question.kind)
        if kind is None or not kind.xlsform_type:
            return "note"  # an unknown kind: keep its text at least
        if question.kind == "rating":
            self.rating_choices(question)
            return f"{kind.xlsform_type} {question.name}"
        if not kind.xlsform_list:
            return kind.xlsform_type
        other = any(choice.is_other for choice in question.choices)
        self.choices(question.name, question)
        suffix = " or_other" if other and question.kind != "ranking" else ""
        return f"{kind.xlsform_type} {question.name}{suffix}"

    def choices(self, list_name: str, question: Question) -> None:
        source = question.param("choice_source")
        if source in CHOICE_SOURCES:
            for value, label in CHOICE_SOURCES[source]():
                self.choice_rows.append({"list_name": list_name, "name": value, **_texts("label", label)})
            return
        for choice in question.choices:
            if choice.is_other and question.kind != "ranking":
                continue  # written as or_other
            self.choice_rows.append({"list_name": list_name, "name": choice.name,
                                     **_texts("label", choice.label)})

    def rating_choices(self, question: Question) -> None:
        scale = KINDS["rating"].scale(question)  # bounded and tolerant, as respondents see it
        low, high = scale[0], scale[-1]
        for point in scale:
            label = {"vi": str(point)}
            if point == low and question.param("min_label"):
                label = question.param("min_label")
            elif point == high and question.param("max_label"):
                label = question.param("max_label")
            self.choice_rows.append({"list_name": question.name, "name": str(point),
                                     **_texts("label", label)})

    def matrix(self, question: Question) -> None:
        self.survey_rows.append({"type": "begin_group", "name": question.name,
                                 **_texts("label", question.label), "relevant": question.relevant,
                                 "appearance": "table-list"})
        for row in question.param("rows") or []:
            name = row.get("name", "")
            if name in self.used_names - {question.name}:  # a question's or another row's name
                name = f"{question.name}_{name}"
            self.used_names.add(name)
            self.survey_rows.append({"type": f"select_one {question.name}", "name": name,
                                     **_texts("label", row.get("label")),
                                     "required": "yes" if question.required else ""})
        self.choices(question.name, question)
        self.survey_rows.append({"type": "end_group"})
