"""Map pyxform's JSON form of an XLSForm onto our survey model, as a plan (no database yet).

Top-level groups become pages; questions outside any group are gathered into pages of their
own; a group shown as a table (``appearance table-list``, or ``field-list`` whose questions use
``label``/``list-nolabel``) whose questions are all ``select_one`` of one list becomes a matrix
question.  Whatever has no place in the model (repeats, calculations, metadata, options from a
file, choice filters …) is listed in the report with its row, never dropped silently.

pyxform's JSON keeps no row numbers, so each element is found again in the sheet by its name
(names are unique: ``precheck`` refused duplicates); the raw row also gives what the author
wrote (type, appearance) before pyxform rewrote it.
"""
from __future__ import annotations

import json
import re
from pathlib import PurePath
from dataclasses import dataclass, field

from surveys import expressions
from surveys.xlsform.reading import check_expression, row_numbers
from surveys.xlsform.report import ImportReport

LANGUAGES = ("vi", "en")
#: Column with what XLSForm cannot say (JSON), written by our export and read back here.
PLATFORM_PARAMETERS = "platform_parameters"
#: Settings-sheet column with the survey's texts and settings (JSON), from our export.
PLATFORM_SETTINGS = "platform_settings"
#: Keys of ``Question.parameters`` that ``PLATFORM_PARAMETERS`` may set.
PLATFORM_KEYS = ("min", "max", "min_picks", "max_picks", "min_label", "max_label",
                 "choice_source", "max_length", "profile_field", "max_mb", "personal")
METADATA_TYPES = {"start", "end", "today", "deviceid", "phonenumber", "username", "email",
                  "audit", "simserial", "subscriberid", "start-geopoint", "background-audio"}
DROPDOWN_APPEARANCES = {"minimal", "autocomplete", "search", "minimal autocomplete"}
TRUE_WORDS = {"yes", "true", "true()", "1"}
FALSE_WORDS = {"", "no", "false", "false()", "0"}
_GENERATED = re.compile(r"^(generated_table_list_label_\d+|reserved_name_for_field_list_labels_\d+)$")
_LANGUAGE_CODE = re.compile(r"\(([A-Za-z]{2,3})\)\s*$")
_LANGUAGE_NAMES = {"vietnamese": "vi", "tiếng việt": "vi", "english": "en", "tiếng anh": "en"}
_SIMPLE_KINDS = {"integer": "integer", "decimal": "decimal", "date": "date", "note": "note",
                 "rank": "ranking", "file": "file", "select all that apply": "multiple_choice"}


@dataclass
class PlannedChoice:
    name: str
    label: dict
    is_other: bool = False


@dataclass
class PlannedQuestion:
    name: str
    kind: str
    label: dict = field(default_factory=dict)
    hint: dict = field(default_factory=dict)
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    choices: list[PlannedChoice] = field(default_factory=list)
    row: int | None = None
    #: ``Provision.anchor`` of the article the question was pinned to (our own exports).
    provision_anchor: str = ""


@dataclass
class PlannedPage:
    name: str = ""
    title: dict = field(default_factory=dict)
    relevant: str = ""
    questions: list[PlannedQuestion] = field(default_factory=list)
    row: int | None = None
    loose: bool = False  #: gathers questions that were outside any group


@dataclass
class SurveyPlan:
    title: dict
    form_id: str
    pages: list[PlannedPage]
    introduction: dict = field(default_factory=dict)
    audience: str = "open"
    settings: dict = field(default_factory=dict)

    def questions(self) -> list[PlannedQuestion]:
        return [question for page in self.pages for question in page.questions]


def language_code(name: str, default: str = "vi") -> str | None:
    """``"Tiếng Việt (vi)"`` → ``"vi"``; ``"default"`` → ``default``; unknown → the name's code."""
    if not name or name == "default":
        return default
    match = _LANGUAGE_CODE.search(name)
    if match:
        return match.group(1).lower()
    return _LANGUAGE_NAMES.get(name.strip().lower())


class Mapper:
    """Walks pyxform's JSON; ``plan()`` returns the survey plan, problems go to the report."""

    def __init__(self, form: dict, workbook, report: ImportReport):
        self.form, self.report = form, report
        self.raw = {str(v.get("name", "")).strip(): (n, v) for n, v in row_numbers(workbook.survey)
                    if v.get("name") and str(v.get("type", "")).strip() not in ("end_group", "end_repeat")}
        self.choice_rows = {(str(v.get("list_name", "")).strip(), str(v.get("name", "")).strip()): n
                            for n, v in row_numbers(workbook.choices or [])}
        self.settings = (workbook.settings or [{}])[0]
        self.default = language_code(str(self.settings.get("default_language", "")), "vi") or "vi"
        self.dropped_languages: set[str] = set()
        self.referenced = self._referenced_names(workbook.survey)
        self.pages: list[PlannedPage] = []

    # --- entry point ---------------------------------------------------------------------
    def plan(self) -> SurveyPlan:
        for element in self.form.get("children", []):
            self.top_level(element)
        self.pages = [page for page in self.pages if page.questions]
        self._report_settings_and_languages()
        stem = PurePath(self.report.filename).stem
        title = self.texts(self.settings.get("form_title") or stem or self.form.get("title") or "")
        title.setdefault("vi", next(iter(title.values()), ""))
        if not self.report.errors:
            self._check_against_imported()
        plan = SurveyPlan(title=title, form_id=str(self.settings.get("form_id") or ""),
                          pages=self.pages)
        self._platform_settings(plan)
        return plan

    def _platform_settings(self, plan: SurveyPlan) -> None:
        """Title, introduction, audience and settings kept by our own export."""
        try:
            data = json.loads(str(self.settings.get(PLATFORM_SETTINGS) or "{}"))
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.report.add("changed", "setting_ignored", sheet="settings", row=2,
                            setting=PLATFORM_SETTINGS)
            return
        for key in ("title", "introduction"):
            value = data.get(key)
            if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
                setattr(plan, key, {k: v for k, v in value.items() if k in LANGUAGES and v}
                        or getattr(plan, key))
        if data.get("audience") in ("open", "invited", "both"):
            plan.audience = data["audience"]
        if isinstance(data.get("settings"), dict):
            plan.settings = data["settings"]

    def top_level(self, element: dict) -> None:
        kind = element.get("type")
        if self.generated(element):
            return
        if kind == "repeat":
            self.repeat(element)
        elif kind == "group" and self.matrix_rows(element) is not None:
            self.pages.append(PlannedPage(row=self.row(element), questions=[self.matrix(element)]))
        elif kind == "group":
            page = PlannedPage(name=element["name"], title=self.texts(element.get("label")),
                               relevant=self.bind(element).get("relevant", ""), row=self.row(element))
            self.pages.append(page)
            self.report.add("imported", "imported_page", row=page.row, name=page.name)
            for child in element.get("children", []):
                self.in_page(child, page, "")
        else:
            if not self.pages or not self.pages[-1].loose:
                self.pages.append(PlannedPage(loose=True, row=self.row(element)))
            self.in_page(element, self.pages[-1], "")

    def in_page(self, element: dict, page: PlannedPage, condition: str) -> None:
        kind = element.get("type")
        if self.generated(element):
            return
        if kind == "repeat":
            self.repeat(element)
        elif kind == "group" and self.matrix_rows(element) is not None:
            page.questions.append(self.matrix(element, condition))
        elif kind == "group":
            inner = _both(condition, self.bind(element).get("relevant", ""))
            self.report.add("changed", "nested_group", row=self.row(element), name=element["name"])
            for child in element.get("children", []):
                self.in_page(child, page, inner)
        else:
            question = self.question(element)
            if question is not None:
                question.relevant = _both(condition, question.relevant)
                page.questions.append(question)

    # --- helpers on elements -------------------------------------------------------------
    def row(self, element: dict) -> int | None:
        return self.raw.get(element.get("name", ""), (None, {}))[0]

    def raw_values(self, element: dict) -> dict:
        return self.raw.get(element.get("name", ""), (None, {}))[1]

    def appearance(self, element: dict) -> str:
        return str(self.raw_values(element).get("appearance", "") or "").strip()

    @staticmethod
    def bind(element: dict) -> dict:
        return element.get("bind") or {}

    def generated(self, element: dict) -> bool:
        """Elements pyxform adds: the meta group, table-list headers, or_other's text box."""
        name = element.get("name", "")
        if name == "meta" and element.get("control", {}).get("bodyless"):
            return True
        if _GENERATED.match(name):
            return True
        return name.endswith("_other") and name not in self.raw

    def texts(self, value) -> dict:
        """Per-language text ``{"vi": …, "en": …}`` from a pyxform label/hint/message."""
        if not value:
            return {}
        if isinstance(value, str):
            return {self.default: value}
        result = {}
        for language, text in value.items():
            code = language_code(language, self.default)
            if code in LANGUAGES and text:
                result.setdefault(code, str(text))
            elif text:
                self.dropped_languages.add(language)
        return result

    def repeat(self, element: dict) -> None:
        self.report.add("unsupported", "repeat", row=self.row(element), name=element["name"])
        for child in _descendants(element):
            if not self.generated(child):
                self.report.add("unsupported", "inside_repeat", row=self.row(child),
                                name=child.get("name", ""), repeat=element["name"])

    # --- questions -----------------------------------------------------------------------
    def question(self, element: dict) -> PlannedQuestion | None:
        from surveys.xlsform import kinds_map  # the per-type rules

        row, name, values = self.row(element), element["name"], self.raw_values(element)
        kind = kinds_map.kind_for(self, element, values)
        if kind is None:
            return None
        bind = self.bind(element)
        question = PlannedQuestion(
            name=name, kind=kind, label=self.texts(element.get("label")),
            hint=self.texts(element.get("hint")), required=self.required(bind, row, name),
            relevant=str(bind.get("relevant", "")), constraint=str(bind.get("constraint", "")),
            constraint_message=self.texts(bind.get("jr:constraintMsg")), row=row)
        if bind.get("jr:requiredMsg"):
            self.report.add("changed", "required_message", row=row, name=name)
        if element.get("choice_filter"):
            self.report.add("unsupported", "choice_filter", row=row, name=name,
                            expression=element["choice_filter"])
        if self.appearance(element):
            question.parameters["appearance"] = self.appearance(element)
        kinds_map.complete(self, question, element, values)
        self.platform_parameters(question, values)
        self.report.add("imported", "imported", row=row, name=name, kind=question.kind)
        return question

    def required(self, bind: dict, row: int | None, name: str) -> bool:
        value = str(bind.get("required", "") or "").strip()
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() not in FALSE_WORDS:
            self.report.add("changed", "required_expression", row=row, name=name, expression=value)
        return False

    def choices(self, element: dict, with_other: bool) -> list[PlannedChoice]:
        """The question's options; pyxform's ``or_other`` option only where it was asked for."""
        list_name = element.get("list_name") or element.get("itemset") or ""
        result = []
        for choice in element.get("choices") or []:
            name = str(choice.get("name", ""))
            if (list_name, name) not in self.choice_rows and name == "other":
                continue  # added by pyxform for or_other on some question of this list
            result.append(PlannedChoice(name, self.texts(choice.get("label"))))
        if with_other:
            result.append(PlannedChoice("other", {"vi": "Khác (ghi rõ)", "en": "Other (please specify)"},
                                        is_other=True))
        return result

    def platform_parameters(self, question: PlannedQuestion, values: dict) -> None:
        text = str(values.get(PLATFORM_PARAMETERS, "") or "").strip()
        if not text:
            return
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.report.add("changed", "unknown_parameter", row=question.row, name=question.name,
                            parameter=PLATFORM_PARAMETERS)
            return
        for key, value in data.items():
            if key == "provision":
                question.provision_anchor = str(value)
            elif key in PLATFORM_KEYS:
                question.parameters[key] = value
            else:
                self.report.add("changed", "unknown_parameter", row=question.row,
                                name=question.name, parameter=key)
        if question.parameters.get("choice_source"):
            question.choices = []

    # --- matrices ------------------------------------------------------------------------
    def matrix_rows(self, group: dict) -> list[dict] | None:
        """The group's rows if it is a matrix (see the module docstring), else None."""
        appearance = self.appearance(group)
        if "table-list" not in appearance.split() and "field-list" not in appearance.split():
            return None
        children = [c for c in group.get("children", []) if not self.generated(c)]
        rows = [c for c in children if self.appearance(c) != "label"]
        if not rows or any(c.get("type") != "select one" or not c.get("choices")
                           or "or_other" in str(self.raw_values(c).get("type", "")) for c in children):
            return None
        if len({c.get("list_name") for c in children}) != 1:
            return None
        if "table-list" not in appearance.split() and any(
                self.appearance(c) not in ("label", "list-nolabel") for c in children):
            return None
        has_logic = any(self.bind(c).get("relevant") or self.bind(c).get("constraint")
                        or c.get("choice_filter") for c in children)
        if has_logic or any(c["name"] in self.referenced for c in children):
            self.report.add("changed", "matrix_kept_separate", row=self.row(group), name=group["name"])
            return None
        return rows

    def matrix(self, group: dict, condition: str = "") -> PlannedQuestion:
        rows = self.matrix_rows(group) or []
        for child in group.get("children", []):
            if self.appearance(child) == "label":
                continue
            if not self.generated(child):
                self.report.add("imported", "matrix_row", row=self.row(child), name=child["name"],
                                matrix=group["name"])
        question = PlannedQuestion(
            name=group["name"], kind="matrix", label=self.texts(_group_label(group)),
            required=any(self.required(self.bind(r), self.row(r), r["name"]) for r in rows),
            relevant=_both(condition, self.bind(group).get("relevant", "")),
            parameters={"appearance": self.appearance(group),
                        "rows": [{"name": r["name"], "label": self.texts(r.get("label"))} for r in rows]},
            choices=self.choices(rows[0], with_other=False), row=self.row(group))
        self.platform_parameters(question, self.raw_values(group))
        self.report.add("imported", "imported_matrix", row=question.row, name=question.name,
                        count=len(rows))
        return question

    # --- checks over the whole form ------------------------------------------------------
    @staticmethod
    def _referenced_names(rows: list[dict]) -> set[str]:
        names: set[str] = set()
        for values in rows:
            for column in ("relevant", "constraint", "choice_filter", "calculation", "required"):
                try:
                    names |= expressions.references(str(values.get(column, "") or ""))
                except expressions.ExpressionError:
                    pass
        return names

    def _check_against_imported(self) -> None:
        """An expression may refer only to questions that were imported."""
        known = {q.name for page in self.pages for q in page.questions}
        for page in self.pages:
            if page.relevant:
                check_expression(page.relevant, known, self.report, row=page.row, name=page.name,
                                 column="relevant")
            for q in page.questions:
                for column in ("relevant", "constraint"):
                    if getattr(q, column):
                        check_expression(getattr(q, column), known, self.report, row=q.row,
                                         name=q.name, column=column)

    def _report_settings_and_languages(self) -> None:
        for language in sorted(self.dropped_languages):
            self.report.add("changed", "language_dropped", row=None, language=language)
        for setting in self.settings:
            if setting not in ("form_title", "form_id", "default_language", PLATFORM_SETTINGS):
                self.report.add("changed", "setting_ignored", sheet="settings", row=2,
                                setting=setting)


def _group_label(group: dict):
    """A table-list group's label, which pyxform moves into a note it generates."""
    if group.get("label"):
        return group["label"]
    for child in group.get("children", []):
        if child.get("name", "").startswith("generated_table_list_label_"):
            return child.get("label")
    return None


def _both(first: str, second: str) -> str:
    if first and second:
        return f"({first}) and ({second})"
    return first or second


def _descendants(element: dict):
    for child in element.get("children", []):
        yield child
        yield from _descendants(child)
