"""Which consultations a member of the drafting side may see and act on (many agencies).

The rule, in one place:

- A platform administrator (role ``admin``) sees every consultation.
- A drafter or moderator whose account belongs to an organisation (``User.organisation_id``,
  set when the administrator creates the agency's team) sees only the consultations that
  organisation runs (``Consultation.agency_id``).
- A drafter or moderator with no organisation is a platform-wide team member, as every
  account was before agencies had teams (the demo's and older deployments' accounts): they
  see every consultation. New agency accounts are always made with an organisation
  (``consult.teams``), so this stays the legacy case.
- Anyone else (officers, citizens, anonymous visitors) sees no team page: the roles checked by
  ``consult.auth.role_required`` send them away before any of this matters.

Another agency's consultation, and every object reached through it (draft, draft version,
comment, letter, survey, export file, analysis result…), answers 404, never 403: the team of
agency A cannot even learn that agency B's page exists.

Every team page (an address containing ``/quan-tri``) is checked before its view runs
(``init_app``): each URL parameter is resolved to the consultation it belongs to by a
*resolver*, and a consultation outside the user's scope ends the request with 404. Feature
packages register resolvers for their own objects (``resolves``), since ``consult`` imports
neither ``surveys`` nor ``analysis``. A parameter that names nothing tied to a consultation is
listed in ``UNBOUND_PARAMETERS``; tests/consult/test_role_routes.py fails when a team page has
a parameter that is neither, so a new team page cannot slip through unchecked. Lists and
pickers filter with ``team_consultations_select`` / ``visible_clause``.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy import and_, false, or_, select, true

from consult.domain import MODERATOR_ROLES
from consult.extensions import db
from consult.models import AuditEvent, Comment, Consultation, Draft, DraftVersion, User

#: Roles of the drafting side whose consultations are scoped here.
TEAM_ROLES = MODERATOR_ROLES
#: What a resolver returns when the object does not exist: the view answers 404 itself.
MISSING = object()
#: An object tied to no consultation (a survey not attached to one): only those who see all.
UNATTACHED = None

#: URL parameters of team pages that name nothing tied to one consultation, or something the
#: view checks against a parent resolved here (a survey's page, question, choice, invitation).
UNBOUND_PARAMETERS = frozenset({
    "code", "status", "direction", "form", "extension", "anchor", "filename",
    "user_id", "token_id", "invitation_id", "page_id", "question_id", "choice_id", "number",
})

#: parameter name -> function(value) -> consultation id, ``UNATTACHED`` or ``MISSING``.
PARAMETER_RESOLVERS: dict[str, Callable] = {}
#: endpoint -> function(view_args) -> consultation id, ``UNATTACHED`` or ``MISSING``; replaces
#: the parameter resolvers for that endpoint (a parameter whose meaning depends on another).
ENDPOINT_RESOLVERS: dict[str, Callable] = {}
#: Endpoints outside ``/quan-tri`` that the drafting team also reaches (a letter's page).
EXTRA_TEAM_ENDPOINTS: set[str] = {"submissions.view", "submissions.download"}


# --- who sees what --------------------------------------------------------------------------

def _user(user: User | None) -> User | None:
    user = current_user if user is None else user
    return user if getattr(user, "is_authenticated", False) else None


def is_team_member(user: User | None = None) -> bool:
    """Logged in with a drafting-side role (admin, drafter, moderator)."""
    user = _user(user)
    return user is not None and user.role in TEAM_ROLES


def sees_all(user: User | None = None) -> bool:
    """True for the platform's administrators and for team members of no agency."""
    user = _user(user)
    return is_team_member(user) and (user.role == "admin" or user.organisation_id is None)


def require_platform_wide(user: User | None = None) -> None:
    """403 unless the user sees every consultation: for what belongs to no one agency.

    Officers' accounts and API tokens are a consulted body's credentials for *every*
    consultation it is asked about, whatever agency runs it: whoever makes one (and so knows
    its password, or its secret) reads the body's letters to other agencies too, and whoever
    deactivates one silences the body for everyone. So only administrators and team members
    of no agency manage them; an agency's drafters ask the platform's administrator."""
    if not sees_all(user):
        abort(403)


def agency_of(user: User | None = None) -> int | None:
    """The organisation whose consultations a scoped team member sees; None when unscoped."""
    user = _user(user)
    return None if user is None or sees_all(user) else user.organisation_id


def visible_clause(user: User | None = None):
    """SQL condition on ``Consultation``: the consultations ``user`` may see on team pages."""
    if not is_team_member(user):
        return false()
    if sees_all(user):
        return true()
    return Consultation.agency_id == agency_of(user)


def team_consultations_select(user: User | None = None):
    """``select(Consultation)`` of the user's consultations, oldest first: for team lists."""
    return select(Consultation).where(visible_clause(user)).order_by(Consultation.id)


def team_consultations(user: User | None = None) -> list[Consultation]:
    return list(db.session.scalars(team_consultations_select(user)))


def visible_ids_select(user: User | None = None):
    """``select(Consultation.id)`` of the user's consultations, to filter other tables."""
    return select(Consultation.id).where(visible_clause(user))


def consultation_id_clause(column, user: User | None = None):
    """SQL condition on a ``consultation_id`` column: rows of the user's consultations."""
    if sees_all(user):
        return true()
    return column.in_(visible_ids_select(user))


def comment_clause(user: User | None = None):
    """SQL condition on ``Comment``: comments a moderator of the user's agency moderates."""
    return consultation_id_clause(Comment.consultation_id, user)


def audit_clause(user: User | None = None):
    """SQL condition on ``AuditEvent``: what the user may read in the audit trail.

    Everything for those who see all; for an agency's member, every event on the agency's
    consultations (whoever acted: an administrator's extension of its deadline too), on the
    agency itself and its members' accounts, and what the accounts of that agency did elsewhere
    (an event names its object by type and id only, so this reveals nothing of another
    agency's work)."""
    if sees_all(user):
        return true()
    agency = agency_of(user)
    agency_members = select(User.id).where(User.organisation_id == agency, User.role.in_(TEAM_ROLES))
    return or_(AuditEvent.consultation_id.in_(visible_ids_select(user)),
               AuditEvent.actor_id.in_(agency_members),
               # on the agency itself (its minimum period) and on its members' accounts
               and_(AuditEvent.object_type == "organisation", AuditEvent.object_id == agency),
               and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(agency_members)))


def can_see_consultation_id(consultation_id: int | None, user: User | None = None) -> bool:
    """Whether the user may see the consultation with this id (None: an unattached object)."""
    if not is_team_member(user):
        return False
    if sees_all(user):
        return True
    if consultation_id is None:
        return False
    agency_id = db.session.scalar(select(Consultation.agency_id).where(Consultation.id == consultation_id))
    return agency_id is not None and agency_id == agency_of(user)


def can_see(consultation: Consultation | None, user: User | None = None) -> bool:
    return can_see_consultation_id(consultation.id if consultation is not None else None, user)


# --- objects reached by slug or id -----------------------------------------------------------

def check_consultation_id(consultation_id: int | None, user: User | None = None) -> None:
    """404 unless the user may see the consultation (an object's, by its id)."""
    if not can_see_consultation_id(consultation_id, user):
        abort(404)


def team_consultation_or_404(slug_or_id: str | int, user: User | None = None) -> Consultation:
    """The consultation with this slug (str) or id (int), if the user may see it; else 404."""
    column = Consultation.id if isinstance(slug_or_id, int) else Consultation.slug
    consultation = db.session.scalar(select(Consultation).where(column == slug_or_id))
    if consultation is None or not can_see(consultation, user):
        abort(404)
    return consultation


def object_or_404(model, object_id: int, user: User | None = None):
    """A row reached by id whose consultation the user may see (``PARAMETER_RESOLVERS``)."""
    row = db.session.get(model, object_id) if 0 < object_id < 2 ** 31 else None
    if row is None:
        abort(404)
    check_consultation_id(consultation_id_of(row), user)
    return row


def consultation_id_of(row) -> int | None:
    """The consultation a row belongs to (drafts, versions, comments, letters, surveys…)."""
    if isinstance(row, Consultation):
        return row.id
    if isinstance(row, DraftVersion):
        return row.draft.consultation_id if row.draft is not None else None
    return getattr(row, "consultation_id", None)


# --- the check before every team page --------------------------------------------------------

def resolves(name: str):
    """Register ``function(value)`` as the resolver of the URL parameter ``name``."""
    def register(function):
        PARAMETER_RESOLVERS[name] = function
        return function
    return register


def resolves_endpoint(endpoint: str):
    """Register ``function(view_args)`` as the resolver of every parameter of ``endpoint``."""
    def register(function):
        ENDPOINT_RESOLVERS[endpoint] = function
        return function
    return register


def _scalar_or_missing(query):
    found = db.session.execute(query.limit(1)).first()
    return MISSING if found is None else found[0]


def _valid_id(value) -> bool:
    return isinstance(value, int) and 0 < value < 2 ** 31


@resolves("slug")
def _by_slug(value):
    return _scalar_or_missing(select(Consultation.id).where(Consultation.slug == str(value)))


@resolves("consultation_id")
def _by_id(value):
    if not _valid_id(value):
        return MISSING
    return _scalar_or_missing(select(Consultation.id).where(Consultation.id == value))


@resolves("draft_id")
def _by_draft(value):
    if not _valid_id(value):
        return MISSING
    return _scalar_or_missing(select(Draft.consultation_id).where(Draft.id == value))


@resolves("version_id")
def _by_version(value):
    if not _valid_id(value):
        return MISSING
    return _scalar_or_missing(select(Draft.consultation_id).join(DraftVersion, DraftVersion.draft_id == Draft.id)
                              .where(DraftVersion.id == value))


@resolves("comment_id")
def _by_comment(value):
    if not _valid_id(value):
        return MISSING
    return _scalar_or_missing(select(Comment.consultation_id).where(Comment.id == value))


@resolves("submission_id")
def _by_submission(value):
    from consult.submissions.models import Submission

    if not _valid_id(value):
        return MISSING
    return _scalar_or_missing(select(Submission.consultation_id).where(Submission.id == value))


def is_team_rule(rule: str, endpoint: str) -> bool:
    """Whether an address is a team page: under ``/quan-tri`` or one of the extra endpoints."""
    return "/quan-tri" in rule or endpoint in EXTRA_TEAM_ENDPOINTS


def unknown_parameters(endpoint: str, arguments) -> set[str]:
    """Parameters of a team page that scoping cannot place (the role × route test uses it)."""
    if endpoint in ENDPOINT_RESOLVERS:
        return set()
    return {name for name in arguments
            if name not in PARAMETER_RESOLVERS and name not in UNBOUND_PARAMETERS}


def resolved_consultations(endpoint: str, view_args: dict) -> list:
    """The consultation ids (or ``UNATTACHED``) a team page's parameters name; missing objects
    are left out (the view answers 404 for them)."""
    if endpoint in ENDPOINT_RESOLVERS:
        found = [ENDPOINT_RESOLVERS[endpoint](view_args)]
    else:
        found = [PARAMETER_RESOLVERS[name](value) for name, value in view_args.items()
                 if name in PARAMETER_RESOLVERS]
    return [value for value in found if value is not MISSING]


def guard_team_request() -> None:
    """Before a team page: 404 when a parameter names another agency's consultation."""
    rule = request.url_rule
    if rule is None or not is_team_member() or sees_all():
        return
    if not is_team_rule(rule.rule, rule.endpoint):
        return
    if unknown_parameters(rule.endpoint, request.view_args or {}):
        abort(404)  # fail closed: a parameter nobody taught scoping about
    for consultation_id in resolved_consultations(rule.endpoint, request.view_args or {}):
        check_consultation_id(consultation_id)


def init_app(app: Flask) -> None:
    app.before_request(guard_team_request)
    app.jinja_env.globals["team_sees_all"] = sees_all
