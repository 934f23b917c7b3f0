"""What a survey asks, read once per tally: questions in order, their choices and labels.

The tallies group question kinds into *families* by how their answers are stored (see
``surveys.models.Answer``): ``single`` and ``multiple`` (one row per chosen option),
``matrix`` (one row per answered row), ``ranking`` (one row per ranked option), ``scale``
and ``number`` (``value_number``), ``date`` (``value_date``), ``text`` and ``file``.
Kinds that store nothing (notes, calculations) have no family and are not tallied.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from consult.data import PROVINCE_SOURCES, province_names
from surveys.kinds import KINDS
from surveys.models import Question, Survey, SurveyPage, localized

#: Question kind (``surveys.kinds`` keys) → family, as each kind declares it
#: (``Kind.tally_family``). ``note`` stores nothing and is left out.
KIND_FAMILIES = {key: kind.tally_family for key, kind in KINDS.items() if kind.tally_family}
#: Families whose one answer is several rows, so "answered" is a count of distinct responses.
#: (A ranking is one too, but every answered ranking has exactly one row at rank 1.)
MULTI_ROW_FAMILIES = frozenset({"multiple", "matrix"})
#: Families whose rows carry the chosen option (``choice_id``, else ``value_text``).
CHOICE_FAMILIES = frozenset({"single", "multiple", "ranking", "matrix"})
#: Families that can be the columns of a cross-tab (one answer per response).
GROUPING_FAMILIES = frozenset({"single"})


def family_of(question: Question) -> str | None:
    """The tally family of a question; unknown kinds are inferred from their parameters."""
    family = KIND_FAMILIES.get(question.kind)
    if family:
        return family
    parameters = question.parameters or {}
    if parameters.get("rows"):
        return "matrix"
    if question.kind != "note" and (question.choices or parameters.get("choice_source")):
        return "multiple" if "multi" in question.kind else "single"
    return None


@dataclass
class QuestionInfo:
    """One question as the tallies need it: plain values, no lazy loading later."""

    id: int
    name: str
    kind: str
    family: str
    label: str
    position: int
    #: True when a show-if on the question or its page may hide it.
    conditional: bool
    parameters: dict
    #: choice id → (name, label, position, is_other), in order.
    choices: dict[int, tuple[str, str, int, bool]] = field(default_factory=dict)
    #: Built-in option list (``"provinces"``): value_text code → label.
    builtin: dict[str, str] | None = None
    #: Matrix rows: name → label, in order.
    rows: dict[str, str] = field(default_factory=dict)


@dataclass
class SurveyInfo:
    id: int
    title: str
    consultation_id: int | None
    questions: list[QuestionInfo]
    #: The map that names the respondents' province codes ("2008" or "2025").
    province_map: str = "2008"

    def question(self, question_id: int) -> QuestionInfo | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def by_family(self, *families: str) -> list[QuestionInfo]:
        return [q for q in self.questions if q.family in families]


def nfc(text: str) -> str:
    """Labels are shown, sorted and exported composed (NFC): an XLSForm typed on a Mac may
    hold decomposed Vietnamese (NFD), which Excel and some fonts render badly."""
    return unicodedata.normalize("NFC", text or "")


def builtin_choices(source: str | None) -> dict[str, str] | None:
    """Options of a built-in list, code → name; only the provinces exist today."""
    if source in PROVINCE_SOURCES:
        return province_names(PROVINCE_SOURCES[source])
    return None


def load_survey(session: Session, survey_id: int, locale: str = "vi") -> SurveyInfo | None:
    """The survey's tallied questions in answering order (page, then position)."""
    survey = session.get(Survey, survey_id)
    if survey is None:
        return None
    questions = session.scalars(
        select(Question).join(SurveyPage, SurveyPage.id == Question.page_id)
        .where(Question.survey_id == survey_id)
        .options(selectinload(Question.choices), selectinload(Question.page))
        .order_by(SurveyPage.position, SurveyPage.id, Question.position, Question.id)
    ).all()
    infos = []
    for position, question in enumerate(questions):
        family = family_of(question)
        if family is None:
            continue
        parameters = dict(question.parameters or {})
        infos.append(QuestionInfo(
            id=question.id, name=question.name, kind=question.kind, family=family,
            label=nfc(question.label_in(locale)) or question.name, position=position,
            conditional=bool((question.relevant or "").strip() or (question.page.relevant or "").strip()),
            parameters=parameters,
            choices={c.id: (nfc(c.name), nfc(c.label_in(locale)) or c.name, c.position, c.is_other)
                     for c in sorted(question.choices, key=lambda c: (c.position, c.id))},
            builtin=builtin_choices(parameters.get("choice_source")),
            rows={row["name"]: nfc(localized(row.get("label"), locale)) or row["name"]
                  for row in parameters.get("rows") or [] if row.get("name")},
        ))
    return SurveyInfo(survey.id, nfc(survey.title_in(locale)), survey.consultation_id, infos,
                      survey.province_map)


def choice_labels(question: QuestionInfo) -> dict[int, str]:
    return {choice_id: label for choice_id, (_, label, _, _) in question.choices.items()}
