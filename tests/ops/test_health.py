"""/healthz answers without I/O; /readyz names the database, Redis or migrations when they fail."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from consult import health
from consult.extensions import db
from tests.analysis.redis_support import REDIS_URL, live_redis
from tests.conftest import make_test_app


@pytest.fixture()
def stamped(app):
    """Write an ``alembic_version`` table into the test schema (made by ``create_all``)."""
    def stamp(*revisions: str) -> None:
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        for revision in revisions:
            db.session.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": revision})
        db.session.commit()

    yield stamp
    db.session.rollback()
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.session.commit()


def expected_heads(app) -> list[str]:
    return sorted(health.script_heads(app.extensions["migrate"].directory))


def test_the_migrations_folder_has_one_head(app):
    assert len(expected_heads(app)) == 1


def test_ready_when_the_database_is_at_the_head(app, client, stamped):
    stamped(*expected_heads(app))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["failed"] == []
    assert response.json["checks"]["migrations"]["ok"] is True
    assert response.headers["Cache-Control"] == "no-store"


def test_migrations_behind_the_code_give_503_naming_them(app, client, stamped):
    stamped("abae98d2577d")  # the first migration: the database is behind
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["migrations"]
    detail = response.json["checks"]["migrations"]["detail"]
    assert "abae98d2577d" in detail and expected_heads(app)[0] in detail
    assert response.json["checks"]["database"]["ok"] is True


def test_a_database_never_migrated_is_not_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["failed"] == ["migrations"]
    assert "no revision" in response.json["checks"]["migrations"]["detail"]


def test_an_unreachable_database_fails_readiness_but_not_liveness(database, _schema, tmp_path):
    app = make_test_app(database, tmp_path,
                        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/folder/gopy.sqlite3",
                        SQLALCHEMY_ENGINE_OPTIONS={})
    client = app.test_client()
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert set(ready.json["failed"]) == {"database", "migrations"}
    assert ready.json["checks"]["database"]["detail"] == "OperationalError"
    assert "missing" not in ready.get_data(as_text=True)  # no path or URL leaks


@pytest.mark.parametrize("app_config", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_redis_down_gives_503_naming_redis(app, client, stamped):
    stamped(*expected_heads(app))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["redis"]
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("app_config", [{"REDIS_URL": REDIS_URL}])
def test_redis_up_is_ready(app, client, stamped):
    live_redis()
    stamped(*expected_heads(app))
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["checks"]["redis"]["ok"] is True


def test_health_pages_live_in_the_health_blueprint(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule in ("/healthz", "/readyz")}
    assert endpoints == {"health.healthz", "health.readyz"}
