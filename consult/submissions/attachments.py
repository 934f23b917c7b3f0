"""The signed letter as a PDF: checked by content, limited in size, stored outside static.

Pure module: no Flask. The caller gives the folder (``upload_root(app)``) and the limit.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from consult import uploads
from consult.uploads import InvalidUpload

#: Largest signed letter accepted, in bytes (``SUBMISSION_PDF_MAX_BYTES`` overrides it).
#: Below the app's 10 MB request limit so that the page can say so next to the field.
PDF_MAX_BYTES = 5 * 1024 * 1024

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")


#: The file cannot be the signed letter; ``code`` as ``consult.uploads.InvalidUpload`` says
#: (empty, too_large, not_pdf, damaged, encrypted, no_pages).
InvalidAttachment = InvalidUpload


@dataclass(frozen=True)
class StoredPdf:
    name: str
    size: int
    sha256: str
    pages: int
    #: The folder it was written to: a later replacement deletes the replaced file there.
    root: Path | None = None


def upload_root(app) -> Path:
    """``UPLOAD_FOLDER`` or ``instance/uploads``, then ``submissions``: never under static."""
    base = app.config.get("UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads")
    return Path(base) / "submissions"


def max_bytes(app) -> int:
    return int(app.config.get("SUBMISSION_PDF_MAX_BYTES") or PDF_MAX_BYTES)


def check_pdf(data: bytes, limit: int = PDF_MAX_BYTES) -> int:
    """Return the page count of a readable PDF, or raise ``InvalidAttachment``
    (``consult.uploads.check_pdf``: the bytes decide, never the name or declared type)."""
    return uploads.check_pdf(data, limit)


def store_pdf(root: Path, data: bytes, pages: int) -> StoredPdf:
    """Write the checked bytes under a random name; the upload's name is never a path."""
    name = uploads.store_bytes(root, data, ".pdf")
    return StoredPdf(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(), pages=pages,
                     root=root)


def stored_name_ok(name: str) -> bool:
    """Whether ``name`` is one ``store_pdf`` makes (so never a path elsewhere)."""
    return bool(_STORED_NAME.fullmatch(name or ""))


def stored_path(root: Path, name: str) -> Path | None:
    """The stored file's path, or None when the name is not one we made or the file is gone."""
    if not stored_name_ok(name):
        return None
    path = root / name
    return path if path.is_file() else None


def safe_download_name(filename: str, fallback: str) -> str:
    """A download name ending in .pdf with no path in it."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or fallback
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


class OrphanSweeper:
    """Deletes stored files no row holds any more, once the transaction that let go of them commits.

    ``watch`` a file when a row lets go of it (a draft's PDF replaced or discarded). Just before
    the outermost commit, ``still_used(session, names)`` returns the names some row still holds:
    those files stay, whatever the row (an official letter's PDF is never deleted). The others
    are deleted after the commit. A rollback forgets the watch: the rows keep their files.
    Nothing is deleted before the commit, so a failed request never loses a file still in use.
    """

    def __init__(self, key: str, still_used: Callable[[Session, list[str]], Iterable[str]]):
        self.key, self.doomed_key, self.still_used = key, key + ".doomed", still_used
        event.listen(Session, "before_commit", self._before_commit)
        event.listen(Session, "after_commit", self._after_commit)
        event.listen(Session, "after_rollback", self._after_rollback)

    def watch(self, session: Session, name: str, path: Path) -> None:
        session.info.setdefault(self.key, {})[name] = path

    def _before_commit(self, session: Session) -> None:
        watched = session.info.get(self.key)
        if not watched or session.in_nested_transaction():
            return
        held = set(self.still_used(session, list(watched)))
        session.info[self.doomed_key] = [path for name, path in watched.items() if name not in held]

    def _after_commit(self, session: Session) -> None:
        doomed = session.info.pop(self.doomed_key, None)
        if doomed is None:  # a savepoint, or nothing was checked: keep watching
            return
        session.info.pop(self.key, None)
        for path in doomed:
            try:
                path.unlink(missing_ok=True)
            except OSError:  # the database is right already; a left-over file harms no one
                logging.getLogger(__name__).warning("Could not delete %s", path)

    def _after_rollback(self, session: Session) -> None:
        if not session.in_nested_transaction():
            session.info.pop(self.key, None)
            session.info.pop(self.doomed_key, None)
