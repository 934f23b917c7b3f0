"""Pages for the drafting team: moderation, the audit trail, importing draft versions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult import drafts, moderation
from consult.auth import role_required
from consult.domain import COMMENT_STATUSES, DRAFTER_ROLES, MODERATION_ACTION_LABELS, MODERATOR_ROLES
from consult.extensions import db
from consult.forms import DraftUploadForm, ModerationForm
from consult.legal_text import DraftParseError, UnreadableDocument, read_document
from consult.models import Comment, Consultation, Draft, DraftVersion

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")


@bp.get("/")
@role_required(*MODERATOR_ROLES)
def index():
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.id)).all()
    return render_template("admin/index.html", counts=moderation.status_counts(),
                           consultations=consultations)


@bp.get("/kiem-duyet")
@role_required(*MODERATOR_ROLES)
def moderation_queue():
    status = request.args.get("status", "pending")
    if status not in COMMENT_STATUSES or status == "draft":
        status = "pending"
    return render_template("admin/moderation.html", status=status,
                           comments=moderation.queue(status), counts=moderation.status_counts(),
                           form=ModerationForm(), action_labels=MODERATION_ACTION_LABELS)


@bp.post("/kiem-duyet/<int:comment_id>")
@role_required(*MODERATOR_ROLES)
def moderate(comment_id: int):
    comment = db.session.get(Comment, comment_id) or abort(404)
    form = ModerationForm()
    back = url_for("admin.moderation_queue", status=request.args.get("status", "pending"))
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return render_template("admin/moderation.html", status=comment.status,
                               comments=[comment], counts=moderation.status_counts(),
                               form=form, action_labels=MODERATION_ACTION_LABELS,
                               failed_id=comment.id), 422
    if moderation.moderate(comment, form.action.data, current_user, form.reason.data or ""):
        db.session.commit()
        flash(_("Comment #%(id)s: %(status)s.", id=comment.id,
                status=COMMENT_STATUSES[comment.status]), "success")
    else:
        flash(_("Comment #%(id)s was already in that state; nothing changed.", id=comment.id), "info")
    return redirect(back)


@bp.get("/nhat-ky")
@role_required(*MODERATOR_ROLES)
def audit_trail():
    return render_template("admin/audit.html", events=moderation.audit_trail())


@bp.route("/du-thao/<int:draft_id>/nhap", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def import_version(draft_id: int):
    draft = db.session.get(Draft, draft_id) or abort(404)
    form = DraftUploadForm()
    if form.validate_on_submit():
        version = _import_upload(draft, form)
        if version is not None:
            return redirect(url_for("admin.version_report", version_id=version.id))
    elif request.method == "POST":
        flash(_("The form has expired; please choose the file again."), "error")
    return render_template("admin/import.html", draft=draft, form=form)


_UNREADABLE_MESSAGES = {
    "empty": lambda: _("The file is empty. Choose the file that holds the draft's text."),
    "unsupported_type": lambda: _("This file is neither plain text (.txt) nor Word (.docx). Save the draft in one of these formats and try again."),
    "bad_encoding": lambda: _("The text file could not be read: save it as UTF-8 (Unicode) and try again."),
    "corrupt_docx": lambda: _("The Word file is damaged or is not really a .docx file."),
}


def _import_upload(draft: Draft, form: DraftUploadForm) -> DraftVersion | None:
    upload = form.document.data
    if upload is None or not getattr(upload, "filename", ""):
        form.document.errors.append(_("Please choose a file to import."))
        return None
    try:
        text = read_document(upload.filename, upload.read())
        version = drafts.create_version(draft, text, upload.filename, actor=current_user)
    except UnreadableDocument as error:
        db.session.rollback()
        form.document.errors.append(_UNREADABLE_MESSAGES.get(error.code, _UNREADABLE_MESSAGES["corrupt_docx"])())
        return None
    except DraftParseError:
        db.session.rollback()
        form.document.errors.append(_("No article (\"Điều 1.\", \"Điều 2.\", …) was found in this file, so it cannot be imported as a draft law."))
        return None
    db.session.commit()
    flash(_("The draft was read. Check the report below before publishing it."), "success")
    return version


@bp.get("/phien-ban/<int:version_id>")
@role_required(*DRAFTER_ROLES)
def version_report(version_id: int):
    version = db.session.get(DraftVersion, version_id) or abort(404)
    return render_template("admin/version.html", version=version,
                           toc=drafts.table_of_contents(version))


@bp.post("/phien-ban/<int:version_id>/cong-bo")
@role_required(*DRAFTER_ROLES)
def publish_version(version_id: int):
    version = db.session.get(DraftVersion, version_id) or abort(404)
    if version.published_at is None:
        drafts.publish_version(version, actor=current_user)
        db.session.commit()
        flash(_("Version %(number)s is published: citizens now read and comment on it.",
                number=version.number), "success")
    return redirect(url_for("admin.version_report", version_id=version.id))
