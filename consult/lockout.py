"""Account lockout after repeated wrong passwords, with a delay that grows with each failure.

Counted per e-mail address (its digest), whether or not an account has it: locking only real
accounts would tell a guesser which addresses exist. The counters live in the rate limiter's
storage (Redis in production), so every instance sees the same lock.

After ``RATELIMIT_LOCKOUT_AFTER`` failures within ``RATELIMIT_LOCKOUT_WINDOW`` seconds, each further
failure locks the address for ``RATELIMIT_LOCKOUT_SECONDS`` × 2^(failures beyond the threshold),
at most ``RATELIMIT_LOCKOUT_MAX_SECONDS``. While locked, even the right password is refused.
A successful login clears the count.
"""
from __future__ import annotations

import hashlib
import time
from functools import wraps

from flask import current_app

from consult import ratelimit

DEFAULTS = {
    "RATELIMIT_LOCKOUT_AFTER": 5,
    "RATELIMIT_LOCKOUT_SECONDS": 30,
    "RATELIMIT_LOCKOUT_MAX_SECONDS": 3600,
    "RATELIMIT_LOCKOUT_WINDOW": 24 * 3600,
}


class AccountLocked(Exception):
    """Too many wrong passwords for this address; ``retry_in`` seconds until the next try."""

    def __init__(self, retry_in: int):
        super().__init__(retry_in)
        self.retry_in = retry_in


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _keys(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.strip().lower().encode("utf-8", "replace")).hexdigest()[:32]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "gopy")
    return f"{prefix}/login-failures/{digest}", f"{prefix}/login-lock/{digest}"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _fail_open(function):
    """Without its storage (Redis down) the lockout steps aside, as the rate limits do
    (``RATELIMIT_SWALLOW_ERRORS``): people can still log in, and the error is logged."""

    @wraps(function)
    def wrapper(email: str):
        if not _enabled():
            return None
        try:
            return function(email)
        except AccountLocked:
            raise
        except Exception:
            current_app.logger.exception("Login lockout storage unavailable")
            return None
    return wrapper


@_fail_open
def check(email: str) -> None:
    """Raise ``AccountLocked`` while this address is locked."""
    _failures, lock = _keys(email)
    store = ratelimit.storage()
    if store.get(lock) > 0:
        raise AccountLocked(max(1, round(store.get_expiry(lock) - time.time())))


@_fail_open
def record_failure(email: str) -> int | None:
    """Count one wrong password; the lock's length in seconds when this failure starts one."""
    failures_key, lock = _keys(email)
    store = ratelimit.storage()
    failures = store.incr(failures_key, _setting("RATELIMIT_LOCKOUT_WINDOW"))
    beyond = failures - _setting("RATELIMIT_LOCKOUT_AFTER")
    if beyond < 0:
        return None
    seconds = min(_setting("RATELIMIT_LOCKOUT_SECONDS") * 2 ** min(beyond, 20),
                  _setting("RATELIMIT_LOCKOUT_MAX_SECONDS"))
    store.clear(lock)
    store.incr(lock, int(seconds))
    return int(seconds)


@_fail_open
def record_success(email: str) -> None:
    store = ratelimit.storage()
    for key in _keys(email):
        store.clear(key)
