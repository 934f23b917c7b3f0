"""Configuration from the environment, with safe defaults for one machine."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

#: Longest comment body a citizen may send, in characters (stated in the form).
COMMENT_MAX_LENGTH = 5000
#: Largest request body, in bytes: draft uploads and, later, signed letters.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def configure(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the environment, then ``test_config``."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=_database_url(app),
        SECRET_KEY=os.environ.get("SECRET_KEY") or _instance_secret(app),
        REDIS_URL=os.environ.get("REDIS_URL") or None,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        COMMENT_MAX_LENGTH=COMMENT_MAX_LENGTH,
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(app.root_path).parent / "translations"),
        LANGUAGES=("vi", "en"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        SQLALCHEMY_ENGINE_OPTIONS={},
    )
    app.config.update(_export_settings())
    # Operations, privacy and abuse settings (GOPY_LOG_LEVEL, GOPY_METRICS_TOKEN,
    # GOPY_RETENTION_DAYS_AFTER_CLOSE, GOPY_RATELIMIT_LOGIN …): see the README.
    app.config.from_prefixed_env("GOPY")
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )


def _export_settings() -> dict:
    """``EXPORT_DIR``, ``EXPORT_KEEP`` and ``EXPORT_INPROCESS_LIMIT`` from the environment, when
    set (``analysis.export_jobs`` has the defaults). A number that does not parse is an error
    at start, not a surprise at the first export."""
    settings: dict = {}
    if os.environ.get("EXPORT_DIR"):
        settings["EXPORT_DIR"] = os.environ["EXPORT_DIR"]
    for name in ("EXPORT_KEEP", "EXPORT_INPROCESS_LIMIT"):
        if os.environ.get(name):
            try:
                settings[name] = int(os.environ[name])
            except ValueError:
                raise RuntimeError(f"{name} must be a whole number, not {os.environ[name]!r}") from None
    return settings


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


def _database_url(app: Flask) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return "sqlite:///" + str(Path(app.instance_path) / "gopy.sqlite3")


def _instance_secret(app: Flask) -> str:
    """A secret generated once and kept under ``instance/`` so sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
