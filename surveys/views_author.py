"""The drafting team builds surveys: list, create, edit, pages, questions, choices, preview.

XLSForm import/export and invitations have their own view modules, imported at the end.
Every page here is for the roles ``admin`` and ``drafter``; every change is a POST with CSRF
and works without JavaScript (moving is done with up/down buttons).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from consult.errors import MAX_ID
from consult import scoping
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES
from consult.extensions import db
from consult.models import Consultation
from consult.navigation import add_admin_link
from surveys import authoring, blueprint
from surveys.author_forms import (AUDIENCE_LABELS, ActionForm, ChoiceForm, PageForm,
                                  QuestionForm, SurveyForm)
from surveys.authoring import AuthoringError
from surveys.kinds import KIND_LABELS, KINDS
from surveys.models import Choice, Question, Survey, SurveyPage

add_admin_link("surveys.author_list", _l("Surveys"), roles=DRAFTER_ROLES)

ADMIN = "/quan-tri"
DIRECTIONS = ("up", "down")
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "closed": _l("Closed")}


def _render(template: str, status: int = 200, **context):
    return render_template(f"surveys/author/{template}", kinds=KINDS, kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS, audience_labels=AUDIENCE_LABELS,
                           action_form=ActionForm(), **context), status


def _survey(survey_id: int) -> Survey:
    return scoping.object_or_404(Survey, survey_id)


@scoping.resolves("survey_id")
def _survey_consultation(value):
    """A survey's consultation, for the check before every team page (``consult.scoping``)."""
    found = db.session.execute(select(Survey.consultation_id).where(Survey.id == value)).first()
    return scoping.MISSING if found is None else found[0]


def _page(survey: Survey, page_id: int) -> SurveyPage:
    page = db.session.get(SurveyPage, page_id)
    if page is None or page.survey_id != survey.id:
        abort(404)
    return page


def _question(survey: Survey, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _find_choice(survey: Survey, choice_id: int) -> Choice | None:
    choice = db.session.get(Choice, choice_id)
    return choice if choice is not None and choice.question.survey_id == survey.id else None


def _choice(survey: Survey, choice_id: int) -> Choice:
    return _find_choice(survey, choice_id) or abort(404)


def _direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        abort(404)
    return direction


def _put_error(form, error: AuthoringError) -> None:
    """Show a service's refusal next to its field, or at the top of the page."""
    if error.field and error.field in form:
        form[error.field].errors = list(form[error.field].errors) + [error.message]
    else:
        flash(error.message, "error")


def _consultations() -> list[Consultation]:
    """The consultations of the user's agency (all for an administrator): ``consult.scoping``."""
    return scoping.team_consultations()


def _checked_action() -> bool:
    """A button form (move, delete): CSRF checked; a stale one flashes instead of acting."""
    if ActionForm().validate_on_submit():
        return True
    flash(_("The form has expired; please try again."), "error")
    return False


# --- surveys -----------------------------------------------------------------------------

@blueprint.get(f"{ADMIN}/")
@role_required(*DRAFTER_ROLES)
def author_list():
    surveys = db.session.scalars(select(Survey).where(scoping.consultation_id_clause(Survey.consultation_id))
                                 .order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    return _render("list.html", surveys=surveys)


@blueprint.route(f"{ADMIN}/moi", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def author_new():
    form = SurveyForm()
    form.set_consultations(_consultations(), scoping.sees_all())
    if form.validate_on_submit():
        try:
            survey = authoring.create_survey(form.to_fields(), current_user)
        except AuthoringError as error:
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("The survey was created as a draft. Add its questions."), "success")
            return redirect(url_for("surveys.author_survey", survey_id=survey.id))
    return _render("survey_form.html", 422 if request.method == "POST" else 200, form=form, survey=None)


@blueprint.get(f"{ADMIN}/<int:survey_id>")
@role_required(*DRAFTER_ROLES)
def author_survey(survey_id: int):
    survey = _survey(survey_id)
    return _render("survey.html", survey=survey, page_form=PageForm(formdata=None),
                   response_count=authoring.response_count(survey),
                   problems=authoring.publish_problems(survey) if survey.status == "draft" else [])


@blueprint.route(f"{ADMIN}/<int:survey_id>/sua", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def author_edit(survey_id: int):
    survey = _survey(survey_id)
    form = SurveyForm()
    form.set_consultations(_consultations(), scoping.sees_all())
    if request.method == "GET":
        form.fill_from(survey, authoring.utc_to_vn)
    elif form.validate_on_submit():
        try:
            authoring.update_survey(survey, form.to_fields(), current_user)
        except AuthoringError as error:
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("The survey was saved."), "success")
            return redirect(url_for("surveys.author_survey", survey_id=survey.id))
    return _render("survey_form.html", 422 if request.method == "POST" else 200, form=form, survey=survey)


@blueprint.post(f"{ADMIN}/<int:survey_id>/trang-thai/<status>")
@role_required(*DRAFTER_ROLES)
def author_status(survey_id: int, status: str):
    survey = _survey(survey_id)
    if status not in STATUS_LABELS:
        abort(404)
    if _checked_action():
        try:
            authoring.set_status(survey, status, current_user)
        except AuthoringError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The survey is now: %(status)s.", status=STATUS_LABELS[status]), "success")
    return redirect(url_for("surveys.author_survey", survey_id=survey_id))


# --- pages -------------------------------------------------------------------------------

@blueprint.post(f"{ADMIN}/<int:survey_id>/trang")
@role_required(*DRAFTER_ROLES)
def author_add_page(survey_id: int):
    survey = _survey(survey_id)
    if _checked_action():
        page = authoring.add_page(survey, {})
        db.session.commit()
        flash(_("A new page was added at the end."), "success")
        return redirect(url_for("surveys.author_edit_page", survey_id=survey.id, page_id=page.id))
    return redirect(url_for("surveys.author_survey", survey_id=survey.id))


@blueprint.route(f"{ADMIN}/<int:survey_id>/trang/<int:page_id>", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def author_edit_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    form = PageForm()
    if request.method == "GET":
        form.title_vi.data, form.title_en.data = (page.title or {}).get("vi"), (page.title or {}).get("en")
        form.relevant.data = page.relevant
    elif form.validate_on_submit():
        try:
            authoring.update_page(page, authoring.texts(form.title_vi.data, form.title_en.data),
                                  form.relevant.data or "")
        except AuthoringError as error:
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("The page was saved."), "success")
            return redirect(url_for("surveys.author_survey", survey_id=survey.id) + f"#page-{page.id}")
    return _render("page_form.html", 422 if request.method == "POST" else 200, form=form,
                   survey=survey, page=page)


@blueprint.post(f"{ADMIN}/<int:survey_id>/trang/<int:page_id>/di-chuyen/<direction>")
@role_required(*DRAFTER_ROLES)
def author_move_page(survey_id: int, page_id: int, direction: str):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    if _checked_action():
        authoring.move_page(page, _direction(direction))
        db.session.commit()
    return redirect(url_for("surveys.author_survey", survey_id=survey.id) + f"#page-{page.id}")


@blueprint.post(f"{ADMIN}/<int:survey_id>/trang/<int:page_id>/xoa")
@role_required(*DRAFTER_ROLES)
def author_delete_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    if _checked_action():
        try:
            authoring.delete_page(page)
        except AuthoringError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The page was deleted."), "success")
    return redirect(url_for("surveys.author_survey", survey_id=survey.id))


# --- questions ---------------------------------------------------------------------------

def _question_form(survey: Survey) -> QuestionForm:
    form = QuestionForm()
    form.set_articles(authoring.pinnable_articles(survey),
                      lambda a: _("Article %(number)s.", number=a.number) + (f" {a.title}" if a.title else ""))
    return form


@blueprint.route(f"{ADMIN}/<int:survey_id>/trang/<int:page_id>/cau-hoi-moi", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def author_add_question(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    form = _question_form(survey)
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "single_choice")
    elif form.validate_on_submit():
        try:
            question = authoring.add_question(page, form.to_fields(), current_user)
        except AuthoringError as error:
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("The question was added."), "success")
            return redirect(url_for("surveys.author_edit_question", survey_id=survey.id,
                                    question_id=question.id))
    return _render("question_form.html", 422 if request.method == "POST" else 200, form=form,
                   survey=survey, page=page, question=None)


@blueprint.route(f"{ADMIN}/<int:survey_id>/cau-hoi/<int:question_id>", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def author_edit_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    form = _question_form(survey)
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        try:
            authoring.update_question(question, form.to_fields(), current_user)
        except AuthoringError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("The question was saved."), "success")
            return redirect(url_for("surveys.author_edit_question", survey_id=survey.id,
                                    question_id=question.id))
    return _render("question_form.html", 422 if request.method == "POST" else 200, form=form,
                   survey=survey, page=question.page, question=question,
                   choice_form=ChoiceForm(formdata=None))


@blueprint.post(f"{ADMIN}/<int:survey_id>/cau-hoi/<int:question_id>/di-chuyen/<direction>")
@role_required(*DRAFTER_ROLES)
def author_move_question(survey_id: int, question_id: int, direction: str):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    if _checked_action():
        authoring.move_question(question, _direction(direction))
        db.session.commit()
    return redirect(url_for("surveys.author_survey", survey_id=survey.id) + f"#question-{question.id}")


@blueprint.post(f"{ADMIN}/<int:survey_id>/cau-hoi/<int:question_id>/xoa")
@role_required(*DRAFTER_ROLES)
def author_delete_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    if _checked_action():
        try:
            authoring.delete_question(question, current_user)
        except AuthoringError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The question was deleted."), "success")
    return redirect(url_for("surveys.author_survey", survey_id=survey.id))


# --- choices -----------------------------------------------------------------------------

@blueprint.post(f"{ADMIN}/<int:survey_id>/cau-hoi/<int:question_id>/lua-chon")
@role_required(*DRAFTER_ROLES)
def author_add_choice(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    return _save_choice(survey, question, None)


@blueprint.post(f"{ADMIN}/<int:survey_id>/lua-chon/<int:choice_id>")
@role_required(*DRAFTER_ROLES)
def author_edit_choice(survey_id: int, choice_id: int):
    survey = _survey(survey_id)
    choice = _choice(survey, choice_id)
    return _save_choice(survey, choice.question, choice)


def _save_choice(survey: Survey, question: Question, choice: Choice | None):
    form = ChoiceForm()
    back = url_for("surveys.author_edit_question", survey_id=survey.id, question_id=question.id)
    if form.validate_on_submit():
        label = authoring.texts(form.label_vi.data, form.label_en.data)
        try:
            if choice is None:
                authoring.add_choice(question, form.name.data, label, bool(form.is_other.data))
            else:
                authoring.update_choice(choice, form.name.data, label, bool(form.is_other.data))
        except AuthoringError as error:
            db.session.rollback()
            _put_error(form, error)
        else:
            db.session.commit()
            flash(_("The option was saved."), "success")
            return redirect(back + "#choices")
    question_form = _question_form(survey)
    question_form.fill_from(question)
    return _render("question_form.html", 422, form=question_form, survey=survey, page=question.page,
                   question=question, choice_form=form if choice is None else ChoiceForm(formdata=None),
                   failed_choice=choice, failed_choice_form=form if choice is not None else None)


@blueprint.post(f"{ADMIN}/<int:survey_id>/lua-chon/<int:choice_id>/di-chuyen/<direction>")
@role_required(*DRAFTER_ROLES)
def author_move_choice(survey_id: int, choice_id: int, direction: str):
    survey = _survey(survey_id)
    choice = _choice(survey, choice_id)
    if _checked_action():
        authoring.move_choice(choice, _direction(direction))
        db.session.commit()
    return redirect(url_for("surveys.author_edit_question", survey_id=survey.id,
                            question_id=choice.question_id) + "#choices")


@blueprint.post(f"{ADMIN}/<int:survey_id>/lua-chon/<int:choice_id>/xoa")
@role_required(*DRAFTER_ROLES)
def author_delete_choice(survey_id: int, choice_id: int):
    """Delete an option; one already chosen first asks for confirmation (``confirm`` sent)."""
    survey = _survey(survey_id)
    choice = _find_choice(survey, choice_id)
    if choice is None:  # a replayed form: the option is already gone
        flash(_("This option no longer exists: it may have been deleted already."), "info")
        return redirect(_question_url(survey, request.form.get("question_id", type=int)))
    back = _question_url(survey, choice.question_id)
    if not _checked_action():
        return redirect(back)
    try:
        kept = authoring.delete_choice(choice, current_user, keep_answers=bool(request.form.get("confirm")))
    except authoring.ChoiceChosen as chosen:
        return _render("choice_delete.html", survey=survey, choice=choice, question=choice.question,
                       message=chosen.message)
    db.session.commit()
    flash(_("The option was deleted; the answers that chose it are kept.") if kept
          else _("The option was deleted."), "success")
    return redirect(back)


def _question_url(survey: Survey, question_id: int | None) -> str:
    """The question's options, or the survey's page when the question is not in the survey."""
    question = db.session.get(Question, question_id) if question_id and 0 < question_id <= MAX_ID else None
    if question is None or question.survey_id != survey.id:
        return url_for("surveys.author_survey", survey_id=survey.id)
    return url_for("surveys.author_edit_question", survey_id=survey.id, question_id=question.id) + "#choices"


# --- preview -----------------------------------------------------------------------------

@blueprint.get(f"{ADMIN}/<int:survey_id>/xem-thu")
@role_required(*DRAFTER_ROLES)
def author_preview(survey_id: int):
    """One page at a time, rendered by the answering side's macros; nothing is saved."""
    survey = _survey(survey_id)
    total = len(survey.pages)
    number = request.args.get("trang", "1")
    number = min(max(int(number[:9]), 1), total) if number.isascii() and number.isdigit() and total else 1
    page = survey.pages[number - 1] if total else None
    return _render("preview.html", survey=survey, page=page, number=number, total=total)


from surveys import views_author_invitations, views_author_xlsform  # noqa: E402,F401
