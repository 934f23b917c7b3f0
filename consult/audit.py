"""The audit trail: one append-only row per action of the drafting team."""
from __future__ import annotations

from consult.extensions import db
from consult.models import AuditEvent, User


def consultation_of(obj) -> int | None:
    """The id of the consultation ``obj`` belongs to, if it can be told from the object itself
    (a consultation, a draft version, or a row with a ``consultation_id``); else None."""
    from consult.scoping import consultation_id_of

    value = consultation_id_of(obj)
    return value if isinstance(value, int) else None


def record(actor: User | None, action: str, obj, **detail) -> AuditEvent:
    """Add an audit row for ``action`` on ``obj`` in the current transaction; the row names the
    object's consultation, so the agency that runs it sees the event whoever acted."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__.lower(),
        object_id=obj.id,
        consultation_id=consultation_of(obj),
        detail=detail,
    )
    db.session.add(event)
    return event
