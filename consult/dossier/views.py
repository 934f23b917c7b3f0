"""The dossier's pages: the drafting team uploads, replaces and withdraws documents; anyone
downloads those of a published consultation."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from consult import races, scoping, uploads
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES
from consult.dossier import bp, services
from consult.dossier.forms import ReplaceForm, UploadForm, WithdrawForm
from consult.dossier.messages import DOCUMENT_KINDS, upload_problem
from consult.dossier.models import DossierDocument
from consult.extensions import db
from consult.models import Consultation

#: Public downloads may be kept by browsers and proxies this long: a version's file never
#: changes (a replacement is a new version at a new address).
PUBLIC_MAX_AGE = 3600


def _team_consultation_or_404(slug: str) -> Consultation:
    """The consultation the team member may work on: 404 for another agency's, too."""
    return scoping.team_consultation_or_404(str(slug))


@scoping.resolves("document_id")
def _document_consultation(value):
    """A dossier document's consultation (agency scoping of the team's dossier pages)."""
    if not (isinstance(value, int) and 0 < value < 2 ** 31):
        return scoping.MISSING
    found = db.session.execute(select(DossierDocument.consultation_id)
                               .where(DossierDocument.id == value)).first()
    return scoping.MISSING if found is None else found[0]


def _document_or_404(consultation: Consultation, document_id: int) -> DossierDocument:
    document = db.session.get(DossierDocument, document_id)
    if document is None or document.consultation_id != consultation.id:
        abort(404)
    return document


def _render_team(consultation: Consultation, *, upload_form=None, failed=None, status=200):
    """The team page; ``failed``: (document id, form) of a row whose form has errors."""
    failed_id, failed_form = failed or (None, None)
    return render_template(
        "dossier/team.html", consultation=consultation,
        entries=services.entries(consultation), kinds=DOCUMENT_KINDS,
        upload_form=upload_form or UploadForm(formdata=None),
        replace_form=ReplaceForm(formdata=None), withdraw_form=WithdrawForm(formdata=None),
        new_form_key=lambda: races.usable_form_key(None),
        failed_id=failed_id, failed_form=failed_form,
        limit_mb=services.max_bytes(current_app) / (1024 * 1024),
    ), status


def _read_upload(form) -> tuple[bytes, uploads.CheckedDocument]:
    """The uploaded file's bytes, checked by content and size; raises ``InvalidUpload``."""
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        raise uploads.InvalidUpload("missing")
    limit = services.max_bytes(current_app)
    data = upload.read(limit + 1)
    return data, uploads.check_document(data, limit)


def _names(upload_name: str, checked: uploads.CheckedDocument, fallback: str) -> tuple[str, str]:
    """(the name shown and downloaded, the name as sent)."""
    return uploads.clean_filename(upload_name, checked.extension, fallback), upload_name or ""


def _say_if_renamed(original: str, cleaned: str) -> None:
    if original != cleaned:
        flash(_("The file's name was tidied for download: “%(name)s”.", name=cleaned), "info")


@bp.get("/quan-tri/tham-van/<slug>/ho-so")
@role_required(*DRAFTER_ROLES)
def team_page(slug: str):
    return _render_team(_team_consultation_or_404(slug))


@bp.post("/quan-tri/tham-van/<slug>/ho-so")
@role_required(*DRAFTER_ROLES)
def upload(slug: str):
    consultation = _team_consultation_or_404(slug)
    form = UploadForm()
    valid = form.validate()
    try:
        data, checked = _read_upload(form)
    except uploads.InvalidUpload as error:
        form.document.errors = [upload_problem(error.code, services.max_bytes(current_app))]
        return _render_team(consultation, upload_form=form, status=422)
    if not valid:
        return _render_team(consultation, upload_form=form, status=422)
    upload_name = request.files["document"].filename
    kind_label = str(DOCUMENT_KINDS[form.kind.data])
    filename, original = _names(upload_name, checked, kind_label)
    form_key, stored = _key_and_first_sending(form.form_key.data,
                                              lambda found: found.consultation_id == consultation.id)
    if stored is None:  # else this form was sent before: the same answer, nothing stored again
        _store_once(data, checked, lambda stored_name: services.add_document(
            consultation, kind=form.kind.data, title=form.title.data or filename.rsplit(".", 1)[0],
            filename=filename, original_filename=original, checked=checked, stored_name=stored_name,
            actor=current_user, form_key=form_key)[1])
    _say_if_renamed(original, filename)
    flash(_("The document is published in the dossier."), "success")
    return redirect(url_for("dossier.team_page", slug=slug))


def _key_and_first_sending(sent: str | None, belongs) -> tuple[str, DossierDocument | None]:
    """A form's one-time key and the document a first sending of that form stored, if any.

    A new key when it is missing, too long, or names a document that ``belongs`` refuses
    (another consultation's, a version of another document): a forged or reused key must
    neither fail nor hide an upload or a replacement."""
    key = races.usable_form_key(sent)
    found = services.document_by_form_key(key)
    if found is not None and not belongs(found):
        return races.usable_form_key(None), None
    return key, found


def _replaced_by(document: DossierDocument, found: DossierDocument) -> bool:
    """Whether ``found`` is the version that replaced ``document``, read again: a twin sending
    of the same form may have committed it since this request loaded the document, and the
    stale copy would turn the twin's key into "another change's" and answer 409."""
    db.session.refresh(document)
    return document.replaced_by_id == found.id


def _store_once(data: bytes, checked: uploads.CheckedDocument, write) -> None:
    """Store the file, then ``write(stored_name)`` its row (returns whether it made one) and
    commit. A twin request that wrote first wins and this request's file is removed, so a
    double click leaves one row and no orphan file; so does ``NotCurrent``, raised again
    after the rollback."""
    root = services.upload_root(current_app)
    stored_name = services.store(root, data, checked)
    try:
        created = write(stored_name)
    except services.NotCurrent:
        db.session.rollback()
        services.discard(root, stored_name)
        raise
    db.session.commit()
    if not created:
        services.discard(root, stored_name)


@bp.post("/quan-tri/tham-van/<slug>/ho-so/<int:document_id>/thay-the")
@role_required(*DRAFTER_ROLES)
def replace(slug: str, document_id: int):
    consultation = _team_consultation_or_404(slug)
    document = _document_or_404(consultation, document_id)
    form = ReplaceForm()
    valid = form.validate()
    try:
        data, checked = _read_upload(form)
    except uploads.InvalidUpload as error:
        form.document.errors = [upload_problem(error.code, services.max_bytes(current_app))]
        return _render_team(consultation, failed=(document.id, form), status=422)
    if not valid:
        return _render_team(consultation, failed=(document.id, form), status=422)
    filename, original = _names(request.files["document"].filename, checked,
                                str(DOCUMENT_KINDS.get(document.kind, "")) or "tai-lieu")
    form_key, published = _key_and_first_sending(form.form_key.data,
                                                 lambda found: _replaced_by(document, found))
    if published is None:  # else this form was sent before: the same answer, nothing stored again
        try:
            _store_once(data, checked, lambda stored_name: services.replace_document(
                document, title=form.title.data or "", filename=filename, original_filename=original,
                checked=checked, stored_name=stored_name, actor=current_user, form_key=form_key)[1])
        except services.NotCurrent:
            flash(_("This document was replaced or withdrawn meanwhile: look at the list again."), "error")
            return _render_team(consultation, status=409)
    _say_if_renamed(original, filename)
    flash(_("The new version is published; the earlier one stays in the history."), "success")
    return redirect(url_for("dossier.team_page", slug=slug))


@bp.post("/quan-tri/tham-van/<slug>/ho-so/<int:document_id>/rut")
@role_required(*DRAFTER_ROLES)
def withdraw(slug: str, document_id: int):
    consultation = _team_consultation_or_404(slug)
    document = _document_or_404(consultation, document_id)
    form = WithdrawForm()
    if not form.validate():
        return _render_team(consultation, failed=(document.id, form), status=422)
    try:
        services.withdraw_document(document, form.reason.data, current_user)
    except services.NotCurrent:
        db.session.rollback()
        flash(_("This document was replaced or withdrawn meanwhile: look at the list again."), "error")
        return _render_team(consultation, status=409)
    db.session.commit()
    flash(_("The document was withdrawn from the public dossier."), "success")
    return redirect(url_for("dossier.team_page", slug=slug))


@bp.get("/quan-tri/tham-van/<slug>/ho-so/<int:document_id>/tep")
@role_required(*DRAFTER_ROLES)
def team_download(slug: str, document_id: int):
    consultation = _team_consultation_or_404(slug)
    document = _document_or_404(consultation, document_id)
    response = _send(document, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/du-thao/<slug>/ho-so/<int:document_id>")
def public_download(slug: str, document_id: int):
    """Any version of a document of a published consultation, unless withdrawn."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None or not consultation.published:
        abort(404)
    document = services.public_document(consultation, document_id)
    if document is None:
        abort(404)
    response = _send(document, max_age=PUBLIC_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


def _send(document: DossierDocument, max_age: int):
    path = services.stored_path(services.upload_root(current_app), document.stored_name)
    if path is None:
        current_app.logger.error("Dossier file missing: document %s (%s)", document.id,
                                 document.stored_name)
        abort(404)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, etag=document.sha256, max_age=max_age,
                         conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A body over even the dossier's own limit: the team page says so in words."""
    if (request.endpoint not in ("dossier.upload", "dossier.replace")
            or not current_user.is_authenticated or current_user.role not in DRAFTER_ROLES):
        from consult.errors import render_error

        return render_error(413)
    consultation = _team_consultation_or_404(request.view_args.get("slug", ""))
    form = UploadForm(formdata=None)
    form.document.errors = [upload_problem("too_large", services.max_bytes(current_app))]
    flash(upload_problem("too_large", services.max_bytes(current_app)), "error")
    return _render_team(consultation, upload_form=form, status=413)
