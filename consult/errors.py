"""Error pages in Vietnamese: no user ever sees a bare server error or loses their text."""
from __future__ import annotations

import sqlite3
import sys

from flask import Flask, abort, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from consult.boundary import BoundaryRequest
from consult.extensions import db

#: Form fields whose content we show back on an error page so that it can be copied (and
#: every survey answer, ``q-…``).
_KEPT_FIELDS = ("body", "reason", "name", "title", "summary", "short_period_reason", "requested_by")
_KEPT_PREFIX = "q-"


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"), _("Something in what was sent is not right. Go back and try again.")),
        403: (_("You may not do this"), _("Your account does not have the right to open this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has been moved.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        413: (_("The file or text is too large"), _("What you sent is larger than the 10 MB allowed. Send a smaller file.")),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
        500: (_("Something went wrong on our side"), _("The error has been recorded. Please try again in a moment.")),
        503: (_("The service is briefly unavailable"), _("The database could not be reached just now. Your text is shown below if you sent any: wait a few seconds and send it again.")),
    }


def _kept_input() -> list[str]:
    try:
        return [value for name, value in request.form.items(multi=True)
                if value.strip() and (name in _KEPT_FIELDS or name.startswith(_KEPT_PREFIX))]
    except Exception:  # a body too large or malformed to parse: nothing to give back
        return []


def _parsed_form() -> bool:
    try:
        return bool(request.form or request.files)
    except Exception:  # as in _kept_input
        return False


def _expired_form_message() -> str:
    """What the CSRF page says: "shown below" only when there is text to show below."""
    if _kept_input():
        return _("The form has expired or was already used. Your text is shown below so that "
                 "nothing is lost: copy it, reload the page and send again.")
    if request.content_length and not _parsed_form():
        return _("The form has expired or was already used, or what was sent could not be read, "
                 "so it cannot be shown here. Go back to the previous page and copy your text "
                 "before you reload it, then send again.")
    return _("The form has expired or was already used. Reload the page and send again.")


def render_error(code: int, detail: str | None = None):
    title, text = _messages().get(code, _messages()[500])
    return render_template("error.html", code=code, title=title, text=detail or text,
                           kept=_kept_input()), code


#: Seconds a client is asked to wait when the database is unreachable (a restart or a fail-over
#: takes a few seconds; the pool's pre-ping reconnects on the next request).
RETRY_AFTER_SECONDS = 5


def database_unavailable(error: Exception) -> bool:
    """True for the errors a database restart, fail-over or lost connection raises (and a
    transient lock or serialisation failure): the request can simply be sent again, so it
    answers 503 with ``Retry-After`` instead of a 500. Other database errors are bugs.

    SQLAlchemy wraps the driver's errors (``OperationalError`` for PostgreSQL's "terminating
    connection due to administrator command", "the database system is shutting down" or
    "starting up", "server closed the connection unexpectedly", "connection refused", a
    failed COMMIT); the driver's own, should one arrive unwrapped, count the same."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    return isinstance(error, _driver_connection_errors())


def _driver_connection_errors() -> tuple[type[Exception], ...]:
    found: list[type[Exception]] = [sqlite3.OperationalError, sqlite3.InterfaceError]
    psycopg = sys.modules.get("psycopg")  # loaded when PostgreSQL is used; not imported for SQLite
    if psycopg is not None:
        found += [psycopg.OperationalError, psycopg.InterfaceError]
    return tuple(found)


def _forget_failed_transaction() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: close it without a word to the server
        db.session().invalidate()


def render_unavailable():
    """The 503 page. Rendered without the layout when the layout itself needs the database
    (the signed-in user is loaded from it): the text typed is given back either way."""
    _forget_failed_transaction()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    try:
        body, code = render_error(503)
        return body, code, headers
    except Exception:
        _forget_failed_transaction()
        title, text = _messages()[503]
        kept = "".join(f'<textarea readonly rows="8">{escape(value)}</textarea>'
                       for value in _kept_input())
        page = (f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>{escape(title)}</title>'
                f"<h1>{escape(title)}</h1><p>{escape(text)}</p>{kept}</html>")
        return page, 503, headers


#: The largest id the database's integer columns hold (PostgreSQL ``integer``).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route, bounded: an id beyond what the database holds becomes 0, an
    id no row has, so the view answers "not found" as for any missing row (in its own format:
    the API's problem documents) instead of PostgreSQL failing with an overflow. Refusing the
    route instead would skip the API's handlers and answer in HTML."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


def register_converters(app: Flask) -> None:
    """Before any route is added: the rules take their converters when they are added."""
    app.url_map.converters["int"] = IdConverter


def init_app(app: Flask) -> None:
    app.request_class = BoundaryRequest  # no NUL from any parameter reaches the database

    @app.before_request
    def _no_nul_in_paths():
        # A NUL byte is no page (PostgreSQL refuses it in text, SQLite would find nothing).
        if "\x00" in request.path:
            abort(404)

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(400, _expired_form_message())

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if request.path == "/api" or request.path.startswith("/api/"):
            from consult.api.problems import http_problem  # the API answers in JSON, even here

            return http_problem(error)
        # Flask's own 500 for an error raised outside the view (an after_request hook, an error
        # handler that failed): a lost database still answers 503.
        if isinstance(error, InternalServerError) and database_unavailable(error.original_exception):
            app.logger.error("Database unavailable", exc_info=error.original_exception)
            return render_unavailable()
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if database_unavailable(error):
            app.logger.error("Database unavailable", exc_info=error)
            return render_unavailable()
        app.logger.exception("Unhandled error", exc_info=error)
        _forget_failed_transaction()
        return render_error(500)
