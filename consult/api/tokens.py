"""Per-organisation API tokens with scopes; only the SHA-256 of a token is stored.

Pure module (no Flask). Tokens are long random strings, so a fast hash is enough to
make a stolen copy of the database useless for calling the API.
"""
from __future__ import annotations

import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

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


def find_token(raw: str | None) -> ApiToken | None:
    """The active token with this secret, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw))
                              .options(joinedload(ApiToken.organisation)))  # every caller needs it
    if token is None or token.revoked_at is not None:
        return None
    return token


def revoke_token(token: ApiToken, actor: User | None) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(actor, "api_token.revoke", token, organisation=token.organisation.code,
                 prefix=token.prefix)
    return True


def all_tokens() -> list[ApiToken]:
    return db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
