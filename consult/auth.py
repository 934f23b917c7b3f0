"""Accounts and roles of the drafting team; the server checks every role."""
from __future__ import annotations

import hmac
from functools import lru_cache, wraps

from flask import abort, flash, g, redirect, request, session
from flask_login import current_user, login_required
from flask_login.utils import login_url
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from consult import lockout
from consult.extensions import db, login_manager
from consult.lockout import AccountLocked
from consult.models import User


#: Set on ``g`` when the session's account turned out to be deactivated in this request.
_DEACTIVATED_FLAG = "account_deactivated"


class AccountDeactivated(Exception):
    """The e-mail and password are right, but the drafting team has deactivated the account."""


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The session's user, if the account is still active and the session was not ended.

    The session holds ``"<user id>:<session token>"`` (``User.get_id``). Logging out, a new
    password or a deactivation gives the account a new token, so a cookie copied before then
    no longer matches: the session is revoked on the server, not only in the browser.
    Flask-Login does not look at ``is_active`` once someone is logged in, so a deactivated
    account is logged out here, on its next request, with a message saying why.
    """
    user_id, _sep, token = session_id.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() and len(user_id) < 10 else None
    if user is not None and not user.active:
        _forget_deactivated_login()
        return None
    if user is None or not hmac.compare_digest(token.encode(), user.session_token.encode()):
        return None
    return user


def _forget_deactivated_login() -> None:
    from flask_babel import gettext as _

    for key in ("_user_id", "_fresh", "_id"):
        session.pop(key, None)
    session["_remember"] = "clear"
    g.setdefault(_DEACTIVATED_FLAG, True)
    flash(_("Your account has been deactivated by the drafting team, so you have been logged "
            "out. Ask the drafting team if you need access again."), "error")


@login_manager.unauthorized_handler
def _unauthorized():
    """To the login page, as Flask-Login does, without a second message after a deactivation."""
    if not g.get(_DEACTIVATED_FLAG):
        flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash made the same way as real ones, checked when no account has the e-mail."""
    return generate_password_hash("no account has this password")


def password_matches(user: User | None, password: str) -> bool:
    """Check the password against the user's hash, or a dummy one when there is no user.

    Exactly one (slow, salted) hash check either way, so the answer takes as long for an
    unknown e-mail as for a known one and timing tells a guesser nothing.
    """
    stored = user.password_hash if user is not None else _dummy_hash()
    return check_password_hash(stored, password) and user is not None


def check_credentials(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    Raises ``AccountLocked`` while the address is locked after too many wrong passwords
    (even for the right one), and ``AccountDeactivated`` only when the password is right:
    someone guessing learns nothing more than from a wrong password.
    """
    lockout.check(email)
    user = find_user(email)
    if not password_matches(user, password):
        lockout.record_failure(email)
        return None
    lockout.record_success(email)
    if not user.active:
        raise AccountDeactivated()
    return user


def end_session(user: User) -> None:
    """Log out on the server: every session cookie of this account stops working."""
    user.end_sessions()
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    try:
        return check_credentials(email, password)
    except (AccountDeactivated, AccountLocked):
        return None


def create_user(email: str, password: str, role: str, name: str = "",
                organisation_id: int | None = None) -> User:
    user = User(email=email.strip().lower(), name=name, role=role,
                organisation_id=organisation_id)
    user.set_password(password)
    db.session.add(user)
    return user


def role_required(*roles: str):
    """Let only logged-in users with one of ``roles`` through; others get 403."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def _configure_login_messages() -> None:
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


_configure_login_messages()
