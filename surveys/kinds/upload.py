"""File upload: a PDF (an organisation's report or signed letter), checked by content and size.

The file is stored under ``instance/survey_uploads/<survey id>/`` with a random name, never in a
static folder; the answer keeps the path relative to ``instance/``, the name as sent and the size.
"""
from __future__ import annotations

import secrets
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l

from consult.textnorm import clean_control
from surveys.kinds.base import Entry, Kind, number_param
from surveys.models import Question

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


def _display_name(filename: str) -> str:
    name = PurePath(clean_control(filename).replace("\\", "/")).name.strip()
    return name[-200:] or "tep.pdf"


def _size_text(size: int) -> str:
    return _("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))


class FileUpload(Kind):
    key = "file"
    label = _l("File upload (PDF)")
    macro = "file"
    parameters = ("max_mb",)

    def read(self, question, form, files, previous):
        kept = previous.value if previous is not None and previous.answered else None
        upload = files.get(self.field_name(question)) if files else None
        if upload is None or not upload.filename:
            if form.get(self.field_name(question, "remove")):
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
