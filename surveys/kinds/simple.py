"""Kinds with one typed value: short and long text, integer, decimal, date, and the note."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask_babel import format_date, format_decimal, gettext as _, lazy_gettext as _l

from consult.form_checks import text_problem
from consult.textnorm import clean_control, normalize_text
from surveys.kinds.base import (Entry, Kind, int_param, number_param, number_text, parse_decimal,
                                parse_integer, range_error)
from surveys.models import Question


class ShortText(Kind):
    tally_family = "text"
    key = "short_text"
    xlsform_type = "text"
    label = _l("Short text")
    macro = "short_text"
    parameters = ("max_length",)
    default_max_length = 255

    def max_length(self, question: Question) -> int:
        return int_param(question, "max_length") or self.default_max_length

    def read(self, question, form, files, previous):
        # Text is kept as typed (minus control characters), not stripped of inner spaces;
        # typed text that shows nothing, or could not be read, comes back with its message.
        typed = (form.get(self.field_name(question)) or "").strip()
        problem = text_problem(typed)
        if problem is not None:
            return Entry(raw={"value": typed}, errors=[problem])
        text = clean_control(typed).strip()
        entry = Entry(raw={"value": text})
        if text:
            entry.value = text
            entry.errors.extend(self.check(question, text))
        return entry

    def check(self, question, value, other=""):
        length = len(unicodedata.normalize("NFC", value))
        limit = self.max_length(question)
        if length > limit:
            return [_("At most %(max)s characters; this answer has %(length)s.",
                      max=format_decimal(limit), length=format_decimal(length))]
        return []

    def to_rows(self, question, entry):
        if not entry.answered:
            return []
        return [{"value_text": entry.value, "value_normalized": normalize_text(entry.value)}]


class LongText(ShortText):
    key = "long_text"
    xlsform_appearances = ("multiline",)
    label = _l("Long text")
    macro = "long_text"
    default_max_length = 5000


class Integer(Kind):
    tally_family = "number"
    key = "integer"
    xlsform_type = "integer"
    label = _l("Whole number")
    macro = "number"
    parameters = ("min", "max")

    def parse_text(self, question, text):
        number = parse_integer(text)
        if number is None:
            return None, _("Please enter a whole number, for example 12.")
        return number, None

    def check(self, question, value, other=""):
        error = range_error(value, number_param(question, "min"), number_param(question, "max"))
        return [error] if error else []

    def to_rows(self, question, entry):
        return [{"value_number": float(entry.value)}] if entry.answered else []

    def from_rows(self, question, answers):
        if not answers or answers[0].value_number is None:
            return Entry()
        value = self.from_number(answers[0].value_number)
        return Entry(value=value, raw={"value": number_text(value)})

    @staticmethod
    def from_number(number: float):
        return int(number)

    def display(self, question, entry, locale="vi"):
        return [format_decimal(entry.value)] if entry.answered else []


class Decimal(Integer):
    key = "decimal"
    xlsform_type = "decimal"
    label = _l("Decimal number")

    def parse_text(self, question, text):
        number = parse_decimal(text)
        if number is None:
            return None, _("Please enter a number, for example 2,5.")
        return number, None

    @staticmethod
    def from_number(number: float):
        return float(number)


_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})\Z")


def parse_date(text: str) -> date | None:
    """``YYYY-MM-DD`` (what a date input sends) or ``DD/MM/YYYY`` (what people type)."""
    text = text.strip()
    try:
        match = _DAY_MONTH_YEAR.match(text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


class Date(Kind):
    tally_family = "date"
    key = "date"
    xlsform_type = "date"
    label = _l("Date")
    macro = "date"
    parameters = ("min", "max")

    def parse_text(self, question, text):
        value = parse_date(text)
        if value is None:
            return None, _("Please enter a date as day/month/year, for example 25/12/2022.")
        return value, None

    def check(self, question, value, other=""):
        low, high = (parse_date(str(question.param(name) or "")) for name in ("min", "max"))
        if low and value < low:
            return [_("Please enter a date on or after %(date)s.", date=format_date(low, "dd/MM/yyyy"))]
        if high and value > high:
            return [_("Please enter a date on or before %(date)s.", date=format_date(high, "dd/MM/yyyy"))]
        return []

    def to_rows(self, question, entry):
        return [{"value_date": entry.value}] if entry.answered else []

    def from_rows(self, question, answers):
        if not answers or answers[0].value_date is None:
            return Entry()
        value = answers[0].value_date
        return Entry(value=value, raw={"value": value.isoformat()})

    def logic_value(self, question, entry):
        return entry.value.isoformat() if entry.answered else ""

    def display(self, question, entry, locale="vi"):
        return [format_date(entry.value, "dd/MM/yyyy")] if entry.answered else []


class Note(Kind):
    """Text shown between questions (XLSForm ``note``): nothing to answer."""

    key = "note"
    xlsform_type = "note"
    label = _l("Note (no answer)")
    macro = "note"
    takes_answer = False

    def read(self, question, form, files, previous):
        return Entry()

    def to_rows(self, question, entry):
        return []
