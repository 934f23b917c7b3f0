"""Moderation (kiểm duyệt): publishing, rejecting and hiding citizens' comments."""
from __future__ import annotations

from sqlalchemy import func, select

from consult import audit
from consult.domain import MODERATION_ACTIONS
from consult.extensions import db
from consult.models import AuditEvent, Comment, User, utcnow


def queue(status: str = "pending", consultation_id: int | None = None,
          limit: int = 100) -> list[Comment]:
    """Comments in ``status``, oldest first, so none waits forever."""
    query = select(Comment).where(Comment.status == status).order_by(Comment.created_at)
    if consultation_id is not None:
        query = query.where(Comment.consultation_id == consultation_id)
    return db.session.scalars(query.limit(limit)).all()


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(Comment.status, func.count()).group_by(Comment.status)
    ).all()
    return dict(rows)


def moderate(comment: Comment, action: str, actor: User, reason: str = "") -> bool:
    """Apply a moderator's action; returns False when it changes nothing.

    Unsent comments are the citizen's own and cannot be moderated. Repeating an action
    (a replayed form) changes nothing and writes no second audit row.
    """
    target = MODERATION_ACTIONS[action]
    if comment.status == "draft" or comment.status == target:
        return False
    previous = comment.status
    comment.status = target
    comment.moderated_at = utcnow()
    comment.moderated_by = actor
    comment.moderation_reason = reason.strip()
    audit.record(actor, f"comment.{action}", comment, reason=comment.moderation_reason,
                 previous=previous)
    return True


def audit_trail(limit: int = 200) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()
