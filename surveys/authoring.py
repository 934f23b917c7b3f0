"""Building surveys: the drafting team's services for surveys, pages, questions and choices.

Views parse a form, call one function here and commit.  Every refusal is an ``AuthoringError``
carrying the form field it is about and a translated message, so a view can show it next to
the field and keep what was typed.  Logic (``relevant``, ``constraint``) is checked with
``surveys.expressions.check`` against the survey's question names when it is saved, and the
message says what is wrong and where (the unknown name, the character where reading stopped).

Times come from forms in Vietnam time and are stored as naive UTC (Vietnam has no summer time).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select

from consult import audit
from consult.clock import VIETNAM_OFFSET
from consult.drafts import table_of_contents
from consult.extensions import db
from consult.models import Consultation, Provision, User
from consult.textnorm import clean_control, strip_marks
from surveys import expressions
from surveys.kinds import KINDS
from surveys.models import (AUDIENCES, SURVEY_STATUSES, Answer, Question, Response, Survey,
                            SurveyPage)

#: Audit action recorded when a survey moves to each status.
STATUS_ACTIONS = {"draft": "survey.unpublish", "published": "survey.publish", "closed": "survey.close"}
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
LANGUAGES = ("vi", "en")

#: What a failed expression check says, by ``ExpressionError.code``.
EXPRESSION_MESSAGES = {
    "unknown_reference": _l("“%(expression)s” refers to ${%(name)s}, but the survey has no question named “%(name)s”."),
    "syntax": _l("“%(expression)s” cannot be read at character %(position)s (after “%(before)s”)."),
    "syntax_reference": _l("“%(expression)s”: the reference that starts at character %(position)s has no closing “}”; write it as ${name}."),
    "syntax_start": _l("“%(expression)s” cannot be read from its first character."),
    "syntax_end": _l("“%(expression)s” stops too early: something is missing at its end (a value or a closing bracket?)."),
    "unknown_function": _l("“%(expression)s” uses the function “%(function)s()”, which is not supported. Use selected, count-selected, string-length, regex, if, not, today, number, int, round, contains, starts-with or coalesce."),
    "type": _l("“%(expression)s”: the function “%(function)s()” is not used with the right number of values (character %(position)s)."),
    "too_complex": _l("“%(expression)s” is too long or too deeply nested."),
    "bad_regex": _l("“%(expression)s”: the pattern in regex() is not supported."),
}


class AuthoringError(Exception):
    """A change refused; ``field`` is the form field it concerns (or "" for the whole form)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


#: The years a survey's opening and closing may fall in (year 1 cannot even be moved to UTC).
SURVEY_YEARS = range(2000, 2101)


def vn_to_utc(value: datetime | None) -> datetime | None:
    return value - VIETNAM_OFFSET if value is not None else None


def utc_to_vn(value: datetime | None) -> datetime | None:
    return value + VIETNAM_OFFSET if value is not None else None


def texts(vi: str | None, en: str | None) -> dict:
    """A per-language value from two form fields; empty languages are left out."""
    result = {}
    for code, text in (("vi", vi), ("en", en)):
        text = clean_control(text or "").strip()
        if text:
            result[code] = text
    return result


# --- expressions -----------------------------------------------------------------------------

def expression_params(error: expressions.ExpressionError, expression: str) -> dict:
    """What ``EXPRESSION_MESSAGES`` need to point at the problem in ``expression``."""
    position = error.position or 0
    rest = expression[position:]
    reference = re.match(r"\$\{([^}]*)\}", rest)
    function = re.match(r"([A-Za-z_][A-Za-z0-9_.:-]*)", rest)
    return {"expression": expression, "position": position + 1,
            "before": expression[:position][-30:] or "…",
            "name": reference.group(1) if reference else "",
            "function": function.group(1) if function else ""}


def message_code(error: expressions.ExpressionError, expression: str) -> str:
    """The key of ``EXPRESSION_MESSAGES`` for ``error``."""
    position = error.position or 0
    if error.code == "syntax" and expression[position:].startswith("${") and "}" not in expression[position:]:
        return "syntax_reference"
    if error.code == "syntax" and position >= len(expression.rstrip()):
        return "syntax_end"
    if error.code == "syntax" and position == 0:
        return "syntax_start"
    return error.code if error.code in EXPRESSION_MESSAGES else "syntax"


def explain(error: expressions.ExpressionError, expression: str) -> str:
    template = EXPRESSION_MESSAGES[message_code(error, expression)]
    return str(template) % expression_params(error, expression)


def check_expression(expression: str, known: set[str], field_name: str) -> str:
    """The expression, stripped, if it passes ``expressions.check``; else AuthoringError."""
    expression = clean_control(expression or "").strip()
    if expression:
        try:
            expressions.check(expression, known)
        except expressions.ExpressionError as error:
            raise AuthoringError(field_name, explain(error, expression)) from None
    return expression


# --- surveys ---------------------------------------------------------------------------------

@dataclass
class SurveyFields:
    """What the survey form edits; times in Vietnam time as typed."""

    title: dict
    introduction: dict = field(default_factory=dict)
    audience: str = "open"
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    consultation_id: int | None = None
    settings: dict = field(default_factory=dict)


def _check_survey_fields(fields: SurveyFields) -> None:
    if not fields.title.get("vi"):
        raise AuthoringError("title_vi", _("Please give the survey a title in Vietnamese."))
    if fields.audience not in AUDIENCES:
        raise AuthoringError("audience", _("Please choose who may answer."))
    for name in ("opens_at", "closes_at"):
        moment = getattr(fields, name)
        if moment is not None and moment.year not in SURVEY_YEARS:
            raise AuthoringError(name, _("Please give a date between the years %(first)s and %(last)s.",
                                         first=SURVEY_YEARS[0], last=SURVEY_YEARS[-1]))
    if fields.opens_at and fields.closes_at and fields.closes_at <= fields.opens_at:
        raise AuthoringError("closes_at", _("The closing time must be after the opening time."))
    if fields.consultation_id is not None and db.session.get(Consultation, fields.consultation_id) is None:
        raise AuthoringError("consultation_id", _("Please choose a consultation from the list."))


def slugify(text: str) -> str:
    text = strip_marks(clean_control(text or "")).replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "khao-sat"


#: Path segments under ``/khao-sat/`` that a survey's slug must not take.
RESERVED_SLUGS = frozenset({"quan-tri"})


def unique_slug(text: str, survey_id: int | None = None) -> str:
    base = slugify(text)
    if base in RESERVED_SLUGS:
        base = f"khao-sat-{base}"
    slug, number = base, 1
    while db.session.scalar(select(Survey.id).where(Survey.slug == slug, Survey.id != (survey_id or 0))):
        number += 1
        slug = f"{base}-{number}"
    return slug


def create_survey(fields: SurveyFields, actor: User | None = None) -> Survey:
    """A new draft survey with one empty page."""
    _check_survey_fields(fields)
    survey = Survey(slug=unique_slug(fields.title["vi"]), status="draft",
                    created_by_id=actor.id if actor else None)
    _apply_survey_fields(survey, fields)
    survey.pages.append(SurveyPage(position=0, title={}))
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "survey.create", survey, title=fields.title.get("vi"))
    return survey


def update_survey(survey: Survey, fields: SurveyFields, actor: User | None = None) -> None:
    _check_survey_fields(fields)
    _apply_survey_fields(survey, fields)
    audit.record(actor, "survey.update", survey)


def _apply_survey_fields(survey: Survey, fields: SurveyFields) -> None:
    survey.title, survey.introduction = fields.title, fields.introduction
    survey.audience, survey.consultation_id = fields.audience, fields.consultation_id
    survey.opens_at, survey.closes_at = vn_to_utc(fields.opens_at), vn_to_utc(fields.closes_at)
    survey.settings = {**(survey.settings or {}), **fields.settings}


def publish_problems(survey: Survey) -> list[str]:
    """Why the survey cannot be published yet (empty when it can)."""
    problems = []
    if not any(KINDS[q.kind].takes_answer for q in survey.questions if q.kind in KINDS):
        problems.append(_("The survey has no question to answer yet."))
    known = {q.name for q in survey.questions}
    for question in survey.questions:
        for column in ("relevant", "constraint"):
            try:
                check_expression(getattr(question, column), known, column)
            except AuthoringError as error:
                problems.append(_("Question “%(name)s”: %(problem)s", name=question.name,
                                  problem=error.message))
        if KINDS.get(question.kind) and KINDS[question.kind].has_choices and not (
                question.choices or question.param("choice_source")):
            problems.append(_("Question “%(name)s” has no options yet.", name=question.name))
    return problems


def set_status(survey: Survey, status: str, actor: User | None = None) -> None:
    """Publish, close or return to draft; publishing refuses a survey with problems."""
    if status not in SURVEY_STATUSES:
        raise AuthoringError("status", _("Unknown status."))
    if status == "published":
        problems = publish_problems(survey)
        if problems:
            raise AuthoringError("status", " ".join(problems))
    if status == "draft" and response_count(survey):
        raise AuthoringError("status", _("The survey already has answers: close it instead of returning it to draft."))
    if survey.status != status:
        survey.status = status
        audit.record(actor, STATUS_ACTIONS[status], survey)


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.survey_id == survey.id)) or 0


# --- pages -----------------------------------------------------------------------------------

def add_page(survey: Survey, title: dict, relevant: str = "", name: str = "") -> SurveyPage:
    known = {q.name for q in survey.questions}
    page = SurveyPage(title=title, name=name, relevant=check_expression(relevant, known, "relevant"),
                      position=max((p.position for p in survey.pages), default=-1) + 1)
    survey.pages.append(page)
    db.session.flush()
    return page


def update_page(page: SurveyPage, title: dict, relevant: str = "") -> None:
    known = {q.name for q in page.survey.questions}
    page.relevant = check_expression(relevant, known, "relevant")
    page.title = title


def delete_page(page: SurveyPage) -> None:
    """Delete an empty page; a page with questions must be emptied first."""
    survey = page.survey
    if page.questions:
        raise AuthoringError("", _("Move or delete the questions of this page first."))
    if len(survey.pages) == 1:
        raise AuthoringError("", _("A survey needs at least one page."))
    survey.pages.remove(page)
    _renumber(survey.pages)


def move_page(page: SurveyPage, direction: str) -> None:
    pages = list(page.survey.pages)
    index = pages.index(page)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(pages):
        pages[index], pages[target] = pages[target], pages[index]
        _renumber(pages)


def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


# --- articles of the draft -------------------------------------------------------------------

def pinnable_articles(survey: Survey) -> list[Provision]:
    """Articles of the current version of the survey's consultation draft, in order."""
    consultation = survey.consultation
    draft = consultation.draft if consultation else None
    version = draft.current_version if draft else None
    if version is None:
        return []
    return [entry.provision for chapter in table_of_contents(version)
            for _section, entries in chapter.sections for entry in entries]


def has_answers(question: Question) -> bool:
    """Whether anyone answered it; skip markers (shown and left empty) do not count."""
    return bool(db.session.scalar(select(func.count()).select_from(Answer)
                                  .where(Answer.question_id == question.id, Answer.has_value())))


# Questions and choices live in ``surveys.authoring_questions``; they are reachable from here
# too (``authoring.add_question``) so that callers use one module.
_QUESTION_API = frozenset({
    "QuestionFields", "add_question", "update_question", "delete_question", "move_question",
    "referring_questions", "add_choice", "update_choice", "delete_choice", "move_choice",
    "has_choice_answers", "choice_answer_count", "ChoiceChosen"})


def __getattr__(name: str):
    if name in _QUESTION_API:
        from surveys import authoring_questions

        return getattr(authoring_questions, name)
    raise AttributeError(f"module 'surveys.authoring' has no attribute {name!r}")
