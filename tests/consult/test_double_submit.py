"""A citizen's opinion is stored once and stays reachable however often its form arrives:
resent after a lost answer, double-clicked, or six copies at once (issue 10)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult import comments
from consult.extensions import db
from consult.models import Comment, Contribution
from tests.consult.test_comment_journey import _form_key, _token
from tests.factories import make_consultation
from tests.races import cookie_of, race, statuses

ARTICLE = "/du-thao/luat-htx/dieu-1"
LIST = "/du-thao/luat-htx/gop-y-cua-ban"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def consultation(app):
    return make_consultation()


def _comment_form(client, body: str = "Ý kiến gửi một lần") -> dict:
    return {"body": body, "provision": "", "form_key": _form_key(client.get(ARTICLE).text)}


def test_a_comment_resent_after_a_lost_answer_is_in_the_list_the_browser_shows(app, client, consultation):
    data = _comment_form(client)
    cookie_before = cookie_of(client)
    assert client.post(ARTICLE, data=data).status_code == 302
    # the answer (and its cookie) never reached the browser, which sends the form again
    resent = app.test_client()
    if cookie_before:
        resent.set_cookie("session", cookie_before, domain="localhost")
    again = resent.post(ARTICLE, data=data, follow_redirects=True)
    assert "đã có trong danh sách" in again.text
    assert "Ý kiến gửi một lần" in resent.get(LIST).text
    assert count(Comment) == 1
    assert count(Contribution) == 1  # no empty list left behind


def test_a_resent_comment_whose_list_was_sent_shows_the_receipt(app, client, consultation):
    data = _comment_form(client)
    client.post(ARTICLE, data=data)
    page = client.get(LIST)
    client.post(LIST, data={"respondent_type": "citizen", "province": "79", "consent": "y",
                            "token": _token(page.text)})
    receipt = db.session.scalar(select(Contribution.receipt_code))
    again = app.test_client().post(ARTICLE, data=data)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/bien-nhan/{receipt}")
    assert count(Contribution) == 1


def test_six_identical_comment_posts_at_once_store_one_comment_in_one_list(app, client, consultation):
    data = _comment_form(client, "Sáu lần cùng lúc")
    cookie = cookie_of(client)

    def send(twin):
        posted = twin.post(ARTICLE, data=data)
        return posted, twin.get(LIST).text

    results = race(app, send, cookie=cookie)
    assert statuses([posted for posted, _listing in results]) == [302] * 6, results
    assert all("Sáu lần cùng lúc" in listing for _posted, listing in results)
    assert count(Comment) == 1
    assert count(Contribution) == 1


def test_six_identical_list_sendings_at_once_make_one_receipt(app, client, consultation):
    client.post(ARTICLE, data=_comment_form(client))
    token = _token(client.get(LIST).text)
    profile = {"respondent_type": "citizen", "province": "79", "consent": "y", "token": token}
    results = race(app, lambda twin: twin.post(LIST, data=profile), cookie=cookie_of(client))
    assert statuses(results) == [302] * 6
    receipt = db.session.scalar(select(Contribution.receipt_code))
    assert {result.headers["Location"] for result in results} == {f"/bien-nhan/{receipt}"}
    assert count(Contribution) == 1
    assert db.session.scalar(select(Comment.status)) == "pending"


def test_a_twin_that_read_the_list_unsent_gets_the_first_receipt(app, client, consultation):
    """The twin that lost the conditional ``UPDATE`` (it read the list before the first sending
    committed) is told the list was sent, with the first sending's receipt; nothing changes."""
    client.post(ARTICLE, data=_comment_form(client))
    token = _token(client.get(LIST).text)
    stale = comments.send_row(consultation.id, token)
    assert stale.status == "draft" and stale.has_opinions and not stale.holds_late
    first = client.post(LIST, data={"respondent_type": "citizen", "province": "79", "consent": "y",
                                    "token": token})
    receipt = db.session.scalar(select(Contribution.receipt_code))
    assert first.headers["Location"] == f"/bien-nhan/{receipt}"
    with pytest.raises(comments.ListSent) as twin:
        comments.send_list(db.session.merge(consultation), stale, respondent_type="organisation",
                           province_code="01")
    assert twin.value.receipt_code == receipt
    db.session.rollback()
    assert db.session.scalar(select(Contribution.province_code)) == "79"
    assert db.session.scalar(select(Comment.status)) == "pending"


def test_a_forged_form_key_longer_than_the_column_is_replaced_not_an_error(client, consultation):
    response = client.post(ARTICLE, data={"body": "Khóa dài", "provision": "", "form_key": "k" * 500})
    assert response.status_code == 302
    assert len(db.session.scalar(select(Comment.form_key))) <= 64


def test_a_sending_whose_opinions_were_all_taken_off_meanwhile_gets_its_own_receipt(app, client, consultation):
    """The list was read with an opinion, which was then taken off (another tab) before the
    UPDATEs ran: the sending changes no opinion, yet the list is this sending's, not a twin's."""
    client.post(ARTICLE, data=_comment_form(client))
    list_ = db.session.scalars(select(Contribution)).one()
    row = comments.send_row(consultation.id, list_.token)
    assert row.has_opinions
    db.session.execute(Comment.__table__.delete())
    code = comments.send_list(consultation, row, respondent_type="citizen", province_code="79")
    db.session.commit()
    db.session.expire_all()
    assert (list_.status, list_.receipt_code) == ("submitted", code)

