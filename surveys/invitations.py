"""Invitations: one secret link per organisation and survey, with its status.

The token in the link (``/khao-sat/<slug>/moi/<token>``) is shown once, when the invitation is
made or its link replaced; only its SHA-256 is stored, so a copy of the database opens nothing.
Status moves forward only: sent → opened → started → submitted. The drafting team may
withdraw (``revoked``) an invitation not yet submitted: its link then opens nothing, and it is
no longer counted among those who have not answered; a new link restores it.

Demo invitations are the one exception to "shown once": their token is an HMAC of the app's
secret key and the survey and organisation codes (``demo_token``), so the drafting team can copy
a demo link at any time (``demo_link_token``); real invitations never use it.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from consult import audit
from consult.extensions import db
from consult.models import Organisation, User, utcnow
from surveys.models import INVITATION_STATUSES, Invitation, Survey

#: The statuses an invitation moves forward through, in order; ``revoked`` stands apart.
PROGRESS = ("sent", "opened", "started", "submitted")
REVOKED = "revoked"
_ORDER = {status: index for index, status in enumerate(PROGRESS)}

#: Status -> label, for the organisation's page and the drafting team's list.
STATUS_LABELS = {
    "sent": _l("Invitation sent"),
    "opened": _l("Link opened"),
    "started": _l("Answering started"),
    "submitted": _l("Submitted"),
    "revoked": _l("Withdrawn"),
}


class AlreadySubmitted(Exception):
    """A submitted invitation cannot be withdrawn: its answers are in."""


class InvitationExists(Exception):
    """The organisation is already invited to this survey."""

    def __init__(self, invitation: Invitation):
        super().__init__(invitation.id)
        self.invitation = invitation


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitation(survey: Survey, organisation: Organisation, *, token: str | None = None,
                      now: datetime | None = None) -> tuple[Invitation, str]:
    """Invite one organisation; returns the invitation and the token for its link (show once)."""
    existing = db.session.scalar(select(Invitation).where(
        Invitation.survey_id == survey.id, Invitation.organisation_id == organisation.id))
    if existing is not None:
        raise InvitationExists(existing)
    token = token or new_token()
    invitation = Invitation(survey=survey, organisation=organisation, token_hash=hash_token(token),
                            status="sent", sent_at=now or utcnow())
    db.session.add(invitation)
    return invitation, token


def invite_organisations(survey: Survey, organisations: Iterable[Organisation]
                         ) -> list[tuple[Invitation, str]]:
    """Invite each organisation not yet invited; returns the new (invitation, token) pairs."""
    invited = set(db.session.scalars(select(Invitation.organisation_id)
                                     .where(Invitation.survey_id == survey.id)))
    created = []
    for organisation in organisations:
        if organisation.id not in invited:
            invited.add(organisation.id)
            created.append(create_invitation(survey, organisation))
    return created


def replace_token(invitation: Invitation) -> str:
    """A new link for a lost or leaked one: the old link stops working at once."""
    token = new_token()
    invitation.token_hash = hash_token(token)
    return token


def find_by_token(survey: Survey, token: str | None) -> Invitation | None:
    """The invitation of this survey whose link carries ``token``, or None (also when withdrawn)."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(Invitation).where(
        Invitation.token_hash == hash_token(token), Invitation.survey_id == survey.id,
        Invitation.status != REVOKED))


def advance(invitation: Invitation, status: str, now: datetime | None = None) -> bool:
    """Move the status forward to ``status`` and stamp its time; never moves back, never
    moves a withdrawn invitation."""
    if invitation.status == REVOKED or _ORDER[status] <= _ORDER.get(invitation.status, -1):
        return False
    now = now or utcnow()
    invitation.status = status
    for name in PROGRESS[1:_ORDER[status] + 1]:
        if getattr(invitation, f"{name}_at") is None:
            setattr(invitation, f"{name}_at", now)
    return True


def revoke(invitation: Invitation, actor: User | None = None) -> bool:
    """Withdraw an invitation not yet submitted; False when it already was (a replay).

    One conditional UPDATE, so an organisation submitting at the same moment either
    submits first (and ``AlreadySubmitted`` is raised) or finds its link withdrawn.
    Its unfinished answers, if any, are kept: a new link (``restore``) gives them back.
    """
    changed = db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id,
                                 Invitation.status.not_in(("submitted", REVOKED)))
        .values(status=REVOKED).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(invitation)
    if invitation.status == "submitted":
        raise AlreadySubmitted()
    if not changed:
        return False
    audit.record(actor, "survey.invitation_revoke", invitation.survey,
                 organisation=invitation.organisation.code, invitation=invitation.id)
    return True


def restore(invitation: Invitation, actor: User | None = None) -> bool:
    """Undo a withdrawal: back to the furthest status its times show (``sent`` if never
    opened). The caller gives it a new link: the withdrawn one stays dead. False when the
    invitation was not withdrawn."""
    if invitation.status != REVOKED:
        return False
    reached = [name for name in PROGRESS[1:3] if getattr(invitation, f"{name}_at") is not None]
    invitation.status = reached[-1] if reached else "sent"
    audit.record(actor, "survey.invitation_restore", invitation.survey,
                 organisation=invitation.organisation.code, invitation=invitation.id,
                 status=invitation.status)
    return True


def not_answered(survey: Survey) -> list[Invitation]:
    """Invitations still waiting for an answer, by organisation name: for reminders.

    Withdrawn ones are left out: the team no longer expects their answer, so they are
    neither reminded nor counted as not having answered.
    """
    return list(db.session.scalars(
        select(Invitation).join(Invitation.organisation)
        .where(Invitation.survey_id == survey.id,
               Invitation.status.not_in(("submitted", REVOKED)))
        .order_by(Organisation.name)))


def status_counts(survey: Survey) -> dict[str, int]:
    counts = dict.fromkeys(INVITATION_STATUSES, 0)
    for invitation in survey.invitations:
        counts[invitation.status] = counts.get(invitation.status, 0) + 1
    return counts


def demo_token(secret_key: str, survey: Survey, organisation: Organisation) -> str:
    """The demo link's token: derived, so the demo prints nothing and can show links later."""
    message = f"demo-invitation:{survey.slug}:{organisation.code}".encode("utf-8")
    digest = hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return "demo-" + digest[:32]


def demo_link_token(secret_key: str, invitation: Invitation) -> str | None:
    """The token of a demo invitation (its hash matches the derived one), else None."""
    token = demo_token(secret_key, invitation.survey, invitation.organisation)
    return token if hmac.compare_digest(hash_token(token), invitation.token_hash) else None
