"""Reminders by e-mail: to roster bodies that have not sent their letter as the deadline nears,
and to organisations invited to a survey that have not answered as it closes.

Due from the days ``REMINDER_DAYS`` (default 7 and 2) before the deadline (Vietnam calendar days);
``flask reminders send-due`` runs daily from cron, and the team's page can start a round. A round
that did not run on a reminder day (the server was down) catches up: each recipient gets the most
recent reminder that fell due and was not sent (the 2-day one, if both were missed), once, and
none after the deadline. The recipients are the active officers of the body. Each message is
claimed by inserting its ``ReminderLog`` row (unique per kind, subject, recipient and day) before
it goes, so it never goes twice a day, even with two instances or two cron runs; a message the
mail server refused deletes its row and is owed again. Rounds run in the background through
``consult.mail_jobs``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from consult import mail_jobs
from consult.answer_mail import EMAIL, MAIL_LOCALE, link
from consult.clock import vn_date
from consult.extensions import db
from consult.mail_jobs import Round
from consult.models import Consultation, Organisation, ReminderLog, User, utcnow
from consult.submissions import mail, roster
from surveys.invitations import not_answered
from surveys.models import Survey

log = logging.getLogger(__name__)

ROSTER, SURVEY = "roster", "survey"
#: Letters not yet sent: a body that answered (or said it has no comment) is not reminded.
WAITING = ("not_started", "draft")


@dataclass
class Due:
    """One reminder owed today to one recipient."""

    kind: str
    subject_id: int
    recipient: str
    organisation: Organisation
    days_left: int
    deadline: datetime
    consultation: Consultation | None = None
    survey: Survey | None = None
    #: The Vietnam day this reminder fell due (the deadline's day less the reminder day it
    #: answers to): a reminder logged on or after it was this one.
    since: date | None = None


def stage(days_left: int, days: tuple[int, ...]) -> int | None:
    """The reminder day (of ``days``) most recently reached with ``days_left`` to go: 7 with 5
    days left, 2 with 1 left; None before the first or after the deadline."""
    if days_left < 0:
        return None
    reached = [day for day in days if day >= days_left]
    return min(reached) if reached else None


def _since(deadline: datetime, days_left: int, days: tuple[int, ...]) -> date | None:
    reached = stage(days_left, days)
    return None if reached is None else vn_date(deadline) - timedelta(days=reached)


def recipients(organisation: Organisation) -> list[str]:
    """The e-mail addresses of the body's active officers, each once, in a stable order."""
    emails = db.session.scalars(select(User.email).where(User.organisation_id == organisation.id,
                                                         User.role == "officer", User.active.is_(True))
                                .order_by(User.id))
    return list(dict.fromkeys(e.strip().lower() for e in emails if e and EMAIL.match(e.strip())))


def due(days: tuple[int, ...], now: datetime | None = None, agency_id: int | None = None) -> list[Due]:
    """Every reminder owed on ``now``'s Vietnam day (sent today or not): the most recent one
    that fell due and was not sent on an earlier day. With ``agency_id``, only those about the
    consultations that agency runs (and their surveys): an agency's team sees and sends its own
    reminders, not another agency's."""
    now = now or utcnow()
    found: list[Due] = []
    query = select(Consultation).where(Consultation.archived_at.is_(None)).order_by(Consultation.id)
    surveys_query = select(Survey).where(Survey.status == "published", Survey.closes_at.is_not(None))
    if agency_id is not None:
        query = query.where(Consultation.agency_id == agency_id)
        surveys_query = surveys_query.where(Survey.consultation_id.in_(
            select(Consultation.id).where(Consultation.agency_id == agency_id)))
    consultations = db.session.scalars(query)
    for consultation in consultations:
        for row in roster.roster_rows(consultation, now):
            since = _since(row.entry.deadline, row.days_left, days)
            if row.status in WAITING and since is not None:
                found += [Due(ROSTER, row.entry.id, email, row.organisation, row.days_left, row.entry.deadline,
                              consultation=consultation, since=since) for email in recipients(row.organisation)]
    surveys = db.session.scalars(surveys_query.order_by(Survey.id))
    for survey in surveys:
        left = roster.days_left(survey.closes_at, now)
        since = _since(survey.closes_at, left, days)
        if since is None or not survey.is_open(now):
            continue
        for invitation in not_answered(survey):
            found += [Due(SURVEY, invitation.id, email, invitation.organisation, left, survey.closes_at,
                          consultation=survey.consultation, survey=survey, since=since)
                      for email in recipients(invitation.organisation)]
    return _not_sent_before(found, vn_date(now))


def _not_sent_before(found: list[Due], today: date) -> list[Due]:
    """``found`` less the reminders already logged since they fell due, on a day before today
    (those logged today stay: a second round today counts them as already sent)."""
    if not found:
        return found
    earliest = min(item.since for item in found)
    logged = dict(((kind, subject, recipient), last) for kind, subject, recipient, last in db.session.execute(
        select(ReminderLog.kind, ReminderLog.subject_id, ReminderLog.recipient, func.max(ReminderLog.day))
        .where(ReminderLog.day >= earliest, ReminderLog.day < today)
        .group_by(ReminderLog.kind, ReminderLog.subject_id, ReminderLog.recipient)))
    return [item for item in found
            if logged.get((item.kind, item.subject_id, item.recipient), date.min) < item.since]


def claim(item: Due, day: date) -> bool:
    """Insert the reminder's log row; False when another process already has it today."""
    row = ReminderLog(kind=item.kind, subject_id=item.subject_id, recipient=item.recipient, day=day,
                      days_left=item.days_left, organisation_id=item.organisation.id,
                      consultation_id=item.consultation.id if item.consultation else None)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _key(item: Due, day: date):
    return (ReminderLog.kind == item.kind, ReminderLog.subject_id == item.subject_id,
            ReminderLog.recipient == item.recipient, ReminderLog.day == day)


def release(item: Due, day: date) -> None:
    """The message did not go: delete the claim, so it is owed again."""
    db.session.execute(delete(ReminderLog).where(*_key(item, day)))
    db.session.commit()


def send_due(base_url: str, now: datetime | None = None, agency_id: int | None = None) -> Round:
    """Send today's owed reminders (with ``agency_id``, only that agency's); links start with
    ``base_url``."""
    now = now or utcnow()
    day = vn_date(now)
    settings = mail.settings_from(current_app.config)
    done = Round()
    for item in due(tuple(current_app.config.get("REMINDER_DAYS") or ()), now, agency_id):
        if db.session.scalar(select(ReminderLog.id).where(*_key(item, day))) is not None or not claim(item, day):
            done.skipped += 1
            continue
        try:
            subject, body = message(item, base_url)
            mail.send_mail(settings, item.recipient, subject, body)
        except mail.MailNotSent as error:
            release(item, day)
            done.failed += 1
            log.warning("reminder not sent", extra={"kind": item.kind, "subject_id": item.subject_id,
                                                    "error": str(error)})
            continue
        except Exception:
            release(item, day)  # owed again, never silently dropped
            raise
        db.session.execute(update(ReminderLog).where(*_key(item, day)).values(status="sent", sent_at=utcnow()))
        if item.kind == SURVEY:
            _stamp_invitation(item.subject_id)
        db.session.commit()
        done.sent += 1
    return done


def _stamp_invitation(invitation_id: int) -> None:
    from surveys.models import Invitation

    db.session.execute(update(Invitation).where(Invitation.id == invitation_id).values(reminded_at=utcnow()))


def message(item: Due, base_url: str) -> tuple[str, str]:
    """Subject and text of the reminder, in Vietnamese."""
    with force_locale(MAIL_LOCALE):
        deadline = vn_date(item.deadline).strftime("%d/%m/%Y")
        if item.kind == ROSTER:
            title = item.consultation.title
            subject = _("Reminder: your agency's opinions on %(title)s are due on %(date)s", title=title,
                        date=deadline)
            body = _("Hello,\n\n%(body)s is asked for its opinions on %(title)s by %(date)s (%(days)s days "
                     "left). We have not yet received its letter.\n\nPrepare and send the letter here: "
                     "%(link)s\n\nIf the letter was sent meanwhile, please ignore this reminder.",
                     body=item.organisation.name, title=title, date=deadline, days=item.days_left,
                     link=link(base_url, "submissions.home"))
        else:
            title = item.survey.title_in(MAIL_LOCALE)
            subject = _("Reminder: the survey %(title)s closes on %(date)s", title=title, date=deadline)
            body = _("Hello,\n\n%(body)s was invited to answer the survey %(title)s, which closes on %(date)s "
                     "(%(days)s days left). We have not yet received its answer.\n\nPlease open the "
                     "personal link of the invitation you received to answer.\n\nIf you have answered "
                     "meanwhile, please ignore this reminder.",
                     body=item.organisation.name, title=title, date=deadline, days=item.days_left)
    return subject, body


def sent_log(limit: int = 200, agency_id: int | None = None) -> list[ReminderLog]:
    """The latest reminders, newest first, for the team's page (with ``agency_id``, only about
    that agency's consultations)."""
    query = select(ReminderLog)
    if agency_id is not None:
        query = query.where(ReminderLog.consultation_id.in_(
            select(Consultation.id).where(Consultation.agency_id == agency_id)))
    return list(db.session.scalars(query.order_by(ReminderLog.id.desc()).limit(limit)))


# --- in the background ------------------------------------------------------------------------

def perform(base_url: str) -> dict:
    """The RQ job: one round; raises ``NotAllSent`` so that RQ retries the failed ones."""
    return mail_jobs.perform("consult.reminders.send_due", base_url)


def start(base_url: str, agency_id: int | None = None) -> str:
    """Send today's reminders (with ``agency_id``, only that agency's) in the background (RQ, or
    a thread); returns which."""
    waits = current_app.config.get("REMINDERS_MAIL_RETRY_WAITS", mail_jobs.RETRY_WAITS)
    if agency_id is None:
        return mail_jobs.start("consult.reminders.send_due", base_url, waits=waits)
    return mail_jobs.start("consult.reminders.send_due", base_url, None, agency_id, waits=waits)


def with_retries(base_url: str, waits=mail_jobs.RETRY_WAITS) -> Round:
    return mail_jobs.with_retries("consult.reminders.send_due", base_url, waits=waits)
