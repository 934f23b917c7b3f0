"""Pages for the drafting team: confirm article matches, compare versions, the law in force."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import drafts, scoping, versions
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES, MATCH_KINDS
from consult.extensions import db
from consult.forms import ConfirmMatchesForm, DraftUploadForm
from consult.legal_text import DraftParseError, UnreadableDocument, read_draft
from consult.models import Draft, DraftVersion

bp = Blueprint("versions", __name__, url_prefix="/quan-tri")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _version_pair(version_id: int) -> tuple[DraftVersion, DraftVersion, list]:
    """The version, the one before it, and its stored matches, read once for the whole page."""
    version = scoping.object_or_404(DraftVersion, version_id)
    previous = versions.previous_version(version)
    if previous is None or version.draft.kind != "draft":
        abort(404)
    rows, suggested = versions.matches_or_suggestions(version)
    if suggested:  # a version imported before matching existed
        db.session.commit()
    return previous, version, rows


def _typed_targets(old: versions.VersionTree) -> dict[int, str]:
    return {article.id: request.form.get(f"dieu-{article.id}", "") for article in old.articles}


def _suggested_targets(version: DraftVersion, old: versions.VersionTree, new: versions.VersionTree,
                       rows: list) -> dict[int, str]:
    return {old_id: ", ".join(new.by_id[new_id].number for new_id in new_ids)
            for old_id, new_ids in versions.article_targets(version, rows, old).items()}


@bp.route("/phien-ban/<int:version_id>/doi-chieu", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def matches(version_id: int):
    previous, version, stored = _version_pair(version_id)
    old, new = versions.VersionTree(previous), versions.VersionTree(version)
    form = ConfirmMatchesForm()
    typed, unknown = _suggested_targets(version, old, new, stored), {}
    if form.validate_on_submit():
        typed = _typed_targets(old)
        targets, unknown = versions.parse_targets(typed, new)
        if not unknown:
            changed = versions.confirm_matches(version, targets, current_user)
            db.session.commit()
            flash(_("The matches are confirmed (%(changed)s corrected by you). Opinions on version %(old)s "
                    "now follow them.", changed=changed, old=previous.number), "success")
            return redirect(url_for("versions.compare", version_id=version.id))
        flash(_("Some article numbers are not in version %(number)s: see the rows marked below.",
                number=version.number), "error")
    elif request.method == "POST":
        flash(_("The form has expired; please send it again."), "error")
    page = render_template("versions/matches.html", previous=previous, version=version, old=old, new=new,
                           typed=typed, unknown=unknown, rows=_rows_by_old(stored), form=form,
                           confirmed=versions.is_confirmed(version, stored), MATCH_KINDS=MATCH_KINDS)
    return page, 422 if unknown else 200


def _rows_by_old(stored: list) -> dict:
    rows: dict = {}
    for row in stored:
        rows.setdefault(row.old_provision_id, []).append(row)
    return rows


def _changed_only() -> bool:
    return request.args.get("thay-doi") == "1"


@bp.get("/phien-ban/<int:version_id>/so-sanh")
@role_required(*DRAFTER_ROLES)
def compare(version_id: int):
    previous, version, stored = _version_pair(version_id)
    rows = versions.comparison(previous, version, changed_only=_changed_only(), rows=stored)
    headings = (_("Version %(number)s", number=previous.number), _("Version %(number)s", number=version.number))
    title = _("Comparison of version %(old)s and version %(new)s", old=previous.number, new=version.number)
    return render_template("versions/compare.html", rows=rows, headings=headings, changed_only=_changed_only(), title=title,
                           draft=version.draft, version=version, MATCH_KINDS=MATCH_KINDS,
                           docx_url=url_for("versions.compare_docx", version_id=version.id),
                           here=url_for("versions.compare", version_id=version.id),
                           confirmed=versions.is_confirmed(version, stored))


@bp.get("/phien-ban/<int:version_id>/bang-so-sanh.docx")
@role_required(*DRAFTER_ROLES)
def compare_docx(version_id: int):
    previous, version, stored = _version_pair(version_id)
    rows = versions.comparison(previous, version, changed_only=_changed_only(), rows=stored)
    title = _("Comparison table: version %(old)s and version %(new)s of %(title)s",
              old=previous.number, new=version.number, title=version.draft.title)
    headings = (_("Version %(number)s", number=previous.number), _("Version %(number)s", number=version.number))
    filename = f"bang-so-sanh-v{previous.number}-v{version.number}.docx"
    from consult.comparison_docx import comparison_docx  # python-docx loads on the first download

    return _docx_response(comparison_docx(title, headings, rows), filename)


def _docx_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype=DOCX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- the law in force ------------------------------------------------------------------------

def _draft_or_404(draft_id: int) -> Draft:
    draft = scoping.object_or_404(Draft, draft_id)
    if draft.kind != "draft":
        abort(404)
    return draft


@bp.route("/du-thao/<int:draft_id>/luat-hien-hanh", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def import_reference(draft_id: int):
    draft = _draft_or_404(draft_id)
    form = DraftUploadForm()
    if form.validate_on_submit() and _store_reference(draft, form):
        return redirect(url_for("versions.compare_reference", draft_id=draft.id))
    if request.method == "POST" and "csrf_token" in form.errors:
        flash(_("The form has expired; please choose the file again."), "error")
    reference = versions.latest_version(draft.consultation.law_in_force)
    return render_template("versions/reference.html", draft=draft, form=form, reference=reference)


def _store_reference(draft: Draft, form: DraftUploadForm) -> bool:
    upload = form.document.data
    if upload is None or not getattr(upload, "filename", ""):
        form.document.errors.append(_("Please choose a file to import."))
        return False
    try:
        source = read_draft(upload.filename, upload.read())
        drafts.create_version(versions.reference_draft(draft.consultation), source, upload.filename, actor=current_user)
    except (UnreadableDocument, DraftParseError):
        db.session.rollback()
        form.document.errors.append(_("This file could not be read as a legal text with articles "
                                      "(\"Điều 1.\", …). Save it as .txt (UTF-8) or .docx and try again."))
        return False
    db.session.commit()
    flash(_("The law in force was read. It is compared with the draft below."), "success")
    return True


def _reference_pair(draft: Draft) -> tuple[DraftVersion, DraftVersion]:
    reference = versions.latest_version(draft.consultation.law_in_force)
    version = draft.current_version or versions.latest_version(draft)
    if reference is None or version is None:
        abort(404)
    return reference, version


@bp.get("/du-thao/<int:draft_id>/so-sanh-luat-hien-hanh")
@role_required(*DRAFTER_ROLES)
def compare_reference(draft_id: int):
    draft = _draft_or_404(draft_id)
    reference, version = _reference_pair(draft)
    rows = versions.comparison(reference, version, versions.reference_matches(reference, version), _changed_only())
    headings = (_("Law in force"), _("Draft, version %(number)s", number=version.number))
    return render_template("versions/compare.html", rows=rows, headings=headings, changed_only=_changed_only(),
                           title=_("Comparison with the law in force"), draft=draft, version=version,
                           MATCH_KINDS=MATCH_KINDS, here=url_for("versions.compare_reference", draft_id=draft.id),
                           docx_url=url_for("versions.compare_reference_docx", draft_id=draft.id), confirmed=None)


@bp.get("/du-thao/<int:draft_id>/bang-so-sanh-luat-hien-hanh.docx")
@role_required(*DRAFTER_ROLES)
def compare_reference_docx(draft_id: int):
    draft = _draft_or_404(draft_id)
    reference, version = _reference_pair(draft)
    rows = versions.comparison(reference, version, versions.reference_matches(reference, version), _changed_only())
    title = _("Comparison table of %(title)s with the law in force", title=draft.title)
    headings = (_("Law in force"), _("Draft, version %(number)s", number=version.number))
    from consult.comparison_docx import comparison_docx  # python-docx loads on the first download

    return _docx_response(comparison_docx(title, headings, rows), "bang-so-sanh-luat-hien-hanh.docx")
