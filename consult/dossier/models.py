"""The dossier (hồ sơ dự thảo): the documents published with a draft, with their history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models import Consultation, User, utcnow


class DossierDocument(db.Model):
    """One uploaded file of a consultation's dossier. Never deleted and never overwritten:
    replacing it adds a row and points this one at it (``replaced_by_id``, ``superseded_at``);
    withdrawing it keeps the row and the file, with the reason."""

    __tablename__ = "dossier_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: One of ``consult.dossier.DOCUMENT_KINDS`` (tờ trình, báo cáo đánh giá tác động, …).
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    #: The uploaded file's name, cleaned (``consult.uploads.clean_filename``): shown and used
    #: as the download's name. ``original_filename``: as the browser sent it, for the record.
    filename: Mapped[str] = mapped_column(String(255))
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    #: What the content is (``application/pdf`` or the .docx type), never what the browser said.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: Name of the stored file under ``UPLOAD_FOLDER/dossier`` (random; never the upload's name).
    stored_name: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The later version that replaced this one, and when.
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_document.id"))
    superseded_at: Mapped[datetime | None]
    #: Withdrawn from the public dossier (with its earlier versions): when, by whom, why.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    #: The upload form's one-time key: the same form sent twice (a double click, a resend
    #: after a lost answer) finds the document the first sending stored. A unique index,
    #: not a constraint, so SQLite adds it without rebuilding the table.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    consultation: Mapped[Consultation] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None

    @property
    def type_label(self) -> str:
        return "PDF" if self.content_type == "application/pdf" else "Word"
