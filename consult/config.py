"""Configuration from the environment, in one place, with safe defaults for one machine.

Every setting can be given as ``GOPY_<NAME>`` (Flask's ``from_prefixed_env``: ``GOPY_PROXY_COUNT=1``,
``GOPY_SESSION_COOKIE_SECURE=true``); the names the README documented before the prefix existed
(``DATABASE_URL``, ``SECRET_KEY``, ``REDIS_URL``, ``EXPORT_*``, ``SMTP_*``, ``MAIL_FROM``,
``ADMIN_PASSWORD``, ``DEMO_OFFICER_PASSWORD``, ``HOST``, ``PORT``) still work; the prefixed one
wins when both are set. The order: defaults, unprefixed names, ``GOPY_`` names, ``test_config``.
A value that does not fit its setting (a word where a number is due) stops the start with the
variable's name, rather than surprising the first request. docs/operations.md lists them all.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Config, Flask

PREFIX = "GOPY"
#: Longest comment body a citizen may send, in characters (stated in the form).
COMMENT_MAX_LENGTH = 5000
#: Largest request body, in bytes: draft uploads, signed letters, survey files.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Largest form body held in memory (werkzeug's is 500 kB), in bytes. A citizen pasting a whole
#: document (Vietnamese is some three bytes a character once url-encoded) must reach the form's
#: own check, which states the limit and gives the text back, not a bare "too large" page.
FORM_MEMORY_BYTES = 4 * 1024 * 1024
#: Largest signed letter (PDF) and largest file answering a survey question, in bytes.
PDF_MAX_BYTES = 5 * 1024 * 1024
SURVEY_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
#: Largest document of a consultation's dossier (tờ trình, reports), in bytes; its upload pages
#: take bodies this large plus 1 MB, whatever MAX_CONTENT_LENGTH says.
DOSSIER_MAX_BYTES = 20 * 1024 * 1024

#: Names read without the prefix too, as the README documented them.
UNPREFIXED_NAMES = (
    "DATABASE_URL", "SECRET_KEY", "REDIS_URL", "EXPORT_DIR", "EXPORT_KEEP", "EXPORT_INPROCESS_LIMIT",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM",
    "ADMIN_PASSWORD", "DEMO_OFFICER_PASSWORD", "HOST", "PORT",
)
#: Settings that are whole numbers (bytes, counts, seconds, ports).
WHOLE_NUMBERS = (
    "EXPORT_KEEP", "EXPORT_INPROCESS_LIMIT", "ANALYSIS_INPROCESS_LIMIT", "ANALYSIS_CHUNK_SIZE", "SMTP_PORT", "PORT",
    "PROXY_COUNT", "MAX_CONTENT_LENGTH", "SUBMISSION_PDF_MAX_BYTES", "SURVEY_UPLOAD_MAX_BYTES",
    "HSTS_SECONDS", "STATIC_MAX_AGE", "MIN_CONSULTATION_DAYS", "LATE_GRACE_MINUTES",
    "DOSSIER_MAX_BYTES", "PAGE_CACHE_SECONDS", "PAGE_CACHE_SIZE", "MAX_FORM_MEMORY_SIZE",
)
#: Settings that are yes or no.
SWITCHES = ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "SMTP_STARTTLS", "HSTS_INCLUDE_SUBDOMAINS")
#: Text settings keep the variable exactly as written (``GOPY_SECRET_KEY=1234`` is not a number).
TEXTS = (
    "DATABASE_URL", "SECRET_KEY", "REDIS_URL", "EXPORT_DIR", "UPLOAD_FOLDER", "SMTP_HOST", "SMTP_USERNAME",
    "SMTP_PASSWORD", "MAIL_FROM", "ADMIN_PASSWORD", "DEMO_OFFICER_PASSWORD", "HOST", "ANALYSIS_QUEUE",
    "EXPORT_QUEUE", "LOG_LEVEL", "METRICS_TOKEN", "METRICS_ALLOWED_NETWORKS", "REPORT_ISSUER", "REPORT_NUMBER",
    "REPORT_PLACE", "PUBLIC_URL", "REMINDER_DAYS",
)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def defaults(app: Flask) -> dict:
    """What one machine needs with no configuration at all (the README's quick start)."""
    return {
        "COMMENT_MAX_LENGTH": COMMENT_MAX_LENGTH,
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,
        "MAX_FORM_MEMORY_SIZE": FORM_MEMORY_BYTES,
        "SUBMISSION_PDF_MAX_BYTES": PDF_MAX_BYTES,
        "SURVEY_UPLOAD_MAX_BYTES": SURVEY_UPLOAD_MAX_BYTES,
        "DOSSIER_MAX_BYTES": DOSSIER_MAX_BYTES,
        "REDIS_URL": None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(app.root_path).parent / "translations"),
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        #: Only a browser on HTTPS sends a Secure cookie: set it behind TLS (docs/operations.md).
        "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        #: Proxies in front that set X-Forwarded-*: 0 for the bare server, 1 behind nginx.
        "PROXY_COUNT": 0,
        #: Strict-Transport-Security max-age; 0 sends no HSTS (only turn on once TLS works).
        "HSTS_SECONDS": 0,
        "HSTS_INCLUDE_SUBDOMAINS": False,
        #: Cache lifetime of static files whose URL carries their content's hash.
        "STATIC_MAX_AGE": 365 * 24 * 3600,
        "SMTP_HOST": "localhost",
        "SMTP_PORT": 25,
        "MAIL_FROM": "gopy@localhost",
        "SMTP_STARTTLS": False,
        "HOST": "127.0.0.1",
        "PORT": 5000,
        #: The synthesis report's letterhead (consult/synthesis_docx.py); empty: "Ban soạn thảo",
        #: a number left to fill in, "Hà Nội".
        "REPORT_ISSUER": "",
        "REPORT_NUMBER": "",
        "REPORT_PLACE": "",
        #: The site's public root for links in e-mails sent without a request (cron, worker):
        #: ``https://gopy.example.vn/``; empty: the request's root, else http://HOST:PORT/.
        "PUBLIC_URL": "",
        #: Shortest consultation period, in days, for an agency that set none of its own; a
        #: shorter one is kept only with a reason (recorded in the audit trail).
        "MIN_CONSULTATION_DAYS": 30,
        #: An opinion typed on a page shown before the closing time is still taken this many
        #: minutes after it, marked late.
        "LATE_GRACE_MINUTES": 60,
        #: Days before a roster deadline or a survey's closing when reminders are e-mailed
        #: (``flask reminders send-due``, run daily by cron).
        "REMINDER_DAYS": (7, 2),
        #: Seconds an anonymous visitor's article or draft page is kept per process (0: off),
        #: and how many pages a process keeps (consult/page_cache.py).
        "PAGE_CACHE_SECONDS": 5,
        "PAGE_CACHE_SIZE": 256,
    }


def configure(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the environment, then ``test_config``."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(defaults(app))
    app.config.update(_environment(app))
    if test_config:
        app.config.update(test_config)
    _derive(app)


def _environment(app: Flask) -> dict:
    """The settings the environment gives: unprefixed names first, ``GOPY_`` names over them."""
    environ = os.environ
    settings = {name: environ[name] for name in UNPREFIXED_NAMES if environ.get(name)}
    prefixed = Config(app.root_path)
    prefixed.from_prefixed_env(PREFIX)
    settings.update(prefixed)
    for name in TEXTS:  # from_prefixed_env parses JSON; a text keeps what was typed
        if f"{PREFIX}_{name}" in environ:
            settings[name] = environ[f"{PREFIX}_{name}"]
    return parse_settings(settings)


def parse_settings(settings: dict) -> dict:
    """Numbers and switches given as text become values; raises ``RuntimeError`` on nonsense."""
    parsed = dict(settings)
    for name in WHOLE_NUMBERS:
        if name in parsed:
            parsed[name] = _whole_number(name, parsed[name])
    for name in SWITCHES:
        if name in parsed:
            parsed[name] = _switch(name, parsed[name])
    if "REMINDER_DAYS" in parsed:
        parsed["REMINDER_DAYS"] = _day_list("REMINDER_DAYS", parsed["REMINDER_DAYS"])
    return parsed


def _day_list(name: str, value) -> tuple[int, ...]:
    """"7,2" → (7, 2): whole numbers of days, largest first; empty turns the reminders off."""
    if isinstance(value, (tuple, list)):
        parts = [str(part) for part in value]
    else:
        parts = [part for part in str(value).replace(";", ",").split(",") if part.strip()]
    days = {_whole_number(name, part) for part in parts}
    if any(day > 366 for day in days):
        raise RuntimeError(f"{name} must be days before the deadline (at most 366), not {value!r}")
    return tuple(sorted(days, reverse=True))


def _whole_number(name: str, value) -> int:
    if isinstance(value, bool):
        raise RuntimeError(f"{name} must be a whole number, not {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise RuntimeError(f"{name} must not be negative, not {value!r}")
    return number


def _switch(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise RuntimeError(f"{name} must be true or false, not {value!r}")


def _derive(app: Flask) -> None:
    """Settings that follow from others: the database URI, the secret, the engine options."""
    config = app.config
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        url = config.get("DATABASE_URL")
        config["SQLALCHEMY_DATABASE_URI"] = (normalise_database_url(url) if url else
                                             "sqlite:///" + str(Path(app.instance_path) / "gopy.sqlite3"))
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(app)
    config.setdefault("REMEMBER_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        config["SQLALCHEMY_DATABASE_URI"], config["SQLALCHEMY_ENGINE_OPTIONS"]
    )


def normalise_database_url(url: str) -> str:
    """Send plain ``postgresql://`` URLs through psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str, extra: dict) -> dict:
    """Engine options per backend: SQLite waits for a busy writer instead of failing."""
    options = dict(extra)
    if url.startswith("sqlite"):
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("timeout", 15)
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
    return options


def _instance_secret(app: Flask) -> str:
    """A secret generated once and kept under ``instance/`` so sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
