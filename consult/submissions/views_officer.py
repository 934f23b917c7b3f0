"""Pages for an organisation's officers: prepare, submit and look back at the formal letter."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from consult import drafts, scoping
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES
from consult.extensions import db
from consult.models import Consultation, Organisation
from consult.submissions import attachments, bp, officers, roster, services
from consult.submissions.forms import (AcceptInvitationForm, ActionForm, AttachmentForm,
                                       LetterForm, OpinionForm, SubmitLetterForm)
from consult.submissions.messages import attachment_problem, submit_problem
from consult.submissions.models import Submission
from consult.textnorm import clean_control


class _StaleDraft(Exception):
    """The form was made for a letter that has since been submitted."""


def _consultation_or_404(slug: str) -> Consultation:
    """A consultation the public can see: one not yet published is the drafting team's alone,
    even for a body already put on its roster."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None or not consultation.published:
        abort(404)
    return consultation


def _officer_organisation() -> Organisation:
    if current_user.role != "officer" or current_user.organisation is None:
        abort(403)
    return current_user.organisation


def _entry_or_404(consultation: Consultation, organisation: Organisation):
    entry = roster.find_entry(consultation, organisation.id)
    if entry is None:
        abort(404)
    return entry


@bp.get("/")
@role_required("officer", *DRAFTER_ROLES)
def home():
    if current_user.role != "officer":
        return redirect(url_for("submissions.team_index"))
    organisation = _officer_organisation()
    rows = []
    for entry in roster.consultations_for(organisation.id):
        if not entry.consultation.published:
            continue  # not yet visible: the drafting team's alone
        rows.append(next(row for row in roster.roster_rows(entry.consultation)
                         if row.entry.id == entry.id))
    return render_template("submissions/home.html", organisation=organisation, rows=rows)


def _article_choices(consultation: Consultation) -> list[tuple[str, str]]:
    version = services.current_version(consultation)
    if version is None:
        return []
    choices = []
    for chapter in drafts.table_of_contents(version):
        for _section, articles in chapter.sections:
            for entry in articles:
                label = _("Article %(number)s.", number=entry.provision.number)
                choices.append((entry.provision.anchor, f"{label} {entry.provision.title}".strip()))
    return choices


def _render_edit(consultation: Consultation, organisation: Organisation, *, letter_form=None,
                 attachment_form=None, opinion_form=None, problems=None, status: int = 200):
    entry = _entry_or_404(consultation, organisation)
    draft = services.find_draft(consultation, organisation.id)
    draft_id = str(draft.id) if draft else ""
    if letter_form is None:
        letter_form = LetterForm(obj=draft, formdata=None) if draft else LetterForm(formdata=None)
        if draft:
            letter_form.answer.data = "no_comment" if draft.no_comment else "opinions"
    opinion_form = opinion_form or OpinionForm(formdata=None)
    opinion_form.set_article_choices(_article_choices(consultation))
    attachment_form = attachment_form or AttachmentForm(formdata=None)
    submit_form = SubmitLetterForm(formdata=None)
    for form in (letter_form, opinion_form, attachment_form, submit_form):
        form.submission_id.data = draft_id
    missing = services.missing_for_submit(draft) if draft else []
    problems = list(problems or [])
    if _archived(consultation):
        problems.insert(0, _archived_message())
    return render_template(
        "submissions/edit.html", consultation=consultation, organisation=organisation,
        entry=entry, draft=draft, current=services.current_submission(consultation, organisation.id),
        letter_form=letter_form, opinion_form=opinion_form, attachment_form=attachment_form,
        submit_form=submit_form, remove_form=ActionForm(formdata=None),
        missing=[submit_problem(code) for code in missing], problems=problems,
        days_left=roster.days_left(entry.deadline), max_mb=_max_mb(),
    ), status


def _archived(consultation: Consultation) -> bool:
    try:
        services.check_accepting(consultation)
    except services.ConsultationArchived:
        return True
    return False


def _archived_message() -> str:
    return _("This consultation has been archived: letters are no longer accepted. What you typed "
             "is kept below so that you can copy it.")


def _max_mb() -> str:
    from consult.submissions.messages import megabytes

    return megabytes(attachments.max_bytes(current_app))


@bp.get("/<slug>/van-ban")
@role_required("officer")
def edit(slug: str):
    consultation = _consultation_or_404(slug)
    return _render_edit(consultation, _officer_organisation())


def _draft_for(consultation: Consultation, organisation: Organisation, submission_id: str | None):
    """The draft the form was made for, or the body's draft (made now if there is none)."""
    if submission_id and submission_id.isascii() and submission_id.isdigit() and len(submission_id) < 10:
        submission = db.session.get(Submission, int(submission_id))
        if submission is None or submission.consultation_id != consultation.id:
            abort(404)
        if submission.organisation_id != organisation.id:
            abort(403)
        if submission.status != "draft":
            raise _StaleDraft()
        return submission
    _entry_or_404(consultation, organisation)
    draft, _created = services.start_draft(consultation, organisation, current_user)
    return draft


def _stale_message() -> str:
    return _("That letter was submitted in the meantime and can no longer be changed. Your input is "
             "kept below: save it again to start a new letter, which will supersede the submitted one.")


@bp.post("/<slug>/van-ban/thu")
@role_required("officer")
def save_letter(slug: str):
    consultation = _consultation_or_404(slug)
    organisation = _officer_organisation()
    form = LetterForm()
    if not form.validate():
        flash(_("The letter was not saved: please look at the messages below."), "error")
        return _render_edit(consultation, organisation, letter_form=form, status=422)
    try:
        draft = _draft_for(consultation, organisation, form.submission_id.data)
        services.update_letter(draft, letter_number=form.letter_number.data or "",
                               letter_date=form.letter_date.data, signer_name=form.signer_name.data or "",
                               signer_title=form.signer_title.data or "",
                               no_comment=form.answer.data == "no_comment")
    except _StaleDraft:
        return _render_edit(consultation, organisation, letter_form=form,
                            problems=[_stale_message()], status=409)
    except services.ConsultationArchived:
        db.session.rollback()
        return _render_edit(consultation, organisation, letter_form=form, status=409)
    db.session.commit()
    flash(_("The letter's details are saved. You can come back and finish it later."), "success")
    return redirect(url_for("submissions.edit", slug=slug) + "#letter")


@bp.post("/<slug>/van-ban/tep")
@role_required("officer")
def upload(slug: str):
    consultation = _consultation_or_404(slug)
    organisation = _officer_organisation()
    form = AttachmentForm()
    upload_file = request.files.get("document")
    limit = attachments.max_bytes(current_app)
    try:
        if upload_file is None or not upload_file.filename:
            raise attachments.InvalidAttachment("missing")
        services.check_accepting(consultation)  # before the file is stored: no orphan on disk
        data = upload_file.read(limit + 1)
        pages = attachments.check_pdf(data, limit)
        draft = _draft_for(consultation, organisation, form.submission_id.data)
    except attachments.InvalidAttachment as error:
        form.document.errors = [attachment_problem(error.code, limit)]
        return _render_edit(consultation, organisation, attachment_form=form, status=422)
    except _StaleDraft:
        return _render_edit(consultation, organisation, problems=[_stale_message()], status=409)
    except services.ConsultationArchived:
        db.session.rollback()
        return _render_edit(consultation, organisation, attachment_form=form, status=409)
    stored = attachments.store_pdf(attachments.upload_root(current_app), data, pages)
    try:
        services.attach_pdf(draft, stored, clean_control(upload_file.filename))
    except services.SubmissionLocked:  # submitted by a twin request a moment ago
        db.session.rollback()
        return _render_edit(consultation, organisation, problems=[_stale_message()], status=409)
    db.session.commit()
    flash(_("The signed letter is attached (%(pages)s pages).", pages=pages), "success")
    return redirect(url_for("submissions.edit", slug=slug) + "#attachment")


@bp.post("/<slug>/van-ban/y-kien")
@role_required("officer")
def add_opinion(slug: str):
    consultation = _consultation_or_404(slug)
    organisation = _officer_organisation()
    form = OpinionForm()
    form.set_article_choices(_article_choices(consultation))
    if not form.validate():
        flash(_("The opinion was not added: please look at the messages below."), "error")
        return _render_edit(consultation, organisation, opinion_form=form, status=422)
    version = services.current_version(consultation)
    try:
        provision = services.resolve_provision(version, form.article.data, form.clause.data)
    except services.UnknownProvision:
        form.clause.errors = [_("This article has no clause with that number.")]
        return _render_edit(consultation, organisation, opinion_form=form, status=422)
    try:
        draft = _draft_for(consultation, organisation, form.submission_id.data)
        if not services.add_opinion_once(draft, provision, form.body.data):
            flash(_("This opinion is already in the letter; it was not added twice."), "info")
            return redirect(url_for("submissions.edit", slug=slug) + "#opinions")
    except (_StaleDraft, services.SubmissionLocked):
        db.session.rollback()
        return _render_edit(consultation, organisation, opinion_form=form,
                            problems=[_stale_message()], status=409)
    except services.ConsultationArchived:
        db.session.rollback()
        return _render_edit(consultation, organisation, opinion_form=form, status=409)
    except services.TooManyOpinions:
        db.session.rollback()
        form.body.errors = [_("A letter can hold at most %(max)s opinions.", max=services.MAX_OPINIONS)]
        return _render_edit(consultation, organisation, opinion_form=form, status=422)
    db.session.commit()
    flash(_("The opinion was added to the letter."), "success")
    return redirect(url_for("submissions.edit", slug=slug) + "#opinions")


@bp.post("/<slug>/van-ban/y-kien/<int:opinion_id>/xoa")
@role_required("officer")
def remove_opinion(slug: str, opinion_id: int):
    consultation = _consultation_or_404(slug)
    organisation = _officer_organisation()
    draft = services.find_draft(consultation, organisation.id)
    try:
        if draft is not None and services.remove_opinion(draft, opinion_id):
            db.session.commit()
            flash(_("The opinion was removed from the letter."), "success")
    except services.ConsultationArchived:
        db.session.rollback()
        flash(_archived_message(), "error")
    return redirect(url_for("submissions.edit", slug=slug) + "#opinions")


@bp.post("/<slug>/van-ban/gui")
@role_required("officer")
def submit(slug: str):
    consultation = _consultation_or_404(slug)
    organisation = _officer_organisation()
    form = SubmitLetterForm()
    try:
        draft = _draft_for(consultation, organisation, form.submission_id.data)
        services.submit(draft, current_user, channel="web")
    except (_StaleDraft, services.AlreadySubmitted):
        db.session.rollback()
        current = services.current_submission(consultation, organisation.id)
        flash(_("This letter was already submitted; here is its receipt."), "info")
        return redirect(url_for("submissions.view", submission_id=current.id) if current
                        else url_for("submissions.edit", slug=slug))
    except services.ConsultationArchived:
        db.session.rollback()
        return _render_edit(consultation, organisation, status=409)
    except services.IncompleteSubmission as incomplete:
        db.session.rollback()
        flash(_("The letter was not submitted yet: it still lacks what is listed below."), "error")
        return _render_edit(consultation, organisation,
                            problems=[submit_problem(code) for code in incomplete.missing], status=422)
    db.session.commit()
    flash(_("Your letter was submitted. Keep the receipt code."), "success")
    return redirect(url_for("submissions.view", submission_id=draft.id))


def _visible_submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id) or abort(404)
    if not officers.can_see_organisation(current_user, submission.organisation_id):
        abort(403)
    if scoping.is_team_member():
        scoping.check_consultation_id(submission.consultation_id)  # another agency's: 404
    return submission


@bp.get("/van-ban/<int:submission_id>")
@login_required
def view(submission_id: int):
    submission = _visible_submission(submission_id)
    return render_template("submissions/view.html", submission=submission,
                           history=services.history(submission.consultation,
                                                    submission.organisation_id))


@bp.get("/van-ban/<int:submission_id>/cong-van.pdf")
@login_required
def download(submission_id: int):
    submission = _visible_submission(submission_id)
    path = attachments.stored_path(attachments.upload_root(current_app), submission.attachment_name)
    if path is None:
        abort(404)
    name = attachments.safe_download_name(submission.attachment_filename,
                                          f"{submission.organisation.code}.pdf")
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<slug>/lich-su")
@role_required("officer")
def history(slug: str):
    consultation = _consultation_or_404(slug)
    organisation = _officer_organisation()
    entry = _entry_or_404(consultation, organisation)
    return render_template("submissions/history.html", consultation=consultation,
                           organisation=organisation, entry=entry,
                           letters=services.history(consultation, organisation.id),
                           draft=services.find_draft(consultation, organisation.id))


@bp.route("/loi-moi/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = officers.find_invitation(token)
    if invitation is None:
        return render_template("submissions/invitation_invalid.html"), 404
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        try:
            user = officers.accept_invitation(invitation, form.password.data, form.name.data or "")
        except officers.EmailTaken:
            db.session.rollback()
            flash(_("An account with this e-mail exists already: log in instead."), "info")
            return redirect(url_for("auth.login", next=url_for("submissions.home")))
        db.session.commit()
        login_user(user)
        flash(_("Your account is ready."), "success")
        return redirect(url_for("submissions.home"))
    return render_template("submissions/accept_invitation.html", form=form, invitation=invitation)
