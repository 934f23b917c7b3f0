"""The drafting team's side of invitations: whom to invite, the status list, reminders.

Invitations are made by ``surveys.invitations`` (part of the answering side), which stores only
a hash of each token: a link is shown once, on the page that made it, and a lost link is
replaced ("new link"), which stops the old one at once.  Demo invitations are the exception:
their token can be derived again, so their links can be shown at any time.

The consultation's roster (``consult.submissions``) is read through the table's metadata, not
imported, so that surveys work whether or not that package is installed.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from consult import audit
from consult.domain import ORGANISATION_KINDS
from consult.extensions import db
from consult.models import Organisation, User, utcnow
from surveys import invitations
from surveys.models import Invitation, Survey

ROSTER_TABLE = "roster_entry"


def roster_organisation_ids(survey: Survey) -> list[int] | None:
    """Organisations on the roster of the survey's consultation; None when there is no roster."""
    table = db.metadata.tables.get(ROSTER_TABLE)
    if survey.consultation_id is None or table is None or not {
            "consultation_id", "organisation_id"} <= set(table.c.keys()):
        return None
    return list(db.session.scalars(select(table.c.organisation_id)
                                   .where(table.c.consultation_id == survey.consultation_id)))


def organisations_to_invite(survey: Survey, kinds: Iterable[str] = (),
                            organisation_ids: Iterable[int] = (), roster: bool = False
                            ) -> list[Organisation]:
    """Organisations of the chosen kinds, the chosen ones and (optionally) the roster, by name."""
    ids = set(organisation_ids)
    if roster:
        ids |= set(roster_organisation_ids(survey) or [])
    kinds = [kind for kind in kinds if kind in ORGANISATION_KINDS]
    conditions = []
    if kinds:  # a whole kind: the bodies that exist on the consultation's reference day
        day = survey.consultation.reference_day if survey.consultation else None
        conditions.append(and_(Organisation.kind.in_(kinds), Organisation.in_force_clause(day)))
    if ids:
        conditions.append(Organisation.id.in_(ids))
    if not conditions:
        return []
    return list(db.session.scalars(select(Organisation).where(or_(*conditions))
                                   .order_by(Organisation.name)))


def invite(survey: Survey, organisations: list[Organisation], actor: User | None = None
           ) -> list[tuple[Invitation, str]]:
    """Invite those not yet invited; returns (invitation, token) to show once."""
    created = invitations.invite_organisations(survey, organisations)
    db.session.flush()
    if created:
        audit.record(actor, "survey.invite", survey, count=len(created),
                     organisations=[invitation.organisation.code for invitation, _t in created])
    return created


def new_link(invitation: Invitation, actor: User | None = None) -> str:
    """Replace a lost or leaked link; the old one stops working."""
    token = invitations.replace_token(invitation)
    audit.record(actor, "survey.invitation_new_link", invitation.survey,
                 organisation=invitation.organisation.code)
    return token


def invitation_list(survey: Survey) -> list[Invitation]:
    """Every invitation, those not submitted first, then by organisation name."""
    rows = db.session.scalars(select(Invitation).join(Invitation.organisation)
                              .where(Invitation.survey_id == survey.id)
                              .order_by(Organisation.name)).all()
    return sorted(rows, key=lambda invitation: invitation.status == "submitted")


def record_reminder(survey: Survey, actor: User | None = None) -> int:
    """Stamp ``reminded_at`` on every invitation not yet answered; returns how many."""
    waiting = invitations.not_answered(survey)
    now = utcnow()
    for invitation in waiting:
        invitation.reminded_at = now
    if waiting:
        audit.record(actor, "survey.remind", survey, count=len(waiting))
    return len(waiting)


def non_responders_csv(survey: Survey, format_time) -> bytes:
    """Who has not submitted, for reminders: UTF-8 with a BOM so that Excel reads the marks.

    ``format_time`` turns a stored UTC time into the text shown (Vietnam time).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Code"), _("Organisation"), _("Kind"), _("Status"), _("Invited on"),
                     _("Opened on"), _("Started on"), _("Last reminder")])
    for invitation in invitations.not_answered(survey):
        organisation = invitation.organisation
        writer.writerow([_cell(organisation.code), _cell(organisation.name),
                         str(ORGANISATION_KINDS.get(organisation.kind, organisation.kind)),
                         str(invitations.STATUS_LABELS.get(invitation.status, invitation.status)),
                         *(format_time(getattr(invitation, name)) if getattr(invitation, name) else ""
                           for name in ("sent_at", "opened_at", "started_at", "reminded_at"))])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
