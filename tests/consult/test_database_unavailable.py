"""A database restart or a lost connection answers 503 with Retry-After, in Vietnamese, with the
typed text given back (pages) or a problem document (API): never a bare 500 that reads as a bug."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError

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
