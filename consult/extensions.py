"""The one instance of each Flask extension, bound in ``create_app``.

Flask-Migrate is bound on first use instead: importing it loads Alembic (about a tenth of the
app's import), which only the ``flask db`` commands, ``flask start`` and the migrations need,
never a web worker. Until then ``app.extensions["migrate"]`` is a ``LazyMigrate`` that knows the
migrations' folder and binds the real one when asked for anything else.
"""
from __future__ import annotations

import logging
import sqlite3

import click
from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _SQLAlchemy(SQLAlchemy):
    def end_session(self) -> None:
        """End the current session: at the end of a request or command, and after each job of
        the worker (whose one app context lasts its whole life). Its rollback is the first word
        to the database since the last statement; when the connection died meanwhile (PostgreSQL
        restarting) it fails, and Flask-SQLAlchemy let that error out after the answer was made,
        so gunicorn sent its bare 500 instead. The server dropped the transaction with the
        connection, so nothing is left to undo: drop the connection, keep the answer."""
        if self.session.registry.has():
            session = self.session.registry()
            try:
                session.rollback()
            except DBAPIError:
                logging.getLogger(__name__).warning("Database connection lost at the end of the request",
                                                    exc_info=True)
                session.invalidate()  # closes its connections without talking to the server
        self.session.remove()

    def _teardown_session(self, exc: BaseException | None) -> None:
        self.end_session()


db = _SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    app.extensions["migrate"] = LazyMigrate(app, str(_migrations_dir(app)))
    app.cli.add_command(_MigrateCommands("db", help="Perform database migrations."))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"


class LazyMigrate:
    """Stands in ``app.extensions["migrate"]`` until Flask-Migrate is needed."""

    def __init__(self, app: Flask, directory: str):
        self.app = app
        self.directory = directory

    def __getattr__(self, name: str):  # anything but ``directory``: bind Flask-Migrate
        return getattr(bind_migrate(self.app), name)


def bind_migrate(app: Flask):
    """Bind Flask-Migrate to ``app`` (once); returns ``app.extensions["migrate"]``."""
    found = app.extensions.get("migrate")
    if isinstance(found, LazyMigrate):
        from flask_migrate import Migrate

        Migrate().init_app(app, db, directory=found.directory, render_as_batch=True)
    return app.extensions["migrate"]


class _MigrateCommands(click.Command):
    """``flask db …``: stands for Flask-Migrate's command group, which is loaded when used."""

    def make_context(self, info_name, args, parent=None, **extra):
        bind_migrate(current_app._get_current_object())
        from flask_migrate.cli import db as commands

        return commands.make_context(info_name, args, parent=parent, **extra)


def _migrations_dir(app: Flask):
    from pathlib import Path

    return Path(app.root_path).parent / "migrations"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers work while one request writes; foreign keys are off by default."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(connection, _name) -> None:
    """pysqlite opens a transaction only before the first INSERT, UPDATE or DELETE, so a
    SAVEPOINT sent while the transaction has only read would be the outermost one, and its
    RELEASE would commit for good: a later rollback of the request would not undo it (it does
    on PostgreSQL). Opening the transaction first keeps the savepoint nested on both."""
    raw = connection.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        raw.execute("BEGIN")
