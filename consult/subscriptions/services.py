"""Subscribing by e-mail to new consultations: double opt-in, one-click unsubscribe, and the
one announcement per subscription and consultation.

- ``request_subscription`` records the wish (one row per address and scope, whatever the number
  of requests) and sends a confirmation link in the background; the page says the same thing
  whether the address was known or not.
- The link's token is stored as its SHA-256 only and expires after ``CONFIRM_DAYS`` days;
  ``confirm`` activates the subscription and forgets the token.
- Every message carries a signed unsubscribe link (and ``List-Unsubscribe`` headers for mail
  programs' one-click button); ``unsubscribe`` deletes the subscription and its deliveries.
- ``notify_new(consultation_id)`` is the lifecycle's hook when a consultation becomes visible
  (published, scheduled or opened): it records the ``Announcement`` and sends in the background
  (``consult.mail_jobs``) to every subscription confirmed by then. ``send_due`` (``flask
  subscriptions send-due``, from cron) does the same for every visible consultation without a
  request, so a scheduled consultation is announced without anyone publishing it by hand.
- A message is claimed by inserting the (subscription, consultation) pair into
  ``SubscriptionDelivery`` under a unique constraint before it goes, and the claim is deleted
  if the mail server refused it: never sent twice, owed again when it failed.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, request
from flask_babel import force_locale, format_datetime, gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from consult import mail_jobs
from consult.domain import DOCUMENT_KINDS
from consult.extensions import db
from consult.models import Consultation, Organisation, utcnow
from consult.submissions import mail
from consult.subscriptions.models import Announcement, Subscription, SubscriptionDelivery

log = logging.getLogger(__name__)

#: A confirmation link works this many days.
CONFIRM_DAYS = 7
#: A second request for the same address and scope within this time sends no second e-mail.
RESEND_AFTER = timedelta(minutes=10)
#: States in which a consultation is announced: visible and not yet closed.
ANNOUNCED_STATES = ("scheduled", "open")
MAIL_LOCALE = "vi"
_SALT = "gopy.subscriptions.unsubscribe"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class InvalidEmail(ValueError):
    """Not an e-mail address we can write to."""


def clean_email(value: str | None) -> str:
    """The address trimmed, or ``InvalidEmail``."""
    email = (value or "").strip()
    if len(email) > 254 or not _EMAIL.match(email) or any(ord(char) < 32 for char in email):
        raise InvalidEmail(email)
    return email


def base_url() -> str:
    """The site's root for links in messages: ``PUBLIC_URL`` when set, else the request's root,
    else ``http://HOST:PORT/``."""
    config = current_app.config
    if config.get("PUBLIC_URL"):
        return str(config["PUBLIC_URL"])
    if has_request_context():
        return request.url_root
    return f"http://{config.get('HOST', '127.0.0.1')}:{config.get('PORT', 5000)}/"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# --- subscribing ---------------------------------------------------------------------------

def request_subscription(email: str, agency: Organisation | None) -> bool:
    """Record that ``email`` wants new consultations of ``agency`` (None: all) and send the
    confirmation link in the background. Returns whether a message was started (False when
    one was sent moments ago); the caller tells the person the same thing either way."""
    email = clean_email(email)
    key, scope = email.casefold(), str(agency.id) if agency is not None else "*"
    subscription = _find(key, scope)
    now = utcnow()
    if subscription is None:
        subscription = Subscription(email=email, email_key=key, scope=scope, agency_id=agency.id if agency else None,
                                    nonce=secrets.token_hex(8), requested_at=now)
        db.session.add(subscription)
        try:
            db.session.commit()
        except IntegrityError:  # the same address, at the same moment, from another request
            db.session.rollback()
            return False
    elif subscription.requested_at > now - RESEND_AFTER:
        return False
    else:
        subscription.requested_at = now
        db.session.commit()
    mail_jobs.start("consult.subscriptions.services.send_confirmation", subscription.id, base_url(),
                    waits=current_app.config.get("SUBSCRIPTION_MAIL_RETRY_WAITS", mail_jobs.RETRY_WAITS))
    return True


#: Kinds of organisation that draft legal documents, offered on the form even before their first
#: consultation here.
DRAFTING_KINDS = ("ministry", "ministerial_agency", "government_agency")


def agency_choices() -> list[Organisation]:
    """What a citizen can subscribe to: the ministries and agencies in force today, and every
    organisation that runs a published consultation; by name."""
    from consult.clock import vn_today

    runs_one = select(Consultation.agency_id).where(Consultation.published.is_(True),
                                                    Consultation.agency_id.is_not(None))
    drafting = Organisation.kind.in_(DRAFTING_KINDS) & Organisation.in_force_clause(vn_today())
    return list(db.session.scalars(select(Organisation).where(or_(drafting, Organisation.id.in_(runs_one)))
                                   .order_by(Organisation.name)))


def _find(email_key: str, scope: str) -> Subscription | None:
    return db.session.scalar(select(Subscription).where(Subscription.email_key == email_key,
                                                        Subscription.scope == scope))


def send_confirmation(subscription_id: int, base: str) -> mail_jobs.Round:
    """A round of one message: a new confirmation token (only its hash is kept), then the mail."""
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        return mail_jobs.Round(skipped=1)
    token = secrets.token_urlsafe(32)
    subscription.confirm_token_hash = _hash(token)
    subscription.confirm_expires_at = utcnow() + timedelta(days=CONFIRM_DAYS)
    db.session.commit()
    subject, body = confirmation_message(subscription, token, base)
    try:
        _send(subscription, subject, body, base)
    except mail.MailNotSent as error:
        log.warning("subscription confirmation not sent", extra={"subscription_id": subscription_id,
                                                                "error": str(error)})
        return mail_jobs.Round(failed=1)
    return mail_jobs.Round(sent=1)


def confirmation_message(subscription: Subscription, token: str, base: str) -> tuple[str, str]:
    confirm = mail_jobs.link(base, "subscriptions.confirm", token=token)
    with force_locale(MAIL_LOCALE):
        what = (_("new consultations of %(agency)s", agency=subscription.agency.name) if subscription.agency
                else _("all new consultations"))
        subject = _("Please confirm your subscription to new consultations")
        body = _("Hello,\n\nSomeone (we hope you) asked to receive by e-mail %(what)s on the Góp ý dự thảo "
                 "platform. To confirm, open this link within %(days)s days:\n%(link)s\n\n"
                 "If you did not ask for it, ignore this message: nothing will be sent to you.",
                 what=what, days=CONFIRM_DAYS, link=confirm)
    return subject, body


def confirm(token: str) -> str:
    """Activate the subscription of ``token``: "confirmed", "expired" or "unknown" (also a link
    already used: the token is forgotten once used)."""
    subscription = db.session.scalar(select(Subscription).where(Subscription.confirm_token_hash == _hash(token)))
    if subscription is None:
        return "unknown"
    if subscription.confirm_expires_at is None or subscription.confirm_expires_at <= utcnow():
        return "expired"
    subscription.confirmed_at = subscription.confirmed_at or utcnow()
    subscription.confirm_token_hash = subscription.confirm_expires_at = None
    db.session.commit()
    return "confirmed"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(subscription: Subscription) -> str:
    return _serializer().dumps([subscription.id, subscription.nonce])


def subscription_of(token: str) -> Subscription | None:
    """The subscription an unsubscribe link names, if it still exists."""
    try:
        subscription_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(subscription_id, int):
        return None
    subscription = db.session.get(Subscription, subscription_id)
    return subscription if subscription is not None and subscription.nonce == nonce else None


def unsubscribe(token: str) -> bool:
    """Delete the subscription (and the record of what it was sent): nothing of the address
    stays. False when the link is not valid or was already used."""
    subscription = subscription_of(token)
    if subscription is None:
        return False
    delete_subscription(subscription.id)
    db.session.commit()
    return True


def delete_subscription(subscription_id: int) -> None:
    db.session.execute(delete(SubscriptionDelivery).where(SubscriptionDelivery.subscription_id == subscription_id))
    db.session.execute(delete(Subscription).where(Subscription.id == subscription_id))


def purge_unconfirmed(now=None) -> int:
    """Delete subscriptions never confirmed whose link has expired: the address goes."""
    now = now or utcnow()
    stale = select(Subscription.id).where(Subscription.confirmed_at.is_(None),
                                          or_(Subscription.confirm_expires_at.is_(None),
                                              Subscription.confirm_expires_at <= now),
                                          Subscription.requested_at <= now - timedelta(days=CONFIRM_DAYS))
    ids = list(db.session.scalars(stale))
    for subscription_id in ids:
        delete_subscription(subscription_id)
    return len(ids)


# --- announcing ------------------------------------------------------------------------------

def _insert_once(model, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when this call inserted the row."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(**values).on_conflict_do_nothing() \
        .returning(*model.__table__.primary_key.columns)  # rowcount is -1 on psycopg here
    return db.session.execute(statement).first() is not None


def _announceable(now):
    return or_(*(Consultation.state_is(state, now) for state in ANNOUNCED_STATES))


def announce(consultation_id: int) -> bool:
    """Note the first time a consultation is seen visible (scheduled or open); False when it is
    not visible yet. The caller commits."""
    now = utcnow()
    visible = db.session.scalar(select(Consultation.id).where(Consultation.id == consultation_id,
                                                              _announceable(now)))
    if visible is None:
        return False
    _insert_once(Announcement, consultation_id=consultation_id, noticed_at=now)
    return True


def owed(consultation_id: int) -> list[int]:
    """Ids of the confirmed subscriptions to tell of an announced, still visible consultation."""
    now = utcnow()
    sent = select(SubscriptionDelivery.subscription_id).where(SubscriptionDelivery.consultation_id == consultation_id)
    query = (select(Subscription.id)
             .join(Announcement, Announcement.consultation_id == consultation_id)
             .join(Consultation, Consultation.id == consultation_id)
             .where(_announceable(now), Subscription.confirmed_at.is_not(None),
                    Subscription.confirmed_at <= Announcement.noticed_at,
                    or_(Subscription.agency_id.is_(None), Subscription.agency_id == Consultation.agency_id),
                    Subscription.id.not_in(sent))
             .order_by(Subscription.id))
    return list(db.session.scalars(query))


def claim(subscription_id: int, consultation_id: int) -> bool:
    """Take the pair, if no one did; True when this caller won it."""
    won = _insert_once(SubscriptionDelivery, subscription_id=subscription_id, consultation_id=consultation_id,
                       claimed_at=utcnow())
    db.session.commit()
    return won


def release(subscription_id: int, consultation_id: int) -> None:
    db.session.execute(delete(SubscriptionDelivery).where(SubscriptionDelivery.subscription_id == subscription_id,
                                                          SubscriptionDelivery.consultation_id == consultation_id))
    db.session.commit()


def notify(consultation_id: int, base: str) -> mail_jobs.Round:
    """The round: one message to every subscription owed one for ``consultation_id``."""
    settings = mail.settings_from(current_app.config)
    done = mail_jobs.Round()
    for subscription_id in owed(consultation_id):
        if not claim(subscription_id, consultation_id):
            done.skipped += 1
            continue
        subscription = db.session.get(Subscription, subscription_id)
        consultation = db.session.get(Consultation, consultation_id)
        try:
            subject, body = announcement_message(consultation, base)
            _send(subscription, subject, body, base, settings)
        except mail.MailNotSent as error:
            release(subscription_id, consultation_id)
            done.failed += 1
            log.warning("announcement not sent", extra={"subscription_id": subscription_id, "error": str(error)})
            continue
        except Exception:
            release(subscription_id, consultation_id)  # owed again, never silently dropped
            raise
        db.session.execute(update(SubscriptionDelivery)
                           .where(SubscriptionDelivery.subscription_id == subscription_id,
                                  SubscriptionDelivery.consultation_id == consultation_id)
                           .values(sent_at=utcnow()))
        db.session.commit()
        done.sent += 1
    return done


def announcement_message(consultation: Consultation, base: str) -> tuple[str, str]:
    page = mail_jobs.link(base, "public.draft", slug=consultation.slug)
    agency = consultation.agency or (consultation.agency_organisation.name if consultation.agency_organisation else "")
    with force_locale(MAIL_LOCALE):
        subject = _("New consultation: %(title)s", title=consultation.title)
        body = _("Hello,\n\nA new draft is open (or about to open) for public consultation:\n\n%(title)s\n"
                 "%(kind)s · %(agency)s\nOpinions from %(start)s to %(end)s (Vietnam time).\n\n"
                 "Read it and send your opinion: %(link)s",
                 title=consultation.title, kind=DOCUMENT_KINDS.get(consultation.document_kind, ""),
                 agency=agency or "—", start=format_datetime(consultation.opens_at, "HH:mm dd/MM/yyyy"),
                 end=format_datetime(consultation.closes_at, "HH:mm dd/MM/yyyy"), link=page)
    return subject, body


def _send(subscription: Subscription, subject: str, body: str, base: str, settings=None) -> None:
    """Send with the unsubscribe link in the text and in the headers (RFC 2369 and 8058)."""
    leave = mail_jobs.link(base, "subscriptions.unsubscribe", token=unsubscribe_token(subscription))
    with force_locale(MAIL_LOCALE):
        body += "\n\n-- \n" + _("To stop these messages, open: %(link)s", link=leave)
    headers = {"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mail.send_mail(settings or mail.settings_from(current_app.config), subscription.email, subject, body, headers)


def notify_new(consultation_id: int, base: str | None = None) -> str | None:
    """The lifecycle's hook: a consultation became visible. Records it and sends to the
    subscribers in the background ("queued" or "thread"); None when it is not visible."""
    if not announce(consultation_id):
        db.session.rollback()
        return None
    db.session.commit()
    return mail_jobs.start("consult.subscriptions.services.notify", consultation_id, base or base_url(),
                           waits=current_app.config.get("SUBSCRIPTION_MAIL_RETRY_WAITS", mail_jobs.RETRY_WAITS))


def send_due(base: str | None = None) -> mail_jobs.Round:
    """Announce every visible consultation not yet announced and send what is owed, now (the
    periodic check: ``flask subscriptions send-due``); also forgets expired unconfirmed ones."""
    base = base or base_url()
    ids = list(db.session.scalars(select(Consultation.id).where(_announceable(utcnow())).order_by(Consultation.id)))
    for consultation_id in ids:
        announce(consultation_id)
    purge_unconfirmed()
    db.session.commit()
    total = mail_jobs.Round()
    for consultation_id in ids:
        done = notify(consultation_id, base)
        total.sent, total.failed, total.skipped = (total.sent + done.sent, total.failed + done.failed,
                                                   total.skipped + done.skipped)
    return total
