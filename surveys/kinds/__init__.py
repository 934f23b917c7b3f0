"""Question kinds: each knows how its question renders, reads, checks and stores its answer.

``KINDS`` maps the stored ``Question.kind`` to its ``Kind``; ``kind_of(question)`` finds it.
Each kind also says how XLSForm writes it (``xlsform_type``, ``xlsform_appearances``,
``xlsform_list``): ``xlsform_kind`` reads a type back as a kind and ``xlsform_appearance`` picks
the appearance to write, so the import and the export cannot drift apart.
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


def xlsform_kind(type_: str, appearance: str = "") -> Kind | None:
    """The kind an XLSForm type (``select_one``, ``text``…) and appearance read as."""
    candidates = [kind for kind in KINDS.values() if kind.xlsform_type == type_]
    for kind in candidates:
        if kind.xlsform_appearances and kind.xlsform_matches(appearance):
            return kind
    return next((kind for kind in candidates if not kind.xlsform_appearances), None)


def xlsform_appearance(kind_key: str, appearance: str | None) -> str:
    """The appearance to write so that a question of this kind reads back as its own kind."""
    kind = KINDS.get(kind_key)
    kept = str(appearance or "").strip()
    if kind is None:
        return ""
    if kind.xlsform_appearances:
        return kept if kind.xlsform_matches(kept) else kind.xlsform_appearances[0]
    return kept if xlsform_kind(kind.xlsform_type, kept) is kind else ""


def kind_of(question: Question) -> Kind:
    try:
        return KINDS[question.kind]
    except KeyError:
        raise UnknownKind(question.kind) from None


__all__ = [
    "CHOICE_SOURCES", "Entry", "KINDS", "KIND_LABELS", "Kind", "Option", "UnknownKind",
    "is_empty", "kind_of", "options", "options_by_name", "parse_date", "parse_decimal",
    "parse_integer", "xlsform_appearance", "xlsform_kind",
]
