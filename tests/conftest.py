"""Test fixtures: a fresh database per run (SQLite file or a PostgreSQL schema), emptied after
each test; an app per test; small factories in ``tests/factories.py``.

``DATABASE_URL`` chooses the database: unset runs on SQLite, a PostgreSQL URL runs in a schema
made for this run and dropped after it, so runs sharing the ``test`` database never meet.
Browser tests (``tests/browser``) run only with ``--browser``; without it they are deselected.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from flask import g
from sqlalchemy import create_engine, text

from consult import create_app
from consult.config import normalise_database_url
from consult.extensions import db


def pytest_addoption(parser):
    parser.addoption("--browser", action="store_true", help="run the browser tests in tests/browser")


def pytest_collection_modifyitems(config, items):
    want_browser = config.getoption("--browser")
    selected, deselected = [], []
    for item in items:
        is_browser = "tests/browser/" in item.nodeid.replace(os.sep, "/")
        (selected if is_browser == want_browser else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@contextmanager
def isolated_database(directory, prefix: str = "test"):
    """Yield (url, engine options) of a database no other run uses.

    SQLite: a new file in ``directory``. PostgreSQL (``DATABASE_URL``): a new schema in the
    shared database, dropped afterwards, so runs sharing the ``test`` database never meet.
    """
    url = os.environ.get("DATABASE_URL")
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{directory / (prefix + '.sqlite3')}", {}
        return
    url = normalise_database_url(url)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The run's database, shared by its tests and emptied after each one."""
    with isolated_database(tmp_path_factory.mktemp("db")) as found:
        yield found


def make_test_app(database, tmp_path, **overrides):
    url, engine_options = database
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": dict(engine_options),
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Abuse controls stay out of the way; tests/consult/test_abuse_*.py turn them on.
        "RATELIMIT_ENABLED": False,
        "ANTIBOT_MIN_SECONDS": 0,
    }
    config.update(overrides)
    app = create_app(config)
    app.instance_path = str(tmp_path)
    return app


@pytest.fixture(scope="session")
def _schema(database, tmp_path_factory):
    app = make_test_app(database, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        db.create_all()
        yield
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture()
def app_config():
    """Override in a test module (or parametrize) to change the app's configuration."""
    return {}


@pytest.fixture()
def app(database, _schema, tmp_path, app_config):
    app = make_test_app(database, tmp_path, **app_config)

    @app.before_request
    def _forget_cached_request_state():
        """The test keeps one app context open, so requests share ``g``: forget what
        Flask-Babel and Flask-Login cached there, as a new request in production would."""
        g.pop("_flask_babel", None)
        g.pop("_login_user", None)

    with app.app_context():
        yield app
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()
