"""Error pages in Vietnamese: no user ever sees a bare server error or loses their text."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.extensions import db

#: Form fields whose content we show back on an error page so that it can be copied.
_KEPT_FIELDS = ("body", "reason", "name")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"), _("Something in what was sent is not right. Go back and try again.")),
        403: (_("You may not do this"), _("Your account does not have the right to open this page.")),
        404: (_("Page not found"), _("The page you asked for does not exist or has been moved.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        413: (_("The file or text is too large"), _("What you sent is larger than the 10 MB allowed. Send a smaller file.")),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
        500: (_("Something went wrong on our side"), _("The error has been recorded. Please try again in a moment.")),
    }


def _kept_input() -> list[str]:
    try:
        return [request.form[name] for name in _KEPT_FIELDS if request.form.get(name)]
    except Exception:  # a body too large or malformed to parse: nothing to give back
        return []


def render_error(code: int, detail: str | None = None):
    title, text = _messages().get(code, _messages()[500])
    return render_template("error.html", code=code, title=title, text=detail or text,
                           kept=_kept_input()), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(400, _("The form has expired or was already used. Your text is shown "
                                   "below so that nothing is lost: copy it, reload the page and send again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error", exc_info=error)
        db.session.rollback()
        return render_error(500)
