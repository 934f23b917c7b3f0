"""Every API error as ``application/problem+json`` (RFC 9457): type, title, status, detail.

Field errors go in an ``errors`` list of ``{"pointer": "/letter_number", "detail": "…"}``
(JSON Pointer into the request body, or ``query`` parameters as ``?per_page``).
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from consult.extensions import db

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:gopy:problem:"


class ApiProblem(Exception):
    """Raise anywhere in an API view to answer with a problem document."""

    def __init__(self, status: int, kind: str, title: str, detail: str,
                 errors: list[dict] | None = None, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.errors, self.headers, self.extra = errors, headers or {}, extra


def problem_response(status: int, kind: str, title: str, detail: str,
                     errors: list[dict] | None = None, headers: dict | None = None, **extra):
    body = {"type": _TYPE_PREFIX + kind, "title": title, "status": status, "detail": detail,
            "instance": request.path}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MEDIA_TYPE
    response.headers.update(headers or {})
    return response


def _http_problem(code: int) -> tuple[str, str, str]:
    """(kind, title, detail) for a bare HTTP error."""
    known = {
        400: ("bad-request", _("Bad request"), _("The request could not be understood.")),
        401: ("unauthorized", _("Not authenticated"), _("Send a valid API token as 'Authorization: Bearer …'.")),
        403: ("forbidden", _("Forbidden"), _("This token may not do this.")),
        404: ("not-found", _("Not found"), _("There is nothing at this address.")),
        405: ("method-not-allowed", _("Method not allowed"), _("This address does not accept this HTTP method.")),
        413: ("payload-too-large", _("Payload too large"), _("The request body is larger than allowed.")),
        415: ("unsupported-media-type", _("Unsupported media type"), _("The request body has a content type this address does not accept.")),
    }
    return known.get(code, ("server-error", _("Server error"), _("Something went wrong on our side. The error has been recorded.")))


def http_problem(error: HTTPException):
    """An HTTP error as a problem document (also for routing errors under /api: an id out of
    range fails routing before the API blueprint is chosen)."""
    code = error.code or 500
    kind, title, detail = _http_problem(code)
    headers = {}
    if code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(code, kind, title, detail, headers=headers)


def init_blueprint(bp: Blueprint) -> None:
    """Make every error raised in the API's views a problem document, never an HTML page."""

    @bp.errorhandler(ApiProblem)
    def _problem(error: ApiProblem):
        return problem_response(error.status, error.kind, error.title, error.detail,
                                error.errors, error.headers, **error.extra)

    bp.register_error_handler(HTTPException, http_problem)

    @bp.errorhandler(Exception)
    def _unexpected(error: Exception):
        from consult.errors import RETRY_AFTER_SECONDS, database_unavailable

        if database_unavailable(error):
            current_app.logger.error("Database unavailable", exc_info=error)
            try:
                db.session.rollback()
            except Exception:  # the connection is gone: the pool drops it on the next checkout
                db.session.close()
            return problem_response(
                503, "unavailable", _("Service unavailable"),
                _("The database could not be reached just now. Send the request again after "
                  "Retry-After seconds (with the same Idempotency-Key when creating)."),
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        current_app.logger.exception("Unhandled API error", exc_info=error)
        db.session.rollback()
        kind, title, detail = _http_problem(500)
        return problem_response(500, kind, title, detail)
