"""Logins: logout ends the session on the server, unknown e-mails cost one hash like known ones,
and an account under attack is locked for a growing time, even against the right password."""
from __future__ import annotations

import time

import pytest

from consult import auth, lockout
from consult.extensions import db
from tests.factories import login, make_user

PROTECTED = "/quan-tri/kiem-duyet"


def _thief_with(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="localhost")
    return thief


def _is_sent_to_login(response) -> bool:
    return response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_a_session_cookie_copied_before_logout_no_longer_works_after_it(client, app):
    user = make_user("moderator")
    login(client, user)
    cookie = client.get_cookie("session", domain="localhost").value
    assert _thief_with(app, cookie).get(PROTECTED).status_code == 200  # the copy works while logged in
    client.post("/dang-xuat")
    assert _is_sent_to_login(_thief_with(app, cookie).get(PROTECTED))
    assert _is_sent_to_login(client.get(PROTECTED))


def test_a_new_password_ends_existing_sessions(client, app):
    user = make_user("moderator")
    login(client, user)
    user.set_password("mat-khau-moi-456")
    db.session.commit()
    assert _is_sent_to_login(client.get(PROTECTED))
    login(client, user, "mat-khau-moi-456")
    assert client.get(PROTECTED).status_code == 200


def test_a_session_id_without_the_token_or_with_garbage_is_anonymous(app):
    user = make_user("moderator")
    for session_id in (str(user.id), f"{user.id}:", f"{user.id}:wrong", "x:y", "99999999999:z"):
        assert auth._load_user(session_id) is None
    assert auth._load_user(user.get_id()) == user


def test_known_and_unknown_emails_cost_one_hash_check_of_the_same_kind(client, monkeypatch):
    make_user("moderator", email="biet@example.vn")
    checked = []
    real = auth.check_password_hash

    def spy(stored, password):
        checked.append(stored.split("$")[0])  # the method and its cost parameters
        return real(stored, password)

    monkeypatch.setattr(auth, "check_password_hash", spy)
    client.post("/dang-nhap", data={"email": "biet@example.vn", "password": "sai-mat-khau"})
    client.post("/dang-nhap", data={"email": "khong-ai@example.vn", "password": "sai-mat-khau"})
    assert len(checked) == 2 and checked[0] == checked[1]
    assert not client.get(PROTECTED).status_code == 200


@pytest.fixture()
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_LOGIN": "1000 per minute"}


def test_two_hundred_wrong_passwords_then_the_right_one_is_refused(client):
    user = make_user("moderator")
    for attempt in range(200):
        wrong = client.post("/dang-nhap", data={"email": user.email, "password": f"sai-{attempt}"})
        assert wrong.status_code in (200, 429)
    right = client.post("/dang-nhap", data={"email": user.email, "password": "mat-khau-dai-123"})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert "nhập sai mật khẩu quá nhiều lần" in right.text and "kể cả khi bạn nhập đúng mật khẩu" in right.text
    assert _is_sent_to_login(client.get(PROTECTED))


def test_the_lock_grows_with_each_failure_up_to_its_cap(app):
    app.config.update(RATELIMIT_LOCKOUT_AFTER=3, RATELIMIT_LOCKOUT_SECONDS=10,
                      RATELIMIT_LOCKOUT_MAX_SECONDS=100)
    with app.test_request_context():
        locks = [lockout.record_failure("ai-do@example.vn") for _ in range(8)]
    assert locks == [None, None, 10, 20, 40, 80, 100, 100]


def test_the_lock_ends_and_the_right_password_then_works(client, app):
    app.config.update(RATELIMIT_LOCKOUT_AFTER=2, RATELIMIT_LOCKOUT_SECONDS=1)
    user = make_user("moderator")
    for attempt in range(2):
        client.post("/dang-nhap", data={"email": user.email, "password": f"sai-{attempt}"})
    assert client.post("/dang-nhap", data={"email": user.email,
                                           "password": "mat-khau-dai-123"}).status_code == 429
    time.sleep(1.5)
    assert login(client, user).status_code == 200
    assert client.get(PROTECTED).status_code == 200


def test_an_unknown_email_is_locked_like_a_known_one(client):
    """Locking only real accounts would tell a guesser which addresses exist."""
    answers = [client.post("/dang-nhap", data={"email": "khong-ai@example.vn", "password": "sai"}).status_code
               for _ in range(7)]
    assert answers[:5] == [200] * 5 and answers[6] == 429


def test_a_success_clears_the_count(client, app):
    app.config.update(RATELIMIT_LOCKOUT_AFTER=3)
    user = make_user("moderator")
    for _round in range(3):
        for attempt in range(2):
            client.post("/dang-nhap", data={"email": user.email, "password": f"sai-{attempt}"})
        assert login(client, user).status_code == 200
        client.post("/dang-xuat")
