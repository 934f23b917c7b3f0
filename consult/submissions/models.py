"""Formal submissions: the roster of consulted bodies, their letters, officers' invitations, API tokens."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models import Consultation, Organisation, Provision, User, utcnow

#: Life of a formal submission. ``draft`` is being prepared by the organisation; ``submitted``
#: is the organisation's answer in force; ``superseded`` was replaced by a later letter.
SUBMISSION_STATUSES = ("draft", "submitted", "superseded")


class RosterEntry(db.Model):
    """A body that must be consulted on a consultation (danh sách cơ quan được lấy ý kiến)."""

    __tablename__ = "roster_entry"
    __table_args__ = (UniqueConstraint("consultation_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Last moment (naive UTC) the body's letter is expected; shown as a Vietnam date.
    deadline: Mapped[datetime]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Submission(db.Model):
    """One official letter (công văn) of an organisation with its opinions.

    At most one draft and one letter in force per organisation and consultation: the
    ``draft_slot`` and ``current_slot`` columns hold a constant only in that state and
    NULL otherwise, and NULLs never collide in a unique constraint (SQLite and PostgreSQL).
    """

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("consultation_id", "organisation_id", "draft_slot",
                         name="uq_submission_one_draft"),
        UniqueConstraint("consultation_id", "organisation_id", "current_slot",
                         name="uq_submission_one_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: One of ``SUBMISSION_STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    draft_slot: Mapped[str | None] = mapped_column(String(8), default="draft")
    current_slot: Mapped[str | None] = mapped_column(String(8))
    #: The draft version the opinions were written on.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("draft_version.id"))
    #: Số hiệu văn bản, e.g. "1234/BTP-PLDSKT".
    letter_number: Mapped[str] = mapped_column(String(64), default="")
    letter_date: Mapped[date | None]
    signer_name: Mapped[str] = mapped_column(String(255), default="")
    signer_title: Mapped[str] = mapped_column(String(255), default="")
    #: "Nhất trí với dự thảo, không có ý kiến thêm": the body agrees and adds nothing.
    no_comment: Mapped[bool] = mapped_column(default=False)
    #: Stored file name under ``instance/uploads/submissions``; "" while no PDF is attached.
    attachment_name: Mapped[str] = mapped_column(String(64), default="")
    #: The file name the organisation uploaded, shown on download.
    attachment_filename: Mapped[str] = mapped_column(String(255), default="")
    attachment_size: Mapped[int] = mapped_column(default=0)
    attachment_sha256: Mapped[str] = mapped_column(String(64), default="")
    attachment_pages: Mapped[int] = mapped_column(default=0)
    #: ``web`` or ``api``.
    channel: Mapped[str] = mapped_column(String(8), default="web")
    receipt_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The earlier letter in force that this one replaced.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    superseded_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    supersedes: Mapped["Submission | None"] = relationship(remote_side="Submission.id")
    opinions: Mapped[list["SubmissionOpinion"]] = relationship(
        back_populates="submission", order_by="SubmissionOpinion.id", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


class SubmissionOpinion(db.Model):
    """One opinion in a letter: on an article (or one of its clauses) or on the whole draft."""

    __tablename__ = "submission_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    #: None for a general opinion on the draft as a whole.
    provision_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"), index=True)
    #: The article holding ``provision_id`` (itself for an article), for counts by article.
    article_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"), index=True)
    #: The text as written (control characters removed), shown to people.
    body: Mapped[str] = mapped_column(Text)
    #: ``normalize_text(body)``: for search, counting and analysis.
    body_normalized: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The drafting team's answer (None while undecided); see ``consult.models.Decision``.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)

    submission: Mapped[Submission] = relationship(back_populates="opinions")
    provision: Mapped[Provision | None] = relationship(foreign_keys=[provision_id])
    article: Mapped[Provision | None] = relationship(foreign_keys=[article_id])


class OfficerInvitation(db.Model):
    """A one-time link e-mailed to a future officer; only the token's SHA-256 is kept."""

    __tablename__ = "officer_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    accepted_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class ApiToken(db.Model):
    """A bearer token for an organisation's system; only the token's SHA-256 is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    #: The first characters of the token, shown so that people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Space-separated, from ``consult.api.tokens.SCOPES``.
    scopes: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
