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


class NotAnOfficer(Exception):
    """The account is not an organisation officer's: the team's own accounts are managed elsewhere."""


#: What ``withdraw_invitation`` found: ``withdrawn`` now, ``accepted`` (the officer already has
#: an account: deactivate it instead), or ``not_pending`` (expired or withdrawn before: a replay).
WITHDRAW_OUTCOMES = ("withdrawn", "accepted", "not_pending")


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


def withdraw_invitation(invitation: OfficerInvitation, actor: User | None,
                        now: datetime | None = None) -> str:
    """Stop a pending invitation's link at once by making it expire now; see ``WITHDRAW_OUTCOMES``.

    No column is added for it: a withdrawn invitation is one that expired early, and the
    audit trail says who withdrew it and when.
    """
    now = now or utcnow()
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= now:
        return "not_pending"
    invitation.expires_at = now
    audit.record(actor, "officer.invitation_withdraw", invitation, email=invitation.email,
                 organisation=invitation.organisation.code)
    return "withdrawn"


def set_active(user: User, active: bool, actor: User | None) -> bool:
    """Deactivate or reactivate an officer's account; False when it already was so (a replay).

    A deactivated officer cannot log in, and one logged in loses access on the next request
    (``consult.auth`` loads only active accounts). Letters the officer made stay as they are.
    """
    if user.role != "officer":
        raise NotAnOfficer()
    if user.active == active:
        return False
    user.active = active
    if not active:
        user.end_sessions()  # a cookie kept from before stays dead after a reactivation
    audit.record(actor, "officer.reactivate" if active else "officer.deactivate", user,
                 email=user.email, organisation=user.organisation.code if user.organisation else None)
    return True


def find_officer(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.role == "officer" else None


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
