"""``Idempotency-Key`` on the API's create endpoints: a retried request creates nothing twice.

A client that lost the answer to a POST sends it again with the same key. Within
``IDEMPOTENCY_TTL_SECONDS`` (24 h) the same key with the same body gets the first answer back
(status, body, ``Location``) with ``Idempotent-Replayed: true``; the same key with another
body is a 422 problem. Keys are per organisation.

Race-safe: the first request claims the key by inserting its row (a unique constraint on
organisation and key), so of two simultaneous requests only one runs the view; the other
waits for its answer (up to ``IDEMPOTENCY_WAIT_SECONDS``) and replays it, or gets a 409
problem asking to retry. A request whose view fails with a server error gives its key up,
and so does a claim left behind by a crashed worker after ``IDEMPOTENCY_STALE_SECONDS``.
"""
from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, g, make_response, request
from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from consult.api.problems import ApiProblem
from consult.extensions import db
from consult.models import utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
_KEPT_HEADERS = ("Location", "Content-Type", "Link")


class IdempotencyKey(db.Model):
    """One client request made with an ``Idempotency-Key``, and the answer it got."""

    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    #: SHA-256 of method, path and body (JSON compared by meaning, not spacing).
    request_hash: Mapped[str] = mapped_column(String(64))
    #: None while the first request is still being answered.
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def _setting(name: str, default: float) -> float:
    return float(current_app.config.get(name, default))


def idempotent(view):
    """Put after ``require_scope`` (it needs ``g.api_token``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = _checked_key(key)
        digest = request_digest()
        record = _claim(g.api_token.organisation_id, key, digest)
        if record.request_hash != digest or record.response_status is not None:
            return _replay(record, digest)
        return _answer_and_store(record, view, args, kwargs)
    return wrapper


def _checked_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiProblem(400, "invalid-idempotency-key", _("Invalid Idempotency-Key"),
                         _("An Idempotency-Key is 1 to 255 printable ASCII characters, "
                           "for example a UUID."))
    return key


def request_digest() -> str:
    """What makes two requests "the same": method, path and body (JSON by meaning)."""
    body = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):  # not JSON, or nested past Python's limit: the bytes
        pass
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


# --- claiming a key ------------------------------------------------------------------------

def _claim(organisation_id: int, key: str, digest: str) -> IdempotencyKey:
    """This request's new row (it runs the view), or the earlier request's row (to replay)."""
    _forget_expired(organisation_id)
    for _attempt in range(3):
        record = IdempotencyKey(organisation_id=organisation_id, key=key, request_hash=digest)
        db.session.add(record)
        try:
            db.session.commit()
            return record
        except IntegrityError:
            db.session.rollback()
        earlier = _wait_for_answer(organisation_id, key)
        if earlier is not None:
            return earlier
    raise _in_progress()


def _forget_expired(organisation_id: int) -> None:
    cutoff = utcnow() - timedelta(seconds=_setting("IDEMPOTENCY_TTL_SECONDS", 24 * 3600))
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.organisation_id == organisation_id,
                                                    IdempotencyKey.created_at < cutoff))
    db.session.commit()


def _find(organisation_id: int, key: str) -> IdempotencyKey | None:
    db.session.rollback()  # a new snapshot: see what the other request committed since
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.organisation_id == organisation_id,
                                                          IdempotencyKey.key == key))


def _wait_for_answer(organisation_id: int, key: str) -> IdempotencyKey | None:
    """The other request's row once answered; None when it vanished (given up), so claim again.

    A claim unanswered for longer than ``IDEMPOTENCY_STALE_SECONDS`` belongs to a request that
    died; it is removed and the key claimed again.
    """
    deadline = time.monotonic() + _setting("IDEMPOTENCY_WAIT_SECONDS", 10)
    while True:
        record = _find(organisation_id, key)
        if record is None or record.response_status is not None:
            return record
        if _is_stale(record):
            _give_up(record.id)
            return None
        if time.monotonic() >= deadline:
            raise _in_progress()
        time.sleep(0.05)


def _is_stale(record: IdempotencyKey) -> bool:
    return record.created_at < utcnow() - timedelta(seconds=_setting("IDEMPOTENCY_STALE_SECONDS", 120))


def _in_progress() -> ApiProblem:
    return ApiProblem(409, "request-in-progress", _("Request in progress"),
                      _("A request with this Idempotency-Key is still being processed. "
                        "Send it again in a moment to get its answer."), headers={"Retry-After": "1"})


# --- answering ------------------------------------------------------------------------------

def _answer_and_store(record: IdempotencyKey, view, args, kwargs):
    record_id = record.id
    try:
        response = make_response(view(*args, **kwargs))
    except Exception:
        db.session.rollback()
        _give_up(record_id)
        raise
    if response.status_code >= 500:
        _give_up(record_id)
        return response
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    db.session.execute(update(IdempotencyKey).where(IdempotencyKey.id == record_id).values(
        response_status=response.status_code, response_body=response.get_data(as_text=True),
        response_headers=headers))
    db.session.commit()
    return response


def _give_up(record_id: int) -> None:
    """Free the key: the request did not get a definite answer, so a retry may run it."""
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == record_id,
                                                    IdempotencyKey.response_status.is_(None)))
    db.session.commit()


def _replay(record: IdempotencyKey, digest: str):
    if record.request_hash != digest:
        raise ApiProblem(422, "idempotency-key-reused", _("Idempotency-Key reused"),
                         _("This Idempotency-Key was already used with a different request. "
                           "Use a new key for a new request."))
    response = make_response(record.response_body or "", record.response_status)
    response.headers.update(record.response_headers or {})
    response.headers["Idempotent-Replayed"] = "true"
    return response
