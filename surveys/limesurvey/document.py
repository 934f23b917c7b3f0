"""Read a LimeSurvey structure file (``.lss``) into plain tables, safely.

An ``.lss`` is XML: a ``<document>`` with one element per database table (``<groups>``,
``<questions>``, ``<subquestions>``, ``<answers>``, ``<question_attributes>``, ``<conditions>``,
``<surveys_languagesettings>``…), each holding ``<rows><row><column>value</column>…``.  From
LimeSurvey 4 on, the texts moved to ``*_l10ns`` tables (``group_l10ns``, ``question_l10ns``,
``answer_l10ns``) joined by id; before, each row carried its ``language``.  ``read_document``
returns the same ``Document`` for both.

The XML is parsed by defusedxml, which refuses DTDs and entity declarations (billion laughs,
external entities); the file size is capped before parsing and the row count after.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_ROWS = 20_000  #: rows over all tables


class LssError(Exception):
    """The file is not a readable LimeSurvey survey; ``code`` and ``params`` say why."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class Document:
    """The tables of one survey; texts are ``{language: text}``."""

    languages: list[str]
    settings: dict[str, dict] = field(default_factory=dict)  #: language -> surveyls_* row
    groups: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)  #: top-level, in survey order
    subquestions: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    answers: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    attributes: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    conditions: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))


def read_document(data: bytes) -> Document:
    root = _parse(data)
    if root.tag != "document" or (root.findtext("LimeSurveyDocType") or "").strip() != "Survey":
        raise LssError("not_lss")
    tables = {child.tag: _rows(child) for child in root if child.find("rows") is not None}
    if sum(len(rows) for rows in tables.values()) > MAX_ROWS:
        raise LssError("too_many_rows", limit=MAX_ROWS)
    languages = [(el.text or "").strip() for el in root.findall("languages/language")]
    document = Document(languages=[language for language in languages if language])
    _texts(tables)
    document.settings = {row.get("surveyls_language", ""): row
                         for row in tables.get("surveys_languagesettings", [])}
    if not document.languages:
        document.languages = list(document.settings) or ["vi"]
    _structure(document, tables)
    return document


def _parse(data: bytes):
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise LssError("lss_unsafe") from None
    except Exception as error:  # ParseError and whatever expat raises on bytes that are not XML
        raise LssError("lss_xml", detail=str(error)[:200]) from None


def _rows(table) -> list[dict]:
    return [{column.tag: (column.text or "") for column in row}
            for row in table.findall("rows/row")]


#: Table -> (its LimeSurvey 4+ texts table, the id joining them, the text columns).
L10N = {"groups": ("group_l10ns", "gid", ("group_name", "description")),
        "questions": ("question_l10ns", "qid", ("question", "help")),
        "subquestions": ("question_l10ns", "qid", ("question", "help")),
        "answers": ("answer_l10ns", "aid", ("answer",))}


def _texts(tables: dict[str, list[dict]]) -> None:
    """Fold LimeSurvey 4+ ``*_l10ns`` rows into per-language copies of the base rows."""
    for base, (l10n, key, columns) in L10N.items():
        rows, texts = tables.get(base), tables.get(l10n)
        if not rows or not texts or "language" in rows[0]:
            continue  # nothing to fold, or a LimeSurvey 2/3 file (texts already in the rows)
        by_id = defaultdict(list)
        for text in texts:
            by_id[text.get(key, "")].append(text)
        tables[base] = [{**row, **{column: text.get(column, "") for column in columns},
                         "language": text.get("language", "")}
                        for row in rows for text in by_id.get(row.get(key, ""), [{}])]


def _structure(document: Document, tables: dict[str, list[dict]]) -> None:
    document.groups = _merged(tables.get("groups", []), ("gid",), ("group_name", "description"),
                              order="group_order")
    questions = _merged(tables.get("questions", []) + tables.get("subquestions", []),
                        ("qid",), ("question", "help"), order="question_order")
    order = {group["gid"]: index for index, group in enumerate(document.groups)}
    for question in questions:
        if question.get("parent_qid", "0") in ("0", ""):
            document.questions.append(question)
        else:
            document.subquestions[question["parent_qid"]].append(question)
    document.questions.sort(key=lambda q: (order.get(q.get("gid"), len(order)), _number(q.get("question_order"))))
    for answer in _merged(tables.get("answers", []), ("qid", "code", "scale_id"), ("answer",), order="sortorder"):
        document.answers[answer["qid"]].append(answer)
    for row in tables.get("question_attributes", []):
        if row.get("language") in ("", None, document.languages[0]):
            document.attributes[row.get("qid", "")][row.get("attribute", "")] = row.get("value", "")
    for row in tables.get("conditions", []):
        document.conditions[row.get("qid", "")].append(row)


def _merged(rows: list[dict], keys: tuple, text_columns: tuple, order: str) -> list[dict]:
    """One dict per item, its ``text_columns`` as ``{language: text}``, sorted by ``order``."""
    items: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row.get(k, "") for k in keys)
        item = items.setdefault(key, {**row, **{c: {} for c in text_columns}})
        for column in text_columns:
            if row.get(column):
                item[column][row.get("language", "")] = row[column]
    return sorted(items.values(), key=lambda item: _number(item.get(order)))


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
