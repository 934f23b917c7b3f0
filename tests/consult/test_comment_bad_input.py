"""Bad input on the citizens' side: a clear Vietnamese message, input kept, never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Comment, Contribution
from tests.consult.test_comment_journey import _form_key, _token, add_opinion, send_list
from tests.factories import make_consultation


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def consultation(app):
    return make_consultation()


def test_empty_comment_is_refused_with_a_message(client, consultation):
    response = add_opinion(client, "dieu-1", "   ")
    assert response.status_code == 200
    assert "Vui lòng viết ý kiến của bạn trước khi gửi." in response.text
    assert count(Comment) == 0


def test_over_long_comment_states_the_limit_and_keeps_the_text(client, consultation):
    body = "Hợp tác xã " * 600  # 6.600 characters
    response = add_opinion(client, "dieu-1", body)
    assert response.status_code == 200
    assert "5.000 ký tự" in response.text
    assert "Hợp tác xã Hợp tác xã" in response.text
    # the form posts to its own anchor, so on a phone the answer opens at the message, not the law
    assert 'action="/du-thao/luat-htx/dieu-1#your-opinion"' in response.text
    assert 'id="your-opinion"' in response.text
    assert count(Comment) == 0


def test_a_pasted_long_vietnamese_text_gets_the_limit_and_its_text_back(client, consultation):
    """A whole document pasted (240.000 letters, 730 kB once url-encoded: over werkzeug's 500 kB
    for a form held in memory): the form's own check must answer and give the text back, not a
    bare "too large" page that loses it."""
    body = "Đề nghị sửa đổi quy định về hợp tác xã. " * 6000
    response = add_opinion(client, "dieu-1", body)
    assert response.status_code == 200
    assert "5.000 ký tự" in response.text and "Đề nghị sửa đổi quy định về hợp tác xã." in response.text
    assert count(Comment) == 0


def test_nfd_text_counts_characters_as_people_see_them(client, consultation):
    import unicodedata
    body = unicodedata.normalize("NFD", "ữ" * 4000)  # 8.000 code points, 4.000 letters
    assert add_opinion(client, "dieu-1", body).status_code == 302
    assert count(Comment) == 1


def test_html_and_script_are_shown_as_text(client, consultation):
    body = '<script>alert("x")</script><b>đậm</b>'
    add_opinion(client, "dieu-1", body)
    listing = client.get("/du-thao/luat-htx/gop-y-cua-ban")
    assert "<script>alert" not in listing.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in listing.text


def test_unknown_clause_is_refused(client, consultation):
    response = add_opinion(client, "dieu-1", "Ý kiến", provision="dieu-99-khoan-1")
    assert response.status_code == 200
    assert "Vui lòng chọn một khoản của điều này trong danh sách." in response.text
    assert "Ý kiến" in response.text


def test_the_same_comment_form_sent_twice_stores_one_comment(client, consultation):
    page = client.get("/du-thao/luat-htx/dieu-1")
    data = {"body": "Gửi hai lần", "provision": "", "form_key": _form_key(page.text)}
    client.post("/du-thao/luat-htx/dieu-1", data=data)
    again = client.post("/du-thao/luat-htx/dieu-1", data=data, follow_redirects=True)
    assert count(Comment) == 1
    assert "đã có trong danh sách" in again.text


def test_sending_the_list_twice_makes_one_submission(client, consultation):
    add_opinion(client, "dieu-1", "Chỉ một lần")
    page = client.get("/du-thao/luat-htx/gop-y-cua-ban")
    data = {"respondent_type": "citizen", "province": "79", "consent": "y", "token": _token(page.text)}
    first = client.post("/du-thao/luat-htx/gop-y-cua-ban", data=data)
    second = client.post("/du-thao/luat-htx/gop-y-cua-ban", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Contribution) == 1
    assert db.session.scalar(select(Contribution)).status == "submitted"


@pytest.mark.parametrize("field,value,message", [
    ("respondent_type", "alien", "Vui lòng chọn đối tượng của bạn trong danh sách."),
    ("respondent_type", "", "Vui lòng cho biết bạn là ai."),
    ("province", "99", "Vui lòng chọn tỉnh, thành phố của bạn trong danh sách."),
    ("province", "", "Vui lòng chọn tỉnh, thành phố của bạn."),
    ("consent", "", "Vui lòng đồng ý cho xử lý dữ liệu"),
    ("contact", "not a contact", "Vui lòng nhập địa chỉ e-mail hoặc số điện thoại hợp lệ"),
])
def test_bad_profile_is_refused_and_the_opinions_are_kept(client, consultation, field, value, message):
    add_opinion(client, "dieu-1", "Ý kiến giữ lại")
    response = send_list(client, **{field: value})
    assert response.status_code == 200
    assert message in response.text
    assert "Ý kiến giữ lại" in response.text
    assert db.session.scalar(select(Contribution)).status == "draft"
    assert db.session.scalar(select(Comment)).status == "draft"


def test_closed_consultation_keeps_the_text_and_says_why(client):
    make_consultation(is_open=False)
    page = client.get("/du-thao/luat-htx/dieu-1")
    assert "Đợt lấy ý kiến này đã kết thúc" in page.text
    response = client.post("/du-thao/luat-htx/dieu-1", data={
        "body": "Gửi muộn", "provision": "", "form_key": "k-late"})
    assert response.status_code == 200
    assert "Đợt lấy ý kiến này đã kết thúc" in response.text
    assert "Gửi muộn" in response.text
    assert count(Comment) == 0


def test_sending_with_an_empty_list_says_so(client, consultation):
    response = client.post("/du-thao/luat-htx/gop-y-cua-ban", data={
        "respondent_type": "citizen", "province": "01", "consent": "y"})
    assert response.status_code == 200
    assert "Danh sách góp ý của bạn đang trống" in response.text


def test_malformed_unicode_and_controls_never_break(client, consultation):
    page = client.get("/du-thao/luat-htx/dieu-1")
    raw = ("body=%ED%A0%80%FF%FE+H%E1%BB%A3p+t%C3%A1c%00%07&provision=&form_key="
           + _form_key(page.text))
    response = client.post("/du-thao/luat-htx/dieu-1", data=raw,
                           content_type="application/x-www-form-urlencoded")
    # the bytes that are not UTF-8 come back marked (U+FFFD) with a message, never stored as
    # their escapes; NUL and BEL are dropped
    assert response.status_code == 200
    assert "không đọc được" in response.text and "\ufffd H\u1ee3p t\u00e1c" in response.text
    assert "\x00" not in response.text and db.session.scalar(select(Comment)) is None


def test_wrong_type_and_unknown_pages(client, consultation):
    assert client.get("/du-thao/khong-co").status_code == 404
    assert "Không tìm thấy trang" in client.get("/du-thao/luat-htx/dieu-999").text
    assert client.post("/du-thao/luat-htx/gop-y-cua-ban/xoa/abc").status_code == 404
    assert client.get("/bien-nhan", query_string={"code": "x" * 500}).status_code == 200


def test_unpublished_consultation_is_hidden(client):
    make_consultation(published=False)
    assert client.get("/du-thao/luat-htx").status_code == 404


def test_an_urlencoded_form_over_the_form_memory_limit_is_refused(app, client):
    """The lenient (non-UTF-8) form parser keeps werkzeug's limit on form bodies."""
    make_consultation()
    app.config["MAX_FORM_MEMORY_SIZE"] = 1000
    answer = client.post("/du-thao/luat-htx/dieu-1", data="body=" + "a" * 5000,
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 413
