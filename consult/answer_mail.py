"""Telling citizens by e-mail that the answers to their opinions are published.

Who is told: a sending (``Contribution``) with an e-mail address as its contact, the consent
given when it was sent, and at least one published opinion. One message each, never two:
``Contribution.answers_mailed_at`` is claimed by a conditional UPDATE before the message goes
(only one process wins it), and cleared again when the mail server could not take the message,
so a later attempt sends it. A process that dies between the claim and the send loses that one
message rather than risk sending it twice.

The work runs outside the request (``consult.mail_jobs``): on RQ (queue ``MAIL_QUEUE``, default
"mail", retried three times) when ``REDIS_URL`` is set, otherwise in a thread of the web process
retrying the same way; ``flask answers notify SLUG`` sends whatever is still owed. Jobs take ids
and plain strings.
"""
from __future__ import annotations

import logging
import re

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import exists, select, update

from consult import mail_jobs
from consult.extensions import db
from consult.models import Comment, Consultation, Contribution, utcnow
from consult.submissions import mail

log = logging.getLogger(__name__)

DEFAULT_QUEUE, ATTEMPTS, RETRY_WAITS = mail_jobs.DEFAULT_QUEUE, mail_jobs.ATTEMPTS, mail_jobs.RETRY_WAITS
NotAllSent, Round, link, queue_name_of = mail_jobs.NotAllSent, mail_jobs.Round, mail_jobs.link, mail_jobs.queue_name_of
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The language of the message: citizens use the platform in Vietnamese first.
MAIL_LOCALE = "vi"


def owed(consultation_id: int) -> list[int]:
    """Ids of the sendings still owed a message, for a published consultation's answers."""
    has_published = exists().where(Comment.contribution_id == Contribution.id, Comment.status == "published")
    rows = db.session.execute(
        select(Contribution.id, Contribution.contact)
        .join(Consultation, Consultation.id == Contribution.consultation_id)
        .where(Contribution.consultation_id == consultation_id, Consultation.answers_published_at.is_not(None),
               Contribution.status == "submitted", Contribution.consent_at.is_not(None),
               Contribution.answers_mailed_at.is_(None), Contribution.contact.contains("@"), has_published)
        .order_by(Contribution.id)).all()
    return [row_id for row_id, contact in rows if EMAIL.match(contact.strip())]


def claim(contribution_id: int) -> bool:
    """Mark the sending as told, if no one did; True when this caller won it."""
    result = db.session.execute(update(Contribution)
                                .where(Contribution.id == contribution_id, Contribution.answers_mailed_at.is_(None))
                                .values(answers_mailed_at=utcnow()))
    db.session.commit()
    return result.rowcount == 1


def release(contribution_id: int) -> None:
    """The message did not go: owe it again."""
    db.session.execute(update(Contribution).where(Contribution.id == contribution_id)
                       .values(answers_mailed_at=None))
    db.session.commit()


def notify(consultation_id: int, base_url: str) -> Round:
    """Send every owed message of ``consultation_id``; links start with ``base_url``."""
    settings = mail.settings_from(current_app.config)
    done = Round()
    for contribution_id in owed(consultation_id):
        if not claim(contribution_id):
            done.skipped += 1
            continue
        contribution = db.session.get(Contribution, contribution_id)
        try:
            subject, body = message(contribution, base_url)
            mail.send_mail(settings, contribution.contact.strip(), subject, body)
        except mail.MailNotSent as error:
            release(contribution_id)
            done.failed += 1
            log.warning("answers mail not sent", extra={"contribution_id": contribution_id, "error": str(error)})
            continue
        except Exception:
            release(contribution_id)  # owed again, never silently dropped
            raise
        done.sent += 1
    return done


def message(contribution: Contribution, base_url: str) -> tuple[str, str]:
    """Subject and text of the message, in Vietnamese, with the links to the receipt and answers."""
    consultation = contribution.consultation
    receipt = link(base_url, "public.receipt", code=contribution.receipt_code)
    answers = link(base_url, "answers.public_page", slug=consultation.slug)
    with force_locale(MAIL_LOCALE):
        subject = _("The answers to the opinions on %(title)s are published", title=consultation.title)
        body = _("Hello,\n\nYou sent opinions on %(title)s (receipt %(code)s). The drafting agency has "
                 "published how it handled the opinions received.\n\nWhat became of each of your "
                 "opinions: %(receipt)s\nAll the answers, article by article: %(answers)s\n\n"
                 "You receive this message once, because you left this address when sending your "
                 "opinions.", title=consultation.title, code=contribution.receipt_code,
                 receipt=receipt, answers=answers)
    return subject, body


# --- in the background (consult.mail_jobs) ---------------------------------------------------

def perform(consultation_id: int, base_url: str) -> dict:
    """The RQ job: one round; raises ``NotAllSent`` so that RQ retries the failed ones."""
    return mail_jobs.perform("consult.answer_mail.notify", consultation_id, base_url)


def start(consultation_id: int, base_url: str) -> str:
    """Send in the background: on RQ when ``REDIS_URL`` is set, else in a thread. Returns which."""
    if current_app.config.get("REDIS_URL"):
        try:
            enqueue(consultation_id, base_url)
            return "queued"
        except Exception:  # Redis down: the thread still tells them
            log.exception("answers mail could not be queued; sending from this process")
    start_thread(consultation_id, base_url)
    return "thread"


def enqueue(consultation_id: int, base_url: str, queue_name: str | None = None) -> str:
    return mail_jobs.enqueue("consult.answer_mail.perform", consultation_id, base_url, queue_name=queue_name)


def start_thread(consultation_id: int, base_url: str):
    """Send from a thread of this process, with its own app context, retrying failed rounds."""
    waits = current_app.config.get("ANSWERS_MAIL_RETRY_WAITS", RETRY_WAITS)
    return mail_jobs.start_thread("consult.answer_mail.notify", consultation_id, base_url, waits=waits)


def with_retries(consultation_id: int, base_url: str, waits=RETRY_WAITS) -> Round:
    """Rounds until nothing fails, pausing ``waits[i]`` seconds before retry i+1."""
    return mail_jobs.with_retries("consult.answer_mail.notify", consultation_id, base_url, waits=waits)


wait_for_background = mail_jobs.wait_for_background
