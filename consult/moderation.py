"""Moderation (kiểm duyệt): publishing, rejecting and hiding citizens' comments."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, true, update

from consult import audit
from consult.domain import MODERATION_ACTIONS
from consult.extensions import db
from consult.models import AuditEvent, Comment, Decision, User, utcnow


#: Comments on one page of the moderation queue.
PAGE_SIZE = 100


def _in_queue(status: str, consultation_id: int | None, scope=None):
    conditions = [Comment.status == status, true() if scope is None else scope]
    if consultation_id is not None:
        conditions.append(Comment.consultation_id == consultation_id)
    return and_(*conditions)


@dataclass
class QueuePage:
    """One page of the queue: its comments and where it sits among all of them."""

    comments: list[Comment]
    #: 1-based, always between 1 and ``pages`` (an empty queue has one empty page).
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def first(self) -> int:
        """Position of the first comment shown (1-based), 0 when the page is empty."""
        return (self.number - 1) * self.per_page + 1 if self.comments else 0

    @property
    def last(self) -> int:
        return self.first + len(self.comments) - 1 if self.comments else 0

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    def nearby(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` each side of this one;
        None marks a gap ("…")."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown: list[int | None] = []
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if shown and number - shown[-1] > 1:
                shown.append(None)
            shown.append(number)
        return shown


def count(status: str, consultation_id: int | None = None, scope=None) -> int:
    """Comments in ``status``; ``scope``: an SQL condition on ``Comment`` (the moderator's
    agency, ``consult.scoping.consultation_id_clause``)."""
    return db.session.scalar(select(func.count(Comment.id))
                             .where(_in_queue(status, consultation_id, scope))) or 0


def page_count(total: int, per_page: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / per_page))


def queue_page(status: str = "pending", number: int = 1, per_page: int = PAGE_SIZE,
               consultation_id: int | None = None, scope=None) -> QueuePage:
    """Page ``number`` of the comments in ``status``, oldest first so none waits forever
    (ties in time by id, so pages never overlap); a number past the end
    gives the last page and one below 1 the first (the caller may say so)."""
    total = count(status, consultation_id, scope)
    pages = page_count(total, per_page)
    number = min(max(number, 1), pages)
    comments = db.session.scalars(
        select(Comment).where(_in_queue(status, consultation_id, scope))
        .order_by(Comment.created_at, Comment.id)
        .offset((number - 1) * per_page).limit(per_page)).all()
    return QueuePage(comments=comments, number=number, pages=pages, total=total, per_page=per_page)


def page_of(comment: Comment, per_page: int = PAGE_SIZE, scope=None) -> int:
    """The page of its status's queue on which ``comment`` appears."""
    before = db.session.scalar(select(func.count(Comment.id)).where(
        Comment.status == comment.status, true() if scope is None else scope,
        or_(Comment.created_at < comment.created_at,
            and_(Comment.created_at == comment.created_at, Comment.id < comment.id)))) or 0
    return before // per_page + 1


def status_counts(scope=None) -> dict[str, int]:
    rows = db.session.execute(
        select(Comment.status, func.count()).where(true() if scope is None else scope)
        .group_by(Comment.status)
    ).all()
    return dict(rows)


def moderate(comment: Comment, action: str, actor: User, reason: str = "") -> bool:
    """Apply a moderator's action; returns False when it changes nothing.

    Unsent comments are the citizen's own and cannot be moderated. Repeating an action
    (a replayed form) changes nothing and writes no second audit row.

    A decided comment hidden (or shown again) changes what its decision answers in public:
    the decision's ``updated_at`` records it, so that every process's similar-decisions
    index (``consult.similar``, stamped on it) is built again.
    """
    target = MODERATION_ACTIONS[action]
    if comment.status == "draft" or comment.status == target:
        return False
    previous = comment.status
    now = utcnow()
    comment.status = target
    comment.moderated_at = now
    if comment.decision_id is not None:
        db.session.execute(update(Decision).where(Decision.id == comment.decision_id)
                           .values(updated_at=now).execution_options(synchronize_session=False))
    comment.moderated_by = actor
    comment.moderation_reason = reason.strip()
    audit.record(actor, f"comment.{action}", comment, reason=comment.moderation_reason,
                 previous=previous)
    return True


def audit_trail(limit: int = 200, scope=None) -> list[AuditEvent]:
    """The latest events; ``scope``: an SQL condition on ``AuditEvent`` (an agency's own)."""
    return db.session.scalars(
        select(AuditEvent).where(true() if scope is None else scope)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()
