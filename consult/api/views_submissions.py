"""Formal submissions by an organisation's system: create, attach the PDF, submit, read back."""
from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from consult.api import bp, serialize
from consult.api.access import commit_with_token_use, page_body, page_params, paginate, require_scope
from consult.api.idempotency import idempotent
from consult.api.payload import json_body, submission_input
from consult.api.problems import ApiProblem
from consult import consultations, page_cache
from consult.extensions import db
from consult.models import Consultation
from consult.submissions import attachments, services
from consult.submissions.messages import attachment_problem, submit_problem
from consult.submissions.models import Submission


_MAX_ID = 2_147_483_647


def _not_found(detail: str) -> ApiProblem:
    return ApiProblem(404, "not-found", _("Not found"), detail)


def _own_submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id) if submission_id <= _MAX_ID else None
    if submission is None:
        raise _not_found(_("No submission has this id."))
    if submission.organisation_id != g.api_token.organisation_id:
        raise ApiProblem(403, "forbidden", _("Forbidden"),
                         _("This submission belongs to another organisation."))
    return submission


def _locked(submission: Submission) -> ApiProblem:
    return ApiProblem(409, "submission-locked", _("Submission locked"),
                      _("This submission was already submitted and can no longer be changed."),
                      submission_id=submission.id, receipt_code=submission.receipt_code)


def _archived() -> ApiProblem:
    return ApiProblem(409, "consultation-archived", _("Consultation archived"),
                      _("This consultation has been archived: letters are no longer accepted."))


def _check_accepting(consultation: Consultation) -> None:
    try:
        services.check_accepting(consultation)
    except services.ConsultationArchived:
        raise _archived() from None


def _audit_detail() -> dict:
    return {"channel": "api", "token": g.api_token.prefix}


@bp.get("/v1/submissions")
@require_scope("read")
def list_submissions():
    page, per_page = page_params()
    statement = (select(Submission).where(Submission.organisation_id == g.api_token.organisation_id)
                 .order_by(Submission.id.desc()))
    items, total = paginate(statement, page, per_page)
    body, headers = page_body([serialize.submission(s) for s in items], total, page, per_page,
                              "api.list_submissions")
    return jsonify(body), 200, headers


@bp.get("/v1/submissions/<int:submission_id>")
@require_scope("read")
def get_submission(submission_id: int):
    return jsonify(serialize.submission(_own_submission(submission_id)))


@bp.post("/v1/consultations/<slug>/submissions")
@require_scope("submissions:write", use_with_view=True)
@idempotent
def create_submission(slug: str):
    """Made with plain statements (``services.start_letter``) and answered from what was sent
    and the ids the database gave back: no ORM object is loaded or flushed."""
    consultation = page_cache.kept_consultation(slug, consultations.with_versions)  # no query while kept
    if consultation is None or not consultation.published:  # not yet visible: the team's alone
        raise _not_found(_("No consultation has this slug."))
    _check_accepting(consultation)
    data = submission_input(json_body())
    token = g.api_token
    version = services.current_version(consultation)
    provisions, errors = [], []
    for index, item in enumerate(data.opinions):
        try:  # from the version's tree, kept by the process: no query
            provisions.append(services.resolve_node(version, item.article, item.clause) if version else None)
        except services.UnknownProvision:
            errors.append({"pointer": f"/opinions/{index}/article",
                           "detail": _("The draft has no such article or clause.")})
    if errors:
        existing = services.draft_id(consultation.id, token.organisation_id)
        if existing is not None:  # as before: a draft in preparation is the first thing said
            raise _draft_exists(existing)
        raise ApiProblem(422, "validation-error", _("Invalid submission"),
                         _("Some fields are missing or not valid; see errors."), errors=errors)
    try:
        letter, created = services.start_letter(
            consultation, token.organisation, letter_number=data.letter_number, letter_date=data.letter_date,
            signer_name=data.signer_name, signer_title=data.signer_title, no_comment=data.no_comment,
            opinions=[(provision, item.body) for provision, item in zip(provisions, data.opinions)])
    except services.NotOnRoster:
        raise ApiProblem(403, "not-on-roster", _("Forbidden"),
                         _("Your organisation is not asked for its opinion on this consultation.")) from None
    if not created:  # made before, or by a twin request a moment ago: answer as its replay would
        raise _draft_exists(letter)
    body, location = serialize.submission(letter), url_for("api.get_submission", submission_id=letter.id,
                                                            _external=True)
    commit_with_token_use()  # the letter and the token's last use: one commit
    return jsonify(body), 201, {"Location": location}


def _draft_exists(draft_id: int) -> ApiProblem:
    return ApiProblem(409, "draft-exists", _("A draft exists"),
                      _("Your organisation already has a submission in preparation: submit or delete it first."),
                      submission_id=draft_id)


@bp.delete("/v1/submissions/<int:submission_id>")
@require_scope("submissions:write")
def delete_submission(submission_id: int):
    submission = _own_submission(submission_id)
    if submission.status != "draft":
        raise _locked(submission)
    services.discard_draft(submission, None, attachments.upload_root(current_app))
    db.session.commit()
    return "", 204


@bp.put("/v1/submissions/<int:submission_id>/attachment")
@require_scope("submissions:write")
def put_attachment(submission_id: int):
    submission = _own_submission(submission_id)
    if submission.status != "draft":
        raise _locked(submission)
    _check_accepting(submission.consultation)
    if request.mimetype != "application/pdf":
        raise ApiProblem(415, "unsupported-media-type", _("Unsupported media type"),
                         _("Send the signed letter as the raw body with 'Content-Type: application/pdf'."))
    limit = attachments.max_bytes(current_app)
    if request.content_length is not None and request.content_length > limit:
        raise _invalid_attachment("too_large", limit, 413)
    data = request.get_data(cache=False)
    try:
        pages = attachments.check_pdf(data, limit)
    except attachments.InvalidAttachment as error:
        raise _invalid_attachment(error.code, limit, 413 if error.code == "too_large" else 422) from None
    stored = attachments.store_pdf(attachments.upload_root(current_app), data, pages)
    filename = request.headers.get("Content-Disposition", "")
    try:
        services.attach_pdf(submission, stored, _filename(filename) or f"{submission.organisation.code}.pdf")
    except services.SubmissionLocked:  # submitted by a twin request a moment ago
        db.session.rollback()
        raise _locked(submission) from None
    db.session.commit()
    return jsonify(serialize.submission(submission))


def _invalid_attachment(code: str, limit: int, status: int) -> ApiProblem:
    kind = "payload-too-large" if status == 413 else "invalid-attachment"
    return ApiProblem(status, kind, _("Invalid attachment"), attachment_problem(code, limit),
                      errors=[{"pointer": "", "detail": attachment_problem(code, limit)}])


def _filename(disposition: str) -> str:
    """The ``filename=`` of a Content-Disposition header, without any path."""
    for part in disposition.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "filename":
            return attachments.safe_download_name(value.strip().strip('"'), "")[:255]
    return ""


@bp.post("/v1/submissions/<int:submission_id>/submit")
@require_scope("submissions:write")
def submit_submission(submission_id: int):
    submission = _own_submission(submission_id)
    try:
        services.submit(submission, None, **_audit_detail())
    except services.AlreadySubmitted:
        db.session.rollback()
        raise _locked(submission) from None
    except services.ConsultationArchived:
        db.session.rollback()
        raise _archived() from None
    except services.IncompleteSubmission as incomplete:
        # 409, not 422: the request is well formed; the draft's state does not allow it yet.
        db.session.rollback()
        raise ApiProblem(409, "incomplete-submission", _("Incomplete submission"),
                         _("The submission cannot be submitted yet; see errors."),
                         errors=[{"pointer": f"/{code}", "detail": submit_problem(code)}
                                 for code in incomplete.missing]) from None
    db.session.commit()
    return jsonify(serialize.submission(submission))
