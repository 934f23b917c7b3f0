"""Accounts and roles of the drafting team; the server checks every role."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import func, select

from consult.extensions import db, login_manager
from consult.models import User


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


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
