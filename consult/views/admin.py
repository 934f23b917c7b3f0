"""Pages for the drafting team: moderation, the audit trail, importing draft versions."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext as _, ngettext
from flask_login import current_user

from consult import drafts, moderation, scoping
from consult.auth import role_required
from consult.domain import COMMENT_STATUSES, DRAFTER_ROLES, MODERATION_ACTION_LABELS, MODERATOR_ROLES, ROLES
from consult.extensions import db
from consult.forms import DraftUploadForm, ModerationForm
from consult.legal_text import DraftParseError, UnreadableDocument, read_draft
from consult.models import Comment, Draft, DraftVersion

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")


@bp.get("/")
@role_required(*MODERATOR_ROLES)
def index():
    consultations = scoping.team_consultations()
    return render_template("admin/index.html", counts=moderation.status_counts(scoping.comment_clause()),
                           consultations=consultations, roles=ROLES)


#: A page number as typed in the address; longer runs of digits are past any last page.
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def _queue_status(value: str | None) -> str:
    return value if value in COMMENT_STATUSES and value != "draft" else "pending"


def _requested_page(text: str | None) -> int | None:
    """The page asked for: 1 when none, None when not a number, a huge one past any end."""
    text = (text or "").strip()
    if not text:
        return 1
    if _PAGE_NUMBER.fullmatch(text):
        return int(text)
    return 10 ** 9 if text.isascii() and text.isdigit() else None


def _linked_comment(text: str | None) -> Comment | None:
    """``?comment=<id>`` (from the text analysis pages): the comment to show, on its page."""
    if not text or not _PAGE_NUMBER.fullmatch(text):
        return None
    comment = db.session.get(Comment, int(text))
    if comment is not None and not scoping.can_see_consultation_id(comment.consultation_id):
        return None
    return comment if comment is not None and comment.status != "draft" else None


@bp.get("/kiem-duyet")
@role_required(*MODERATOR_ROLES)
def moderation_queue():
    status = _queue_status(request.args.get("status"))
    asked = _requested_page(request.args.get("page"))
    linked = _linked_comment(request.args.get("comment"))
    if linked is not None:
        status, asked = linked.status, moderation.page_of(linked, scope=scoping.comment_clause())
    pager = moderation.queue_page(status, asked or 1, scope=scoping.comment_clause())
    _explain_page(asked, pager)
    return render_template("admin/moderation.html", status=status, pager=pager,
                           comments=pager.comments, counts=moderation.status_counts(scoping.comment_clause()),
                           form=ModerationForm(), action_labels=MODERATION_ACTION_LABELS)


def _explain_page(asked: int | None, pager: moderation.QueuePage) -> None:
    """Say so when the page shown is not the one asked for."""
    if asked is None or asked < 1:
        flash(_("The page number was not understood: the first page is shown."), "info")
    elif asked > pager.pages:
        flash(ngettext("This list has only %(pages)s page: it is shown.",
                       "This list has only %(pages)s pages: the last one is shown.",
                       pager.pages, pages=format_decimal(pager.pages)), "info")


def _back_to_queue():
    """The queue page the moderator came from, or the last one if it has emptied since."""
    status = _queue_status(request.args.get("status"))
    asked = _requested_page(request.args.get("page")) or 1
    number = min(max(asked, 1), moderation.page_count(moderation.count(status, scope=scoping.comment_clause())))
    return redirect(url_for("admin.moderation_queue", status=status,
                            page=number if number > 1 else None))


@bp.post("/kiem-duyet/<int:comment_id>")
@role_required(*MODERATOR_ROLES)
def moderate(comment_id: int):
    comment = scoping.object_or_404(Comment, comment_id)
    form = ModerationForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return render_template("admin/moderation.html", status=comment.status, pager=None,
                               comments=[comment], counts=moderation.status_counts(scoping.comment_clause()),
                               form=form, action_labels=MODERATION_ACTION_LABELS,
                               failed_id=comment.id), 422
    if moderation.moderate(comment, form.action.data, current_user, form.reason.data or ""):
        db.session.commit()
        flash(_("Comment #%(id)s: %(status)s.", id=comment.id,
                status=COMMENT_STATUSES[comment.status]), "success")
    else:
        flash(_("Comment #%(id)s was already in that state; nothing changed.", id=comment.id), "info")
    return _back_to_queue()


@bp.get("/nhat-ky")
@role_required(*MODERATOR_ROLES)
def audit_trail():
    return render_template("admin/audit.html", events=moderation.audit_trail(scope=scoping.audit_clause()))


@bp.route("/du-thao/<int:draft_id>/nhap", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def import_version(draft_id: int):
    draft = scoping.object_or_404(Draft, draft_id)
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
        source = read_draft(upload.filename, upload.read())
        version = drafts.create_version(draft, source, upload.filename, actor=current_user)
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
    version = scoping.object_or_404(DraftVersion, version_id)
    return render_template("admin/version.html", version=version,
                           toc=drafts.table_of_contents(version))


@bp.post("/phien-ban/<int:version_id>/cong-bo")
@role_required(*DRAFTER_ROLES)
def publish_version(version_id: int):
    version = scoping.object_or_404(DraftVersion, version_id)
    if version.published_at is None:
        drafts.publish_version(version, actor=current_user)
        db.session.commit()
        flash(_("Version %(number)s is published: citizens now read and comment on it.",
                number=version.number), "success")
    return redirect(url_for("admin.version_report", version_id=version.id))
