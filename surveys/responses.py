"""Answering a survey: start, save page by page, resume, review, submit.

Nothing typed is lost: every page is saved when it is sent, whatever button was pressed; the
answers that pass their checks are stored at once and the others are shown again with their
message and the text as typed.  Answers to questions that logic hides are discarded on every
save.  Submitting changes the status with one conditional UPDATE, so a double click or a
replayed form makes one submission and one receipt.

Skip markers keep "left empty" apart from "never shown" for the tallies
(``analysis.tallies.summaries``): a question that is shown but has no answer gets one
``Answer`` row whose value columns are all NULL (``Answer.is_skip_marker``).  A saved page
gives one to each of its shown questions left empty, submission to every shown question still
without a row; an answer replaces the marker, and hiding the question deletes it with the
answers.  Everything that reads answers here (``load_entries``, hence review and the required
checks) skips markers.
"""
from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import aliased, contains_eager

from consult import codes, races
from consult.extensions import db
from consult.models import utcnow
from surveys import invitations as invitation_service
from surveys import logic
from surveys.kinds import Entry, kind_of, upload
from surveys.models import Answer, Invitation, Question, Response, Survey, SurveyPage

#: Crockford's alphabet without I, L, O, U: a code read over the phone is unambiguous.
PROFILE_FIELDS = ("respondent_type", "province_code")


class SurveyClosed(Exception):
    """The survey takes no answers now (draft, closed, or outside its dates)."""


class NotForThisAudience(Exception):
    """An open link to an invitation-only survey."""


class AlreadySubmitted(Exception):
    """The response was submitted and cannot be changed (or was just submitted twice)."""

    def __init__(self, response: Response):
        super().__init__(response.receipt_code)
        self.response = response


class ResumeCodeUnknown(Exception):
    """No unfinished response of this survey has this code."""


class ResumeCodeExpired(Exception):
    """The code was right but its time ran out."""


@dataclass
class Problem:
    """A question that stops submission: where it is and what is wrong."""

    page_number: int
    question: Question
    messages: list


class Incomplete(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(len(problems))
        self.problems = problems


@dataclass
class PageOutcome:
    """What saving a page did: every entry (this page's as typed), and this page's errors."""

    entries: dict[str, Entry]
    errors: dict[str, list] = field(default_factory=dict)
    shown: dict[str, bool] = field(default_factory=dict)
    #: Questions of this page that the answers just revealed (not shown when it was sent).
    newly_shown: list[str] = field(default_factory=list)

    @property
    def invalid(self) -> bool:
        return bool(self.errors)


# --- codes ---------------------------------------------------------------------------------

def new_resume_code() -> str:
    chars = codes.random_code(10)
    return f"{chars[:5]}-{chars[5:]}"


def normalise_code(text: str) -> str:
    """Forgive case, spaces, dashes and the letters people confuse with digits."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


def new_receipt_code() -> str:
    return codes.receipt_code("KS")


def response_by_receipt(code: str) -> Response | None:
    """A submitted response by its receipt code (``KS-``, the 16-character codes and the
    8-character ones given before December 2026), forgiving case, spaces and dashes."""
    cleaned = codes.normalise_receipt(code, "KS")
    if not cleaned:
        return None
    return db.session.scalar(select(Response).where(Response.receipt_code == cleaned,
                                                    Response.status == "submitted"))


# --- starting and finding ------------------------------------------------------------------

def _response_by_form_key(survey: Survey, form_key: str) -> Response | None:
    return db.session.scalar(select(Response).where(Response.form_key == form_key,
                                                    Response.survey_id == survey.id))


def start_open_response(survey: Survey, form_key: str, locale: str = "vi",
                        now: datetime | None = None) -> tuple[Response, str | None]:
    """Start a citizen's response; returns it and its resume code (None on a replayed form).

    Twin start forms racing each other meet the ``form_key`` unique constraint: the losers
    get the winner's response, as a replay does.
    """
    form_key = races.usable_form_key(form_key)
    existing = _response_by_form_key(survey, form_key)
    if existing is not None:
        return existing, None
    if not survey.accepts_open_link:
        raise NotForThisAudience()
    if not survey.is_open(now):
        raise SurveyClosed()
    now = now or utcnow()
    response = Response(survey=survey, form_key=form_key, locale=locale,
                        created_at=now, updated_at=now)
    code = set_resume_code(response, now)

    def add() -> Response:
        db.session.add(response)
        return response

    started, created = races.insert_or_find(add, lambda: _response_by_form_key(survey, form_key))
    return started, code if created else None


def set_resume_code(response: Response, now: datetime | None = None) -> str:
    """Give the response a new resume code (the old one stops working) and return it."""
    now = now or utcnow()
    code = new_resume_code()
    response.resume_code_hash = hash_code(code)
    response.resume_expires_at = now + timedelta(days=int(response.survey.setting("resume_days")))
    return code


def start_invited_response(invitation: Invitation, locale: str = "vi") -> Response:
    """The organisation's one response, made on first use; its profile is the organisation.

    Two first saves racing each other meet the one-response-per-invitation constraint; the
    loser carries on with the winner's response.
    """
    if invitation.response is not None:
        return invitation.response
    survey = invitation.survey
    if not survey.is_open():
        raise SurveyClosed()
    organisation = invitation.organisation

    def add() -> Response:
        response = Response(survey=survey, invitation=invitation, locale=locale)
        if not survey.setting("anonymous"):
            response.respondent_type = organisation.kind
            response.province_code = organisation.province_code
        db.session.add(response)
        return response

    def find() -> Response | None:
        db.session.expire(invitation, ["response"])  # it still points at the loser's row
        return invitation.response

    response, _created = races.insert_or_find(add, find)
    return response


def resume(survey: Survey, code: str, now: datetime | None = None) -> Response:
    """The unfinished open-link response with this resume code."""
    now = now or utcnow()
    if not normalise_code(code):
        raise ResumeCodeUnknown()
    response = db.session.scalar(select(Response).where(
        Response.resume_code_hash == hash_code(code), Response.survey_id == survey.id))
    if response is None:
        raise ResumeCodeUnknown()
    if response.status == "submitted":
        raise AlreadySubmitted(response)
    if not survey.is_open(now):
        raise SurveyClosed()
    if response.resume_expires_at is not None and response.resume_expires_at <= now:
        raise ResumeCodeExpired()
    return response


def can_edit(response: Response) -> bool:
    """Open: until submitted; invited: until the survey closes (unless the setting forbids)."""
    if not response.survey.is_open():
        return False
    if response.status != "submitted":
        return True
    return response.invitation_id is not None and bool(response.survey.setting("edit_after_submit"))


def _check_editable(response: Response) -> None:
    if not response.survey.is_open():
        raise SurveyClosed()
    if not can_edit(response):
        raise AlreadySubmitted(response)


# --- loading and saving --------------------------------------------------------------------

def load_entries(response: Response) -> dict[str, Entry]:
    """Question name -> the stored answer as an entry (every question, answered or not)."""
    by_question = defaultdict(list)
    for answer in response.answers:
        if not answer.is_skip_marker:
            by_question[answer.question_id].append(answer)
    return {q.name: kind_of(q).from_rows(q, by_question.get(q.id, []))
            for q in response.survey.questions}


def _replace_answers(response: Response, question: Question, rows: list[dict]) -> None:
    for answer in [a for a in response.answers if a.question_id == question.id]:
        response.answers.remove(answer)
    for row in rows:
        response.answers.append(Answer(question=question, question_id=question.id, **row))


def _mark_skipped(response: Response, questions, shown: Mapping[str, bool]) -> None:
    """Give each of ``questions`` that is shown, takes an answer and has no row a skip marker.

    Run after the answers are replaced, so a question gets exactly one marker or its answers.
    """
    with_rows = {answer.question_id for answer in response.answers}
    for question in questions:
        if shown.get(question.name) and kind_of(question).takes_answer and question.id not in with_rows:
            response.answers.append(Answer(question=question, question_id=question.id))


def _page_errors(page: SurveyPage, entries: dict[str, Entry], shown: Mapping[str, bool],
                 values: Mapping, *, require: bool, skip_required: set,
                 locale: str) -> tuple[dict, set]:
    """(question name -> messages, names whose answer is invalid and so not stored)."""
    errors, invalid = {}, set()
    for question in page.questions:
        kind = kind_of(question)
        if not shown.get(question.name) or not kind.takes_answer:
            continue
        entry = entries[question.name]
        messages = list(entry.errors) or logic.constraint_errors(question, entry, values, locale)
        if messages:
            invalid.add(question.name)
        elif require and question.required and question.name not in skip_required:
            messages = kind.required_errors(question, entry)
        if messages:
            entry.errors = messages
            errors[question.name] = messages
    return errors, invalid


def _shown_values(survey: Survey, entries: Mapping[str, Entry], shown: Mapping[str, bool]) -> dict:
    values = logic.logic_values(survey, entries)
    return {name: value if shown.get(name) else "" for name, value in values.items()}


def save_page(response: Response, page: SurveyPage, form: Mapping, files: Mapping | None = None,
              *, require: bool = True, rendered: set[str] | None = None,
              locale: str = "vi") -> PageOutcome:
    """Read and store one page's answers; return every entry and this page's errors.

    ``require`` checks required questions (moving forward); saving to leave or going back
    does not.  ``rendered`` names the questions the respondent saw: a question the answers
    just revealed is shown to them before it is required.  Invalid answers are not stored
    (the earlier stored answer stays); valid ones are stored even when others on the page
    are not; answers of questions now hidden, on any page, are deleted.  A shown question
    of this page left without an answer gets a skip marker, unless the answers just revealed
    it (the respondent has not seen it yet) or it has a message (the page comes back to be
    put right; submission marks whatever is still empty then).
    """
    races.lock_row(response, "current_page")  # a twin save waits, then reads these answers
    _check_editable(response)
    survey = response.survey
    stored = load_entries(response)
    entries = dict(stored)
    for question in page.questions:
        entries[question.name] = kind_of(question).read(question, form, files or {},
                                                       stored.get(question.name))
    shown = logic.visibility(survey, entries)
    newly_shown = [q.name for q in page.questions if rendered is not None and shown[q.name]
                   and q.name not in rendered and kind_of(q).takes_answer]
    values = _shown_values(survey, entries, shown)
    errors, invalid = _page_errors(page, entries, shown, values, require=require,
                                   skip_required=set(newly_shown), locale=locale)
    for question in page.questions:
        kind = kind_of(question)
        if kind.takes_answer and shown[question.name] and question.name not in invalid:
            _replace_answers(response, question, kind.to_rows(question, entries[question.name]))
    settled = [q for q in page.questions if q.name not in newly_shown and q.name not in errors]
    _mark_skipped(response, settled, shown)
    _discard_hidden(response, entries, shown)
    _update_profile(response, entries, shown, invalid)
    _touch(response, page)
    return PageOutcome(entries=entries, errors=errors, shown=shown, newly_shown=newly_shown)


def _discard_hidden(response: Response, entries: dict[str, Entry], shown: Mapping[str, bool]) -> None:
    """Delete the answers (and skip markers) of every hidden question, on any page; show
    them as unanswered."""
    hidden = {q.id for q in response.survey.questions if not shown.get(q.name)}
    for answer in [a for a in response.answers if a.question_id in hidden]:
        upload.release(answer)
        response.answers.remove(answer)
    for question in response.survey.questions:
        if question.id in hidden:
            entries[question.name] = Entry()


def _update_profile(response: Response, entries, shown, invalid) -> None:
    if response.invitation_id is not None or response.survey.setting("anonymous"):
        return
    for question in response.survey.questions:
        target = question.param("profile_field")
        if target in PROFILE_FIELDS and question.name not in invalid:
            entry = entries.get(question.name)
            value = entry.value if entry and entry.answered and shown.get(question.name) else None
            setattr(response, target, str(value)[:32] if value is not None else None)


def _touch(response: Response, page: SurveyPage) -> None:
    response.updated_at = utcnow()
    response.current_page = response.survey.pages.index(page)
    if response.invitation is not None:
        invitation_service.advance(response.invitation, "started")


# --- pages, review and submission ----------------------------------------------------------

def visible_pages(response: Response, entries: Mapping[str, Entry] | None = None) -> list[SurveyPage]:
    entries = load_entries(response) if entries is None else entries
    return logic.visible_pages(response.survey, logic.visibility(response.survey, entries))


def problems(response: Response, entries: Mapping[str, Entry] | None = None,
             locale: str = "vi") -> list[Problem]:
    """Shown questions that stop submission: required and unanswered, or failing a check."""
    survey = response.survey
    entries = load_entries(response) if entries is None else entries
    shown = logic.visibility(survey, entries)
    values = _shown_values(survey, entries, shown)
    found = []
    for number, page in enumerate(survey.pages, start=1):
        for question in page.questions:
            kind, entry = kind_of(question), entries[question.name]
            if not shown.get(question.name) or not kind.takes_answer:
                continue
            messages = (kind.check(question, entry.value, entry.other) if entry.answered else [])
            messages = messages or logic.constraint_errors(question, entry, values, locale)
            if not messages and question.required:
                messages = kind.required_errors(question, entry)
            if messages:
                found.append(Problem(number, question, messages))
    return found


def review(response: Response, locale: str = "vi") -> list[dict]:
    """The shown pages and questions with the answers as text, for the review page.

    ``[{"page": SurveyPage, "number": n, "items": [{"question", "lines", "problem"}]}]``
    """
    entries = load_entries(response)
    shown = logic.visibility(response.survey, entries)
    by_question = {p.question.name: p.messages for p in problems(response, entries, locale)}
    sections = []
    for number, page in enumerate(response.survey.pages, start=1):
        items = [{"question": q, "lines": kind_of(q).display(q, entries[q.name], locale),
                  "problem": by_question.get(q.name)}
                 for q in page.questions if shown.get(q.name) and kind_of(q).takes_answer]
        if items:
            sections.append({"page": page, "number": number, "items": items})
    return sections


def submit(response: Response, locale: str = "vi", now: datetime | None = None) -> Response:
    """Submit (or, for an invited organisation, submit again after editing).

    Raises ``Incomplete`` with the problems, ``SurveyClosed``, or ``AlreadySubmitted`` for an
    open-link response sent before (a replayed or double-clicked form).  Every shown question
    still without a row (a page the respondent went past unseen) gets its skip marker, so a
    submitted response's missing rows mean exactly "hidden by logic".
    """
    now = now or utcnow()
    if response.status == "submitted" and not can_edit(response):
        raise AlreadySubmitted(response)
    _check_editable(response)
    found = problems(response, locale=locale)
    if found:
        raise Incomplete(found)
    if response.status == "submitted":  # an organisation's edited response, sent again
        response.submitted_at = now
        _mark_all_skipped(response)
        return response
    changed = db.session.execute(
        update(Response).where(Response.id == response.id, Response.status == "in_progress")
        .values(status="submitted", submitted_at=now, updated_at=now,
                receipt_code=new_receipt_code())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(response)
    if not changed:
        raise AlreadySubmitted(response)
    _mark_all_skipped(response)
    if response.invitation is not None:
        invitation_service.advance(response.invitation, "submitted", now)
    return response


def _mark_all_skipped(response: Response) -> None:
    shown = logic.visibility(response.survey, load_entries(response))
    _mark_skipped(response, response.survey.questions, shown)


# --- finding surveys -----------------------------------------------------------------------

def survey_by_slug(slug: str) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def open_surveys(now: datetime | None = None) -> list[Survey]:
    """Published surveys open now to anyone with the link, newest first."""
    surveys = db.session.scalars(select(Survey).where(Survey.status == "published",
                                                      Survey.audience.in_(("open", "both")))
                                 .order_by(Survey.created_at.desc(), Survey.id.desc()))
    return [survey for survey in surveys if survey.is_open(now)]


@functools.cache
def _provision_aliases():
    """Made once: a new alias per call would make SQLAlchemy build and cache the statement anew."""
    from consult.models import DraftVersion, Provision

    return aliased(Provision), aliased(DraftVersion)


def questions_for_provision(provision_id: int) -> list[Question]:
    """Open surveys' questions pinned to this provision (or to the same article in another
    version of the same draft), for the article's page. One query: the provision itself is
    joined (as ``here``), not loaded first, and each question's survey comes with it."""
    from consult.models import DraftVersion, Provision

    here, here_version = _provision_aliases()
    pinned = db.session.scalars(
        select(Question).join(Provision, Question.provision_id == Provision.id)
        .join(DraftVersion, Provision.version_id == DraftVersion.id)
        .join(Survey, Question.survey_id == Survey.id)
        .join(here, here.id == provision_id)
        .join(here_version, here.version_id == here_version.id)
        .where(Provision.anchor == here.anchor, DraftVersion.draft_id == here_version.draft_id,
               Survey.status == "published", Survey.audience.in_(("open", "both")))
        .options(contains_eager(Question.survey))
        .order_by(Survey.id, Question.id))
    return [question for question in pinned if question.survey.is_open()]
