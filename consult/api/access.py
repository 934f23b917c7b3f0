"""Bearer tokens on API requests, and the page parameters every list shares."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from flask import g, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from consult.api import tokens
from consult.api.problems import ApiProblem
from consult.extensions import db
from consult.models import utcnow

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
_log = logging.getLogger("gopy.api")


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, "unauthorized", _("Not authenticated"), detail,
                      headers={"WWW-Authenticate": 'Bearer realm="gopy"'})


def require_scope(scope: str, *, use_with_view: bool = False):
    """Let through requests whose bearer token is active and has ``scope``; sets ``g.api_token``.

    The token's last use is committed on its own before the view runs. ``use_with_view``: the
    view commits it with its own work instead (``commit_with_token_use``), one commit and one
    connection checkout fewer; when it does not get there (an error, a replayed answer), it is
    committed on its own after the view, so a call that fails still counts."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            kind, _sep, raw = header.partition(" ")
            if kind.lower() != "bearer" or not raw.strip():
                raise _unauthorized(_("Send your organisation's API token as 'Authorization: Bearer …'."))
            token = tokens.find_token(raw.strip())
            if token is None:
                raise _unauthorized(_("This API token is not valid or has been revoked."))
            if scope not in token.scope_set:
                raise ApiProblem(403, "insufficient-scope", _("Forbidden"),
                                 _("This token lacks the scope %(scope)s.", scope=scope),
                                 headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'})
            g.api_token = token
            due = _use_due(token)
            if due is None:
                return view(*args, **kwargs)
            if not use_with_view:
                _commit_use(token, due)
                return view(*args, **kwargs)
            g.api_token_use = due
            try:
                return view(*args, **kwargs)
            finally:
                if g.pop("api_token_use", None) is not None:
                    _commit_use_after_view(token, due)
        return wrapper
    return decorator


def commit_with_token_use() -> None:
    """Commit the view's work with the token's last use when it is due (``use_with_view``)."""
    due = g.get("api_token_use")
    if due is not None:
        tokens.record_use(g.api_token, due)
    db.session.commit()
    g.pop("api_token_use", None)


#: How stale a token's stored last use may be: it is written at most once in this time. The
#: token page shows it to the minute; a busy client's parallel calls would otherwise each
#: write (and wait for the lock on) the same row, an UPDATE and a COMMIT per call.
LAST_USE_PRECISION = timedelta(minutes=1)


def _use_due(token: tokens.ActiveToken) -> datetime | None:
    """Now, when the token's stored last use is to be written: not again while the stored one
    is less than ``LAST_USE_PRECISION`` old."""
    now = utcnow()
    if token.last_used_at is not None and timedelta(0) <= now - token.last_used_at < LAST_USE_PRECISION:
        return None
    return now


def _commit_use(token: tokens.ActiveToken, now: datetime) -> None:
    """Commit the token's last use on its own, so a request that fails later still counts."""
    tokens.record_use(token, now)
    db.session.commit()


def _commit_use_after_view(token: tokens.ActiveToken, now: datetime) -> None:
    """The view did not commit the token's use with its work: undo what it left uncommitted
    (as the request's end would) and commit the use on its own. A failure here is logged, never
    raised: it must not replace the view's answer or error."""
    try:
        db.session.rollback()
        _commit_use(token, now)
    except SQLAlchemyError:
        _log.warning("api token last use not recorded", exc_info=True)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass  # the request's end removes the session


def page_params() -> tuple[int, int]:
    """``?page=`` (from 1) and ``?per_page=`` (1 to 100); a 400 problem lists what is wrong."""
    errors = []
    page = _int_param("page", 1, errors, minimum=1, maximum=1_000_000)
    per_page = _int_param("per_page", DEFAULT_PER_PAGE, errors, minimum=1, maximum=MAX_PER_PAGE)
    if errors:
        raise ApiProblem(400, "invalid-parameter", _("Invalid query parameter"),
                         _("Some query parameters are not valid."), errors=errors)
    return page, per_page


def _int_param(name: str, default: int, errors: list, *, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        errors.append({"pointer": f"?{name}", "detail": _("Must be a whole number from %(min)s to %(max)s.",
                                                          min=minimum, max=maximum)})
        return default
    return int(raw)


def paginate(statement, page: int, per_page: int) -> tuple[list, int]:
    """One page of ``statement``'s rows and the total count (pushed down to SQL)."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


def page_body(items: list, total: int, page: int, per_page: int, endpoint: str, **values) -> tuple[dict, dict]:
    """The list's JSON (items, page, per_page, total, next, prev) and its ``Link`` header."""
    last = max(1, -(-total // per_page))

    def link(number: int) -> str:
        query = {**{k: v for k, v in request.args.items() if k not in ("page", "per_page")},
                 "page": number, "per_page": per_page}
        return url_for(endpoint, **values, _external=True) + "?" + urlencode(query)

    next_url = link(page + 1) if page < last else None
    prev_url = link(page - 1) if 1 < page <= last + 1 else None
    links = [f'<{link(1)}>; rel="first"', f'<{link(last)}>; rel="last"']
    if next_url:
        links.append(f'<{next_url}>; rel="next"')
    if prev_url:
        links.append(f'<{prev_url}>; rel="prev"')
    body = {"items": items, "page": page, "per_page": per_page, "total": total,
            "next": next_url, "prev": prev_url}
    return body, {"Link": ", ".join(links)}
