"""Twin requests: a double click, a resent form after a lost answer, six identical POSTs at once.

Every public form must end in exactly one row and the same answer, whichever copy of the
request arrives first. Two tools, used by the services (never by views):

- ``insert_or_find``: insert inside a SAVEPOINT; when a unique constraint says a twin request
  stored the row first, roll back only the savepoint and return the winner's row. The database
  decides, so it holds across processes and machines, on SQLite and PostgreSQL alike.
- ``lock_row``: a no-op UPDATE of one row before reading what a change depends on (the answers
  of a survey response, the opinions of a letter). On PostgreSQL the UPDATE holds the row's
  lock until commit; on SQLite it takes the database's write lock. Either way a twin request
  waits, then reads what the first one committed, instead of both deciding from a stale read.
"""
from __future__ import annotations

import secrets
import weakref
from typing import Callable, TypeVar

from sqlalchemy import event, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from consult.extensions import db

T = TypeVar("T")

#: The longest one-time form key the database stores (``String(64)`` columns).
FORM_KEY_MAX = 64


def usable_form_key(value: str | None) -> str:
    """The form's one-time key, or a new one when it is missing or longer than the column:
    a forged key must not reach the database as an error."""
    if value and len(value) <= FORM_KEY_MAX:
        return value
    return secrets.token_urlsafe(16)


def insert_or_find(add: Callable[[], T], find: Callable[[], T | None], *,
                   first_write: bool = False) -> tuple[T, bool]:
    """``(row, True)`` when ``add`` stored a new row, ``(winner, False)`` when a twin did.

    ``add`` adds the new objects to the session and returns the one to give back; they are
    flushed inside a savepoint, so a conflict undoes them and nothing else of the request.
    ``find`` looks the winner up; a conflict it cannot explain is raised again. Callers look
    for an earlier row themselves first (a replay is the common case, the race the rare one).

    ``first_write``: the caller's transaction has only read so far (the hot public paths: a
    comment added to a list, a letter made through the API). The insert is then flushed
    without a savepoint and a conflict rolls the whole transaction back, which undoes nothing
    else: the same outcome for two round trips fewer (``SAVEPOINT``, ``RELEASE``). Objects
    read before are expired by that rollback and read again when used. When the transaction
    has written after all (a flush, a statement other than a SELECT, changes waiting in the
    session) it falls back to the savepoint, so nothing written before is ever undone.
    """
    session = db.session
    if first_write and not has_written(session()):
        try:
            row = add()
            session.flush()
        except IntegrityError:
            session.rollback()
            winner = find()
            if winner is None:
                raise
            return winner, False
        return row, True
    try:
        with db.session.begin_nested():
            row = add()
    except IntegrityError:
        winner = find()
        if winner is None:
            raise
        return winner, False
    return row, True


#: Top-level transactions that have sent a write (see ``has_written``).
_WRITTEN: "weakref.WeakSet[SessionTransaction]" = weakref.WeakSet()


def has_written(session) -> bool:
    """Whether the session's current transaction may have written: something flushed, a
    statement other than a ``SELECT`` executed, or changes waiting to be flushed."""
    if session.new or session.dirty or session.deleted:
        return True
    transaction = session.get_transaction()
    return transaction is not None and transaction in _WRITTEN


@event.listens_for(Session, "after_flush")
def _flushed(session, _flush_context) -> None:
    transaction = session.get_transaction()
    if transaction is not None:
        _WRITTEN.add(transaction)


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if not state.is_select:  # UPDATE, DELETE, INSERT, or text we cannot tell: count as written
        transaction = state.session.get_transaction()
        if transaction is not None:
            _WRITTEN.add(transaction)


def lock_row(instance, column: str) -> None:
    """Hold ``instance``'s row until commit, then forget what the session had read of it.

    ``column`` is any plain column of the row; it is set to itself, which changes nothing
    but is a write. The instance is expired, so its attributes and collections are read
    again, after the lock, from what committed twins left.
    """
    mapper = inspect(instance).mapper
    table = mapper.local_table
    key = mapper.primary_key[0]
    target = table.c[column]
    db.session.flush()
    db.session.execute(update(table).where(key == getattr(instance, key.key))
                       .values({target: target}))
    db.session.expire(instance)
