"""The dossier's services: add, replace and withdraw documents; list them with their history.

Nothing is deleted: a replaced version keeps its row and its file (the public can still
download it from the history), a withdrawn document keeps both with the reason. Every change
is in the audit trail.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from consult import audit, races, uploads
from consult.dossier.messages import DOCUMENT_KINDS
from consult.dossier.models import DossierDocument
from consult.extensions import db
from consult.models import Consultation, User, utcnow

#: Largest dossier file, in bytes (``GOPY_DOSSIER_MAX_BYTES`` overrides it).
DOSSIER_MAX_BYTES = 20 * 1024 * 1024
#: What a dossier request may carry beyond the file: the form's other fields, multipart framing.
BODY_MARGIN = 1024 * 1024

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|docx)$")


class NotCurrent(Exception):
    """The document was replaced or withdrawn meanwhile (another tab, another member)."""


@dataclass
class DossierEntry:
    """A document as listed: its current version and the earlier ones, newest first."""
    current: DossierDocument
    history: list[DossierDocument] = field(default_factory=list)

    @property
    def withdrawn(self) -> bool:
        return self.current.withdrawn_at is not None


def upload_root(app) -> Path:
    """``UPLOAD_FOLDER`` (or ``instance/uploads``), then ``dossier``: inside what
    ``flask backup`` saves, never under static."""
    base = app.config.get("UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads")
    return Path(base) / "dossier"


def max_bytes(app) -> int:
    return int(app.config.get("DOSSIER_MAX_BYTES") or DOSSIER_MAX_BYTES)


def stored_path(root: Path, name: str) -> Path | None:
    """The stored file's path, or None when the name is not one we made or the file is gone."""
    if not _STORED_NAME.fullmatch(name or ""):
        return None
    path = root / name
    return path if path.is_file() else None


def store(root: Path, data: bytes, checked: uploads.CheckedDocument) -> str:
    """Write checked bytes under a new random name; return the name."""
    return uploads.store_bytes(root, data, checked.extension)


def discard(root: Path, name: str) -> None:
    """Remove a file stored for a change that was then refused, so no orphan stays on disk."""
    path = stored_path(root, name)
    if path is not None:
        path.unlink(missing_ok=True)


def entries(consultation: Consultation, *, include_withdrawn: bool = True) -> list[DossierEntry]:
    """The consultation's documents, current versions with their history, by kind then by
    when the first version came."""
    rows = db.session.scalars(select(DossierDocument)
                              .where(DossierDocument.consultation_id == consultation.id)
                              .order_by(DossierDocument.uploaded_at, DossierDocument.id)).all()
    earlier: dict[int, DossierDocument] = {row.replaced_by_id: row for row in rows if row.replaced_by_id}
    listed = []
    for row in rows:
        if row.replaced_by_id is not None:
            continue
        entry = DossierEntry(current=row)
        previous = earlier.get(row.id)
        while previous is not None and len(entry.history) < len(rows):
            entry.history.append(previous)
            previous = earlier.get(previous.id)
        if include_withdrawn or not entry.withdrawn:
            listed.append(entry)
    order = list(DOCUMENT_KINDS)

    def first_upload(entry: DossierEntry):
        oldest = entry.history[-1] if entry.history else entry.current
        return (oldest.uploaded_at, oldest.id)

    return sorted(listed, key=lambda entry: (order.index(entry.current.kind)
                                             if entry.current.kind in order else len(order),
                                             first_upload(entry)))


def head_of(document: DossierDocument) -> DossierDocument:
    """The current version of the document ``document`` is a version of."""
    seen = {document.id}
    while document.replaced_by_id is not None:
        document = db.session.get(DossierDocument, document.replaced_by_id)
        if document is None or document.id in seen:
            break
        seen.add(document.id)
    return document


def public_document(consultation: Consultation, document_id: int) -> DossierDocument | None:
    """A document anyone may download: of this consultation, whether current or replaced,
    unless the document was withdrawn (its earlier versions go with it)."""
    document = db.session.get(DossierDocument, document_id)
    if document is None or document.consultation_id != consultation.id:
        return None
    head = head_of(document)
    return None if head is None or head.withdrawn_at is not None else document


def document_by_form_key(form_key: str) -> DossierDocument | None:
    """The document an upload form with this one-time key stored, if any."""
    return db.session.scalar(select(DossierDocument).where(DossierDocument.form_key == form_key))


def add_document(consultation: Consultation, *, kind: str, title: str, filename: str,
                 original_filename: str, checked: uploads.CheckedDocument, stored_name: str,
                 actor: User | None, form_key: str | None = None) -> tuple[DossierDocument, bool]:
    """Add a new document to the dossier (in the session; the caller commits).

    Returns ``(document, created)``. Twin sendings of one upload form (a double click) carry
    the same ``form_key``: the losers of the race meet its unique index and get the winner's
    document (``created`` False); their caller removes the file it stored."""
    def add() -> DossierDocument:
        document = DossierDocument(
            consultation=consultation, kind=kind, title=title, filename=filename,
            original_filename=(original_filename or "")[:255], content_type=checked.content_type,
            size=checked.size, sha256=checked.sha256, stored_name=stored_name,
            uploaded_by_id=actor.id if actor is not None else None, uploaded_at=utcnow(),
            form_key=form_key,
        )
        db.session.add(document)
        db.session.flush()
        audit.record(actor, "dossier_upload", consultation, document_id=document.id, kind=kind,
                     title=title, filename=filename, sha256=checked.sha256, size=checked.size)
        return document

    if form_key is None:
        return add(), True
    return races.insert_or_find(add, lambda: document_by_form_key(form_key))


def replace_document(document: DossierDocument, *, title: str, filename: str, original_filename: str,
                     checked: uploads.CheckedDocument, stored_name: str,
                     actor: User | None, form_key: str | None = None) -> tuple[DossierDocument, bool]:
    """Put a new version in place of ``document``, which stays in the history.

    Returns ``(newer, created)``. Raises ``NotCurrent`` when it was replaced or withdrawn
    meanwhile: of two replacements at once, one wins and the other is told, rather than
    forking the history. Twin sendings of one replace form carry the same ``form_key``: the
    losers meet its unique index and get the winner's version (``created`` False) instead of
    ``NotCurrent``; their caller removes the file it stored."""
    def add() -> DossierDocument:
        newer = DossierDocument(
            consultation_id=document.consultation_id, kind=document.kind, title=title or document.title,
            filename=filename, original_filename=(original_filename or "")[:255],
            content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
            stored_name=stored_name, uploaded_by_id=actor.id if actor is not None else None,
            uploaded_at=utcnow(), form_key=form_key,
        )
        db.session.add(newer)
        db.session.flush()
        return newer

    # Twins wait here for the first to commit, and the savepoint below is nested in a
    # transaction that has written (pysqlite would otherwise commit it on release).
    races.lock_row(document, "kind")
    if form_key is None:
        newer, created = add(), True
    else:
        newer, created = races.insert_or_find(add, lambda: document_by_form_key(form_key))
    if not created:
        db.session.refresh(document)
        if document.replaced_by_id != newer.id:  # the key is another change's: not a twin
            raise NotCurrent()
        return newer, False
    claimed = db.session.execute(
        update(DossierDocument)
        .where(DossierDocument.id == document.id, DossierDocument.replaced_by_id.is_(None),
               DossierDocument.withdrawn_at.is_(None))
        .values(replaced_by_id=newer.id, superseded_at=newer.uploaded_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise NotCurrent()
    db.session.refresh(document)
    audit.record(actor, "dossier_replace", document.consultation, document_id=newer.id,
                 replaces=document.id, kind=document.kind, title=newer.title, filename=filename,
                 sha256=checked.sha256, size=checked.size)
    return newer, True


def withdraw_document(document: DossierDocument, reason: str, actor: User | None) -> None:
    """Take the document (and its history) off the public dossier, with the reason.
    Raises ``NotCurrent`` when it was replaced or withdrawn meanwhile."""
    now = utcnow()
    claimed = db.session.execute(
        update(DossierDocument)
        .where(DossierDocument.id == document.id, DossierDocument.replaced_by_id.is_(None),
               DossierDocument.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_by_id=actor.id if actor is not None else None,
                withdrawal_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise NotCurrent()
    db.session.refresh(document)
    audit.record(actor, "dossier_withdraw", document.consultation, document_id=document.id,
                 kind=document.kind, title=document.title, reason=reason)
