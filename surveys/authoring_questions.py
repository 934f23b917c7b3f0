"""Building surveys, continued: the services for questions and their choices.

See ``surveys.authoring`` for the conventions: every refusal is an ``AuthoringError`` naming
the form field; logic is checked against the survey's question names when saved; a question
that has answers keeps its name, kind and existence, and an option that was chosen keeps its
value (it may be deleted once the author confirms: its answers are kept, see ``delete_choice``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, func, select, update

from consult import audit
from consult.extensions import db
from consult.models import User
from surveys import expressions
from surveys.authoring import (NAME_PATTERN, AuthoringError, _renumber, check_expression,
                               has_answers, pinnable_articles)
from surveys.kinds import KINDS
from surveys.models import Answer, Choice, Question, Survey, SurveyPage


# --- questions -------------------------------------------------------------------------------

@dataclass
class QuestionFields:
    """What the question form edits."""

    name: str
    kind: str
    label: dict
    hint: dict = field(default_factory=dict)
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    provision_id: int | None = None


def _check_question_fields(survey: Survey, fields: QuestionFields,
                           question: Question | None = None) -> None:
    """Refuse a bad name, kind, label, article or logic; normalises the logic in place."""
    if not NAME_PATTERN.match(fields.name or ""):
        raise AuthoringError("name", _("The name may hold only letters without marks, digits and _, must start with a letter and be at most 64 characters (for example: tuoi, y_kien_1)."))
    clash = survey.question_named(fields.name)
    if clash is not None and clash is not question:
        raise AuthoringError("name", _("Another question of this survey is already named “%(name)s”.", name=fields.name))
    if fields.kind not in KINDS:
        raise AuthoringError("kind", _("Please choose a kind of question from the list."))
    if not fields.label.get("vi"):
        raise AuthoringError("label_vi", _("Please write the question in Vietnamese."))
    if fields.provision_id is not None and fields.provision_id not in {p.id for p in pinnable_articles(survey)}:
        raise AuthoringError("provision_id", _("Please choose an article of the consultation's draft from the list."))
    others = {q.name for q in survey.questions if q is not question} | {fields.name}
    fields.relevant = check_expression(fields.relevant, others - {fields.name}, "relevant")
    fields.constraint = check_expression(fields.constraint, others, "constraint")
    if question is not None and question.name != fields.name:
        users = referring_questions(survey, question.name)
        if users:
            raise AuthoringError("name", _("The name cannot change: the logic of %(names)s refers to ${%(name)s}. Change that logic first.", names=", ".join(users), name=question.name))
    if question is not None and question.kind != fields.kind and has_answers(question):
        raise AuthoringError("kind", _("The kind cannot change: this question already has answers."))


def referring_questions(survey: Survey, name: str) -> list[str]:
    """Names of questions (and pages, as "page N") whose logic refers to ``${name}``."""
    users = []
    for q in survey.questions:
        if q.name != name and any(name in _references(getattr(q, c)) for c in ("relevant", "constraint")):
            users.append(q.name)
    for index, page in enumerate(survey.pages, start=1):
        if name in _references(page.relevant):
            users.append(_("page %(number)s", number=index))
    return users


def _references(expression: str) -> set[str]:
    try:
        return expressions.references(expression or "")
    except expressions.ExpressionError:
        return set()


def _kind_parameters(fields: QuestionFields, previous: dict | None = None) -> dict:
    """Keep the parameters the kind uses (and the XLSForm appearance), drop empty ones."""
    allowed = set(KINDS[fields.kind].parameters) | {"appearance", "personal"}
    kept = {k: v for k, v in (previous or {}).items() if k in allowed}
    for key, value in fields.parameters.items():
        if key in allowed:
            if value in (None, "", {}, []):
                kept.pop(key, None)
            else:
                kept[key] = value
    return kept


def add_question(page: SurveyPage, fields: QuestionFields, actor: User | None = None) -> Question:
    """Add a question at the end of ``page``."""
    survey = page.survey
    _check_question_fields(survey, fields)
    question = Question(survey=survey, page=page, position=len(page.questions))
    _apply_question_fields(question, fields)
    db.session.add(question)
    db.session.flush()
    audit.record(actor, "survey.question_add", survey, question=question.name)
    return question


def update_question(question: Question, fields: QuestionFields, actor: User | None = None) -> None:
    _check_question_fields(question.survey, fields, question)
    _apply_question_fields(question, fields)
    audit.record(actor, "survey.question_update", question.survey, question=question.name)


def _apply_question_fields(question: Question, fields: QuestionFields) -> None:
    question.parameters = _kind_parameters(fields, question.parameters)
    question.name, question.kind, question.label = fields.name, fields.kind, fields.label
    question.hint, question.required = fields.hint, fields.required
    question.relevant, question.constraint = fields.relevant, fields.constraint
    question.constraint_message, question.provision_id = fields.constraint_message, fields.provision_id


def delete_question(question: Question, actor: User | None = None) -> None:
    """Delete a question nobody's logic refers to and nobody has answered."""
    survey = question.survey
    users = referring_questions(survey, question.name)
    if users:
        raise AuthoringError("", _("“%(name)s” cannot be deleted: the logic of %(names)s refers to it.", name=question.name, names=", ".join(users)))
    if has_answers(question):
        raise AuthoringError("", _("“%(name)s” cannot be deleted: it already has answers.", name=question.name))
    page = question.page
    siblings = [q for q in page.questions if q is not question]
    name = question.name
    # Only skip markers are left (``has_answers`` ignores them); they go with the question.
    db.session.execute(delete(Answer).where(Answer.question_id == question.id)
                       .execution_options(synchronize_session="fetch"))
    db.session.delete(question)
    db.session.flush()
    _renumber(siblings)
    db.session.expire(page, ["questions"])
    db.session.expire(survey, ["questions"])
    audit.record(actor, "survey.question_delete", survey, question=name)


def move_question(question: Question, direction: str) -> None:
    """One step up or down; past the top or bottom of its page it moves to the next page."""
    page, pages = question.page, list(question.survey.pages)
    siblings = list(page.questions)
    index = siblings.index(question)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
        _renumber(siblings)
        return
    page_index = pages.index(page) + (-1 if direction == "up" else 1)
    if not 0 <= page_index < len(pages):
        return
    destination = pages[page_index]
    siblings.remove(question)
    _renumber(siblings)
    moved = list(destination.questions)
    moved.insert(len(moved) if direction == "up" else 0, question)
    question.page = destination
    _renumber(moved)


# --- choices ---------------------------------------------------------------------------------

def _check_choice(question: Question, name: str, label: dict, choice: Choice | None = None) -> None:
    if not name or len(name) > 64 or not re.fullmatch(r"[^\s'\"]+", name):
        raise AuthoringError("name", _("The value may not be empty or hold spaces or quotes (at most 64 characters), for example: co, khong, 1."))
    if any(c.name == name and c is not choice for c in question.choices):
        raise AuthoringError("name", _("This question already has an option with the value “%(name)s”.", name=name))
    if (choice is None or name != choice.name) and _held_by_deleted_option(question, name):
        raise AuthoringError("name", _("A deleted option had the value “%(name)s” and its answers are kept under "
                                       "it: choose another value, so they are not counted for the new option.",
                                       name=name))
    if not label.get("vi"):
        raise AuthoringError("label_vi", _("Please write the option in Vietnamese."))


def _held_by_deleted_option(question: Question, name: str) -> bool:
    """Answers kept from a deleted option carry its value and no option: a new option with that
    value would silently take them over in the results."""
    if question.id is None:
        return False
    return db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.question_id == question.id, Answer.choice_id.is_(None), Answer.value_text == name)) > 0


def add_choice(question: Question, name: str, label: dict, is_other: bool = False) -> Choice:
    name = (name or "").strip()
    _check_choice(question, name, label)
    choice = Choice(name=name, label=label, is_other=is_other, position=len(question.choices))
    question.choices.append(choice)
    db.session.flush()
    return choice


def update_choice(choice: Choice, name: str, label: dict, is_other: bool = False) -> None:
    name = (name or "").strip()
    _check_choice(choice.question, name, label, choice)
    if name != choice.name and has_choice_answers(choice):
        raise AuthoringError("name", _("The value cannot change: this option has already been chosen."))
    choice.name, choice.label, choice.is_other = name, label, is_other


class ChoiceChosen(AuthoringError):
    """Deleting an option that answers chose waits for the author's confirmation."""

    def __init__(self, count: int):
        super().__init__("", ngettext(
            "%(num)d answer chose this option. It is kept and shown in the results as a deleted option.",
            "%(num)d answers chose this option. They are kept and shown in the results as a deleted option.",
            count))
        self.count = count


def delete_choice(choice: Choice, actor: User | None = None, *, keep_answers: bool = False) -> int:
    """Delete an option; returns how many answers had chosen it.

    An option nobody chose just goes.  One that was chosen raises ``ChoiceChosen`` unless
    ``keep_answers`` (the author confirmed): then its answers lose only the link to it
    (``choice_id`` becomes NULL) and keep its value in ``value_text``, which the tallies and
    exports show as a deleted option.  No answer is lost.
    """
    count = choice_answer_count(choice)
    if count and not keep_answers:
        raise ChoiceChosen(count)
    question = choice.question
    if count:
        db.session.execute(update(Answer).where(Answer.choice_id == choice.id).values(choice_id=None)
                           .execution_options(synchronize_session="fetch"))
    audit.record(actor, "survey.choice_delete", question.survey, question=question.name,
                 choice=choice.name, answers_kept=count)
    question.choices.remove(choice)
    _renumber(question.choices)
    return count


def move_choice(choice: Choice, direction: str) -> None:
    choices = list(choice.question.choices)
    index = choices.index(choice)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(choices):
        choices[index], choices[target] = choices[target], choices[index]
        _renumber(choices)
        choice.question.choices.sort(key=lambda c: c.position)


def choice_answer_count(choice: Choice) -> int:
    """How many answer rows chose the option (a matrix counts each row that did)."""
    if not choice.id:
        return 0
    return db.session.scalar(select(func.count()).select_from(Answer)
                             .where(Answer.choice_id == choice.id)) or 0


def has_choice_answers(choice: Choice) -> bool:
    return bool(choice_answer_count(choice))
