"""The consultation's data: organisations, people, the draft and its provisions, comments."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, and_, event, false, or_, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from consult.extensions import db


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL, shown in Vietnam time."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    #: One of ``consult.domain.ORGANISATION_KINDS``.
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str] = mapped_column(String(64), default="")
    #: For a province's People's Committee, the province code (``01`` … ``96``) on the map in
    #: force while the body exists (``consult.data``: 15 was Yên Bái, is Lào Cai since 2025).
    province_code: Mapped[str | None] = mapped_column(String(8))
    #: The first and last day the body exists; None: no known limit. A consultation's roster
    #: and pickers offer the bodies in force on its reference day.
    in_force_from: Mapped[date | None]
    in_force_until: Mapped[date | None]
    #: The body that took over this one's work (a merger); its letters stay its own.
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    #: Earlier names, oldest first, kept when the body is renamed: [{"name", "until"}].
    former_names: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    #: The shortest consultation period, in days, this body runs as a drafting agency; None:
    #: the platform's ``GOPY_MIN_CONSULTATION_DAYS``. A shorter one is kept only with a reason.
    min_consultation_days: Mapped[int | None]

    successor: Mapped["Organisation | None"] = relationship(remote_side="Organisation.id")

    def in_force_on(self, day: date | None) -> bool:
        return day is None or ((self.in_force_from is None or self.in_force_from <= day)
                               and (self.in_force_until is None or day <= self.in_force_until))

    @classmethod
    def in_force_clause(cls, day: date | None):
        """SQL for "exists on ``day``" (every body when ``day`` is None)."""
        if day is None:
            return true()
        return and_(or_(cls.in_force_from.is_(None), cls.in_force_from <= day),
                    or_(cls.in_force_until.is_(None), cls.in_force_until >= day))


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    #: One of ``consult.domain.ROLES``.
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Part of every login session's id (``get_id``); a new value ends all sessions at once
    #: (logout, password change, deactivation), so a copied cookie stops working.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))

    organisation: Mapped[Organisation | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Invalidate every session of this account, on every device."""
        self.session_token = secrets.token_hex(16)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active


class Consultation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: The agency that drafts and consults (Ban soạn thảo's ministry), as shown; ``agency_id`` is
    #: the organisation whose team runs it (None: only the platform's administrators).
    agency: Mapped[str] = mapped_column(String(255), default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Kind of legal document: one of ``consult.domain.DOCUMENT_KINDS`` (luật, nghị định, …).
    document_kind: Mapped[str] = mapped_column(String(32), default="law", server_default="law")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: Shown to the public only once published.
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The day whose administrative map and list of ministries the consultation uses; None:
    #: the day it opens. A consultation keeps its map when it is reopened or extended.
    reference_date: Mapped[date | None]
    #: When the drafting team published its answers (tiếp thu, giải trình) to the public; None:
    #: not yet, and the answers page and the outcomes on receipts stay hidden.
    answers_published_at: Mapped[datetime | None]
    #: When the team archived it: still public, no longer listed among current consultations.
    archived_at: Mapped[datetime | None]
    #: The title folded for search (``consult.textnorm.search_key``: no case, no diacritics, no
    #: punctuation), kept in step with ``title`` by an attribute event below.
    title_key: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: Who is consulted: ``citizens`` (the public comment forms) and/or ``bodies`` (the roster of
    #: ministries, provinces and organisations sending formal letters); ``consult.domain.AUDIENCES``.
    audiences: Mapped[list] = mapped_column(JSON, default=lambda: ["citizens", "bodies"],
                                            server_default='["citizens", "bodies"]')
    #: Days after closing before its respondents' names and contacts are erased; None: the
    #: platform's ``RETENTION_DAYS_AFTER_CLOSE`` (consult/privacy.py).
    retention_days: Mapped[int | None]

    agency_organisation: Mapped[Organisation | None] = relationship()
    drafts: Mapped[list["Draft"]] = relationship(back_populates="consultation", order_by="Draft.id")

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.published and self.opens_at <= now < self.closes_at

    def state(self, now: datetime | None = None) -> str:
        """Where the consultation is in its life, read from its dates (one of
        ``consult.domain.CONSULTATION_STATES``): not yet visible → scheduled → open → closed →
        answered → archived. Computed on read, so it follows the clock without a job."""
        now = now or utcnow()
        if not self.published:
            return "hidden"
        if self.archived_at is not None and self.archived_at <= now:
            return "archived"
        if now < self.opens_at:
            return "scheduled"
        if now < self.closes_at:
            return "open"
        if self.answers_published_at is not None:
            return "answered"
        return "closed"

    @classmethod
    def state_is(cls, state: str, now: datetime):
        """The SQL condition "``state(now)`` is ``state``", the same rules as ``state``, so a list
        can filter and count by state in the database. Unknown states match nothing."""
        live = and_(cls.published.is_(True), or_(cls.archived_at.is_(None), cls.archived_at > now))
        conditions = {
            "hidden": cls.published.is_not(True),
            "archived": and_(cls.published.is_(True), cls.archived_at <= now),
            "scheduled": and_(live, cls.opens_at > now),
            "open": and_(live, cls.opens_at <= now, cls.closes_at > now),
            "answered": and_(live, cls.closes_at <= now, cls.answers_published_at.is_not(None)),
            "closed": and_(live, cls.closes_at <= now, cls.answers_published_at.is_(None)),
        }
        return conditions.get(state, false())

    @property
    def asks_citizens(self) -> bool:
        """Whether the public comment forms take opinions (``citizens`` among the audiences)."""
        return "citizens" in (self.audiences if self.audiences is not None else ["citizens"])

    @property
    def draft(self) -> "Draft | None":
        return next((draft for draft in self.drafts if draft.kind == "draft"), None)

    @property
    def law_in_force(self) -> "Draft | None":
        """The law in force that the draft replaces, when the team imported it."""
        return next((draft for draft in self.drafts if draft.kind == "reference"), None)

    @property
    def province_map(self) -> str:
        """"2008" (63 provinces) or "2025" (34), by the consultation's reference day."""
        from consult.data import province_map_on

        return province_map_on(self.reference_day)

    @property
    def reference_day(self) -> date | None:
        return self.reference_date or (self.opens_at.date() if self.opens_at else None)


@event.listens_for(Consultation.title, "set")
def _fold_title(target: Consultation, value, _old, _initiator) -> None:
    from consult.textnorm import search_key

    target.title_key = search_key(value)[:500]


class Draft(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    #: ``draft``: the text under consultation; ``reference``: the law in force it replaces, kept
    #: only to be compared with (the *bảng so sánh với luật hiện hành*), never commented on.
    kind: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")

    consultation: Mapped[Consultation] = relationship(back_populates="drafts")
    versions: Mapped[list["DraftVersion"]] = relationship(
        back_populates="draft", order_by="DraftVersion.number"
    )

    @property
    def current_version(self) -> "DraftVersion | None":
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None


class DraftVersion(db.Model):
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(500), default="")
    #: Text before the first provision: issuing body, legal bases ("Căn cứ …").
    preamble: Mapped[str] = mapped_column(Text, default="")
    #: Signature block after the last article, kept apart from it.
    closing: Mapped[str] = mapped_column(Text, default="")
    source_filename: Mapped[str] = mapped_column(String(255), default="")
    #: The parse report shown before publishing: counts and warnings.
    parse_report: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    #: When the drafting team said it had looked at the parse report's warnings; a consultation
    #: is not published on a version whose warnings nobody has looked at.
    warnings_acknowledged_at: Mapped[datetime | None]

    draft: Mapped[Draft] = relationship(back_populates="versions")
    provisions: Mapped[list["Provision"]] = relationship(
        back_populates="version", order_by="Provision.position", cascade="all, delete-orphan"
    )


class Provision(db.Model):
    """One node of the draft's tree: Phần, Chương, Mục, Điều, Khoản or Điểm."""

    __table_args__ = (
        UniqueConstraint("version_id", "anchor"),
        Index("ix_provision_version_position", "version_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"))
    #: One of ``consult.domain.PROVISION_KINDS``.
    kind: Mapped[str] = mapped_column(String(16))
    #: As written: "II", "12a", "2", "đ".
    number: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    #: Document order within the version.
    position: Mapped[int]
    depth: Mapped[int] = mapped_column(default=0)
    #: Stable across versions, used in links: ``dieu-12-khoan-2``.
    anchor: Mapped[str] = mapped_column(String(120))

    version: Mapped[DraftVersion] = relationship(back_populates="provisions")
    parent: Mapped["Provision | None"] = relationship(remote_side="Provision.id")


class ProvisionMatch(db.Model):
    """What became of a provision of one version in the next one (or where a new one came from).

    Suggested by ``consult.matching`` when a version is imported, then confirmed or corrected by
    the drafting team. Opinions written on an older version follow these rows to the articles
    (clauses, points) of the version in force; anchors are not stable across renumbering.
    """

    __table_args__ = (Index("ix_provision_match_versions", "old_version_id", "new_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    old_version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"))
    new_version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), index=True)
    #: None for a provision ``added`` in the new version.
    old_provision_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"), index=True)
    #: None for a provision ``removed`` from the new version.
    new_provision_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"), index=True)
    #: One of ``consult.matching.MATCH_KINDS``: same, changed, moved (renumbered), merged (several
    #: old into one new), split (one old into several new), removed, added.
    kind: Mapped[str] = mapped_column(String(16))
    #: How alike the two texts are, 0 … 1 (1: unchanged).
    score: Mapped[float] = mapped_column(default=0.0)
    #: ``auto`` (suggested by the matcher) or ``team`` (set by the drafting team).
    origin: Mapped[str] = mapped_column(String(8), default="auto")
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    old_provision: Mapped["Provision | None"] = relationship(foreign_keys=[old_provision_id])
    new_provision: Mapped["Provision | None"] = relationship(foreign_keys=[new_provision_id])


class Contribution(db.Model):
    """One sending by a citizen: the profile, the consent and a receipt for its comments.

    A contribution starts as the citizen's unsent list (``draft``) so that opinions on
    several articles can be collected and sent together, as the national draft-law
    portal allows. Nothing typed is lost: each comment is stored as soon as it is added.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: ``draft`` until sent, then ``submitted``.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: Secret kept in the citizen's session and form: finds the unsent list again.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    respondent_type: Mapped[str | None] = mapped_column(String(32))
    province_code: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(255), default="")
    contact: Mapped[str] = mapped_column(String(255), default="")
    consent_at: Mapped[datetime | None]
    receipt_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    #: When the message "the answers are published" was handed to the mail server for this
    #: sending's e-mail contact; set before sending (claimed), cleared again if sending failed.
    answers_mailed_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    comments: Mapped[list["Comment"]] = relationship(
        back_populates="contribution", order_by="Comment.id"
    )


class Decision(db.Model):
    """The drafting team's answer to one opinion or to a group of them (tiếp thu, giải trình …).

    Opinions point at their decision (``Comment.decision_id``, ``SubmissionOpinion.decision_id``),
    so one decision answers a campaign of 200 identical comments at once. A decision left
    with no opinion is deleted by ``consult.decisions``.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: One of ``consult.domain.DECISION_OUTCOMES``: the column "Ý kiến tiếp thu, giải trình"
    #: of the synthesis report starts with its label.
    outcome: Mapped[str] = mapped_column(String(16))
    #: Why, as the report prints it; required for every outcome except ``accepted``.
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The wording the provision takes in the new version because of the opinions, quoted for
    #: the public answers and the synthesis report; None when the decision quotes none.
    new_wording: Mapped[str | None] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship()
    decided_by: Mapped[User | None] = relationship()


class ReminderLog(db.Model):
    """One reminder e-mail to one recipient about one thing on one Vietnam day.

    ``consult.reminders`` inserts the row before sending (the claim): the unique constraint lets
    one process through, so a reminder never goes twice a day even with two instances or two
    cron runs; a message the mail server refused deletes its row, so a retry sends it.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "recipient", "day", name="uq_reminder_log_once_a_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "roster" (a body's letter; ``subject_id`` its roster entry) or "survey" (an invitation).
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    recipient: Mapped[str] = mapped_column(String(255))
    #: The Vietnam calendar day of the reminder.
    day: Mapped[date] = mapped_column(index=True)
    #: Days left to the deadline (or the survey's closing) when it was sent.
    days_left: Mapped[int] = mapped_column(default=0)
    #: "sending" while claimed, "sent" once the mail server took it.
    status: Mapped[str] = mapped_column(String(16), default="sending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship()
    consultation: Mapped[Consultation | None] = relationship()


class Assignment(db.Model):
    """Who of the drafting team prepares the decisions on an article or on one opinion.

    ``target`` names what is assigned: "a:" and an article's anchor ("a:dieu-12"; "a:chung" for
    the opinions on the draft as a whole), or one opinion's token ("c12", "l7"). One assignee per
    target; an opinion's own assignment takes precedence over its article's.
    """

    __table_args__ = (UniqueConstraint("consultation_id", "target", name="uq_assignment_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    target: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Comment(db.Model):
    #: An article's published comments, counted and paged without reading the others.
    __table_args__ = (Index("ix_comment_provision_status_created", "provision_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contribution.id"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: The provision of the version the comment was written on; None for a general comment.
    provision_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"), index=True)
    #: The text as written, shown to people.
    body: Mapped[str] = mapped_column(Text)
    #: NFC, one tone-mark style, clean spaces: for search, counting and analysis.
    body_normalized: Mapped[str] = mapped_column(Text)
    #: One of ``consult.domain.COMMENT_STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    #: The form's one-time key: a replayed form finds its comment instead of adding one.
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    #: The drafting team's answer (None while undecided); shared by identical comments.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    #: Received after the closing time from a page opened before it (within the grace
    #: window): kept, and shown to the team as late.
    late: Mapped[bool] = mapped_column(default=False, server_default=false())

    contribution: Mapped[Contribution] = relationship(back_populates="comments")
    consultation: Mapped[Consultation] = relationship()
    provision: Mapped[Provision | None] = relationship()
    moderated_by: Mapped[User | None] = relationship()
    decision: Mapped[Decision | None] = relationship()


class ConsultationEvent(db.Model):
    """One public step of a consultation's life: published, extended, closed early, reopened,
    archived. Shown on the consultation's public page; the audit trail has the same step."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: One of ``consult.domain.CONSULTATION_EVENTS``.
    kind: Mapped[str] = mapped_column(String(16))
    old_closes_at: Mapped[datetime | None]
    new_closes_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Who asked for it (an extension "theo đề nghị của Bộ Tư pháp"), as written.
    requested_by: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    actor: Mapped[User | None] = relationship()


class AuditEvent(db.Model):
    """Who did what and when: moderation, imports, publishing. Never updated."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None]
    #: The consultation the object belongs to, when there is one (an agency's audit trail shows
    #: every event of its consultations). No foreign key, like ``object_id``: the trail is
    #: append-only and outlives what it names.
    consultation_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
