"""Agencies' drafting teams: the platform administrator gives a drafting agency (a ministry,
a province…) its drafters and moderators, who then see only that agency's consultations
(``consult.scoping``). Pure module (no Flask request): the page and ``flask team`` share it.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select

from consult import audit, auth, scoping
from consult import consultations as consultation_service
from consult.extensions import db
from consult.models import Organisation, User

#: Roles an agency's team member may have; administrators are the platform's, of no agency.
AGENCY_ROLES = ("drafter", "moderator")


class EmailTaken(Exception):
    """An account with this e-mail exists already."""


class NotAllowed(Exception):
    """Only a platform administrator creates accounts for an agency's team."""


def one_time_password() -> str:
    """A password shown once to the administrator, who hands it to the new member."""
    return secrets.token_urlsafe(12)


def agency_members() -> list[User]:
    """Every drafter and moderator that belongs to an agency, by agency then e-mail."""
    return list(db.session.scalars(
        select(User).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.role.in_(AGENCY_ROLES)).order_by(Organisation.name, User.email)))


def find_organisation(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code.strip()))


def add_member(organisation: Organisation, email: str, name: str, role: str,
               actor: User | None, password: str | None = None) -> tuple[User, str]:
    """Create a drafter or moderator of ``organisation``; returns (user, password).

    ``actor`` None is the command line (the server's operator); on the web only an
    administrator may do it. The audit trail records who added whom to which agency.
    """
    if actor is not None and actor.role != "admin":
        raise NotAllowed()
    if role not in AGENCY_ROLES:
        raise ValueError(role)
    if auth.find_user(email) is not None:
        raise EmailTaken()
    password = password or one_time_password()
    user = auth.create_user(email, password, role, name=name.strip(), organisation_id=organisation.id)
    db.session.flush()
    audit.record(actor, "team.add_member", user, organisation=organisation.code, role=role,
                 email=user.email)
    return user, password


def find_member(user_id: int) -> User | None:
    """An agency's drafter or moderator by id (never an administrator nor an officer)."""
    user = db.session.get(User, user_id) if 0 < user_id < 2 ** 31 else None
    ok = user is not None and user.role in AGENCY_ROLES and user.organisation_id is not None
    return user if ok else None


def set_active(user: User, active: bool, actor: User | None) -> bool:
    """Deactivate (a member who left the agency) or reactivate an account; False when it
    already was so (a replayed button). Deactivating ends the member's sessions at once."""
    if actor is not None and actor.role != "admin":
        raise NotAllowed()
    if user.active == active:
        return False
    user.active = active
    if not active:
        user.end_sessions()
    audit.record(actor, "team.reactivate" if active else "team.deactivate", user,
                 email=user.email, organisation=user.organisation.code)
    return True


# --- an agency's minimum consultation period --------------------------------------------------

def may_set_minimum_period(user: User, organisation: Organisation) -> bool:
    """An administrator (or a drafter of no agency) sets any agency's minimum period; an
    agency's drafter sets only their own agency's; moderators none."""
    if user.role not in ("admin", "drafter"):
        return False
    return scoping.sees_all(user) or user.organisation_id == organisation.id


def set_minimum_period(organisation: Organisation, days: int | None, actor: User) -> bool:
    """Set (None: forget) the agency's shortest consultation period; audited. False when it was
    so already (a replayed form); ``NotAllowed`` for another agency's member."""
    if not may_set_minimum_period(actor, organisation):
        raise NotAllowed()
    if organisation.min_consultation_days == days:
        return False
    consultation_service.set_minimum_days(organisation, days, actor)
    return True
