"""Per-organisation API tokens with scopes; only the SHA-256 of a token is stored.

Pure module (no Flask). Tokens are long random strings, so a fast hash is enough to
make a stolen copy of the database useless for calling the API.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from consult import audit
from consult.extensions import db
from consult.models import Organisation, User, utcnow
from consult.submissions.models import ApiToken

#: What a token may do. Public read endpoints need no token at all.
SCOPES = {
    "read": _l("Read the organisation's own submissions"),
    "submissions:write": _l("Create and submit the organisation's formal submissions"),
}
TOKEN_PREFIX = "gy_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(organisation: Organisation, scopes: list[str], label: str,
                 actor: User | None) -> tuple[ApiToken, str]:
    """Make a token; returns it with the raw secret, which is shown once and never stored."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(organisation=organisation, label=label.strip()[:255], prefix=raw[:10],
                     token_hash=hash_token(raw), scopes=" ".join(sorted(set(scopes))),
                     created_by_id=actor.id if actor else None)
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.create", token, organisation=organisation.code,
                 scopes=token.scopes, prefix=token.prefix)
    return token, raw


@dataclass(frozen=True, slots=True)
class TokenOrganisation:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ActiveToken:
    """An active token as a request needs it (``g.api_token``), with its organisation."""

    id: int
    prefix: str
    scopes: str
    last_used_at: datetime | None
    organisation: TokenOrganisation

    @property
    def organisation_id(self) -> int:
        return self.organisation.id

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


def _token_statements():
    """Built once with bound parameters (``find_token`` runs on every API request)."""
    token, organisation = ApiToken.__table__, Organisation.__table__
    read = (select(token.c.id, token.c.prefix, token.c.scopes, token.c.last_used_at,
                   organisation.c.id, organisation.c.code, organisation.c.name)
            .join_from(token, organisation, token.c.organisation_id == organisation.c.id)
            .where(token.c.token_hash == bindparam("p_hash"), token.c.revoked_at.is_(None)))
    used = update(token).where(token.c.id == bindparam("p_token")).values(last_used_at=bindparam("p_now"))
    return read, used


_READ_TOKEN, _TOKEN_USED = _token_statements()


def find_token(raw: str | None) -> ActiveToken | None:
    """The active token with this secret, or None: one plain ``SELECT`` with its organisation
    (every caller needs it), no ORM object."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    row = db.session.execute(_READ_TOKEN, {"p_hash": hash_token(raw)}).first()
    if row is None:
        return None
    return ActiveToken(row[0], row[1], row[2], row[3], TokenOrganisation(row[4], row[5], row[6]))


def record_use(token: ActiveToken, now: datetime) -> None:
    """Write the token's last use (the caller commits)."""
    db.session.execute(_TOKEN_USED, {"p_token": token.id, "p_now": now})


def revoke_token(token: ApiToken, actor: User | None) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(actor, "api_token.revoke", token, organisation=token.organisation.code,
                 prefix=token.prefix)
    return True


def all_tokens() -> list[ApiToken]:
    return db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
