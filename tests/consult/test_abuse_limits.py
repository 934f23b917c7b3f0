"""Rate limits per IP on public submissions, receipt lookups and logins, per token on the API;
the 429 page keeps the typed text; probes and static files are never limited. On memory storage
here; ``test_abuse_limits_redis.py`` runs the same limits on Redis across two app instances."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.models import Comment
from tests.factories import make_consultation
from tests.submissions.helpers import make_token, on_roster

LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
           "RATELIMIT_SUBMIT": "3 per minute", "RATELIMIT_LOOKUP": "2 per minute",
           "RATELIMIT_LOGIN": "2 per minute", "RATELIMIT_API": "2 per minute"}


@pytest.fixture()
def app_config():
    return dict(LIMITED)


def from_ip(client, ip: str):
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def comment(client, body: str):
    page = client.get("/du-thao/luat-htx/dieu-1")
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page.text).group(1)
    return client.post("/du-thao/luat-htx/dieu-1", data={"body": body, "form_key": key})


def test_comments_are_limited_per_ip_with_a_vietnamese_page_that_keeps_the_text(client, app):
    make_consultation()
    from_ip(client, "203.0.113.7")
    assert [comment(client, f"Ý kiến số {n}").status_code for n in range(3)] == [302] * 3
    refused = comment(client, "Ý kiến thứ tư, viết rất cẩn thận & dài")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 61  # a minute, rounded up
    assert "Bạn đã gửi quá nhiều yêu cầu" in refused.text
    assert "<textarea" in refused.text and "Ý kiến thứ tư, viết rất cẩn thận &amp; dài" in refused.text
    assert 'name="form_key"' not in refused.text
    assert _comments() == 3
    other = from_ip(app.test_client(), "203.0.113.8")
    assert comment(other, "Người khác, địa chỉ khác").status_code == 302
    assert _comments() == 4


def _comments() -> int:
    from consult.extensions import db

    return db.session.scalar(select(func.count()).select_from(Comment))


def test_reading_is_not_limited_only_sending_is(client):
    make_consultation()
    from_ip(client, "203.0.113.9")
    assert {client.get("/du-thao/luat-htx/dieu-1").status_code for _ in range(10)} == {200}


def test_receipt_lookups_are_limited_per_ip(client):
    from_ip(client, "203.0.113.10")
    answers = [client.get("/bien-nhan", query_string={"code": f"GY-0000-000{n}"}).status_code for n in range(3)]
    assert answers == [200, 200, 429]
    assert client.get("/bien-nhan/GY-0000-0000").status_code == 429  # the same budget
    assert from_ip(client, "203.0.113.11").get("/bien-nhan/GY-0000-0000").status_code == 404


def test_login_attempts_are_limited_per_ip_but_the_form_still_shows(client):
    from_ip(client, "203.0.113.12")
    posts = [client.post("/dang-nhap", data={"email": f"a{n}@example.vn", "password": "x"}).status_code
             for n in range(3)]
    assert posts == [200, 200, 429]
    assert client.get("/dang-nhap").status_code == 200


def test_the_api_is_limited_per_token_with_a_problem_document(client):
    consultation = make_consultation()
    btc, btp = on_roster(consultation, "BTC", "BTP")
    first, second = make_token(btc), make_token(btp)
    headers = {"Authorization": f"Bearer {first}"}
    answers = [client.get("/api/v1/submissions", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) > 0
    body = refused.get_json()
    assert body["status"] == 429 and body["type"].endswith("too-many-requests") and body["retry_after"] > 0
    assert client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {second}"}).status_code == 200


@pytest.mark.parametrize("app_config", [{**LIMITED, "RATELIMIT_DEFAULT": "1 per minute"}])
def test_probes_and_static_files_are_never_limited(app, app_config):
    client = app.test_client()
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}
    assert {client.get("/readyz").status_code for _ in range(5)} <= {200, 503}
    assert {client.get("/static/app.css").status_code for _ in range(5)} == {200}
    assert [client.get("/khao-sat/").status_code for _ in range(2)] == [200, 429]  # the default applies elsewhere


@pytest.mark.parametrize("app_config", [{**LIMITED, "RATELIMIT_ENABLED": False}])
def test_switched_off_nothing_is_limited(client, app_config):
    from_ip(client, "203.0.113.13")
    assert {client.get("/bien-nhan", query_string={"code": "GY-0000-0000"}).status_code for _ in range(5)} == {200}


@pytest.mark.parametrize("app_config", [{**LIMITED, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}])
def test_without_its_storage_the_site_still_works(client, app_config):
    """Redis down: limits and lockout step aside (and log it) rather than answer 500."""
    from tests.factories import login, make_user

    make_consultation()
    from_ip(client, "203.0.113.14")
    assert comment(client, "Redis đang hỏng").status_code == 302
    user = make_user("moderator")
    client.post("/dang-nhap", data={"email": user.email, "password": "sai"})
    login(client, user)
    assert client.get("/quan-tri/kiem-duyet").status_code == 200


def test_survey_receipt_lookups_share_the_lookup_budget(client):
    from_ip(client, "203.0.113.15")
    answers = [client.get("/bien-nhan", query_string={"code": f"KS-0000-000{n}"}).status_code for n in range(2)]
    assert answers == [200, 200]
    assert client.get("/bien-nhan/KS-0000-0000").status_code == 429
    assert from_ip(client, "203.0.113.16").get("/bien-nhan/KS-0000-0000").status_code == 404
