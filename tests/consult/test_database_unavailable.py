"""A database restart or a lost connection answers 503 with Retry-After, in Vietnamese, with the
typed text given back (pages) or a problem document (API): never a bare 500 that reads as a bug."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from consult.extensions import db
from tests.conftest import make_test_app
from tests.factories import make_consultation
from tests.submissions.helpers import make_organisation, make_token


def _lost_connection(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def _broken_route(app, exception_factory):
    @app.post("/_test/loi-co-so-du-lieu")
    def _broken():
        raise exception_factory()


def test_a_lost_database_connection_is_a_503_that_keeps_the_text(app, client):
    _broken_route(app, lambda: OperationalError("INSERT", {}, Exception("terminating connection")))
    response = client.post("/_test/loi-co-so-du-lieu", data={"body": "Ý kiến về Điều 12 của tôi"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "tạm thời" in response.text or "tạm gián đoạn" in response.text
    assert "Ý kiến về Điều 12 của tôi" in response.text


def test_other_database_errors_stay_500(app, client):
    _broken_route(app, lambda: IntegrityError("INSERT", {}, Exception("duplicate key")))
    response = client.post("/_test/loi-co-so-du-lieu", data={"body": "Văn bản"})
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert "Văn bản" in response.text


def test_the_503_page_needs_no_database_for_its_layout(app, client, monkeypatch):
    """The layout loads the signed-in user from the database; when that fails too, a plain page
    still says what happened and gives the text back."""
    _broken_route(app, lambda: OperationalError("INSERT", {}, Exception("connection refused")))
    monkeypatch.setattr("consult.errors.render_error", _lost_connection)
    response = client.post("/_test/loi-co-so-du-lieu", data={"body": "Đề nghị <b>sửa</b> Điều 3"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert 'lang="vi"' in response.text
    assert "Đề nghị &lt;b&gt;sửa&lt;/b&gt; Điều 3" in response.text


def test_the_api_answers_a_503_problem(client, monkeypatch):
    make_consultation()
    token = make_token(make_organisation("BTC"))
    monkeypatch.setattr("consult.api.views._published", _lost_connection)
    response = client.get("/api/v1/consultations/luat-htx", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    body = response.get_json(force=True)
    assert body["type"].endswith("unavailable") and body["status"] == 503


def test_a_letter_create_that_loses_the_database_is_a_503_problem(client, monkeypatch):
    """The API's create commits the token's last use with the letter; when the database is lost
    before, the use is written on its own after the view, and failing that too must not hide the
    503 (it is logged)."""
    from sqlalchemy import select

    from consult.api.tokens import hash_token
    from consult.extensions import db
    from consult.submissions.models import ApiToken
    from tests.submissions.helpers import on_roster
    from tests.submissions.test_api import LETTER

    token = make_token(on_roster(make_consultation(), "BTC")[0])
    monkeypatch.setattr("consult.submissions.services.start_letter", _lost_connection)

    def create():
        return client.post("/api/v1/consultations/luat-htx/submissions", json=LETTER,
                           headers={"Authorization": f"Bearer {token}"})

    response = create()
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    assert stored.last_used_at is not None  # the use was still committed, on its own
    stored.last_used_at = None
    db.session.commit()
    monkeypatch.setattr("consult.api.tokens.record_use", _lost_connection)
    response = create()
    assert response.status_code == 503 and response.mimetype == "application/problem+json"


# --- the connection lost after the view's last statement ---------------------------------------
#
# The rollback that ends a request's session is its first word to the database since the view's
# last statement. When PostgreSQL restarted meanwhile, that rollback fails after the answer was
# made; the answer must still go out (bench/faults --restart-postgres saw gunicorn's bare 500).
# These tests use an app of their own with no app context open around the requests (the ``app``
# fixture keeps one open, so a request there never ends its session), as gunicorn serves it.

ON_POSTGRES = (os.environ.get("DATABASE_URL") or "").startswith("postgres")


def _dbapi_lost_connection():
    """The error the database's driver raises on a connection that died."""
    if ON_POSTGRES:
        import psycopg

        return psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
    return sqlite3.OperationalError("disk I/O error")


def _rollback_fails(monkeypatch, engine):
    def do_rollback(_dbapi_connection):
        raise _dbapi_lost_connection()

    monkeypatch.setattr(engine.dialect, "do_rollback", do_rollback)


def _backend_terminated(_monkeypatch, engine):
    """PostgreSQL ends the connection, as a restart does ("terminating connection due to
    administrator command")."""
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


LOSSES = [_rollback_fails] + ([_backend_terminated] if ON_POSTGRES else [])


@pytest.mark.parametrize("lose_connection", LOSSES)
def test_a_connection_lost_after_the_last_statement_keeps_the_answer(database, _schema, tmp_path, monkeypatch,
                                                                     lose_connection):
    app = make_test_app(database, tmp_path)
    faults = []

    @app.get("/_test/doc-roi-mat-ket-noi")
    def _read_then_lose():
        value = db.session.execute(text("SELECT 1")).scalar()  # opens the request's transaction
        if faults:
            faults.pop()(monkeypatch, db.engine)
        return f"Trang đã đọc {value}"

    client = app.test_client()
    faults.append(lose_connection)
    response = client.get("/_test/doc-roi-mat-ket-noi")
    assert response.status_code == 200
    assert response.text == "Trang đã đọc 1"
    monkeypatch.undo()
    again = client.get("/_test/doc-roi-mat-ket-noi")  # the next request gets a working connection
    assert again.status_code == 200 and again.text == "Trang đã đọc 1"
    with app.app_context():
        db.engine.dispose()


# --- what a restart of PostgreSQL raises, wherever it raises it -------------------------------


def _psycopg_shapes():
    """The errors psycopg raises while PostgreSQL stops and starts (messages as the server and
    libpq word them)."""
    import psycopg
    from psycopg import errors

    return {
        "terminating": errors.AdminShutdown("terminating connection due to administrator command"),
        "shutting down": psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            "FATAL:  the database system is shutting down"),
        "starting up": errors.CannotConnectNow("the database system is starting up"),
        "server closed": psycopg.OperationalError(
            "consuming input failed: server closed the connection unexpectedly\n\tThis probably means "
            "the server terminated abnormally\n\tbefore or while processing the request."),
        "refused": psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
        "closed": psycopg.OperationalError("the connection is closed"),
        "interface": psycopg.InterfaceError("the connection is lost"),
    }


def _driver_shapes():
    """The shapes above on PostgreSQL; on SQLite, its own (a file it cannot reach or lock)."""
    if ON_POSTGRES:
        return _psycopg_shapes()
    return {"disk": sqlite3.OperationalError("disk I/O error"),
            "locked": sqlite3.OperationalError("database is locked"),
            "interface": sqlite3.InterfaceError("Cursor needed to be reset")}


SHAPES = sorted(_driver_shapes())


def _route_reading(app, path="/_test/doc"):
    @app.post(path)
    def _reads():
        db.session.execute(text("SELECT 1"))
        db.session.commit()
        return "đã lưu"

    return path


def _assert_vietnamese_503(response, typed=None):
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"] == "5"
    assert 'lang="vi"' in response.text and "cơ sở dữ liệu" in response.text
    if typed:
        assert typed in response.text


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("where", ["statement", "commit"])
def test_each_restart_error_from_the_driver_answers_503_in_vietnamese(app, client, monkeypatch, shape, where):
    """Raised by the driver under SQLAlchemy, which wraps it, at a statement or at COMMIT."""
    path = _route_reading(app)
    error = _driver_shapes()[shape]

    def fails(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(db.engine.dialect, "do_execute" if where == "statement" else "do_commit", fails)
    _assert_vietnamese_503(client.post(path, data={"body": "Góp ý của tôi"}), "Góp ý của tôi")


@pytest.mark.parametrize("shape", SHAPES)
def test_a_connection_that_cannot_be_made_answers_503(app, client, monkeypatch, shape):
    """PostgreSQL down or refusing connections: the pool has to connect anew and cannot."""
    path = _route_reading(app)
    db.session.remove()
    db.engine.dispose()
    error = _driver_shapes()[shape]

    def fails(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(db.engine.dialect, "connect", fails)
    _assert_vietnamese_503(client.post(path, data={"body": "Ý kiến"}), "Ý kiến")


@pytest.mark.parametrize("shape", sorted(_psycopg_shapes()))
def test_psycopg_errors_that_reach_the_handler_unwrapped_answer_503(app, client, shape):
    _broken_route(app, lambda: _psycopg_shapes()[shape])
    _assert_vietnamese_503(client.post("/_test/loi-co-so-du-lieu", data={"body": "Điều 5"}), "Điều 5")


def test_a_lost_connection_outside_the_view_answers_503(database, _schema, tmp_path):
    """An ``after_request`` hook (or a failing error handler) raising: Flask makes it its own
    500, which must still say "the database is briefly unavailable"."""
    app = make_test_app(database, tmp_path, PROPAGATE_EXCEPTIONS=False)
    path = _route_reading(app)

    @app.after_request
    def _loses_the_connection(response):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    _assert_vietnamese_503(app.test_client().post(path, data={"body": "Văn bản"}), "Văn bản")
    with app.app_context():
        db.engine.dispose()


def test_the_503_page_survives_a_rollback_that_fails_too(app, client, monkeypatch):
    """The statement failed because the connection died; the rollback before the page fails
    the same way, and the page still comes (then the next request works)."""
    path = _route_reading(app)
    error = _driver_shapes()[SHAPES[0]]

    def fails(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(db.engine.dialect, "do_execute", fails)
    monkeypatch.setattr(db.engine.dialect, "do_rollback", fails)
    _assert_vietnamese_503(client.post(path, data={"body": "Ý kiến"}), "Ý kiến")
    monkeypatch.undo()
    assert client.post(path).text == "đã lưu"


def test_a_non_database_error_with_a_dead_connection_is_still_the_500_page(app, client, monkeypatch):
    path = "/_test/loi-lap-trinh"
    error = _driver_shapes()[SHAPES[0]]

    def fails(*_args, **_kwargs):
        raise error

    @app.post(path)
    def _bug():
        db.session.execute(text("SELECT 1"))
        monkeypatch.setattr(db.engine.dialect, "do_rollback", fails)  # the connection dies now
        raise RuntimeError("a bug")

    response = client.post(path, data={"body": "Văn bản"})
    assert response.status_code == 500
    assert 'lang="vi"' in response.text and "Văn bản" in response.text
