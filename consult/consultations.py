"""Running a consultation: creating and editing it, and its life (publish, extend, close early,
reopen, archive), each step with its reason in the audit trail and in the public history.

Times are typed in Vietnam time and stored as naive UTC (``consult.models.utcnow``); the
state is read from the dates (``Consultation.state``), so nothing has to run at the opening
or closing time. Checks raise ``ConsultationError`` with the form field and a Vietnamese
message; a period shorter than the agency's minimum raises ``ShortPeriod`` unless a reason
is given, and the reason is then recorded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from consult import audit, drafts
from consult.clock import VIETNAM_OFFSET
from consult.domain import AUDIENCES, DOCUMENT_KINDS
from consult.extensions import db
from consult.models import (Consultation, ConsultationEvent, Draft, DraftVersion, Organisation, User,
                            utcnow)
from consult.textnorm import clean_control, strip_marks

#: A slug as it appears in ``/du-thao/<slug>``: lower-case ASCII words joined by hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 120
TITLE_MAX = 500
SUMMARY_MAX = 10_000
REASON_MAX = 2000
REQUESTED_BY_MAX = 255
_DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
#: The years a consultation's dates may fall in.
YEARS = range(2000, 2101)


class ConsultationError(Exception):
    """A check failed: ``field`` is the form field to show ``message`` at."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class ShortPeriod(ConsultationError):
    """The period is shorter than the agency's minimum and no reason was given to keep it."""


@dataclass
class ConsultationFields:
    """What the team types to create or edit a consultation (times in naive UTC)."""

    title: str
    document_kind: str
    agency_id: int | None
    opens_at: datetime
    closes_at: datetime
    slug: str
    summary: str = ""
    audiences: list[str] = field(default_factory=lambda: ["citizens", "bodies"])
    #: Why a period shorter than the agency's minimum is kept; recorded in the audit trail.
    short_period_reason: str = ""


# --- times --------------------------------------------------------------------------------------

def parse_day(text: str | None) -> date | None:
    """A day typed as 2026-12-30 (the date picker) or 30/12/2026; None when not a day, or a
    year outside ``YEARS`` (year 1 cannot be moved to UTC, year 9999 past any sensible deadline)."""
    text = (text or "").strip()
    for pattern in _DAY_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if day.year in YEARS else None
    return None


def parse_clock(text: str | None) -> time | None:
    """A time of day typed as 17:00 (or 17h00); None when not a time."""
    match = re.fullmatch(r"([01]?[0-9]|2[0-3])[:hH]([0-5][0-9])", (text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def from_vietnam(day: date, clock: time) -> datetime:
    """The naive-UTC moment of a day and time read on a clock in Vietnam."""
    return datetime.combine(day, clock) - VIETNAM_OFFSET


def to_vietnam(moment: datetime) -> datetime:
    """A naive-UTC moment as Vietnam's clock shows it (naive)."""
    return moment + VIETNAM_OFFSET


# --- slugs and minimum periods ----------------------------------------------------------------

def suggest_slug(title: str, consultation_id: int | None = None) -> str:
    """A free slug made from the title: "Dự thảo Nghị định về …" → ``du-thao-nghi-dinh-ve-…``."""
    text = strip_marks(clean_control(title or "")).replace("đ", "d").replace("Đ", "D").lower()
    base = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-") or "tham-van"
    slug, number = base, 1
    while slug_taken(slug, consultation_id):
        number += 1
        slug = f"{base}-{number}"
    return slug


def slug_taken(slug: str, consultation_id: int | None = None) -> bool:
    return db.session.scalar(select(Consultation.id).where(
        Consultation.slug == slug, Consultation.id != (consultation_id or 0))) is not None


def minimum_days(agency: Organisation | None) -> int:
    """The shortest period the agency accepts without a reason: its own, else the platform's."""
    if agency is not None and agency.min_consultation_days is not None:
        return agency.min_consultation_days
    return int(current_app.config.get("MIN_CONSULTATION_DAYS", 30))


def set_minimum_days(agency: Organisation, days: int | None, actor: User | None = None) -> None:
    """Set (or, with None, forget) the agency's own minimum period."""
    audit.record(actor, "organisation.min_consultation_days", agency,
                 old=agency.min_consultation_days, new=days)
    agency.min_consultation_days = days


# --- checks -----------------------------------------------------------------------------------

def check_fields(fields: ConsultationFields, consultation: Consultation | None = None) -> None:
    """Raise ``ConsultationError`` (the first problem) or ``ShortPeriod``; clean the text."""
    fields.title = clean_control(fields.title or "").strip()
    fields.summary = clean_control(fields.summary or "").strip()
    fields.slug = (fields.slug or "").strip().lower()
    fields.short_period_reason = clean_control(fields.short_period_reason or "").strip()
    _check_texts(fields)
    _check_choices(fields)
    _check_slug(fields, consultation)
    _check_dates(fields, consultation)


def _check_texts(fields: ConsultationFields) -> None:
    if not fields.title:
        raise ConsultationError("title", _("Please give the consultation a title."))
    if len(fields.title) > TITLE_MAX:
        raise ConsultationError("title", _("A title can be at most %(max)s characters long.", max=TITLE_MAX))
    if len(fields.summary) > SUMMARY_MAX:
        raise ConsultationError("summary", _("A summary can be at most %(max)s characters long.",
                                             max="10.000"))
    if len(fields.short_period_reason) > REASON_MAX:
        raise ConsultationError("short_period_reason",
                                _("A reason can be at most 2.000 characters long."))


def _check_choices(fields: ConsultationFields) -> None:
    if fields.document_kind not in DOCUMENT_KINDS:
        raise ConsultationError("document_kind", _("Please choose the kind of document from the list."))
    if fields.agency_id is None or db.session.get(Organisation, fields.agency_id) is None:
        raise ConsultationError("agency_id", _("Please choose the drafting agency from the list."))
    if not fields.audiences or any(audience not in AUDIENCES for audience in fields.audiences):
        raise ConsultationError("audiences", _("Please choose who is consulted: citizens, the bodies "
                                               "on the roster, or both."))


def _check_slug(fields: ConsultationFields, consultation: Consultation | None) -> None:
    if len(fields.slug) > SLUG_MAX or not SLUG.fullmatch(fields.slug):
        raise ConsultationError("slug", _("The address may hold only lower-case letters without accents, "
                                          "digits and hyphens, such as du-thao-nghi-dinh-ve-hop-tac-xa."))
    if slug_taken(fields.slug, consultation.id if consultation else None):
        raise _slug_used(fields.slug, consultation)


def _slug_used(slug: str, consultation: Consultation | None) -> ConsultationError:
    return ConsultationError("slug", _("The address %(slug)s is already used by another consultation. "
                                       "Suggested: %(free)s", slug=slug,
                                       free=suggest_slug(slug, consultation.id if consultation else None)))


def _check_dates(fields: ConsultationFields, consultation: Consultation | None) -> None:
    if fields.closes_at <= fields.opens_at:
        raise ConsultationError("closes_on", _("The closing time must be after the opening time."))
    if consultation is not None and consultation.published and (
            fields.opens_at != consultation.opens_at or fields.closes_at != consultation.closes_at):
        raise ConsultationError("closes_on", _(
            "This consultation is published: change its closing time by extending it, closing it "
            "early or reopening it, each with a reason shown to the public."))
    agency = db.session.get(Organisation, fields.agency_id)
    minimum = minimum_days(agency)
    if fields.closes_at - fields.opens_at < timedelta(days=minimum) and not fields.short_period_reason:
        raise ShortPeriod("short_period_reason", _(
            "The period is shorter than the %(days)s days %(agency)s sets as a minimum. To keep it, "
            "give the reason; it is recorded.", days=minimum, agency=agency.name))


def planned_closes_at(consultation: Consultation) -> datetime:
    """The closing time as planned: closing early ends the period at once, but the period the
    team set (and the minimum it is checked against) is the one before that decision."""
    last = db.session.scalar(
        select(ConsultationEvent).where(ConsultationEvent.consultation_id == consultation.id,
                                        ConsultationEvent.kind.in_(("closed", "extended", "reopened")))
        .order_by(ConsultationEvent.at.desc(), ConsultationEvent.id.desc()).limit(1))
    if last is not None and last.kind == "closed" and last.old_closes_at is not None:
        return last.old_closes_at
    return consultation.closes_at


def is_short(consultation: Consultation) -> bool:
    """The planned period is shorter than the agency's minimum (a closing early does not count)."""
    return planned_closes_at(consultation) - consultation.opens_at < timedelta(
        days=minimum_days(consultation.agency_organisation))


# --- creating and editing ---------------------------------------------------------------------

def create(fields: ConsultationFields, actor: User | None = None) -> Consultation:
    """A new, not yet visible consultation with an empty draft, after ``check_fields``."""
    check_fields(fields)
    consultation = Consultation(slug=fields.slug, title=fields.title, published=False)
    _apply(consultation, fields)
    try:
        with db.session.begin_nested():  # the slug taken meanwhile by a simultaneous request
            db.session.add(consultation)
            db.session.add(Draft(consultation=consultation, title=fields.title))
            db.session.flush()
    except IntegrityError:
        raise _slug_used(fields.slug, None) from None
    audit.record(actor, "consultation.create", consultation, slug=consultation.slug,
                 **_short_period_detail(fields))
    return consultation


def update(consultation: Consultation, fields: ConsultationFields, actor: User | None = None) -> None:
    """Change a consultation's particulars, after ``check_fields``; the changes are audited."""
    check_fields(fields, consultation)
    before = _particulars(consultation)
    _apply(consultation, fields)
    changed = {key: [before[key], value] for key, value in _particulars(consultation).items()
               if before[key] != value}
    if consultation.draft is not None and consultation.draft.title != consultation.title:
        consultation.draft.title = consultation.title
    audit.record(actor, "consultation.edit", consultation, changed=changed,
                 **_short_period_detail(fields))


def _apply(consultation: Consultation, fields: ConsultationFields) -> None:
    agency = db.session.get(Organisation, fields.agency_id)
    consultation.title, consultation.summary, consultation.slug = fields.title, fields.summary, fields.slug
    consultation.document_kind, consultation.agency_id = fields.document_kind, agency.id
    consultation.agency = agency.name
    consultation.opens_at, consultation.closes_at = fields.opens_at, fields.closes_at
    consultation.audiences = list(fields.audiences)


def _particulars(consultation: Consultation) -> dict:
    return {"title": consultation.title, "slug": consultation.slug, "summary": consultation.summary,
            "document_kind": consultation.document_kind, "agency_id": consultation.agency_id,
            "opens_at": consultation.opens_at.isoformat(timespec="minutes") if consultation.opens_at else None,
            "closes_at": consultation.closes_at.isoformat(timespec="minutes") if consultation.closes_at else None,
            "audiences": list(consultation.audiences or [])}


def _short_period_detail(fields: ConsultationFields) -> dict:
    return {"short_period_reason": fields.short_period_reason} if fields.short_period_reason else {}


def fields_of(consultation: Consultation) -> ConsultationFields:
    """The consultation's particulars, as the edit form starts from."""
    return ConsultationFields(
        title=consultation.title, document_kind=consultation.document_kind,
        agency_id=consultation.agency_id, opens_at=consultation.opens_at,
        closes_at=consultation.closes_at, slug=consultation.slug, summary=consultation.summary,
        audiences=list(consultation.audiences or []))


def listing(visible=None) -> list[Consultation]:
    """The consultations (those matching ``visible``, a SQL condition: the team member's
    scope), newest first, for the team's list."""
    query = select(Consultation).order_by(Consultation.id.desc())
    return list(db.session.scalars(query if visible is None else query.where(visible)))


# --- the draft's text -------------------------------------------------------------------------

def latest_version(consultation: Consultation) -> DraftVersion | None:
    """The draft's newest version, published or not."""
    draft = consultation.draft
    return draft.versions[-1] if draft is not None and draft.versions else None


def unacknowledged_warnings(version: DraftVersion | None) -> int:
    """How many parse warnings of ``version`` nobody has said they looked at."""
    if version is None or version.warnings_acknowledged_at is not None:
        return 0
    return len((version.parse_report or {}).get("warnings", []))


def acknowledge_warnings(version: DraftVersion, actor: User | None = None) -> bool:
    """Record that the team looked at the version's parse warnings; False when already done."""
    if version.warnings_acknowledged_at is not None:
        return False
    version.warnings_acknowledged_at = utcnow()
    audit.record(actor, "draft_version.acknowledge_warnings", version,
                 warnings=len((version.parse_report or {}).get("warnings", [])))
    return True


# --- the life of a consultation ---------------------------------------------------------------

def _reason(text: str | None, required: bool = True) -> str:
    reason = clean_control(text or "").strip()
    if required and not reason:
        raise ConsultationError("reason", _("Please give the reason: it is shown to the public."))
    if len(reason) > REASON_MAX:
        raise ConsultationError("reason", _("A reason can be at most 2.000 characters long."))
    return reason


def _event(consultation: Consultation, kind: str, actor: User | None, reason: str, now: datetime,
           old: datetime | None = None, new: datetime | None = None, requested_by: str = "") -> ConsultationEvent:
    """Record one step at ``now``, the moment the step's checks used (the public history and
    the state agree even when a job or a test passes its own clock)."""
    event = ConsultationEvent(consultation=consultation, kind=kind, reason=reason, requested_by=requested_by,
                              old_closes_at=old, new_closes_at=new, actor_id=actor.id if actor else None,
                              at=now)
    db.session.add(event)
    audit.record(actor, f"consultation.{kind}", consultation, reason=reason, requested_by=requested_by,
                 old_closes_at=old.isoformat(timespec="minutes") if old else None,
                 new_closes_at=new.isoformat(timespec="minutes") if new else None)
    return event


def _require_state(consultation: Consultation, allowed: tuple[str, ...], now: datetime, message: str) -> None:
    if consultation.state(now) not in allowed:
        raise ConsultationError("state", message)


def publish(consultation: Consultation, actor: User | None = None, reason: str = "",
            now: datetime | None = None) -> ConsultationEvent:
    """Make the consultation visible: scheduled until it opens, then open, by its dates.

    Its draft needs a version whose parse warnings were looked at; an unpublished newest
    version is published with it."""
    now = now or utcnow()
    _require_state(consultation, ("hidden",), now, _("This consultation is already published."))
    version = latest_version(consultation)
    if version is None:
        raise ConsultationError("draft", _("Import the draft's text (.txt or .docx) before publishing."))
    if unacknowledged_warnings(version):
        raise ConsultationError("draft", _(
            "The parse report of version %(number)s has warnings nobody has looked at yet. Open the "
            "report, check them, and say you have looked at them before publishing.", number=version.number))
    if consultation.closes_at <= now:
        raise ConsultationError("closes_on", _("The closing time has passed: set a later one before publishing."))
    if version.published_at is None:
        drafts.publish_version(version, actor=actor)
    consultation.published = True
    return _event(consultation, "published", actor, _reason(reason, required=False), now,
                  new=consultation.closes_at)


def extend(consultation: Consultation, new_closes_at: datetime, reason: str, requested_by: str = "",
           actor: User | None = None, now: datetime | None = None) -> ConsultationEvent:
    """Move the closing time later while scheduled or open; shown as "Gia hạn đến … theo đề nghị của …"."""
    now = now or utcnow()
    _require_state(consultation, ("scheduled", "open"), now, _(
        "Only a scheduled or open consultation can be extended; a closed one can be reopened."))
    reason = _reason(reason)
    requested_by = clean_control(requested_by or "").strip()
    if len(requested_by) > REQUESTED_BY_MAX:
        raise ConsultationError("requested_by", _("This can be at most 255 characters long."))
    if new_closes_at <= consultation.closes_at:
        raise ConsultationError("closes_on", _("The new closing time must be after the current one."))
    old, consultation.closes_at = consultation.closes_at, new_closes_at
    return _event(consultation, "extended", actor, reason, now, old, new_closes_at, requested_by)


def close_early(consultation: Consultation, reason: str, actor: User | None = None,
                now: datetime | None = None) -> ConsultationEvent:
    """Close an open consultation now."""
    now = now or utcnow()
    _require_state(consultation, ("open",), now, _("Only an open consultation can be closed early."))
    reason = _reason(reason)
    old, consultation.closes_at = consultation.closes_at, now
    return _event(consultation, "closed", actor, reason, now, old, now)


def reopen(consultation: Consultation, new_closes_at: datetime, reason: str, actor: User | None = None,
           now: datetime | None = None) -> ConsultationEvent:
    """Take opinions again until ``new_closes_at``."""
    now = now or utcnow()
    _require_state(consultation, ("closed", "answered"), now, _("Only a closed consultation can be reopened."))
    reason = _reason(reason)
    if new_closes_at <= now:
        raise ConsultationError("closes_on", _("The new closing time must be in the future."))
    old, consultation.closes_at = consultation.closes_at, new_closes_at
    return _event(consultation, "reopened", actor, reason, now, old, new_closes_at)


def archive(consultation: Consultation, reason: str, actor: User | None = None,
            now: datetime | None = None) -> ConsultationEvent:
    """Archive a closed consultation: still public, no longer among the current ones."""
    now = now or utcnow()
    _require_state(consultation, ("closed", "answered"), now, _(
        "Only a closed consultation can be archived: close it first."))
    reason = _reason(reason)
    consultation.archived_at = now
    return _event(consultation, "archived", actor, reason, now)


def history(consultation: Consultation) -> list[ConsultationEvent]:
    """The consultation's public steps, oldest first."""
    return list(db.session.scalars(select(ConsultationEvent).where(
        ConsultationEvent.consultation_id == consultation.id).order_by(ConsultationEvent.at, ConsultationEvent.id)))


# --- late opinions ----------------------------------------------------------------------------

def grace() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("LATE_GRACE_MINUTES", 60)))


def accepts_late(consultation: Consultation, started_at: datetime | None, now: datetime | None = None) -> bool:
    """True when an opinion sent now, after the closing time, is still taken, marked late: its
    page was shown while the consultation was open, and the grace window has not passed."""
    now = now or utcnow()
    if started_at is None or not consultation.published or consultation.archived_at is not None:
        return False
    closes = consultation.closes_at
    return consultation.opens_at <= started_at < closes <= now < closes + grace()


def accepts_late_list(consultation: Consultation, contribution, started_at: datetime | None,
                      now: datetime | None = None) -> bool:
    """Whether a citizen's list sent now, after the closing time, is still taken: its page was
    shown while open, or it holds opinions already kept as late (their list page is shown after
    the closing time), and the grace window has not passed. ``contribution``: the list with its
    comments, or the row ``comments.send_row`` read."""
    now = now or utcnow()
    if accepts_late(consultation, started_at, now):
        return True
    holds_late = contribution is not None and (
        contribution.holds_late if hasattr(contribution, "holds_late")  # comments.SendRow
        else any(comment.late for comment in contribution.comments))
    return (holds_late and consultation.published and consultation.archived_at is None
            and consultation.closes_at <= now < consultation.closes_at + grace())


def with_versions(session, slug: str) -> Consultation | None:
    """The consultation with this slug, its drafts and their versions, in one round trip
    (``session``: the request's, or the page cache's own when it keeps a copy)."""
    return session.scalars(
        select(Consultation).where(Consultation.slug == slug)
        .options(joinedload(Consultation.drafts).joinedload(Draft.versions))
    ).unique().first()
