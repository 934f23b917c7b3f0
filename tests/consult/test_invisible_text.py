"""Text that shows nothing, and bytes that are not UTF-8 (issue 10).

An opinion made only of NULs, zero-width characters or direction marks is refused with a
clear message in every free-text field (comments, letters' opinions, survey answers,
moderation reasons, the API), instead of getting a receipt and reaching moderation empty.
A form body that is not UTF-8 comes back with what could be read and says so; when nothing
could be read, the error page does not pretend to show it.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Comment
from consult.submissions.models import SubmissionOpinion
from consult.textnorm import has_visible_text
from surveys.models import Answer
from tests.consult.test_comment_journey import add_opinion, send_list
from tests.factories import login, make_consultation, make_user
from tests.submissions.helpers import make_token, on_roster, setup_body
from tests.surveys.factories import make_survey
from tests.surveys.test_answering_pages import SLUG, started
from tests.surveys.test_responses import BRANCHING

INVISIBLE = ["\u200b\u200b\u200b", "\u202e\u200f\u2066\u2069", "\ufeff\u2060 \u200c", "\u3164\u00ad\u034f"]
REFUSED_VI = "chỉ có các ký tự vô hình"
UNREADABLE_VI = "không đọc được và được hiển thị là"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("text", ["", " ", "\x00", "\u200b", "\u202e\u200f", "\u3164", "\u0301"])
def test_text_without_anything_to_see(text):
    assert not has_visible_text(text)


@pytest.mark.parametrize("text", ["a", "Ý kiến", "\u200bx", "1", "—", "😀"])
def test_text_with_something_to_see(text):
    assert has_visible_text(text)


@pytest.mark.parametrize("body", INVISIBLE)
def test_an_invisible_comment_is_refused_and_gets_no_receipt(client, app, body):
    make_consultation()
    answer = add_opinion(client, "dieu-1", body)
    assert answer.status_code == 200
    assert REFUSED_VI in answer.text
    assert body.strip() in answer.text  # what was typed stays in the form
    assert count(Comment) == 0


def test_a_comment_of_nuls_only_is_refused(client, app):
    make_consultation()
    answer = add_opinion(client, "dieu-1", "\x00\x00\x00")
    assert answer.status_code == 200
    assert "Vui lòng viết ý kiến của bạn trước khi gửi." in answer.text
    assert count(Comment) == 0


def test_an_invisible_moderation_reason_is_refused(client, app):
    make_consultation()
    add_opinion(client, "dieu-1", "Một ý kiến thật")
    send_list(client)
    comment = db.session.scalar(select(Comment))
    login(client, make_user("moderator"))
    answer = client.post(f"/quan-tri/kiem-duyet/{comment.id}", data={"action": "reject", "reason": "\u200b\u200e"},
                         follow_redirects=True)
    assert REFUSED_VI in answer.text
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == "pending"


def test_an_invisible_letter_opinion_is_refused(client, app):
    _consultation, _organisation, officer = setup_body()
    login(client, officer)
    answer = client.post("/co-quan/luat-htx/van-ban/y-kien",
                         data={"article": "dieu-1", "clause": "", "body": "\u200b\u202e"})
    assert answer.status_code == 422
    assert REFUSED_VI in answer.text
    assert count(SubmissionOpinion) == 0


def test_an_invisible_opinion_through_the_api_is_refused(client, app):
    consultation = make_consultation()
    (organisation,) = on_roster(consultation, "BTC")
    token = make_token(organisation)
    letter = {"letter_number": "1/BTC", "letter_date": "2022-09-05", "signer_name": "A", "signer_title": "B",
              "opinions": [{"article": "1", "body": "\u200b\u200f"}]}
    answer = client.post("/api/v1/consultations/luat-htx/submissions", json=letter,
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422
    assert [error["pointer"] for error in answer.get_json()["errors"]] == ["/opinions/0/body"]


def test_an_invisible_survey_answer_is_refused_and_kept(client, app):
    make_survey(pages=BRANCHING)
    started(client)
    answer = client.post(f"/khao-sat/{SLUG}/trang/3", data={"q-opinion": "\u200b\u2066", "action": "next"})
    assert answer.status_code == 422
    assert "only invisible characters" in answer.text  # this respondent chose English
    assert count(Answer) == 0


# --- bytes that are not UTF-8 ---------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_form_that_is_not_utf8_comes_back_with_what_could_be_read(client, app):
    make_consultation()
    page = client.get("/du-thao/luat-htx/dieu-1").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page).group(1)
    # "Hợp tác xã" in Windows-1258 bytes sent raw: not UTF-8, not percent-encoded
    raw = b"csrf_token=" + csrf.encode() + b"&form_key=" + key.encode() + b"&provision=&body=H\xf5p+t\xe1c+x\xe3+t\xf4t"
    answer = client.post("/du-thao/luat-htx/dieu-1", data=raw,
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert UNREADABLE_VI in answer.text
    assert "H\ufffdp t\ufffdc x\ufffd t\ufffdt" in answer.text  # the readable part, marked
    assert count(Comment) == 0


def test_percent_escaped_bytes_that_are_not_utf8_are_marked_not_stored_as_escapes(client, app):
    """The same text percent-encoded, as a form declared in Windows-1258 sends it: the escapes
    ("%F5") must not reach the stored comment as if the citizen had typed them."""
    make_consultation()
    answer = client.post("/du-thao/luat-htx/dieu-1", data=b"provision=&body=H%F5p+t%E1c+x%E3+t%F4t",
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert UNREADABLE_VI in answer.text
    assert "H\ufffdp t\ufffdc x\ufffd t\ufffdt" in answer.text
    assert count(Comment) == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_an_unreadable_body_is_not_promised_on_the_error_page(client, app):
    make_consultation()
    answer = client.post("/du-thao/luat-htx/dieu-1", data=b"--broken\r\nnot multipart at all",
                         content_type="multipart/form-data; boundary=other")
    assert answer.status_code == 400
    assert "không đọc được nên không thể hiển thị lại ở đây" in answer.text
    assert "hiển thị bên dưới" not in answer.text


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_an_expired_form_shows_the_text_it_promises(client, app):
    make_consultation()
    answer = client.post("/du-thao/luat-htx/dieu-1", data={"body": "Ý kiến giữ lại", "csrf_token": "stale"})
    assert answer.status_code == 400
    assert "Ý kiến giữ lại" in answer.text


@pytest.mark.parametrize("reason", ["\u200b\u200e", "\u3164\u3164", "\x00"])
def test_an_invisible_decision_reason_is_no_reason(reason):
    from consult.decisions import InvalidDecision, clean_reason

    with pytest.raises(InvalidDecision):
        clean_reason("not_accepted", reason)
    assert clean_reason("accepted", reason) == ""


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_an_expired_form_without_text_just_says_to_reload(client, app):
    make_consultation()
    answer = client.post("/du-thao/luat-htx/dieu-1", data={"provision": "", "csrf_token": "stale"})
    assert answer.status_code == 400
    assert "Vui lòng tải lại trang và gửi lại." in answer.text
    assert "hiển thị bên dưới" not in answer.text and "không đọc được" not in answer.text
