"""The drafting team's workload: who prepares the decisions on which article or opinion.

An ``Assignment`` gives an article (every opinion on it) or one opinion to a member of the
team. An opinion's own assignment takes precedence over its article's, so an article can be
given to one member and a single letter on it to another. "My queue" lists, per article, the
undecided opinions that fall to a member.

An assignment holds while its member could be given the work now (``assignable_users``): an
active drafter or moderator who sees the consultation. One whose member was deactivated, or
moved to another agency, has *lapsed*: the work counts as unassigned (it falls back to the
article's assignee, if any, and the "nobody" filter finds it), and the pages say who had it so
that the team gives it to someone else. The row is kept (reactivating the member restores it;
assigning the target again replaces it).

Pure module (no Flask): the pages and tests share it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from consult import audit, decisions, scoping
from consult.domain import MODERATOR_ROLES
from consult.extensions import db
from consult.models import Assignment, Consultation, Provision, User, utcnow
from consult.outline import outline

#: What a target names: an article's anchor after this prefix, or an opinion's token.
ARTICLE = "a:"
#: The target segment of the opinions on the draft as a whole.
GENERAL = "chung"
#: Roles whose members may be given work: the drafting team and its moderators.
ASSIGNABLE_ROLES = MODERATOR_ROLES
#: ``?nguoi=`` value of the filter "nobody is assigned".
UNASSIGNED = "none"


class InvalidAssignment(ValueError):
    """An assignment that cannot be recorded; ``code`` says why, for a message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def article_target(anchor: str | None) -> str:
    """The target of an article (None: the opinions on the draft as a whole)."""
    return ARTICLE + (anchor or GENERAL)


def anchor_of(target: str) -> str | None:
    """The article anchor of an article target (None for the general opinions)."""
    anchor = target[len(ARTICLE):]
    return None if anchor == GENERAL else anchor


def _sees(consultation: Consultation):
    """SQL condition on ``User``: team members who see ``consultation`` (``consult.scoping``):
    administrators, members of no agency, and the members of the agency that runs it."""
    return or_(User.role == "admin", User.organisation_id.is_(None),
               and_(User.organisation_id.is_not(None), User.organisation_id == consultation.agency_id))


def assignable_users(consultation: Consultation) -> list[User]:
    """Active members of the team who may be given work on ``consultation`` (those who can see
    it: another agency's drafter is never offered), by name."""
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(ASSIGNABLE_ROLES),
                                                      _sees(consultation))
                                   .order_by(User.name, User.email)))


def assignee_from(value: str | None, consultation: Consultation) -> User | None:
    """The member named by a form value (a user id), None for "" (nobody); ``InvalidAssignment``
    for anything else, such as a citizen's account, an id that does not exist, or a member of
    another agency, who cannot see ``consultation``."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 15:
        raise InvalidAssignment("unknown_assignee")
    user = db.session.get(User, int(value)) if int(value) < 2 ** 31 else None
    if user is None or not user.active or user.role not in ASSIGNABLE_ROLES:
        raise InvalidAssignment("unknown_assignee")
    if not scoping.can_see(consultation, user):
        raise InvalidAssignment("unknown_assignee")
    return user


def _all_assignments(consultation_id: int) -> dict[str, Assignment]:
    """target → assignment, for one consultation, lapsed or not."""
    rows = db.session.scalars(select(Assignment).where(Assignment.consultation_id == consultation_id))
    return {row.target: row for row in rows}


def _holds(consultation_id: int):
    """SQL condition on ``User`` (joined to ``Assignment``): the member may still be given
    work on the consultation, as ``assignable_users`` would offer them."""
    return and_(User.active.is_(True), User.role.in_(ASSIGNABLE_ROLES),
                _sees(db.session.get(Consultation, consultation_id)))


def assignments(consultation_id: int) -> dict[str, Assignment]:
    """target → assignment that holds, for one consultation (lapsed ones left out)."""
    rows = db.session.scalars(select(Assignment).join(User, User.id == Assignment.user_id)
                              .where(Assignment.consultation_id == consultation_id, _holds(consultation_id)))
    return {row.target: row for row in rows}


def lapsed_assignments(consultation_id: int) -> dict[str, Assignment]:
    """target → assignment whose member was deactivated or no longer sees the consultation."""
    rows = db.session.scalars(select(Assignment).join(User, User.id == Assignment.user_id)
                              .where(Assignment.consultation_id == consultation_id,
                                     ~_holds(consultation_id)))
    return {row.target: row for row in rows}


def assignee_of(opinion: decisions.Opinion, assigned: dict[str, Assignment]) -> User | None:
    """Who prepares ``opinion``: its own assignee, else its article's."""
    row = assigned.get(opinion.ref.token) or assigned.get(article_target(opinion.anchor))
    return row.user if row is not None else None


def lapsed_assignee_of(opinion: decisions.Opinion, assigned: dict[str, Assignment],
                       lapsed: dict[str, Assignment]) -> User | None:
    """Who had ``opinion`` (its own assignment, else its article's) before the assignment
    lapsed, when nobody holds it now; None otherwise."""
    if assignee_of(opinion, assigned) is not None:
        return None
    row = lapsed.get(opinion.ref.token) or lapsed.get(article_target(opinion.anchor))
    return row.user if row is not None else None


def assign(consultation: Consultation, targets: list[str], user: User | None, actor: User | None) -> int:
    """Give ``targets`` to ``user`` (None: to nobody); returns how many changed.

    Each change is audited ("assignment.assign" / "assignment.remove"); giving a target to the
    member who already has it changes nothing (a replayed form).
    """
    if not targets:
        raise InvalidAssignment("nothing_selected")
    current = _all_assignments(consultation.id)
    changed = 0
    for target in dict.fromkeys(targets):
        row = current.get(target)
        if user is None:
            if row is not None:
                audit.record(actor, "assignment.remove", row, target=target, previous=row.user_id)
                db.session.delete(row)
                changed += 1
            continue
        if row is not None and row.user_id == user.id:
            continue
        previous = row.user_id if row is not None else None
        values = {"user_id": user.id, "assigned_by_id": actor.id if actor else None, "assigned_at": utcnow()}
        if row is None:
            row = Assignment(consultation_id=consultation.id, target=target, **values)
            db.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        db.session.flush()
        audit.record(actor, "assignment.assign", row, target=target, user=user.id, previous=previous)
        changed += 1
    db.session.flush()
    return changed


# --- my queue ---------------------------------------------------------------------------------

@dataclass
class QueueLine:
    """One article of a consultation with the undecided opinions that fall to one member."""

    consultation: Consultation
    anchor: str | None
    article: Provision | None
    #: Undecided opinions that fall to the member (own assignment or the article's).
    undecided: int
    #: True when the whole article is given to the member (not only some of its opinions).
    whole_article: bool


def queue(user: User) -> list[QueueLine]:
    """What falls to ``user`` and is not yet decided, consultation by consultation in draft order,
    only on consultations the member can still see. An article given to the member stays listed
    (with 0) until another member takes it."""
    mine = db.session.scalars(select(Assignment).where(Assignment.user_id == user.id)
                              .order_by(Assignment.consultation_id)).all()
    lines: list[QueueLine] = []
    for consultation_id in dict.fromkeys(row.consultation_id for row in mine):
        consultation = db.session.get(Consultation, consultation_id)
        if not scoping.can_see(consultation, user):
            continue  # the member has moved agency since: what they can no longer see is not theirs
        assigned = assignments(consultation_id)
        articles = {anchor_of(t) for t, row in assigned.items() if t.startswith(ARTICLE) and row.user_id == user.id}
        counts: dict[str | None, int] = dict.fromkeys(articles, 0)
        groups = {group.anchor: group for group in decisions.opinions_by_article(consultation)}
        for anchor, group in groups.items():
            for opinion in group.opinions:
                owner = assignee_of(opinion, assigned)
                if opinion.decision is None and owner is not None and owner.id == user.id:
                    counts[anchor] = counts.get(anchor, 0) + 1
        shape_articles = outline(consultation).articles
        order = {anchor: i for i, anchor in enumerate([None, *shape_articles])}
        for anchor in sorted(counts, key=lambda a: order.get(a, len(order))):
            if anchor is not None and anchor not in shape_articles:
                continue  # an anchor no version has any more
            lines.append(QueueLine(consultation, anchor, shape_articles.get(anchor) if anchor else None,
                                   counts[anchor], anchor in articles))
    return lines
