"""What every question kind shares: the answer being edited (``Entry``) and the ``Kind`` API.

A kind turns the submitted form data of one question into an ``Entry`` (``read``), checks a
typed value (``check``), turns it into ``Answer`` rows (``to_rows``) and back (``from_rows``),
gives the value logic expressions see (``logic_value``) and the lines shown on the review page
(``display``).  Tallies are not a kind's business: ``analysis.tallies`` counts every kind in
SQL.  ``Entry.raw`` is always what the form shows: the text as typed after a failed
submission, the stored value otherwise.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from babel.numbers import get_decimal_symbol
from flask import has_request_context
from flask_babel import get_locale, gettext as _
from surveys.models import Answer, Question

#: Largest magnitude a number answer may have: beyond it a float loses whole units.
MAX_NUMBER = 1e15


@dataclass
class Entry:
    """One question's answer while a respondent edits it."""

    #: The typed answer (see each kind), None when unanswered or unreadable.
    value: Any = None
    #: The text given for "Other, please specify".
    other: str = ""
    #: What the form shows: field key -> text (or list of texts); keys are per kind.
    raw: dict = field(default_factory=dict)
    #: Messages about this answer (type, range, tampered options, required, constraint).
    errors: list = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return not is_empty(self.value)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class Kind:
    """One question kind. Subclasses set the class attributes and override what differs."""

    key = ""
    #: Lazy label for the authoring UI.
    label: Any = ""
    #: Macro in ``surveys/respond/_questions.html`` that renders the question.
    macro = ""
    #: The options come from ``question.choices`` (or a built-in list).
    has_choices = False
    #: False for a note: nothing to answer.
    takes_answer = True
    #: The parameters the authoring UI may set, for documentation and forms.
    parameters: tuple = ()

    #: How ``analysis.tallies`` counts the answers: "single", "multiple", "matrix", "ranking",
    #: "scale", "number", "date", "text" or "file" ("" for a kind that stores nothing). A new
    #: kind that stores its answers like an existing family needs nothing else in analysis.
    tally_family = ""

    # --- XLSForm (``surveys.xlsform`` reads and writes these; one kind, one place) --------
    #: The XLSForm type the kind is written as and read from ("" for a matrix: a group).
    xlsform_type = ""
    #: Appearances that pick this kind among kinds of the same type (the first is written).
    xlsform_appearances: tuple = ()
    #: Its options go to the choices sheet under a list named after the question.
    xlsform_list = False

    def xlsform_matches(self, appearance: str) -> bool:
        """This kind's appearance is the whole ``appearance`` or one of its words."""
        words = set(str(appearance or "").split())
        return appearance in self.xlsform_appearances or any(
            mark in words for mark in self.xlsform_appearances if " " not in mark)

    @staticmethod
    def field_name(question: Question, part: str = "") -> str:
        """Form field name (and id) of the question's input, or of one part of it."""
        return f"q-{question.name}" + (f"-{part}" if part else "")

    # --- reading the form --------------------------------------------------------------
    def read(self, question: Question, form: Mapping, files: Mapping,
             previous: Entry | None) -> Entry:
        """Parse one question's submitted form data; errors go on the entry, never raised."""
        text = (form.get(self.field_name(question)) or "").strip()
        entry = Entry(raw={"value": text})
        if not text:
            return entry
        value, error = self.parse_text(question, text)
        if error:
            entry.errors.append(error)
            return entry
        entry.value = value
        entry.errors.extend(self.check(question, value))
        return entry

    def parse_text(self, question: Question, text: str) -> tuple[Any, str | None]:
        return text, None

    def check(self, question: Question, value: Any, other: str = "") -> list[str]:
        """Messages for a typed value that breaks the kind's own rules (range, options…)."""
        return []

    def required_errors(self, question: Question, entry: Entry) -> list[str]:
        """Messages when a required question is not (fully) answered."""
        return [] if entry.answered else [_("This question needs an answer.")]

    # --- storing and loading -----------------------------------------------------------
    def to_rows(self, question: Question, entry: Entry) -> list[dict]:
        """``Answer`` column values, one dict per row to store."""
        return [{"value_text": str(entry.value)}] if entry.answered else []

    def from_rows(self, question: Question, answers: list[Answer]) -> Entry:
        if not answers:
            return Entry()
        value = answers[0].value_text
        return Entry(value=value, raw={"value": value or ""})

    # --- using the value ---------------------------------------------------------------
    def logic_value(self, question: Question, entry: Entry) -> Any:
        """What ``${name}`` reads in an expression; unanswered reads as ``""``."""
        return entry.value if entry.answered else ""

    def display(self, question: Question, entry: Entry, locale: str = "vi") -> list[str]:
        """The answer as lines of text for the review page and exports."""
        return [str(entry.value)] if entry.answered else []


# --- helpers shared by kinds ---------------------------------------------------------------

def number_param(question: Question, name: str, default=None):
    """A numeric parameter, tolerating text such as ``"10"`` from an import; else ``default``."""
    value = question.param(name)
    if value is None or value == "" or isinstance(value, bool):
        return default
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return default
    return number if math.isfinite(number) else default


def int_param(question: Question, name: str, default=None):
    number = number_param(question, name)
    return int(number) if number is not None else default


_INTEGER = re.compile(r"-?[0-9]+\Z")
_GROUPED_INTEGER = re.compile(r"-?[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*\Z")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")


def parse_integer(text: str) -> int | None:
    """A whole number as people type it: ``1200``, ``1.200`` or ``1,200`` (grouped by 3)."""
    text = text.replace(" ", "").replace("\u00a0", "")
    if _INTEGER.match(text):
        return int(text)
    match = _GROUPED_INTEGER.match(text)
    if match:
        return int(text.replace(match.group(1), ""))
    return None


def parse_decimal(text: str) -> float | None:
    """A number with a decimal comma (Vietnamese ``2,5``) or point (``2.5``).

    With both marks, the last one is the decimal separator (``1.234,5`` and ``1,234.5``).
    """
    text = text.replace(" ", "").replace("\u00a0", "")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        text = text.replace(group_mark, "").replace(decimal_mark, ".")
    elif "," in text:
        if text.count(",") > 1:
            grouped = parse_integer(text)
            return None if grouped is None else float(grouped)
        text = text.replace(",", ".")
    elif text.count(".") > 1:
        grouped = parse_integer(text)
        return None if grouped is None else float(grouped)
    if not _DECIMAL.match(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def number_text(number: float | int | None) -> str:
    """A stored number as the form shows it: no ``.0`` on whole numbers, and the reader's
    decimal mark (``12,5`` in Vietnamese), which ``parse_decimal`` reads back unchanged."""
    if number is None:
        return ""
    if float(number).is_integer():
        return str(int(number))
    return repr(float(number)).replace(".", _decimal_mark())


def _decimal_mark() -> str:
    if not has_request_context():
        return "."
    return get_decimal_symbol(str(get_locale() or "vi"))


def range_error(value: float, low, high) -> str | None:
    """The message for a number outside [low, high] (either end optional)."""
    if abs(value) > MAX_NUMBER:
        return _("This number is too large.")
    if low is not None and high is not None and not (low <= value <= high):
        return _("Please enter a number from %(low)s to %(high)s.", low=number_text(low),
                 high=number_text(high))
    if low is not None and value < low:
        return _("Please enter a number of at least %(low)s.", low=number_text(low))
    if high is not None and value > high:
        return _("Please enter a number of at most %(high)s.", high=number_text(high))
    return None
