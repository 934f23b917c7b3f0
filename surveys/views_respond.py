"""Respondents answer surveys: open link, invitations, pages, save and resume.

Open link: ``/khao-sat/<slug>`` starts a response, kept in the session, with a resume code.
Invitation: ``/khao-sat/<slug>/moi/<token>``; every page URL carries the token, so an
organisation can leave and come back from its link.  The same views serve both: the
invitation routes only add ``token``.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l

from consult import answers as public_answers
from consult.extensions import db
from consult.models import utcnow
from consult.navigation import add_demo_loader, add_public_link
from surveys import blueprint, demo, invitations, logic, responses
from surveys import models  # noqa: F401  (the tables exist whenever the package is imported)
from surveys.forms import PageForm, ResumeForm, StartForm, SubmitForm
from surveys.kinds import KINDS, Entry, kind_of, options
from surveys.kinds import upload
from surveys.models import Invitation, Response, Survey, localized

_SESSION_KEY = "survey_responses"

add_public_link("surveys.index", _l("Surveys"))
add_demo_loader(demo.load_demo_surveys)


class Unavailable(Exception):
    """The survey or link cannot be used: shown as a clear page, never a server error."""

    def __init__(self, reason: str, survey: Survey | None = None, status: int = 200):
        super().__init__(reason)
        self.reason, self.survey, self.status = reason, survey, status


@blueprint.errorhandler(Unavailable)
def _unavailable(error: Unavailable):
    kept = [value for key, value in request.form.items()
            if key.startswith("q-") and len(value.strip()) > 3] if request.method == "POST" else []
    survey = error.survey
    opens_later = bool(survey and survey.status == "published" and survey.opens_at
                       and utcnow() < survey.opens_at)
    return render_template("surveys/respond/unavailable.html", reason=error.reason,
                           survey=survey, kept=kept, opens_later=opens_later), error.status


@blueprint.context_processor
def _helpers():
    """What the answering templates use to draw questions."""
    return {"options": options, "localized": localized, "kinds": KINDS, "locale": _locale(),
            "empty_entry": Entry(), "upload_limit": upload.max_bytes,
            "invitation_statuses": invitations.STATUS_LABELS}


@dataclass
class Respondent:
    """Who is answering: the survey, the response so far, and the invitation if any."""

    survey: Survey
    response: Response | None
    invitation: Invitation | None = None
    token: str | None = None
    code: str | None = None

    def url(self, endpoint: str, **values) -> str:
        return url_for(endpoint, slug=self.survey.slug, token=self.token, **values)


def _locale() -> str:
    return str(get_locale())


def _survey_or_404(slug: str) -> Survey:
    survey = responses.survey_by_slug(slug)
    if survey is None or survey.status == "draft":
        abort(404)
    return survey


def _remembered(survey: Survey) -> dict:
    return dict(session.get(_SESSION_KEY, {}).get(str(survey.id), {}))


def _remember(survey: Survey, response: Response, code: str | None) -> None:
    saved = dict(session.get(_SESSION_KEY, {}))
    saved[str(survey.id)] = {"id": response.id, "code": code}
    session[_SESSION_KEY] = saved


def _respondent(slug: str, token: str | None) -> Respondent:
    survey = _survey_or_404(slug)
    if token is not None:
        invitation = invitations.find_by_token(survey, token)
        if invitation is None:
            raise Unavailable("bad_token", survey, 404)
        return Respondent(survey, invitation.response, invitation, token)
    remembered = _remembered(survey)
    response = db.session.get(Response, remembered["id"]) if remembered.get("id") else None
    if response is not None and (response.survey_id != survey.id or response.invitation_id):
        response = None
    return Respondent(survey, response, code=remembered.get("code"))


def _open_or_unavailable(survey: Survey) -> None:
    if not survey.is_open():
        raise Unavailable("closed", survey, 409 if request.method == "POST" else 200)


# --- listing and starting ------------------------------------------------------------------

@blueprint.get("/")
def index():
    return render_template("surveys/respond/index.html", surveys=responses.open_surveys())


@blueprint.route("/<slug>", methods=["GET", "POST"])
def start(slug: str):
    survey = _survey_or_404(slug)
    if not survey.accepts_open_link:
        raise Unavailable("invitation_only", survey, 403)
    respondent = _respondent(slug, None)
    form = StartForm()
    if form.validate_on_submit():
        _open_or_unavailable(survey)
        form.ensure_key()
        response, code = responses.start_open_response(survey, form.form_key.data, _locale())
        db.session.commit()
        if code is None and respondent.response is not None and respondent.response.id == response.id:
            code = respondent.code
        elif code is None:
            code = responses.set_resume_code(response)
            db.session.commit()
        _remember(survey, response, code)
        respondent = Respondent(survey, response, code=code)
        return redirect(_page_url(respondent, request.args.get("cau")))
    form.ensure_key()
    return render_template("surveys/respond/start.html", survey=survey, form=form,
                           respondent=respondent, is_open=survey.is_open(),
                           page_range=logic.page_range)


@blueprint.get("/<slug>/cau-hoi/<name>")
def pinned(slug: str, name: str):
    """From a question shown beside an article: to its page, starting if needed."""
    respondent = _respondent(slug, None)
    if respondent.response is None or respondent.response.status == "submitted":
        return redirect(url_for("surveys.start", slug=slug, cau=name))
    return redirect(_page_url(respondent, name))


def _page_url(respondent: Respondent, question_name: str | None = None) -> str:
    survey = respondent.survey
    question = survey.question_named(question_name) if question_name else None
    number = survey.pages.index(question.page) + 1 if question is not None else 1
    return respondent.url("surveys.page", number=number)


@blueprint.get("/<slug>/moi/<token>")
def invitation(slug: str, token: str):
    respondent = _respondent(slug, token)
    if invitations.advance(respondent.invitation, "opened"):
        db.session.commit()
    return render_template("surveys/respond/invitation.html", survey=respondent.survey,
                           respondent=respondent, is_open=respondent.survey.is_open(),
                           editable=respondent.response is None or responses.can_edit(respondent.response))


# --- resuming ------------------------------------------------------------------------------

@blueprint.route("/<slug>/tiep-tuc", methods=["GET", "POST"])
def resume(slug: str):
    survey = _survey_or_404(slug)
    form = ResumeForm()
    if form.validate_on_submit():
        outcome = _resume_with(survey, form.code.data)
        if outcome is not None:
            return outcome
        form.code.errors.append(_("This code does not match an unfinished response to this "
                                  "survey. Check it and try again."))
    status = 422 if form.errors else 200
    return render_template("surveys/respond/resume.html", survey=survey, form=form), status


@blueprint.get("/<slug>/tiep-tuc/<code>")
def resume_link(slug: str, code: str):
    survey = _survey_or_404(slug)
    outcome = _resume_with(survey, code)
    if outcome is not None:
        return outcome
    raise Unavailable("resume_unknown", survey, 404)


def _resume_with(survey: Survey, code: str):
    """Redirect to the response's page, or None when the code matches nothing."""
    try:
        response = responses.resume(survey, code)
    except responses.ResumeCodeUnknown:
        return None
    except responses.ResumeCodeExpired:
        raise Unavailable("resume_expired", survey, 410) from None
    except responses.SurveyClosed:
        raise Unavailable("closed", survey) from None
    except responses.AlreadySubmitted as done:
        _remember(survey, done.response, None)
        flash(_("These answers were already submitted."), "info")
        return redirect(url_for("surveys.receipt", slug=survey.slug))
    code = responses.normalise_code(code)
    _remember(survey, response, f"{code[:5]}-{code[5:]}")
    pages = responses.visible_pages(response)
    number = response.current_page + 1 if response.current_page < len(survey.pages) else 1
    if pages and survey.pages[number - 1] not in pages:
        number = survey.pages.index(pages[0]) + 1
    return redirect(url_for("surveys.page", slug=survey.slug, number=number))


# --- answering -----------------------------------------------------------------------------

def _page_context(respondent: Respondent, page, entries, *, errors=None, notice=None):
    survey = respondent.survey
    shown = logic.visibility(survey, entries)
    pages = logic.visible_pages(survey, shown)
    on_page = {q.name for q in page.questions}
    values = {name: value for name, value in logic.logic_values(survey, entries).items()
              if name not in on_page and shown.get(name)}
    return dict(survey=survey, page=page, respondent=respondent, entries=entries, shown=shown,
                errors=errors or {}, notice=notice, values=values, kinds=KINDS,
                number=pages.index(page) + 1 if page in pages else 1, total=max(len(pages), 1),
                is_first=not pages or pages[0] is page, form=PageForm(),
                multipart=any(q.kind == "file" for q in page.questions))


def _neighbour(respondent: Respondent, page, entries, step: int):
    """The next (step=1) or previous (step=-1) shown page, or None at either end."""
    survey = respondent.survey
    shown = logic.visibility(survey, entries)
    index = survey.pages.index(page) + step
    while 0 <= index < len(survey.pages):
        if any(shown.get(q.name) for q in survey.pages[index].questions):
            return index + 1
        index += step
    return None


def _editable_response(respondent: Respondent):
    """Redirect when the response can no longer change, else None."""
    response = respondent.response
    _open_or_unavailable(respondent.survey)
    if response is not None and not responses.can_edit(response):
        flash(_("These answers were already submitted."), "info")
        return redirect(respondent.url("surveys.receipt"))
    return None


@blueprint.route("/<slug>/trang/<int:number>", methods=["GET", "POST"], defaults={"token": None})
@blueprint.route("/<slug>/moi/<token>/trang/<int:number>", methods=["GET", "POST"])
def page(slug: str, number: int, token: str | None):
    respondent = _respondent(slug, token)
    survey = respondent.survey
    if not 1 <= number <= len(survey.pages):
        abort(404)
    if respondent.response is None and respondent.invitation is None:
        return _lost_response(survey)
    blocked = _editable_response(respondent)
    if blocked is not None:
        return blocked
    current = survey.pages[number - 1]
    if request.method == "POST":
        return _save(respondent, current)
    entries = responses.load_entries(respondent.response) if respondent.response else {
        q.name: kind_of(q).from_rows(q, []) for q in survey.questions}
    if not any(logic.visibility(survey, entries).get(q.name) for q in current.questions):
        following = _neighbour(respondent, current, entries, 1)
        return redirect(respondent.url("surveys.page", number=following) if following
                        else respondent.url("surveys.review"))
    return render_template("surveys/respond/page.html",
                           **_page_context(respondent, current, entries))


def _lost_response(survey: Survey):
    flash(_("We could not find your answers in this browser. Enter your resume code to "
            "continue, or start again."), "info")
    return redirect(url_for("surveys.resume", slug=survey.slug))


def _save(respondent: Respondent, current):
    form = PageForm()
    form.validate_on_submit()  # CSRF is checked before the view; nothing else to validate
    action = request.form.get("action", "next")
    if respondent.response is None:
        respondent.response = responses.start_invited_response(respondent.invitation, _locale())
    try:
        outcome = responses.save_page(respondent.response, current, request.form, request.files,
                                      require=action == "next", rendered=form.shown_names(),
                                      locale=_locale())
    except responses.SurveyClosed:
        raise Unavailable("closed", respondent.survey, 409) from None
    except responses.AlreadySubmitted:
        return redirect(respondent.url("surveys.receipt"))
    db.session.commit()
    if outcome.invalid or (action == "next" and outcome.newly_shown):
        notice = None if outcome.invalid else _(
            "Your answers opened new questions on this page. Please look at them before going on.")
        context = _page_context(respondent, current, outcome.entries, errors=outcome.errors,
                                notice=notice)
        return render_template("surveys/respond/page.html", **context), \
            422 if outcome.invalid else 200
    if action == "leave":
        return redirect(respondent.url("surveys.saved"))
    step = -1 if action == "back" else 1
    target = _neighbour(respondent, current, outcome.entries, step)
    if target is not None:
        return redirect(respondent.url("surveys.page", number=target))
    if step > 0:
        return redirect(respondent.url("surveys.review"))
    return redirect(respondent.url("surveys.invitation") if respondent.token
                    else url_for("surveys.start", slug=respondent.survey.slug))


@blueprint.get("/<slug>/da-luu", defaults={"token": None})
@blueprint.get("/<slug>/moi/<token>/da-luu")
def saved(slug: str, token: str | None):
    """After "save and continue later": how to come back."""
    respondent = _respondent(slug, token)
    if respondent.response is None and respondent.invitation is None:
        return _lost_response(respondent.survey)
    return render_template("surveys/respond/saved.html", survey=respondent.survey,
                           respondent=respondent)


# --- review, submit, receipt ---------------------------------------------------------------

@blueprint.route("/<slug>/xem-lai", methods=["GET", "POST"], defaults={"token": None})
@blueprint.route("/<slug>/moi/<token>/xem-lai", methods=["GET", "POST"])
def review(slug: str, token: str | None):
    respondent = _respondent(slug, token)
    response = respondent.response
    if response is None:
        if respondent.invitation is not None:
            return redirect(respondent.url("surveys.page", number=1))
        return _lost_response(respondent.survey)
    blocked = _editable_response(respondent)
    if blocked is not None:
        return blocked
    form = SubmitForm()
    status, problems = 200, None
    if form.validate_on_submit():
        try:
            responses.submit(response, _locale())
            db.session.commit()
            return redirect(respondent.url("surveys.receipt"))
        except responses.Incomplete as incomplete:
            db.session.rollback()
            status, problems = 422, incomplete.problems
        except responses.AlreadySubmitted:
            return redirect(respondent.url("surveys.receipt"))
        except responses.SurveyClosed:
            raise Unavailable("closed", respondent.survey, 409) from None
    sections = responses.review(response, _locale())
    if problems is None:
        problems = responses.problems(response, locale=_locale())
    return render_template("surveys/respond/review.html", survey=respondent.survey,
                           respondent=respondent, sections=sections, problems=problems,
                           form=form, submitted=status == 422), status


@blueprint.get("/<slug>/bien-nhan", defaults={"token": None})
@blueprint.get("/<slug>/moi/<token>/bien-nhan")
def receipt(slug: str, token: str | None):
    respondent = _respondent(slug, token)
    response = respondent.response
    if response is None or response.status != "submitted":
        if respondent.invitation is not None:
            return redirect(respondent.url("surveys.invitation"))
        return _lost_response(respondent.survey)
    if respondent.token is None and respondent.code:
        _remember(respondent.survey, response, None)  # the resume code has served its purpose
    return render_template("surveys/respond/receipt.html", survey=respondent.survey,
                           respondent=respondent, response=response,
                           editable=responses.can_edit(response),
                           own_answers=public_answers.own_survey_answers(response, _locale()))


@blueprint.app_template_global("pinned_survey_questions")
def pinned_survey_questions(provision_id: int):
    """For the article page: open surveys' questions about this article."""
    return responses.questions_for_provision(provision_id)
