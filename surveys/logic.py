"""Survey logic on the server: which questions show (``relevant``) and which answers pass
(``constraint``), evaluated with ``surveys.expressions``; the browser mirrors this with
``expressions.js`` but the server decides.

Relevance is worked out in answering order, and a hidden question reads as unanswered for the
questions after it, so a chain of show-ifs collapses at once when an early answer changes.
An expression that fails at run time (it passed ``check`` when authored, so this means data it
did not expect) shows the question and accepts the answer: a respondent is never blocked by a
broken rule, and the failure is logged for the drafting team.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask_babel import gettext as _

from surveys import expressions
from surveys.kinds import Entry, kind_of
from surveys.models import Question, Survey, SurveyPage, localized

log = logging.getLogger(__name__)


def logic_values(survey: Survey, entries: Mapping[str, Entry]) -> dict[str, Any]:
    """Question name -> the value ``${name}`` reads (unanswered questions read as ``""``)."""
    values: dict[str, Any] = {}
    for question in survey.questions:
        entry = entries.get(question.name)
        values[question.name] = kind_of(question).logic_value(question, entry) if entry else ""
    return values


def _true(expression: str, values: Mapping[str, Any], current: Any = None, *, where: str) -> bool:
    try:
        return expressions.is_true(expression, values, current)
    except expressions.ExpressionError as error:
        log.warning("Survey expression failed in %s: %s", where, error)
        return True


def page_is_relevant(page: SurveyPage, values: Mapping[str, Any]) -> bool:
    return _true(page.relevant, values, where=f"page {page.id}")


def question_is_relevant(question: Question, values: Mapping[str, Any]) -> bool:
    return _true(question.relevant, values, where=f"question {question.name}")


def visibility(survey: Survey, entries: Mapping[str, Entry]) -> dict[str, bool]:
    """Question name -> shown, page by page; a hidden question reads as ``""`` afterwards."""
    values = logic_values(survey, entries)
    shown: dict[str, bool] = {}
    for page in survey.pages:
        page_shown = page_is_relevant(page, values)
        for question in page.questions:
            shown[question.name] = page_shown and question_is_relevant(question, values)
            if not shown[question.name]:
                values[question.name] = ""
    return shown


def visible_pages(survey: Survey, shown: Mapping[str, bool]) -> list[SurveyPage]:
    """Pages with at least one question shown (a note counts)."""
    return [page for page in survey.pages if any(shown.get(q.name) for q in page.questions)]


def page_range(survey: Survey) -> tuple[int, int]:
    """(fewest, most) pages a respondent can see, for the start page's promise.

    A page is certain when it has no show-if of its own and holds a question without one;
    any other page depends on the answers, so the fewest is a lower bound and the most is
    every page."""
    certain = sum(1 for page in survey.pages
                  if not page.relevant and any(not q.relevant for q in page.questions))
    return certain, len(survey.pages)


def constraint_errors(question: Question, entry: Entry, values: Mapping[str, Any],
                      locale: str = "vi") -> list[str]:
    """The constraint message when an answered question's constraint is false."""
    if not question.constraint or not entry.answered:
        return []
    current = kind_of(question).logic_value(question, entry)
    if _true(question.constraint, values, current, where=f"constraint of {question.name}"):
        return []
    return [localized(question.constraint_message, locale) or _("This answer is not accepted.")]


def hidden_names(survey: Survey, entries: Mapping[str, Entry]) -> set[str]:
    """Names of answered questions that logic now hides: their answers are to be discarded."""
    shown = visibility(survey, entries)
    return {name for name, entry in entries.items()
            if entry.answered and not shown.get(name, False)}
