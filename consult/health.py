"""Health checks for the load balancer and the orchestrator (blueprint ``health``).

- ``/healthz`` (liveness): the process answers. No database, no Redis, no file: a
  restart is the cure for a process that does not answer this, and for nothing else.
- ``/readyz`` (readiness): the database answers, Redis answers when ``REDIS_URL`` is set,
  and the database's Alembic revision is the head of ``migrations/``. Any failure gives a
  503 whose JSON names the failed check, so the balancer stops sending traffic to an
  instance that cannot serve (or runs ahead of or behind its schema).

Neither page uses the session, the language or a template, and a rate limiter should exempt
the blueprint (``limiter.exempt(health.bp)``).
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from functools import lru_cache

from flask import Blueprint, current_app, jsonify
from sqlalchemy import inspect, text

from consult.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
#: Seconds a readiness probe waits for Redis.
REDIS_TIMEOUT = 2


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@bp.get("/healthz")
def healthz():
    return _no_store(jsonify(status="ok")), 200


@bp.get("/readyz")
def readyz():
    checks = readiness_checks()
    ready = all(check.ok for check in checks)
    body = {"status": "ok" if ready else "unavailable",
            "failed": [check.name for check in checks if not check.ok],
            "checks": {check.name: asdict(check) for check in checks}}
    if not ready:
        log.warning("not ready", extra={"failed": body["failed"]})
    return _no_store(jsonify(body)), 200 if ready else 503


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def readiness_checks() -> list[Check]:
    checks = [check_database()]
    if current_app.config.get("REDIS_URL"):
        checks.append(check_redis(current_app.config["REDIS_URL"]))
    if checks[0].ok:
        checks.append(check_migrations())
    else:
        checks.append(Check("migrations", False, "database unreachable"))
    return checks


def check_database() -> Check:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means not ready; the class name says which
        return Check("database", False, type(error).__name__)
    return Check("database", True)


def check_redis(url: str) -> Check:
    from redis import Redis

    try:
        Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT).ping()
    except Exception as error:
        return Check("redis", False, type(error).__name__)
    return Check("redis", True)


def check_migrations() -> Check:
    """The database's revision(s) must equal the script directory's head(s)."""
    expected = script_heads(current_app.extensions["migrate"].directory)
    try:
        with db.engine.connect() as connection:
            current = database_revisions(connection)
    except Exception as error:
        return Check("migrations", False, type(error).__name__)
    if current != expected:
        return Check("migrations", False,
                     f"database at {', '.join(sorted(current)) or 'no revision'}, "
                     f"code expects {', '.join(sorted(expected))}")
    return Check("migrations", True, ", ".join(sorted(current)))


def database_revisions(connection) -> frozenset[str]:
    """The revisions in ``alembic_version`` (none when the table is missing). Read directly:
    Alembic's ``MigrationContext`` would log two lines at every probe."""
    if not inspect(connection).has_table("alembic_version"):
        return frozenset()
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


@lru_cache(maxsize=4)
def script_heads(directory: str) -> frozenset[str]:
    """The head revision(s) of the migrations folder; they change only with the code."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(directory))
    return frozenset(ScriptDirectory.from_config(config).get_heads())
