"""LimeSurvey question types as our kinds, into the same plan an XLSForm import makes.

| LimeSurvey | our kind |
| --- | --- |
| ``L`` list (radio), ``O`` list with comment | ``single_choice`` (the comment box is reported) |
| ``!`` list (dropdown) | ``dropdown`` |
| ``M`` multiple choice, ``P`` with comments | ``multiple_choice`` (options are the subquestions) |
| ``S`` short text; ``T``/``U`` long and huge text | ``short_text``; ``long_text`` |
| ``N`` numeric | ``decimal`` (``integer`` with "integer only"), min and max kept |
| ``D`` date | ``date`` |
| ``5`` five-point choice | ``rating`` 1–5 |
| ``A``/``B``/``C``/``E``/``F``/``H``/``1``/``:`` arrays | ``matrix`` (rows = subquestions) |
| ``Y`` yes/no, ``G`` gender | ``single_choice`` with the fixed options |
| ``K`` multiple numeric, ``Q`` multiple short text | one ``decimal``/``short_text`` per field |
| ``R`` ranking | ``ranking`` |
| ``X`` text display | ``note`` |
| ``|`` file upload | ``file`` (PDF only) |
| ``*`` equation, ``;`` array of texts, ``I`` language switch | not imported, reported |

Texts are HTML in LimeSurvey: tags are removed and entities decoded (reported once).
"""
from __future__ import annotations

import html
import math
import re

from surveys.limesurvey import logic
from surveys.limesurvey.document import Document
from surveys.xlsform.mapping import PlannedChoice, PlannedPage, PlannedQuestion, SurveyPlan
from surveys.xlsform.report import ImportReport

LANGUAGES = ("vi", "en")
SIMPLE = {"S": "short_text", "T": "long_text", "U": "long_text", "D": "date", "X": "note",
          "L": "single_choice", "O": "single_choice", "!": "dropdown", "R": "ranking",
          "M": "multiple_choice", "P": "multiple_choice", "|": "file", "N": "decimal"}
ARRAYS = set("ABCEFH1:")
SPLIT = {"K": "decimal", "Q": "short_text"}
UNSUPPORTED = {"*": "lss_equation", ";": "unsupported_type", "I": "unsupported_type"}


def _fixed(*options):
    return [(code, {"vi": vi, "en": en}) for code, vi, en in options]


#: Options LimeSurvey types carry without an answers table.
FIXED_OPTIONS = {
    "Y": _fixed(("Y", "Có", "Yes"), ("N", "Không", "No")),
    "G": _fixed(("F", "Nữ", "Female"), ("M", "Nam", "Male")),
    "C": _fixed(("Y", "Có", "Yes"), ("U", "Không chắc", "Uncertain"), ("N", "Không", "No")),
    "E": _fixed(("I", "Tăng", "Increase"), ("S", "Giữ nguyên", "Same"), ("D", "Giảm", "Decrease")),
    "A": _fixed(*[(str(n), str(n), str(n)) for n in range(1, 6)]),
    "B": _fixed(*[(str(n), str(n), str(n)) for n in range(1, 11)]),
}
#: Attributes worth a line in the report when set (the rest is presentation).
REPORTED_ATTRIBUTES = ("hidden", "array_filter", "array_filter_exclude", "em_validation_q",
                       "random_order", "exclude_all_others", "equation")
MAX_ARRAY_OPTIONS = 20
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")


class LssMapper:
    """Builds the ``SurveyPlan`` of a ``Document``; problems go to the report."""

    def __init__(self, document: Document, report: ImportReport):
        self.document, self.report = document, report
        self.html_removed = False
        self.codes_by_qid = {q["qid"]: q.get("title", "") for q in document.questions}
        self.languages = self._language_codes()

    # --- texts ---------------------------------------------------------------------------
    def _language_codes(self) -> dict[str, str]:
        """LimeSurvey language -> ours; without vi or en the main language stands in as vi."""
        codes = {language: language.split("-")[0].lower() for language in self.document.languages}
        ours = {language: code for language, code in codes.items() if code in LANGUAGES}
        dropped = [language for language in codes if language not in ours]
        if not ours and dropped:
            ours[dropped[0]] = "vi"
            self.report.add("changed", "language_substituted", sheet="", language=dropped.pop(0))
        for language in dropped:
            self.report.add("changed", "language_dropped", sheet="", language=language)
        return ours

    def texts(self, value: dict) -> dict:
        result = {}
        for language, text in (value or {}).items():
            code = self.languages.get(language) or (self.languages.get(self.document.languages[0])
                                                    if language == "" else None)
            plain = self.plain(text)
            if code and plain:
                result.setdefault(code, plain)
        return result

    def plain(self, text: str) -> str:
        """The words of an HTML text: scripts and styles dropped, tags removed, entities
        decoded, spaces collapsed as an XLSForm cell's would be (so the export reads back)."""
        if _TAG.search(text or ""):
            self.html_removed = True
        text = _SCRIPT.sub("", text or "")
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(_TAG.sub("", text))
        return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()

    # --- the survey ----------------------------------------------------------------------
    def plan(self) -> SurveyPlan:
        main = self.document.settings.get(self.document.languages[0], {})
        title = self.texts({lang: row.get("surveyls_title", "")
                            for lang, row in self.document.settings.items()})
        introduction = self.texts({lang: row.get("surveyls_description", "") or row.get("surveyls_welcometext", "")
                                   for lang, row in self.document.settings.items()})
        pages = [self.page(group) for group in self.document.groups]
        plan = SurveyPlan(title=title or {"vi": main.get("surveyls_title", "") or "LimeSurvey"},
                          form_id=str(main.get("surveyls_survey_id", "")), pages=[p for p in pages if p.questions],
                          introduction=introduction)
        self.logic(plan)
        if self.html_removed:
            self.report.add("changed", "lss_html_removed", sheet="")
        return plan

    def page(self, group: dict) -> PlannedPage:
        page = PlannedPage(title=self.texts(group.get("group_name")))
        page.relevant = group.get("grelevance", "")  # translated in ``logic``
        self.report.add("imported", "imported_page", sheet="", name=page.title.get("vi", "") or group.get("gid", ""))
        for question in self.document.questions:
            if question.get("gid") == group.get("gid"):
                page.questions.extend(self.questions(question))
        return page

    # --- questions -----------------------------------------------------------------------
    def questions(self, row: dict) -> list[PlannedQuestion]:
        code, type_ = row.get("title", ""), row.get("type", "")
        where = {"sheet": "", "name": code}
        if not _CODE.match(code):
            self.report.add("unsupported", "lss_bad_code", **where)
            return []
        if type_ in UNSUPPORTED:
            self.report.add("unsupported", UNSUPPORTED[type_], type=type_, **where)
            return []
        if type_ in SPLIT:
            return self.split(row, SPLIT[type_])
        if type_ not in SIMPLE and type_ not in ARRAYS and type_ not in FIXED_OPTIONS and type_ != "5":
            self.report.add("unsupported", "unsupported_type", type=type_, **where)
            return []
        question = self.common(row, code)
        self.complete(question, row, type_)
        self.attributes(question, row)
        self.report.add("imported", "imported_matrix" if question.kind == "matrix" else "imported",
                        kind=question.kind, count=len(question.parameters.get("rows", [])), **where)
        return [question]

    def common(self, row: dict, code: str) -> PlannedQuestion:
        mandatory = row.get("mandatory", "N")
        if mandatory == "S":
            self.report.add("changed", "lss_soft_mandatory", sheet="", name=code)
        question = PlannedQuestion(name=code, kind="note", label=self.texts(row.get("question")),
                                   hint=self.texts(row.get("help")), required=mandatory == "Y")
        question.relevant = row.get("relevance", "")  # translated in ``logic``
        question.parameters["lss_qid"] = row.get("qid", "")
        if not question.label:
            question.label = {"vi": code}
            self.report.add("changed", "label_from_name", sheet="", name=code)
        return question

    def complete(self, question: PlannedQuestion, row: dict, type_: str) -> None:
        qid, where = row.get("qid", ""), {"sheet": "", "name": question.name}
        if type_ in FIXED_OPTIONS and type_ not in ARRAYS:
            question.kind = "single_choice"
            question.choices = [PlannedChoice(code, label) for code, label in FIXED_OPTIONS[type_]]
        elif type_ == "5":
            question.kind, question.parameters["min"], question.parameters["max"] = "rating", 1, 5
        elif type_ in ARRAYS:
            self.matrix(question, row, type_)
        else:
            question.kind = SIMPLE[type_]
            options = self.document.subquestions[qid] if type_ in "MP" else self.answers(qid)
            question.choices = [PlannedChoice(o.get("title") or o.get("code", ""),
                                              self.texts(o.get("question") or o.get("answer")) or
                                              {"vi": o.get("title") or o.get("code", "")}) for o in options]
        if row.get("other") == "Y" and question.kind in ("single_choice", "dropdown", "multiple_choice"):
            question.choices.append(PlannedChoice("other", {"vi": "Khác (ghi rõ)", "en": "Other (please specify)"},
                                                  is_other=True))
            self.report.add("changed", "or_other", **where)
        if type_ in "OP":
            self.report.add("changed", "lss_comment_dropped", **where)
        if type_ == "|":
            self.report.add("changed", "file_pdf_only", size=5, **where)
        if type_ == "N":
            self.numeric(question, qid)

    def answers(self, qid: str, scale: str = "0") -> list[dict]:
        return [a for a in self.document.answers[qid] if a.get("scale_id", "0") in (scale, "")]

    def matrix(self, question: PlannedQuestion, row: dict, type_: str) -> None:
        qid = row.get("qid", "")
        rows = [sub for sub in self.document.subquestions[qid] if sub.get("scale_id", "0") in ("0", "")]
        question.kind = "matrix"
        question.parameters.update(appearance="table-list", rows=[
            {"name": f"{question.name}_{sub.get('title', '')}",  # LimeSurvey's own name for the row
             "label": self.texts(sub.get("question")) or {"vi": sub.get("title", "")}}
            for sub in rows])
        if type_ in FIXED_OPTIONS:
            question.choices = [PlannedChoice(code, label) for code, label in FIXED_OPTIONS[type_]]
        elif type_ == ":":
            low = int(_bounded(self.number_attribute(qid, "multiflexible_min", 1), 1))
            high = int(_bounded(self.number_attribute(qid, "multiflexible_max", 10), 10))
            high = max(low, min(high, low + MAX_ARRAY_OPTIONS - 1))  # a matrix of at most 20 options
            question.choices = [PlannedChoice(str(n), {"vi": str(n)}) for n in range(low, high + 1)]
            self.report.add("changed", "lss_array_numbers", sheet="", name=question.name, low=low, high=high)
        else:
            question.choices = [PlannedChoice(a.get("code", ""), self.texts(a.get("answer")) or {"vi": a.get("code", "")})
                                for a in self.answers(qid)]
        if type_ == "1":
            self.report.add("changed", "lss_second_scale", sheet="", name=question.name)

    def numeric(self, question: PlannedQuestion, qid: str) -> None:
        """Integer only, min and max from the attributes (finite numbers only)."""
        if self.document.attributes[qid].get("num_value_int_only") == "1":
            question.kind = "integer"
        for attribute, key in (("min_num_value_n", "min"), ("max_num_value_n", "max")):
            value = self.number_attribute(qid, attribute, None)
            if value is not None:
                question.parameters[key] = int(value) if value.is_integer() else value

    def number_attribute(self, qid: str, name: str, default):
        try:
            number = float(self.document.attributes[qid].get(name, ""))
        except ValueError:
            return default
        return number if math.isfinite(number) and abs(number) < 1e12 else default

    def split(self, row: dict, kind: str) -> list[PlannedQuestion]:
        """A multiple numeric / multiple short text question: one question per field."""
        base = self.common(row, row.get("title", ""))
        fields = self.document.subquestions[row.get("qid", "")]
        result = []
        for sub in fields:
            label = {lang: f"{base.label.get(lang, base.label.get('vi', ''))} — {text}"
                     for lang, text in self.texts(sub.get("question")).items()} or base.label
            question = PlannedQuestion(name=f"{base.name}_{sub.get('title', '')}", kind=kind, label=label,
                                       required=base.required, relevant=base.relevant,
                                       parameters={"lss_qid": row.get("qid", "")})
            result.append(question)
            self.report.add("imported", "imported", sheet="", name=question.name, kind=kind)
        self.report.add("changed", "lss_split", sheet="", name=base.name, count=len(result))
        return result

    def attributes(self, question: PlannedQuestion, row: dict) -> None:
        attributes = self.document.attributes[row.get("qid", "")]
        if question.kind == "multiple_choice":
            for attribute, key in (("min_answers", "min_picks"), ("max_answers", "max_picks")):
                value = self.number_attribute(row.get("qid", ""), attribute, None)
                if value:
                    question.parameters[key] = int(value)
        for attribute in REPORTED_ATTRIBUTES:
            value = str(attributes.get(attribute, "") or "").strip()
            if value and value != "0":
                self.report.add("changed", "lss_attribute_ignored", sheet="", name=question.name,
                                attribute=attribute, value=value[:80])
        if (row.get("preg") or "").strip():
            self.report.add("changed", "lss_attribute_ignored", sheet="", name=question.name,
                            attribute="preg", value=row["preg"][:80])

    # --- show-ifs ------------------------------------------------------------------------
    def logic(self, plan: SurveyPlan) -> None:
        """Translate every relevance once all questions are known (they may refer ahead)."""
        questions = plan.questions()
        known = {q.name for q in questions if q.kind != "matrix"}
        multiple = {q.name: {c.name for c in q.choices} for q in questions if q.kind == "multiple_choice"}
        for page in plan.pages:
            page.relevant = self.show_if(page.relevant, [], known, multiple, page.title.get("vi", ""))
        for question in questions:
            qid = question.parameters.pop("lss_qid", "")
            conditions = self.document.conditions.get(qid, []) if qid else []
            question.relevant = self.show_if(question.relevant, conditions, known, multiple, question.name)

    def show_if(self, equation: str, conditions: list[dict], known, multiple, name: str) -> str:
        if (equation or "").strip().lower() in logic.ALWAYS and conditions:
            equation = logic.from_conditions(conditions, self.codes_by_qid)
        if (equation or "").strip().lower() in logic.ALWAYS:
            return ""
        translated = logic.translate(equation, known, multiple)
        if not translated:
            self.report.add("unsupported", "lss_relevance_dropped", sheet="", name=name,
                            expression=equation[:200])
        return translated


def _bounded(value, default):
    return value if value is not None and -1e6 < value < 1e6 else default
