"""Tables of e-mail subscriptions to new consultations."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models import Organisation, utcnow


class Subscription(db.Model):
    """A citizen's wish to hear of new consultations of one agency (or of all). Active once
    confirmed through the link sent to the address (double opt-in); deleted on unsubscribing."""

    __table_args__ = (UniqueConstraint("email_key", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The address as typed (trimmed); ``email_key`` is it in lower case, one row per address
    #: and scope.
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    #: ``*`` for every agency, else the agency organisation's id as text (part of the unique key).
    scope: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When a confirmation link was last asked for (a second ask within minutes sends nothing).
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: SHA-256 of the confirmation link's token, and when it expires; both emptied once used.
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    #: Random part of the signed unsubscribe link, so a new subscription gets new links.
    nonce: Mapped[str] = mapped_column(String(32))

    agency: Mapped[Organisation | None] = relationship()


class SubscriptionDelivery(db.Model):
    """The claim "this subscription is (being) told of this consultation": one row per pair, so
    two processes never send the same message; deleted again when the mail server refused it."""

    __table_args__ = (UniqueConstraint("subscription_id", "consultation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Announcement(db.Model):
    """When the platform first saw a consultation visible to the public: subscriptions confirmed
    by then are told of it; later ones subscribed to what comes next."""

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), primary_key=True)
    noticed_at: Mapped[datetime] = mapped_column(default=utcnow)
