"""Kinds that pick from options: single and multiple choice, dropdown, rating, matrix, ranking.

Options are the question's ``Choice`` rows, or a built-in list named by
``parameters["choice_source"]`` (``"provinces"``: the 63 provinces of 2008–2025,
``"provinces_2025"``: the 34 units from 1 July 2025; stored by code).  Each
chosen option is one ``Answer`` row with ``choice_id`` (NULL for built-in lists) and
``value_text`` = the option's name, so a tally groups by either.
"""
from __future__ import annotations

import unicodedata

from flask_babel import gettext as _, lazy_gettext as _l

from consult.data import PROVINCE_SOURCES, sorted_provinces
from consult.textnorm import clean_control
from surveys.kinds.base import Entry, Kind, int_param
from surveys.models import Question, localized

#: Built-in option lists: name -> function giving [(value, label)].
CHOICE_SOURCES = {name: (lambda key=key: sorted_provinces(key)) for name, key in PROVINCE_SOURCES.items()}
OTHER_MAX_LENGTH = 255


class Option:
    """One option as a kind uses it: from a ``Choice`` row or a built-in list."""

    __slots__ = ("name", "label", "choice_id", "is_other")

    def __init__(self, name: str, label: str, choice_id: int | None = None, is_other: bool = False):
        self.name, self.label, self.choice_id, self.is_other = name, label, choice_id, is_other


def options(question: Question, locale: str = "vi") -> list[Option]:
    source = question.param("choice_source")
    if source in CHOICE_SOURCES:
        return [Option(value, label) for value, label in CHOICE_SOURCES[source]()]
    return [Option(c.name, c.label_in(locale), c.id, c.is_other) for c in question.choices]


def options_by_name(question: Question, locale: str = "vi") -> dict[str, Option]:
    return {option.name: option for option in options(question, locale)}


def _tampered() -> str:
    return _("The option you sent is not in the list. Please choose again.")


def _other_missing() -> str:
    return _("You chose “Other”: please say what it is.")


def _read_other(question: Question, form) -> str:
    return clean_control(form.get(Kind.field_name(question, "other")) or "").strip()


def _other_errors(chosen: list[Option], other: str) -> list[str]:
    if any(option.is_other for option in chosen):
        if not other:
            return [_other_missing()]
        length = len(unicodedata.normalize("NFC", other))  # letters as people see them
        if length > OTHER_MAX_LENGTH:
            return [_("At most %(max)s characters; this answer has %(length)s.",
                      max=OTHER_MAX_LENGTH, length=length)]
    return []


class SingleChoice(Kind):
    tally_family = "single"
    key = "single_choice"
    xlsform_type = "select_one"
    xlsform_list = True
    label = _l("Single choice")
    macro = "single_choice"
    has_choices = True
    parameters = ("choice_source",)

    def read(self, question, form, files, previous):
        name = (form.get(self.field_name(question)) or "").strip()
        other = _read_other(question, form)
        entry = Entry(raw={"value": name, "other": other})
        if name:
            entry.value, entry.other = name, other
            entry.errors.extend(self.check(question, name, other))
        return entry

    def check(self, question, value, other=""):
        option = options_by_name(question).get(value)
        if option is None:
            return [_tampered()]
        return _other_errors([option], other)

    def to_rows(self, question, entry):
        if not entry.answered:
            return []
        option = options_by_name(question)[entry.value]
        return [{"choice_id": option.choice_id, "value_text": option.name,
                 "other_text": entry.other if option.is_other else None}]

    def from_rows(self, question, answers):
        if not answers:
            return Entry()
        other = answers[0].other_text or ""
        return Entry(value=answers[0].value_text, other=other,
                     raw={"value": answers[0].value_text, "other": other})

    def display(self, question, entry, locale="vi"):
        if not entry.answered:
            return []
        return [_option_text(options_by_name(question, locale), entry.value, entry.other)]


def _option_text(by_name: dict[str, Option], name: str, other: str) -> str:
    option = by_name.get(name)
    if option is None:
        return name
    return f"{option.label}: {other}" if option.is_other and other else option.label


class Dropdown(SingleChoice):
    key = "dropdown"
    xlsform_appearances = ("minimal", "autocomplete", "search", "minimal autocomplete")
    label = _l("Dropdown list")
    macro = "dropdown"


class MultipleChoice(SingleChoice):
    tally_family = "multiple"
    key = "multiple_choice"
    xlsform_type = "select_multiple"
    label = _l("Multiple choice")
    macro = "multiple_choice"
    parameters = ("min_picks", "max_picks")

    def read(self, question, form, files, previous):
        names = [name.strip() for name in form.getlist(self.field_name(question)) if name.strip()]
        other = _read_other(question, form)
        entry = Entry(raw={"value": names, "other": other})
        if names:
            order = [option.name for option in options(question)]
            entry.value = sorted(set(names), key=lambda n: order.index(n) if n in order else len(order))
            entry.other = other
            entry.errors.extend(self.check(question, entry.value, other))
        return entry

    def check(self, question, value, other=""):
        by_name = options_by_name(question)
        if any(name not in by_name for name in value):
            return [_tampered()]
        errors = _other_errors([by_name[name] for name in value], other)
        fewest, most = int_param(question, "min_picks"), int_param(question, "max_picks")
        if fewest and len(value) < fewest:
            errors.append(_("Please choose at least %(num)s options.", num=fewest))
        if most and len(value) > most:
            errors.append(_("Please choose at most %(num)s options.", num=most))
        return errors

    def to_rows(self, question, entry):
        by_name = options_by_name(question)
        return [{"choice_id": by_name[name].choice_id, "value_text": name,
                 "other_text": entry.other if by_name[name].is_other else None}
                for name in entry.value or []]

    def from_rows(self, question, answers):
        names = [answer.value_text for answer in answers]
        other = next((a.other_text for a in answers if a.other_text), "")
        return Entry(value=names, other=other, raw={"value": names, "other": other}) \
            if names else Entry()

    def display(self, question, entry, locale="vi"):
        by_name = options_by_name(question, locale)
        return [_option_text(by_name, name, entry.other) for name in entry.value or []]


class Rating(Kind):
    """A scale of whole numbers (1 to 5 by default) with a label at each end (Likert)."""
    tally_family = "scale"

    key = "rating"
    xlsform_type = "select_one"
    xlsform_appearances = ("likert",)
    label = _l("Rating scale")
    macro = "rating"
    parameters = ("min", "max", "min_label", "max_label")

    def scale(self, question: Question) -> list[int]:
        low, high = int_param(question, "min", 1), int_param(question, "max", 5)
        return list(range(low, high + 1)) if 0 < high - low <= 20 else list(range(1, 6))

    def parse_text(self, question, text):
        try:
            return int(text), None
        except ValueError:
            return None, _tampered()

    def check(self, question, value, other=""):
        return [] if value in self.scale(question) else [_tampered()]

    def end_labels(self, question: Question, locale: str = "vi") -> tuple[str, str]:
        return (localized(question.param("min_label"), locale),
                localized(question.param("max_label"), locale))

    def to_rows(self, question, entry):
        if not entry.answered:
            return []
        return [{"value_number": float(entry.value), "value_text": str(entry.value)}]

    def from_rows(self, question, answers):
        if not answers or answers[0].value_number is None:
            return Entry()
        value = int(answers[0].value_number)
        return Entry(value=value, raw={"value": str(value)})

    def display(self, question, entry, locale="vi"):
        if not entry.answered:
            return []
        low_label, high_label = self.end_labels(question, locale)
        scale = self.scale(question)
        end = low_label if entry.value == scale[0] else high_label if entry.value == scale[-1] else ""
        return [f"{entry.value} / {scale[-1]}" + (f" ({end})" if end else "")]


class Matrix(Kind):
    """Several rows (``parameters["rows"]``) answered on one shared scale (the choices)."""
    tally_family = "matrix"

    key = "matrix"
    label = _l("Matrix (rows on one scale)")
    macro = "matrix"
    has_choices = True
    parameters = ("rows",)

    @staticmethod
    def rows(question: Question, locale: str = "vi") -> list[tuple[str, str]]:
        return [(row["name"], localized(row.get("label"), locale))
                for row in question.param("rows") or [] if row.get("name")]

    def read(self, question, form, files, previous):
        raw = {name: (form.get(self.field_name(question, name)) or "").strip()
               for name, _label in self.rows(question)}
        value = {row: name for row, name in raw.items() if name}
        entry = Entry(value=value or None, raw=raw)
        if value:
            entry.errors.extend(self.check(question, value))
        return entry

    def check(self, question, value, other=""):
        row_names = {name for name, _label in self.rows(question)}
        by_name = options_by_name(question)
        if any(row not in row_names or name not in by_name for row, name in value.items()):
            return [_tampered()]
        return []

    def required_errors(self, question, entry):
        missing = [label for name, label in self.rows(question) if not (entry.value or {}).get(name)]
        return [_("Please answer every row.")] if missing else []

    def to_rows(self, question, entry):
        by_name = options_by_name(question)
        return [{"row_name": row, "choice_id": by_name[name].choice_id, "value_text": name}
                for row, name in (entry.value or {}).items()]

    def from_rows(self, question, answers):
        value = {answer.row_name: answer.value_text for answer in answers if answer.row_name}
        return Entry(value=value or None, raw=dict(value))

    def logic_value(self, question, entry):
        return ""

    def display(self, question, entry, locale="vi"):
        by_name = options_by_name(question, locale)
        return [f"{label}: {by_name[entry.value[name]].label}"
                for name, label in self.rows(question, locale)
                if (entry.value or {}).get(name) in by_name]


class Ranking(Kind):
    """Put options in order: each gets a rank (1 = first); no two share one."""
    tally_family = "ranking"

    key = "ranking"
    xlsform_type = "rank"
    xlsform_list = True
    label = _l("Ranking")
    macro = "ranking"
    has_choices = True
    parameters = ("min_picks",)

    def read(self, question, form, files, previous):
        raw = {o.name: (form.get(self.field_name(question, o.name)) or "").strip()
               for o in options(question)}
        ranks: dict[str, int] = {}
        entry = Entry(raw=raw)
        for name, text in raw.items():
            if text:
                try:
                    ranks[name] = int(text)
                except ValueError:
                    entry.errors.append(_tampered())
                    return entry
        if ranks:
            entry.value = sorted(ranks, key=lambda name: ranks[name])
            entry.errors.extend(self.rank_errors(question, ranks))
        return entry

    def rank_errors(self, question: Question, ranks: dict[str, int]) -> list[str]:
        if sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
            return [_("Please give each option you rank a different number, starting from 1 "
                      "without gaps.")]
        fewest = int_param(question, "min_picks")
        if fewest and len(ranks) < fewest:
            return [_("Please rank at least %(num)s options.", num=fewest)]
        return []

    def check(self, question, value, other=""):
        by_name = options_by_name(question)
        if any(name not in by_name for name in value) or len(set(value)) != len(value):
            return [_tampered()]
        return self.rank_errors(question, {name: i + 1 for i, name in enumerate(value)})

    def to_rows(self, question, entry):
        by_name = options_by_name(question)
        return [{"choice_id": by_name[name].choice_id, "value_text": name, "rank": rank}
                for rank, name in enumerate(entry.value or [], start=1)]

    def from_rows(self, question, answers):
        ordered = sorted((a for a in answers if a.rank), key=lambda a: a.rank)
        value = [a.value_text for a in ordered]
        return Entry(value=value or None, raw={a.value_text: str(a.rank) for a in ordered})

    def display(self, question, entry, locale="vi"):
        by_name = options_by_name(question, locale)
        return [f"{rank}. {by_name[name].label if name in by_name else name}"
                for rank, name in enumerate(entry.value or [], start=1)]


__all__ = ["CHOICE_SOURCES", "Dropdown", "Matrix", "MultipleChoice", "Option", "Ranking",
           "Rating", "SingleChoice", "options", "options_by_name"]
