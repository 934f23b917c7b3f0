"""Surveys: questionnaires, their pages, questions and choices, invitations, responses, answers.

Texts shown to respondents are stored per language as JSON objects ``{"vi": "…", "en": "…"}``
(Vietnamese first; ``localized(value, locale)`` picks one).  Answers are stored ONE ROW PER
CHOSEN OPTION (and one row per matrix row, per ranked item), so that a tally is a SQL
``GROUP BY question_id, choice_id`` (or ``value_text`` for built-in choice lists such as the
provinces, ``row_name, choice_id`` for a matrix).  ``surveys.kinds`` knows, per question kind,
which columns of ``Answer`` it fills.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint, event,
                        or_)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from consult.extensions import db
from consult.models import Consultation, Organisation, Provision, User, utcnow

#: Who may answer: anyone with the open link, invited organisations, or both.
AUDIENCES = ("open", "invited", "both")
#: ``draft`` is being written (not shown); ``published`` takes answers between its opening and
#: closing times; ``closed`` takes none, whatever the dates say.
SURVEY_STATUSES = ("draft", "published", "closed")
#: An invitation's life: the link was made and ``sent``; the organisation ``opened`` it; it
#: saved a first page (``started``); it ``submitted`` (and may still edit until closing).
#: An invitation moves forward through the first four; ``revoked`` is the drafting team's
#: withdrawal of one not yet submitted (its link stops working; a new link restores it).
INVITATION_STATUSES = ("sent", "opened", "started", "submitted", "revoked")
RESPONSE_STATUSES = ("in_progress", "submitted")

#: What ``Survey.settings`` holds when a key is missing.
DEFAULT_SETTINGS = {
    #: True: the survey asks nothing about who answers and stores no profile.
    "anonymous": False,
    #: An invited organisation has one response (``Response.invitation_id`` is unique, so
    #: this is always true; kept so the setting is visible in exports and the UI).
    "one_response_per_invitation": True,
    #: An invited organisation may change its submitted response until the survey closes
    #: (open-link responses can never be changed once submitted).
    "edit_after_submit": True,
    #: Days an unfinished open-link response can be resumed by its link or code.
    "resume_days": 30,
}


def localized(value, locale: str = "vi") -> str:
    """The text of a per-language value in ``locale``, else Vietnamese, else any language.

    A plain string (an older or hand-made value) is returned as it is.
    """
    if not value:
        return ""
    if isinstance(value, str):
        return value
    for key in (locale, "vi", "en"):
        if value.get(key):
            return value[key]
    return next((text for text in value.values() if text), "")


class Survey(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The consultation the survey belongs to, if any (a pinned question needs one).
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: In the respondent's link: ``/khao-sat/<slug>``.
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    #: Per language: ``{"vi": "…", "en": "…"}``.
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    introduction: Mapped[dict] = mapped_column(JSON, default=dict)
    #: One of ``AUDIENCES``.
    audience: Mapped[str] = mapped_column(String(16), default="open")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    #: One of ``SURVEY_STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    #: See ``DEFAULT_SETTINGS``; read with ``setting(name)``.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    consultation: Mapped[Consultation | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    pages: Mapped[list["SurveyPage"]] = relationship(
        back_populates="survey", order_by="SurveyPage.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list["Question"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan"
    )
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan"
    )

    def setting(self, name: str):
        return (self.settings or {}).get(name, DEFAULT_SETTINGS.get(name))

    @property
    def province_map(self) -> str:
        """The administrative map of the respondents' province (``consult.data``): the
        consultation's, or the one in force when the survey opens."""
        from consult.data import province_map_on

        if self.consultation is not None:
            return self.consultation.province_map
        return province_map_on(self.opens_at.date() if self.opens_at else None)

    def is_open(self, now: datetime | None = None) -> bool:
        """Published, and now between the opening (if set) and closing (if set) times."""
        now = now or utcnow()
        if self.status != "published":
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    @property
    def accepts_open_link(self) -> bool:
        return self.audience in ("open", "both")

    @property
    def accepts_invitations(self) -> bool:
        return self.audience in ("invited", "both")

    def ordered_questions(self) -> list["Question"]:
        """Every question in answering order: page by page, then by position in the page."""
        return [question for page in self.pages for question in page.questions]

    def question_named(self, name: str) -> "Question | None":
        return next((q for q in self.questions if q.name == name), None)

    def title_in(self, locale: str = "vi") -> str:
        return localized(self.title, locale)

    def introduction_in(self, locale: str = "vi") -> str:
        return localized(self.introduction, locale)


class SurveyPage(db.Model):
    """One screen of the survey (an XLSForm group); every question sits on one page."""

    __table_args__ = (Index("ix_survey_page_survey_position", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    #: Order of the page in the survey, from 0 or 1 (only the order matters).
    position: Mapped[int] = mapped_column(default=0)
    #: XLSForm group name, kept for export; may be empty.
    name: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Show-if for the whole page, in the expression language; empty means always.
    relevant: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship(back_populates="pages")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="page", order_by="Question.position"
    )

    def title_in(self, locale: str = "vi") -> str:
        return localized(self.title, locale)


class Question(db.Model):
    __table_args__ = (
        UniqueConstraint("survey_id", "name"),
        Index("ix_question_page_position", "page_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("survey_page.id"))
    #: The XLSForm ``name``: what ``${name}`` refers to in logic; unique in the survey.
    name: Mapped[str] = mapped_column(String(64))
    #: One of ``surveys.kinds.KINDS``.
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[dict] = mapped_column(JSON, default=dict)
    hint: Mapped[dict] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    #: Show-if expression (XLSForm ``relevant``); empty means always shown.
    relevant: Mapped[str] = mapped_column(Text, default="")
    #: Must be true for an answer to be accepted; ``.`` is the answer itself.
    constraint: Mapped[str] = mapped_column(Text, default="")
    constraint_message: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Per kind, see ``surveys.kinds``: ``min``/``max`` (numbers, dates, rating ends),
    #: ``min_picks``/``max_picks``, ``min_label``/``max_label`` (per language),
    #: ``rows`` (matrix: ``[{"name", "label": {…}}]``), ``choice_source`` (``"provinces"``),
    #: ``max_length``, ``profile_field`` (``"respondent_type"`` or ``"province_code"``: the
    #: answer also fills the response's profile), ``appearance`` (kept from XLSForm).
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The article of the draft this question asks about; it is shown on that article's page.
    provision_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"), index=True)
    #: Order within the page.
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    page: Mapped[SurveyPage] = relationship(back_populates="questions")
    provision: Mapped[Provision | None] = relationship()
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )

    def param(self, name: str, default=None):
        return (self.parameters or {}).get(name, default)

    def label_in(self, locale: str = "vi") -> str:
        return localized(self.label, locale)

    def hint_in(self, locale: str = "vi") -> str:
        return localized(self.hint, locale)


class Choice(db.Model):
    """One option of a choice, dropdown, ranking or matrix-scale question."""

    __table_args__ = (UniqueConstraint("question_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    #: The value stored and used in logic (``selected(${q}, 'name')``).
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    #: The "Other, please specify" option: choosing it asks for a text.
    is_other: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="choices")

    def label_in(self, locale: str = "vi") -> str:
        return localized(self.label, locale)


class Invitation(db.Model):
    """One organisation's personal link to a survey. Only the token's SHA-256 is stored."""

    __table_args__ = (UniqueConstraint("survey_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Hex SHA-256 of the secret token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: One of ``INVITATION_STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="sent", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    #: Last reminder sent to those who have not answered.
    reminded_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship(back_populates="invitations")
    organisation: Mapped[Organisation] = relationship()
    response: Mapped["Response | None"] = relationship(back_populates="invitation",
                                                       uselist=False)


class Response(db.Model):
    """One respondent's answers to one survey, saved page by page."""

    __table_args__ = (Index("ix_response_survey_status", "survey_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    #: Set for an organisation's response; one response per invitation.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), unique=True)
    #: One of ``RESPONSE_STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    #: Open link: SHA-256 of the short resume code (also in the resume link).
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_expires_at: Mapped[datetime | None]
    #: Open link: the start form's one-time key, so a replayed start finds this response.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Profile (unless the survey is anonymous): ``consult.domain.RESPONDENT_TYPES`` key or
    #: organisation kind, and province code.
    respondent_type: Mapped[str | None] = mapped_column(String(32), index=True)
    province_code: Mapped[str | None] = mapped_column(String(8), index=True)
    #: Language the respondent answered in.
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    #: Position (index in ``survey.pages``) of the page to show when the respondent returns.
    current_page: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    #: Given on submission: ``KS-XXXX-XXXX-XXXX-XXXX``.
    receipt_code: Mapped[str | None] = mapped_column(String(32), unique=True)

    survey: Mapped[Survey] = relationship()
    invitation: Mapped[Invitation | None] = relationship(back_populates="response")
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )


class Answer(db.Model):
    """One stored piece of an answer; which columns a kind fills is in ``surveys.kinds``.

    - choice kinds: one row per chosen option: ``choice_id`` and ``value_text`` = the choice
      name (built-in lists such as provinces: ``choice_id`` is NULL, ``value_text`` the code);
      "other, specify" keeps the typed text in ``other_text``;
    - matrix: one row per answered row: ``row_name`` and the scale's ``choice_id``;
    - ranking: one row per ranked option with ``rank`` (1 = first);
    - rating, integer, decimal: ``value_number`` (rating also its ``value_text``);
    - text: ``value_text`` as written and ``value_normalized`` for analysis;
    - date: ``value_date``; file: ``file_path`` (under ``instance/``), ``value_text`` = the
      original file name, ``value_number`` = its size in bytes.

    A row with every ``VALUE_COLUMNS`` column NULL is a *skip marker*: the question was shown
    and left empty (``surveys.responses`` writes them, ``analysis.tallies`` counts them as
    skipped, and everything that reads answers passes over them).
    """

    #: The columns that hold a value; a row with all of them NULL is a skip marker.
    VALUE_COLUMNS = ("choice_id", "row_name", "value_text", "value_normalized", "value_number",
                     "value_date", "rank", "other_text", "file_path")

    __table_args__ = (
        # Covers every tally's GROUP BY, so counting never reads the table itself.
        Index("ix_answer_tally", "question_id", "choice_id", "row_name", "rank",
              "value_number", "value_date"),
        Index("ix_answer_response_question", "response_id", "question_id"),
        # A question's responses in order: distinct respondents of several-row answers are
        # counted without sorting, and a cross-tab reaches each answer's response (and its
        # option) from the index alone.
        Index("ix_answer_question_response", "question_id", "response_id", "choice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("choice.id"))
    #: Matrix: the row's name from ``question.parameters["rows"]``.
    row_name: Mapped[str | None] = mapped_column(String(64))
    value_text: Mapped[str | None] = mapped_column(Text)
    value_normalized: Mapped[str | None] = mapped_column(Text)
    value_number: Mapped[float | None] = mapped_column(Float)
    value_date: Mapped[date | None] = mapped_column(Date)
    rank: Mapped[int | None]
    other_text: Mapped[str | None] = mapped_column(Text)
    file_path: Mapped[str | None] = mapped_column(String(255))
    #: The drafting team's decision on an open-text answer to a question pinned to a provision
    #: (``consult.decisions``), like ``Comment.decision_id``; not a value column.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    choice: Mapped[Choice | None] = relationship()

    @property
    def is_skip_marker(self) -> bool:
        """The row says "shown and left empty": it carries no value at all."""
        return all(getattr(self, column) is None for column in self.VALUE_COLUMNS)

    @classmethod
    def has_value(cls):
        """SQL condition: an ``Answer`` row that carries a value (not a skip marker)."""
        return or_(*(getattr(cls, column).is_not(None) for column in cls.VALUE_COLUMNS))


def _survey_of(instance) -> Survey | None:
    if isinstance(instance, (SurveyPage, Question)):
        return instance.survey
    if isinstance(instance, Choice):
        return instance.question.survey if instance.question is not None else None
    return None


@event.listens_for(Session, "before_flush")
def _touch_edited_surveys(session, _flush_context, _instances) -> None:
    """A change to a survey's pages, questions or options marks the survey as edited.

    ``Survey.updated_at`` is part of the tallies' cache key (``analysis.tallies.cache``): a
    renamed label or a deleted option must show on the results page at once, not when the
    next response arrives.
    """
    touched = {id(s): s for s in map(_survey_of, [*session.new, *session.dirty, *session.deleted])
               if s is not None and s not in session.deleted}
    now = utcnow()
    for survey in touched.values():
        survey.updated_at = now
