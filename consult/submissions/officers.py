"""Organisation officers: accounts tied to one body, made by the drafting team or by invitation.

Pure module (no Flask). Invitation tokens travel only in the e-mail; the database keeps
their SHA-256, so a copy of the database cannot be used to take an invitation over.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from consult import audit, auth
from consult.domain import DRAFTER_ROLES
from consult.extensions import db
from consult.models import Organisation, User, utcnow
from consult.submissions.models import OfficerInvitation

#: How long an invitation link works.
INVITATION_LIFETIME = timedelta(days=7)
#: Shortest password an officer may choose.
PASSWORD_MIN_LENGTH = 10


class EmailTaken(Exception):
    """An account with this e-mail exists already."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def is_drafting_team(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in DRAFTER_ROLES


def can_see_organisation(user, organisation_id: int | None) -> bool:
    """The drafting team sees every body's work; an officer only their own body's."""
    if is_drafting_team(user):
        return True
    return (bool(getattr(user, "is_authenticated", False)) and user.role == "officer"
            and organisation_id is not None and user.organisation_id == organisation_id)


def create_officer(email: str, name: str, organisation: Organisation, password: str,
                   actor: User | None) -> User:
    if auth.find_user(email) is not None:
        raise EmailTaken()
    user = auth.create_user(email, password, "officer", name=name.strip(),
                            organisation_id=organisation.id)
    db.session.flush()
    audit.record(actor, "officer.create", user, organisation=organisation.code)
    return user


def invite_officer(email: str, name: str, organisation: Organisation, actor: User | None,
                   now: datetime | None = None) -> tuple[OfficerInvitation, str]:
    """Make a one-time invitation; returns it with the raw token to put in the e-mail link."""
    if auth.find_user(email) is not None:
        raise EmailTaken()
    raw = secrets.token_urlsafe(32)
    now = now or utcnow()
    invitation = OfficerInvitation(email=email.strip().lower(), name=name.strip(),
                                   organisation=organisation, token_hash=hash_token(raw),
                                   expires_at=now + INVITATION_LIFETIME, created_at=now,
                                   created_by_id=actor.id if actor else None)
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, "officer.invite", invitation, email=invitation.email,
                 organisation=organisation.code)
    return invitation, raw


def find_invitation(raw: str, now: datetime | None = None) -> OfficerInvitation | None:
    """The invitation for this link if it is unused and not expired."""
    if not raw or len(raw) > 200:
        return None
    invitation = db.session.scalar(select(OfficerInvitation).where(
        OfficerInvitation.token_hash == hash_token(raw)))
    if invitation is None or invitation.accepted_at is not None:
        return None
    if (now or utcnow()) >= invitation.expires_at:
        return None
    return invitation


def accept_invitation(invitation: OfficerInvitation, password: str, name: str = "") -> User:
    """Create the officer's account and use the invitation up."""
    if auth.find_user(invitation.email) is not None:
        raise EmailTaken()
    user = auth.create_user(invitation.email, password, "officer",
                            name=(name or invitation.name).strip(),
                            organisation_id=invitation.organisation_id)
    db.session.flush()
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    audit.record(user, "officer.accept", invitation, organisation=invitation.organisation.code)
    return user


def officers() -> list[User]:
    return db.session.scalars(
        select(User).where(User.role == "officer").order_by(User.organisation_id, User.email)
    ).all()


def open_invitations(now: datetime | None = None) -> list[OfficerInvitation]:
    return db.session.scalars(
        select(OfficerInvitation).where(OfficerInvitation.accepted_at.is_(None),
                                        OfficerInvitation.expires_at > (now or utcnow()))
        .order_by(OfficerInvitation.created_at.desc())
    ).all()
