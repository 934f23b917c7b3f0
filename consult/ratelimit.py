"""Rate limits on what the public can send or guess: logins, submissions, receipt lookups, the API.

One ``flask_limiter.Limiter`` per application, kept in ``app.extensions``, so two apps in one
process (tests, a CLI beside a server) never share counters by accident: state lives only in
the storage, Redis when ``REDIS_URL`` is set, so every instance behind nginx counts together.

Which endpoint has which limit is the table ``ENDPOINT_LIMITS`` here, not decorators spread over
the view modules. Clients are told apart by ``request.remote_addr`` (``ProxyFix`` makes it the
real client behind nginx) and API clients by their bearer token.

Settings (``app.config``, also from the environment as ``GOPY_RATELIMIT_…``):

``RATELIMIT_ENABLED``           on by default; the test suite turns it off except where tested
``RATELIMIT_STORAGE_URI``       ``REDIS_URL`` when set, else ``memory://`` (one process only)
``RATELIMIT_LOGIN``             login attempts per IP
``RATELIMIT_SUBMIT``            public form submissions per IP (opinions, lists, surveys, letters)
``RATELIMIT_LOOKUP``            receipt and resume-code lookups per IP
``RATELIMIT_API``               API requests per token (per IP without one)
``RATELIMIT_LOCKOUT_AFTER`` …   see ``consult.lockout``
"""
from __future__ import annotations

import hashlib
import math
import time
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app, render_template, request
from flask_babel import format_datetime, gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

DEFAULTS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "gopy",
    "RATELIMIT_SWALLOW_ERRORS": True,  # Redis down: serve without limits rather than fail
    "RATELIMIT_LOGIN": "10 per minute;100 per hour",
    "RATELIMIT_SUBMIT": "30 per minute;300 per hour",
    "RATELIMIT_LOOKUP": "10 per minute;100 per hour",
    "RATELIMIT_API": "120 per minute",
}

#: scope → (config key of its limit, HTTP methods counted, endpoints sharing the limit)
ENDPOINT_LIMITS = {
    "login": ("RATELIMIT_LOGIN", ["POST"], ["auth.login"]),
    "submit": ("RATELIMIT_SUBMIT", ["POST"], [
        "public.article", "public.general_comment", "public.my_list",
        "surveys.start", "surveys.page", "surveys.review",
        "submissions.save_letter", "submissions.upload", "submissions.add_opinion", "submissions.submit",
        "subscriptions.subscribe",
    ]),
    "lookup": ("RATELIMIT_LOOKUP", None, [
        "public.receipt_lookup", "public.receipt", "public.receipt_data", "public.erase_personal_data",
        "surveys.resume", "surveys.resume_link", "subscriptions.confirm", "subscriptions.unsubscribe",
    ]),
}

#: Never limited: probes and metrics (the ``health`` blueprint) and static files.
EXEMPT_BLUEPRINTS = frozenset({"health"})

#: Form fields not worth giving back on the 429 page (secrets, keys, bot traps).
_NOT_KEPT = frozenset({"csrf_token", "password", "form_key", "token", "form_started", "website"})


def client_ip() -> str:
    return request.remote_addr or "unknown"


def api_client() -> str:
    """The bearer token's digest (never the token itself), or the IP without one."""
    kind, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer" and raw.strip():
        return "token:" + hashlib.sha256(raw.strip().encode("utf-8", "replace")).hexdigest()[:32]
    return "ip:" + client_ip()


def init_app(app: Flask) -> None:
    """Make the app's limiter and apply ``ENDPOINT_LIMITS``; after the blueprints are registered."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter = Limiter(key_func=client_ip, strategy="moving-window", headers_enabled=False)
    limiter.request_filter(_exempt)
    limiter.init_app(app)
    app.extensions["gopy_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    if not limiter.enabled:
        return
    _apply_limits(app, limiter)


def _apply_limits(app: Flask, limiter: Limiter) -> None:
    for scope, (config_key, methods, endpoints) in ENDPOINT_LIMITS.items():
        shared = limiter.shared_limit(app.config[config_key], scope=scope, methods=methods)
        for endpoint in endpoints:
            if endpoint in app.view_functions:
                app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    if "api" in app.blueprints:
        limiter.limit(app.config["RATELIMIT_API"], key_func=api_client)(app.blueprints["api"])


def _exempt() -> bool:
    return request.blueprint in EXEMPT_BLUEPRINTS or request.endpoint == "static"


def limiter_of(app: Flask | None = None) -> Limiter:
    return (app or current_app).extensions["gopy_limiter"]


def storage(app: Flask | None = None):
    """The limits storage (Redis or memory) the app counts in; ``consult.lockout`` uses it too."""
    return limiter_of(app).storage


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets a request through again (at least 1)."""
    current = limiter_of().current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def _too_many_requests(error: RateLimitExceeded):
    seconds = retry_after_seconds()
    headers = {"Retry-After": str(seconds)}
    if request.blueprint == "api":
        from consult.api.problems import problem_response

        return problem_response(429, "too-many-requests", _("Too many requests"),
                                _("Too many requests with this token. Try again in %(seconds)s seconds.",
                                  seconds=seconds), headers=headers, retry_after=seconds)
    text = _("You have sent too many requests in a short time. Nothing was saved this time. "
             "Please wait until %(time)s (about %(minutes)s minutes) and send again; "
             "your text is shown below so that you can copy it.",
             time=clock_time(seconds), minutes=max(1, math.ceil(seconds / 60)))
    page = render_template("error.html", code=429, title=_("Too many requests"), text=text,
                           kept=kept_text())
    return page, 429, headers


def clock_time(seconds_from_now: float) -> str:
    """The time of day, in the user's time zone, so many seconds from now ("14:05")."""
    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now)
    return format_datetime(moment, "HH:mm")


def kept_text() -> list[str]:
    """What the person typed in the refused form, to copy: every text field but secrets and keys."""
    try:
        items = request.form.items(multi=True) if request.method == "POST" else []
        values = [value for name, value in items if name not in _NOT_KEPT and value.strip()]
    except Exception:  # a body too large or malformed to parse: nothing to give back
        return []
    return list(dict.fromkeys(values))
