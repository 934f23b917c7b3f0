"""Whole article and draft pages kept for anonymous visitors (consult/page_cache.py): each visitor
still gets their own CSRF token and form values, nothing personal is kept or served to another,
and what the team publishes or closes shows at once in the process and within seconds elsewhere."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import g
from sqlalchemy import select, text, update

from consult import models, page_cache, privacy
from consult.extensions import db
from consult.models import Comment, Consultation, Contribution
from tests.consult.test_comment_journey import add_opinion, send_list
from tests.factories import login, make_consultation, make_user

ARTICLE = "/du-thao/luat-htx/dieu-3"
DRAFT = "/du-thao/luat-htx"
CSRF_ON = pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])


@pytest.fixture(autouse=True)
def _new_csrf_token_per_request(app):
    """The tests keep one app context open, so requests share ``g``, where Flask-WTF keeps the
    request's signed token: forget it, as a new request in production would."""
    @app.before_request
    def _forget_csrf_token():
        g.pop("csrf_token", None)


@pytest.fixture()
def consultation(app):
    return make_consultation()


@pytest.fixture()
def renders(app, monkeypatch) -> list[str]:
    """The templates the public views rendered (a page served from the cache renders none)."""
    from consult.views import public

    seen: list[str] = []
    original = public.render_template

    def counting(name, **context):
        seen.append(name)
        return original(name, **context)

    monkeypatch.setattr(public, "render_template", counting)
    return seen


def hidden(page: str) -> dict:
    """The comment form's hidden fields (name → value)."""
    form = page[page.index('class="comment-form"'):]
    return dict(re.findall(r'<input id="[^"]*" name="([^"]*)" type="hidden" value="([^"]*)">', form))


def later(monkeypatch, seconds: float) -> None:
    """Move the cache's clock ``seconds`` on (as if another process had kept the page that long)."""
    real = time.monotonic
    monkeypatch.setattr(page_cache, "time", SimpleNamespace(monotonic=lambda: real() + seconds))


def publish_behind_the_cache(comment_id: int) -> None:
    """Publish as another process would: a commit this process's cache does not hear of."""
    db.session.execute(text("UPDATE comment SET status = 'published' WHERE id = :id"), {"id": comment_id})
    db.session.commit()


def pending_comment(app, body: str) -> Comment:
    with app.test_client() as citizen:
        add_opinion(citizen, "dieu-3", body)
        send_list(citizen)
    return db.session.scalar(select(Comment).where(Comment.body == body))


@CSRF_ON
def test_two_visitors_get_one_render_and_each_their_own_hidden_values(app, consultation, renders):
    first, second = app.test_client(), app.test_client()
    page_one, page_two = first.get(ARTICLE).text, second.get(ARTICLE).text
    assert renders == ["public/article.html"]  # the second visitor was answered from the cache
    one, two = hidden(page_one), hidden(page_two)
    assert set(one) == set(two) == {"csrf_token", "form_key", "form_started"}
    assert one["csrf_token"] != two["csrf_token"] and one["form_key"] != two["form_key"]
    assert one["form_started"] and two["form_started"]
    # the pages differ only in those values
    strip = lambda page: re.sub(r'value="[^"]*"', "", page)  # noqa: E731
    assert strip(page_one) == strip(page_two)
    # each visitor's session holds the token of their own page, not the other's
    assert first.post(ARTICLE, data=dict(two, body="Ý kiến với mã của người khác.", provision="")).status_code == 400
    assert db.session.scalar(select(Comment).where(Comment.body == "Ý kiến với mã của người khác.")) is None


@CSRF_ON
def test_a_post_with_the_values_filled_in_from_the_cache_is_taken(app, consultation, renders):
    app.test_client().get(ARTICLE)
    visitor = app.test_client()
    page = visitor.get(ARTICLE).text
    assert renders == ["public/article.html"]
    response = visitor.post(ARTICLE, data=dict(hidden(page), body="Đề nghị làm rõ điều kiện góp vốn.", provision=""))
    assert response.status_code == 302 and response.headers["Location"].endswith("/gop-y-cua-ban")
    comment = db.session.scalar(select(Comment).where(Comment.body == "Đề nghị làm rõ điều kiện góp vốn."))
    assert comment is not None and comment.form_key == hidden(page)["form_key"]
    # the same form sent again is the same opinion (its one-time key was this visitor's own)
    visitor.post(ARTICLE, data=dict(hidden(page), body="Đề nghị làm rõ điều kiện góp vốn.", provision=""))
    assert len(db.session.scalars(select(Comment)).all()) == 1


def test_a_citizen_with_a_list_sees_it_and_their_page_is_not_kept(app, consultation, renders):
    stranger = app.test_client()
    stranger.get(ARTICLE)
    citizen = app.test_client()
    add_opinion(citizen, "dieu-3", "Ý kiến trong danh sách của tôi.")
    assert "chưa gửi" in citizen.get(ARTICLE).text  # the list's banner, rendered for them
    assert "chưa gửi" in citizen.get(ARTICLE).text
    assert "chưa gửi" not in stranger.get(ARTICLE).text and "chưa gửi" not in app.test_client().get(ARTICLE).text
    assert "chưa gửi" in citizen.get(DRAFT).text and "chưa gửi" not in app.test_client().get(DRAFT).text
    # adding to a list empties no cache: the stranger's next view is still a kept one
    count = len(renders)
    stranger.get(ARTICLE)
    assert len(renders) == count


def test_staff_never_get_nor_fill_the_visitors_cache(app, consultation, renders):
    staff = app.test_client()
    login(staff, make_user("moderator"))
    for _ in range(2):
        assert "Đăng xuất" in staff.get(ARTICLE).text and "Đăng xuất" in staff.get(DRAFT).text
    assert not app.extensions.get("page_cache") or not app.extensions["page_cache"].pages
    visitor = app.test_client()
    assert "Đăng xuất" not in visitor.get(ARTICLE).text and "Đăng nhập" in visitor.get(ARTICLE).text
    assert renders.count("public/article.html") == 3  # two for the staff member, one kept for visitors
    page = staff.get(ARTICLE).text
    assert "Đăng xuất" in page and renders.count("public/article.html") == 4


def test_a_message_waiting_is_shown_and_never_kept(app, consultation):
    visitor = app.test_client()
    visitor.get(ARTICLE)
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Thông báo riêng cho khách này.")]
    assert "Thông báo riêng cho khách này." in visitor.get(ARTICLE).text
    assert "Thông báo riêng cho khách này." not in app.test_client().get(ARTICLE).text
    assert "Thông báo riêng cho khách này." not in visitor.get(ARTICLE).text


def test_each_language_is_kept_apart(app, consultation):
    english = app.test_client()
    english.get(ARTICLE + "?lang=en")
    assert "Your opinion is published after moderation." in english.get(ARTICLE).text
    assert "Your opinion is published after moderation." not in app.test_client().get(ARTICLE).text
    assert "Your opinion is published after moderation." in english.get(ARTICLE).text


def test_a_comment_published_by_moderation_shows_at_once(app, client, consultation):
    comment = pending_comment(app, "Đề nghị bổ sung điều kiện về góp vốn.")
    assert "Đề nghị bổ sung điều kiện về góp vốn." not in app.test_client().get(ARTICLE).text
    login(client, make_user("moderator"))
    client.post(f"/quan-tri/kiem-duyet/{comment.id}", data={"action": "publish"})
    assert "Đề nghị bổ sung điều kiện về góp vốn." in app.test_client().get(ARTICLE).text
    assert "1 góp ý" in app.test_client().get(DRAFT).text
    client.post(f"/quan-tri/kiem-duyet/{comment.id}", data={"action": "hide", "reason": "Lộ thông tin"})
    assert "Đề nghị bổ sung điều kiện về góp vốn." not in app.test_client().get(ARTICLE).text


def test_a_change_made_by_another_process_shows_once_the_page_expires(app, consultation, monkeypatch):
    comment = pending_comment(app, "Ý kiến công bố ở tiến trình khác.")
    app.test_client().get(ARTICLE)
    publish_behind_the_cache(comment.id)
    assert "Ý kiến công bố ở tiến trình khác." not in app.test_client().get(ARTICLE).text  # still kept
    later(monkeypatch, app.config["PAGE_CACHE_SECONDS"] + 0.1)
    assert "Ý kiến công bố ở tiến trình khác." in app.test_client().get(ARTICLE).text


def test_a_page_kept_before_the_closing_time_is_not_served_after_it(app, consultation, monkeypatch):
    open_page = app.test_client().get(ARTICLE).text
    assert 'name="body"' in open_page
    closes_at = consultation.closes_at
    monkeypatch.setattr(models, "utcnow", lambda: closes_at + timedelta(seconds=1))
    closed = app.test_client().get(ARTICLE).text
    assert "Đợt lấy ý kiến này đã kết thúc" in closed and 'name="body"' not in closed
    assert "Đã kết thúc" in app.test_client().get(DRAFT).text


def test_closing_early_by_the_team_shows_at_once(app, consultation):
    app.test_client().get(ARTICLE)
    app.test_client().get(DRAFT)
    consultation.closes_at = models.utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert 'name="body"' not in app.test_client().get(ARTICLE).text
    assert "Đã kết thúc" in app.test_client().get(DRAFT).text


def test_an_erased_name_leaves_the_kept_pages_at_once(app, client, consultation):
    with app.test_client() as citizen:
        add_opinion(citizen, "dieu-3", "Ý kiến có ký tên.")
        send_list(citizen, name="Nguyễn Thị Hoa")
    db.session.execute(update(Comment).values(status="published"))
    db.session.commit()
    assert "Nguyễn Thị Hoa" in app.test_client().get(ARTICLE).text
    privacy.purge_consultation(db.session.get(Consultation, consultation.id))
    db.session.commit()
    assert "Nguyễn Thị Hoa" not in app.test_client().get(ARTICLE).text


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_SECONDS": 0}])
def test_the_cache_can_be_turned_off(app, consultation, renders):
    app.test_client().get(ARTICLE)
    app.test_client().get(ARTICLE)
    assert renders == ["public/article.html"] * 2


def test_only_the_page_of_comments_is_kept_among_queries(app, consultation, renders):
    for path in (ARTICLE + "?trang=1", ARTICLE + "?trang=1", ARTICLE + "?x=1", ARTICLE + "?x=1"):
        app.test_client().get(path)
    assert renders == ["public/article.html"] * 3


def test_what_a_commit_changes_decides_whether_pages_are_forgotten(app, consultation):
    def flushed(obj) -> bool:
        db.session.info.pop(page_cache._STALE, None)
        db.session.add(obj)
        db.session.flush()
        stale = db.session.info.pop(page_cache._STALE, False)
        db.session.rollback()
        return stale

    contribution = Contribution(consultation_id=consultation.id, token="t-1")
    assert not flushed(contribution)  # a citizen's new list
    provision_id = consultation.draft.current_version.provisions[0].id
    draft_comment = Comment(contribution=Contribution(consultation_id=consultation.id, token="t-2"),
                            consultation_id=consultation.id, provision_id=provision_id, body="x",
                            body_normalized="x", form_key="k-1")
    assert not flushed(draft_comment)
    published = Comment(contribution=Contribution(consultation_id=consultation.id, token="t-3"),
                        consultation_id=consultation.id, provision_id=provision_id, body="x",
                        body_normalized="x", form_key="k-2", status="published")
    assert flushed(published)
    statement = lambda s: page_cache._statement_changes_public_pages(s)  # noqa: E731
    assert not statement(update(Comment).values(status="pending"))
    assert statement(update(Comment).values(status="published"))
    assert not statement(update(Contribution).values(status="submitted", name="A"))
    assert statement(update(Contribution).values(name="", contact=""))
    assert statement(update(Consultation).values(title="x"))


def test_sending_a_list_keeps_the_pages_and_a_table_update_that_publishes_forgets_them(
        app, consultation, renders):
    """Sending is written as plain table ``UPDATE``s (``comments.send_list``): the commit hook
    hears them (``do_orm_execute`` sees Core statements too). Sending publishes nothing, so the
    kept pages stay; a table ``UPDATE`` that publishes empties them at once."""
    with app.test_client() as citizen:
        add_opinion(citizen, "dieu-3", "Ý kiến gửi bằng câu lệnh bảng.")
        app.test_client().get(ARTICLE)  # kept for visitors
        sent = send_list(citizen)
    assert sent.status_code == 302 and "/bien-nhan/GY-" in sent.headers["Location"]
    assert db.session.scalar(select(Comment.status)) == "pending"
    renders.clear()
    assert "Ý kiến gửi bằng câu lệnh bảng." not in app.test_client().get(ARTICLE).text
    assert renders == []  # still the kept page: sending changed nothing a visitor sees
    db.session.execute(update(Comment.__table__).values(status="published"))
    db.session.commit()
    assert "Ý kiến gửi bằng câu lệnh bảng." in app.test_client().get(ARTICLE).text
    assert renders == ["public/article.html"]


def test_a_letter_made_through_the_api_keeps_the_pages(app, consultation, renders):
    """The API's create writes with plain ``INSERT``s and the token's last use with a table
    ``UPDATE`` (no ORM object): tables no kept page shows, so the kept pages stay."""
    from tests.submissions.helpers import make_token, on_roster
    from tests.submissions.test_api import LETTER, auth

    token = make_token(on_roster(consultation, "BTC")[0])
    app.test_client().get(ARTICLE)  # kept for visitors
    created = app.test_client().post("/api/v1/consultations/luat-htx/submissions", json=LETTER,
                                     headers=auth(token))
    assert created.status_code == 201, created.get_json()
    renders.clear()
    assert app.test_client().get(ARTICLE).status_code == 200
    assert renders == []  # still the kept page
