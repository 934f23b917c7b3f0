"""File upload: a PDF (an organisation's report or signed letter), checked by content and size.

The file is stored under ``instance/survey_uploads/<survey id>/`` with a random name, never in a
static folder; the answer keeps the path relative to ``instance/``, the name as sent and the size.

A file answered again or removed is deleted from disk once the page's answers are committed, and
a new file that ends up stored nowhere (the page was refused, the question hidden, the request
failed) is deleted too; see ``_UploadSweeper``.
"""
from __future__ import annotations

import logging
import secrets
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from consult.extensions import db
from consult.textnorm import clean_control
from surveys.kinds.base import Entry, Kind, number_param
from surveys.models import Answer, Question

PDF_MAGIC = b"%PDF-"
#: Default size limit of one file; ``SURVEY_UPLOAD_MAX_BYTES`` in the config overrides it.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_FOLDER = "survey_uploads"


def max_bytes(question: Question) -> int:
    limit = current_app.config.get("SURVEY_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    per_question = number_param(question, "max_mb")
    return min(limit, int(per_question * 1024 * 1024)) if per_question and per_question > 0 else limit


def stored_path(relative: str) -> Path:
    """The absolute path of a stored upload, refusing anything outside the upload folder."""
    root = (Path(current_app.instance_path) / UPLOAD_FOLDER).resolve()
    path = (Path(current_app.instance_path) / relative).resolve()
    if root not in path.parents:
        raise ValueError("not an upload path")
    return path


class _UploadSweeper:
    """Deletes uploaded files no answer holds any more, once the transaction commits.

    The kind only reads one question's form data; whether its new answer is stored (and the
    old one dropped) is decided later by the page as a whole, and made final by the commit.
    So ``read`` only *watches* the files involved: the one replaced or removed, and the one
    just written. Just before the outermost commit, the watched files that no ``Answer``
    row holds are marked; after the commit they are deleted. A rollback deletes the files
    written during it (no committed row can hold them) and keeps the others.
    """

    key = "surveys.upload_sweeper"

    def __init__(self):
        event.listen(Session, "before_commit", self._before_commit)
        event.listen(Session, "after_commit", self._after_commit)
        event.listen(Session, "after_rollback", self._after_rollback)

    def watch(self, relative: str, *, written: bool = False) -> None:
        try:
            path = stored_path(relative)
        except ValueError:  # not one of our uploads: never touch it
            return
        watched = db.session.info.setdefault(self.key, {})
        watched[relative] = (path, written or watched.get(relative, (None, False))[1])

    def _before_commit(self, session: Session) -> None:
        watched = session.info.get(self.key)
        if not watched or session.in_nested_transaction():
            return
        held = set(session.scalars(select(Answer.file_path)
                                   .where(Answer.file_path.in_(list(watched)))))
        session.info[self.key + ".doomed"] = [path for relative, (path, _w) in watched.items()
                                              if relative not in held]

    def _after_commit(self, session: Session) -> None:
        doomed = session.info.pop(self.key + ".doomed", None)
        if doomed is not None:
            session.info.pop(self.key, None)
            _delete(doomed)

    def _after_rollback(self, session: Session) -> None:
        if session.in_nested_transaction():
            return
        watched = session.info.pop(self.key, {})
        session.info.pop(self.key + ".doomed", None)
        _delete([path for path, written in watched.values() if written])


def _delete(paths) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the answers are right already; a left-over file harms no one
            logging.getLogger(__name__).warning("Could not delete %s", path)


_sweeper = _UploadSweeper()


def release(answer: Answer) -> None:
    """An answer row is being dropped (its question hidden by logic, say): its file leaves the
    disk once the change is committed, unless another answer still holds it."""
    if answer.file_path:
        _sweeper.watch(answer.file_path)


def _display_name(filename: str) -> str:
    name = PurePath(clean_control(filename).replace("\\", "/")).name.strip()
    return name[-200:] or "tep.pdf"


def _size_text(size: int) -> str:
    return _("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))


class FileUpload(Kind):
    tally_family = "file"
    key = "file"
    xlsform_type = "file"
    label = _l("File upload (PDF)")
    macro = "file"
    parameters = ("max_mb",)

    def read(self, question, form, files, previous):
        kept = previous.value if previous is not None and previous.answered else None
        upload = files.get(self.field_name(question)) if files else None
        if upload is None or not upload.filename:
            if form.get(self.field_name(question, "remove")):
                if kept:
                    _sweeper.watch(kept["path"])
                return Entry()
            return Entry(value=kept, raw=dict(kept or {}))
        entry = Entry(value=kept, raw=dict(kept or {}))
        limit = max_bytes(question)
        content = upload.stream.read(limit + 1)
        if len(content) > limit:
            entry.errors.append(_("The file is larger than the %(size)s MB allowed.",
                                  size=format_decimal(round(limit / 1024 / 1024, 1))))
        elif not content.startswith(PDF_MAGIC):
            entry.errors.append(_("Please send a PDF file: this file is not a PDF."))
        else:
            entry.value = self._store(question, content, upload.filename)
            entry.raw = dict(entry.value)
            _sweeper.watch(entry.value["path"], written=True)
            if kept:
                _sweeper.watch(kept["path"])
        return entry

    @staticmethod
    def _store(question: Question, content: bytes, filename: str) -> dict:
        relative = f"{UPLOAD_FOLDER}/{question.survey_id}/{secrets.token_hex(16)}.pdf"
        path = Path(current_app.instance_path) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return {"path": relative, "name": _display_name(filename), "size": len(content)}

    def to_rows(self, question, entry):
        if not entry.answered:
            return []
        value = entry.value
        return [{"file_path": value["path"], "value_text": value["name"],
                 "value_number": float(value["size"])}]

    def from_rows(self, question, answers):
        if not answers or not answers[0].file_path:
            return Entry()
        value = {"path": answers[0].file_path, "name": answers[0].value_text or "",
                 "size": int(answers[0].value_number or 0)}
        return Entry(value=value, raw=dict(value))

    def logic_value(self, question, entry):
        return entry.value["name"] if entry.answered else ""

    def display(self, question, entry, locale="vi"):
        if not entry.answered:
            return []
        return [f"{entry.value['name']} ({_size_text(entry.value['size'])})"]
