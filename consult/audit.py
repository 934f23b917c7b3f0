"""The audit trail: one append-only row per action of the drafting team."""
from __future__ import annotations

from consult.extensions import db
from consult.models import AuditEvent, User


def record(actor: User | None, action: str, obj, **detail) -> AuditEvent:
    """Add an audit row for ``action`` on ``obj`` in the current transaction."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.id,
        detail=detail,
    )
    db.session.add(event)
    return event
