"""The drafting team logs in, moderates the queue, and every action lands in the audit trail."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, Comment
from tests.consult.test_comment_journey import add_opinion, send_list
from tests.factories import login, make_consultation, make_user


@pytest.fixture()
def pending_comment(client):
    make_consultation()
    add_opinion(client, "dieu-3", "Đề nghị bổ sung điều kiện về góp vốn.", provision="dieu-3-khoan-2")
    send_list(client, province="48")
    return db.session.scalar(select(Comment))


def test_moderation_needs_login_and_the_right_role(client, pending_comment):
    response = client.get("/quan-tri/kiem-duyet")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    officer = make_user("officer")
    login(client, officer)
    assert client.get("/quan-tri/kiem-duyet").status_code == 403
    assert client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}",
                       data={"action": "publish"}).status_code == 403
    assert db.session.get(Comment, pending_comment.id).status == "pending"


def test_wrong_password_is_refused_in_vietnamese(client):
    user = make_user("moderator")
    response = client.post("/dang-nhap", data={"email": user.email, "password": "sai"})
    assert "E-mail hoặc mật khẩu không đúng." in response.text
    assert user.email in response.text


def test_login_ignores_an_outside_next_url(client):
    user = make_user("moderator")
    response = client.post("/dang-nhap?next=https://evil.example/x",
                           data={"email": user.email, "password": "mat-khau-dai-123"})
    assert response.headers["Location"].endswith("/quan-tri/")


def test_publish_shows_the_comment_under_its_article_and_is_audited(client, pending_comment):
    moderator = make_user("moderator")
    login(client, moderator)
    queue = client.get("/quan-tri/kiem-duyet")
    assert "Đề nghị bổ sung điều kiện về góp vốn." in queue.text
    assert "Khoản 2 Điều 3" in queue.text
    response = client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}", data={"action": "publish"})
    assert response.status_code == 302
    article = client.get("/du-thao/luat-htx/dieu-3")
    assert "Đề nghị bổ sung điều kiện về góp vốn." in article.text
    assert "Đà Nẵng" in article.text
    assert "1 góp ý" in client.get("/du-thao/luat-htx").text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "comment.publish"))
    assert event.actor_id == moderator.id and event.object_id == pending_comment.id
    assert event.detail["previous"] == "pending"
    trail = client.get("/quan-tri/nhat-ky")
    assert "comment.publish" in trail.text and moderator.email in trail.text


def test_reject_needs_a_reason_and_keeps_the_typed_reason(client, pending_comment):
    login(client, make_user("moderator"))
    response = client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}", data={"action": "reject", "reason": ""})
    assert response.status_code == 422
    assert "Vui lòng nêu lý do" in response.text
    assert db.session.get(Comment, pending_comment.id).status == "pending"
    client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}",
                data={"action": "reject", "reason": "Nội dung không liên quan"})
    comment = db.session.get(Comment, pending_comment.id)
    assert comment.status == "rejected" and comment.moderation_reason == "Nội dung không liên quan"
    receipt = client.get(f"/bien-nhan/{comment.contribution.receipt_code}")
    assert "Bị từ chối" in receipt.text


def test_hide_a_published_comment_removes_it_from_the_article(client, pending_comment):
    login(client, make_user("admin", email="admin@example.vn"))
    client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}", data={"action": "publish"})
    client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}", data={"action": "hide", "reason": "Lộ thông tin cá nhân"})
    assert "Đề nghị bổ sung" not in client.get("/du-thao/luat-htx/dieu-3").text
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "comment")).all()
    assert actions == ["comment.publish", "comment.hide"]


def test_a_replayed_moderation_form_changes_nothing_twice(client, pending_comment):
    login(client, make_user("moderator"))
    client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}", data={"action": "publish"})
    again = client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}", data={"action": "publish"},
                        follow_redirects=True)
    assert "không có gì thay đổi" in again.text
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "comment.publish")).all()
    assert len(events) == 1


def test_unknown_action_and_unknown_comment(client, pending_comment):
    login(client, make_user("moderator"))
    response = client.post(f"/quan-tri/kiem-duyet/{pending_comment.id}", data={"action": "delete"})
    assert response.status_code == 422 and "Thao tác kiểm duyệt không hợp lệ." in response.text
    assert client.post("/quan-tri/kiem-duyet/99999", data={"action": "publish"}).status_code == 404
