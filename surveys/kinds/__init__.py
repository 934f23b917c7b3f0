"""Question kinds: each knows how its question renders, reads, checks and stores its answer.

``KINDS`` maps the stored ``Question.kind`` to its ``Kind``; ``kind_of(question)`` finds it.
The authoring UI lists ``KIND_LABELS``; the answering pages call ``kind.macro`` in
``surveys/respond/_questions.html``.  The tallies live in ``analysis.tallies``
(``summarise_survey`` / ``summarise_question``), which count the stored rows in SQL.
"""
from __future__ import annotations

from surveys.kinds.base import Entry, Kind, is_empty, parse_decimal, parse_integer
from surveys.kinds.choice import (CHOICE_SOURCES, Dropdown, Matrix, MultipleChoice, Option,
                                  Ranking, Rating, SingleChoice, options, options_by_name)
from surveys.kinds.simple import Date, Decimal, Integer, LongText, Note, ShortText, parse_date
from surveys.kinds.upload import FileUpload
from surveys.models import Question

KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    SingleChoice(), MultipleChoice(), Dropdown(), Rating(), Matrix(), ShortText(), LongText(),
    Integer(), Decimal(), Date(), Ranking(), FileUpload(), Note(),
)}

#: Kind key -> lazy label, in the order the authoring UI offers them.
KIND_LABELS = {key: kind.label for key, kind in KINDS.items()}


class UnknownKind(KeyError):
    """A question whose kind this version does not know."""


def kind_of(question: Question) -> Kind:
    try:
        return KINDS[question.kind]
    except KeyError:
        raise UnknownKind(question.kind) from None


__all__ = [
    "CHOICE_SOURCES", "Entry", "KINDS", "KIND_LABELS", "Kind", "Option", "UnknownKind",
    "is_empty", "kind_of", "options", "options_by_name", "parse_date", "parse_decimal",
    "parse_integer",
]
