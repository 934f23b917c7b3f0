"""An opinion typed on a page shown before the closing time and sent just after it is kept and
marked late (the comment, and the "send my list"); later than the grace window it is refused
with the text kept, as before."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from consult import antibot
from consult.extensions import db
from consult.models import Comment, Consultation, utcnow
from tests.factories import login, make_consultation, make_user


def _hidden(name: str, html: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)


def _close(consultation_id: int, ago: timedelta = timedelta(0)) -> None:
    consultation = db.session.get(Consultation, consultation_id)
    consultation.closes_at = utcnow() - ago
    db.session.commit()


def _write_then_close(client, ago: timedelta = timedelta(0)):
    """Open the article page while open, close the consultation, then send the form."""
    consultation = make_consultation()
    page = client.get("/du-thao/luat-htx/dieu-1")
    data = {"body": "Ý kiến viết trước giờ kết thúc.", "provision": "",
            "form_key": _hidden("form_key", page.text), "form_started": _hidden("form_started", page.text)}
    _close(consultation.id, ago)
    return consultation, client.post("/du-thao/luat-htx/dieu-1", data=data)


def test_a_comment_sent_just_after_closing_from_an_open_page_is_kept_and_marked_late(client):
    _consultation, response = _write_then_close(client)
    assert response.status_code == 302
    comment = db.session.scalars(select(Comment)).one()
    assert comment.late and comment.status == "draft"
    listing = client.get("/du-thao/luat-htx/gop-y-cua-ban", follow_redirects=True)
    assert "ghi nhận là gửi muộn" in listing.text
    sent = client.post("/du-thao/luat-htx/gop-y-cua-ban", data={
        "respondent_type": "citizen", "province": "01", "consent": "y",
        "token": _hidden("token", listing.text), "form_started": _hidden("form_started", listing.text)})
    assert sent.status_code == 302 and "/bien-nhan/" in sent.headers["Location"]
    db.session.expire_all()
    assert comment.status == "pending" and comment.late
    login(client, make_user("moderator"))
    queue = client.get("/quan-tri/kiem-duyet")
    assert "badge-late" in queue.text and "Gửi muộn" in queue.text


def test_a_list_sent_after_closing_from_a_page_opened_before_it_marks_its_comments_late(client):
    consultation = make_consultation()
    page = client.get("/du-thao/luat-htx/dieu-1")
    client.post("/du-thao/luat-htx/dieu-1", data={"body": "Ý kiến đúng hạn.", "provision": "",
                                                  "form_key": _hidden("form_key", page.text)})
    listing = client.get("/du-thao/luat-htx/gop-y-cua-ban")
    _close(consultation.id)
    sent = client.post("/du-thao/luat-htx/gop-y-cua-ban", data={
        "respondent_type": "citizen", "province": "01", "consent": "y",
        "token": _hidden("token", listing.text), "form_started": _hidden("form_started", listing.text)})
    assert sent.status_code == 302
    comment = db.session.scalars(select(Comment)).one()
    assert comment.status == "pending" and comment.late


def test_after_the_grace_window_the_opinion_is_refused_and_its_text_kept(app, client):
    app.config["LATE_GRACE_MINUTES"] = 30
    _consultation, response = _write_then_close(client, ago=timedelta(minutes=31))
    assert response.status_code == 200
    assert "đã kết thúc" in response.text and "Ý kiến viết trước giờ kết thúc." in response.text
    assert db.session.scalars(select(Comment)).first() is None


def test_a_page_opened_after_closing_or_a_forged_stamp_is_not_late_but_refused(client):
    consultation = make_consultation(is_open=False)
    page = client.get("/du-thao/luat-htx/dieu-1")
    response = client.post("/du-thao/luat-htx/dieu-1", data={
        "body": "Mở trang sau giờ kết thúc.", "provision": "", "form_key": "k1",
        "form_started": antibot.stamp()})
    assert response.status_code == 200 and "Mở trang sau giờ kết thúc." in response.text
    forged = client.post("/du-thao/luat-htx/dieu-1", data={
        "body": "Dấu thời gian giả.", "provision": "", "form_key": "k2", "form_started": "form.AAAA.BBBB"})
    assert forged.status_code == 200 and "Dấu thời gian giả." in forged.text
    assert page.status_code == 200 and consultation.state() == "closed"
    assert db.session.scalars(select(Comment)).first() is None


def test_an_opinion_in_time_is_not_late(client):
    make_consultation()
    page = client.get("/du-thao/luat-htx/dieu-1")
    client.post("/du-thao/luat-htx/dieu-1", data={"body": "Đúng hạn.", "provision": "",
                                                  "form_key": _hidden("form_key", page.text)})
    assert db.session.scalars(select(Comment)).one().late is False


def test_a_late_opinion_is_marked_late_in_the_decisions_list(client):
    from tests.consult.decision_factories import comment

    consultation = make_consultation()
    late = comment(consultation, "dieu-1", "Ý kiến gửi muộn.")
    late.late = True
    comment(consultation, "dieu-2", "Ý kiến đúng hạn.")
    db.session.commit()
    login(client, make_user("drafter"))
    page = client.get(f"/quan-tri/xu-ly/{consultation.slug}/dieu-1").text
    assert "Ý kiến gửi muộn." in page and "Gửi muộn" in page
    assert "Gửi muộn" not in client.get(f"/quan-tri/xu-ly/{consultation.slug}/dieu-2").text
