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


# --- the queue in pages ----------------------------------------------------------------------

def make_comments(count: int, status: str = "pending") -> list[Comment]:
    """``count`` sent comments in ``status``, one second apart, oldest first."""
    from datetime import timedelta

    from consult.models import Contribution, utcnow

    consultation = make_consultation()
    start = utcnow() - timedelta(days=1)
    contribution = Contribution(consultation=consultation, status="submitted", token="t" * 64,
                                receipt_code="GY-TEST-0001")
    comments = [Comment(contribution=contribution, consultation=consultation, status=status,
                        body=f"Ý kiến số {n}", body_normalized=f"ý kiến số {n}", form_key=f"k{n}",
                        created_at=start + timedelta(seconds=n)) for n in range(1, count + 1)]
    db.session.add_all([contribution, *comments])
    db.session.commit()
    return comments


def shown_ids(page) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'id="comment-(\d+)"', page.text)]


@pytest.fixture()
def moderator(client):
    login(client, make_user("moderator"))
    client.get("/quan-tri/kiem-duyet?lang=en")


def test_the_queue_shows_a_page_at_a_time_with_its_place(client, moderator):
    comments = make_comments(250)
    first = client.get("/quan-tri/kiem-duyet")
    assert shown_ids(first) == [c.id for c in comments[:100]]
    assert "Showing 1–100 of 250" in first.text
    second = client.get("/quan-tri/kiem-duyet?page=2")
    assert shown_ids(second) == [c.id for c in comments[100:200]]
    assert "Showing 101–200 of 250" in second.text
    assert 'href="/quan-tri/kiem-duyet?status=pending&amp;page=1" rel="prev"' in second.text
    assert 'href="/quan-tri/kiem-duyet?status=pending&amp;page=3" rel="next"' in second.text
    assert 'page=2" aria-current="page"' in second.text
    last = client.get("/quan-tri/kiem-duyet?page=3")
    assert shown_ids(last) == [c.id for c in comments[200:]] and "Showing 201–250 of 250" in last.text
    assert 'rel="next"' not in last.text


def test_vietnamese_counts_use_the_vietnamese_thousands_mark(client, moderator):
    make_comments(1234)
    page = client.get("/quan-tri/kiem-duyet?page=2&lang=vi")
    place = page.text.split('<p id="queue-range"')[1].split("</p>")[0]
    assert 'data-total="1234"' in place and "101–200" in place and "1.234" in place


def test_the_status_filter_stays_in_the_page_links(client, moderator):
    make_comments(120, status="published")
    page = client.get("/quan-tri/kiem-duyet?status=published")
    assert 'href="/quan-tri/kiem-duyet?status=published&amp;page=2"' in page.text
    assert "Showing 1–100 of 120" in page.text
    second = client.get("/quan-tri/kiem-duyet?status=published&page=2")
    assert len(shown_ids(second)) == 20
    assert f'action="/quan-tri/kiem-duyet/{shown_ids(second)[0]}?status=published&amp;page=2"' in second.text


@pytest.mark.parametrize("asked, shown, message", [
    ("abc", 1, "The page number was not understood: the first page is shown."),
    ("-1", 1, "The page number was not understood: the first page is shown."),
    ("0", 1, "The page number was not understood: the first page is shown."),
    ("٢", 1, "The page number was not understood: the first page is shown."),
    ("2.5", 1, "The page number was not understood: the first page is shown."),
    ("9", 3, "This list has only 3 pages: the last one is shown."),
    ("99999999999999999999999999", 3, "This list has only 3 pages: the last one is shown."),
    ("1" * 5000, 3, "This list has only 3 pages: the last one is shown."),
])
def test_a_page_that_does_not_exist_is_explained(client, moderator, asked, shown, message):
    make_comments(201)
    response = client.get("/quan-tri/kiem-duyet", query_string={"page": asked})
    assert response.status_code == 200 and message in response.text
    assert f'page={shown}" aria-current="page"' in response.text or (shown == 1 and "Showing 1–100" in response.text)


def test_an_empty_queue_has_one_empty_page(client, moderator):
    response = client.get("/quan-tri/kiem-duyet?page=4")
    assert response.status_code == 200 and "No comment in this list." in response.text
    assert "This list has only 1 page: it is shown." in response.text
    assert "Showing" not in response.text


def test_moderating_goes_back_to_the_same_page_or_the_last_one(client, moderator):
    comments = make_comments(201)
    back = client.post(f"/quan-tri/kiem-duyet/{comments[150].id}?status=pending&page=2",
                       data={"action": "publish"})
    assert back.headers["Location"].endswith("/quan-tri/kiem-duyet?status=pending&page=2")
    # the only comment on page 3 moves to page 2 once one before it is published
    back = client.post(f"/quan-tri/kiem-duyet/{comments[200].id}?status=pending&page=3",
                       data={"action": "publish"})
    assert back.headers["Location"].endswith("/quan-tri/kiem-duyet?status=pending&page=2")
    back = client.post(f"/quan-tri/kiem-duyet/{comments[0].id}?status=pending&page=abc",
                       data={"action": "publish"})
    assert back.headers["Location"].endswith("/quan-tri/kiem-duyet?status=pending")


def test_a_link_to_one_comment_opens_its_page(client, moderator):
    comments = make_comments(250)
    page = client.get(f"/quan-tri/kiem-duyet?comment={comments[180].id}")
    assert comments[180].id in shown_ids(page) and "Showing 101–200 of 250" in page.text
    for unknown in ("999999", "abc", ""):
        assert client.get(f"/quan-tri/kiem-duyet?comment={unknown}").status_code == 200


def test_the_page_numbers_skip_the_middle_of_a_long_list():
    from consult.moderation import QueuePage

    assert QueuePage([], 6, 12, 1200, 100).nearby() == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert QueuePage([], 1, 3, 250, 100).nearby() == [1, 2, 3]
    assert QueuePage([], 1, 1, 0, 100).nearby() == [1]
