"""A citizen reads the draft, comments on articles, sends the list and gets a receipt."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Comment, Contribution
from tests.factories import make_consultation


def _form_key(html: str) -> str:
    return re.search(r'name="form_key" type="hidden" value="([^"]+)"', html).group(1)


def _token(html: str) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def add_opinion(client, anchor: str, body: str, provision: str = "", slug: str = "luat-htx"):
    page = client.get(f"/du-thao/{slug}/{anchor}")
    return client.post(f"/du-thao/{slug}/{anchor}", data={
        "body": body, "provision": provision, "form_key": _form_key(page.text)})


def send_list(client, slug: str = "luat-htx", **profile):
    page = client.get(f"/du-thao/{slug}/gop-y-cua-ban")
    data = {"respondent_type": "citizen", "province": "01", "name": "", "contact": "",
            "consent": "y", "token": _token(page.text)}
    data.update(profile)
    return client.post(f"/du-thao/{slug}/gop-y-cua-ban", data=data)


def test_home_lists_the_open_consultation_in_vietnamese(client):
    make_consultation()
    page = client.get("/")
    assert page.status_code == 200
    assert "Dự thảo Luật Hợp tác xã (sửa đổi)" in page.text
    assert 'lang="vi"' in page.text
    assert "Đang mở" in page.text


def test_draft_page_shows_contents_articles_and_counts(client):
    make_consultation()
    page = client.get("/du-thao/luat-htx")
    assert page.status_code == 200
    assert "Mục lục" in page.text
    assert 'id="dieu-3-khoan-2-diem-dd"' in page.text
    assert "Điều 3." in page.text and "Điều kiện trở thành thành viên" in page.text
    assert page.text.count("0 góp ý") == 4
    assert "CHỦ TỊCH QUỐC HỘI" in page.text


def test_citizen_comments_on_two_articles_and_gets_one_receipt(client):
    make_consultation()
    first = add_opinion(client, "dieu-1", "Đề nghị làm rõ phạm vi điều chỉnh.")
    assert first.status_code == 302
    second = add_opinion(client, "dieu-3", "Nên hạ tuổi tối thiểu xuống 16.", provision="dieu-3-khoan-1")
    assert second.status_code == 302
    listing = client.get("/du-thao/luat-htx/gop-y-cua-ban")
    assert "Đề nghị làm rõ phạm vi điều chỉnh." in listing.text
    assert "Khoản 1 Điều 3" in listing.text
    sent = send_list(client, name="Nguyễn Văn An", contact="0912 345 678")
    assert sent.status_code == 302
    receipt = client.get(sent.headers["Location"])
    code = re.search(r"GY-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt.text).group(0)
    assert "Chờ kiểm duyệt" in receipt.text
    contribution = db.session.scalar(select(Contribution).where(Contribution.receipt_code == code))
    assert contribution.name == "Nguyễn Văn An" and contribution.consent_at is not None
    assert [c.status for c in contribution.comments] == ["pending", "pending"]
    assert contribution.comments[1].provision.anchor == "dieu-3-khoan-1"


def test_pending_comments_are_not_public(client):
    make_consultation()
    add_opinion(client, "dieu-1", "Ý kiến chưa duyệt")
    send_list(client)
    assert "Ý kiến chưa duyệt" not in client.get("/du-thao/luat-htx/dieu-1").text


def test_general_comment_goes_into_the_same_list(client):
    make_consultation()
    page = client.get("/du-thao/luat-htx/gop-y-chung")
    client.post("/du-thao/luat-htx/gop-y-chung", data={"body": "Góp ý chung về dự thảo.",
                                                       "form_key": _form_key(page.text)})
    listing = client.get("/du-thao/luat-htx/gop-y-cua-ban")
    assert "Góp ý về toàn bộ dự thảo" in listing.text


def test_receipt_lookup_forgives_case_and_spaces(client):
    make_consultation()
    add_opinion(client, "dieu-1", "Tra cứu biên nhận")
    code = send_list(client).headers["Location"].rsplit("/", 1)[1]
    found = client.get("/bien-nhan", query_string={"code": " " + code.lower() + " "})
    assert found.status_code == 302 and found.headers["Location"].endswith(code)
    missing = client.get("/bien-nhan", query_string={"code": "GY-0000-0000"})
    assert missing.status_code == 200 and "Không tìm thấy" in missing.text


def test_removing_an_unsent_opinion(client):
    make_consultation()
    add_opinion(client, "dieu-1", "Sẽ bị xóa")
    comment = db.session.scalar(select(Comment))
    client.post(f"/du-thao/luat-htx/gop-y-cua-ban/xoa/{comment.id}")
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_nfd_comment_is_stored_normalised_and_shown_as_written(client):
    make_consultation()
    written = unicodedata.normalize("NFD", "Hợp tác xã cần hoà giải")
    add_opinion(client, "dieu-1", written)
    comment = db.session.scalar(select(Comment))
    assert comment.body == written
    assert comment.body_normalized == unicodedata.normalize("NFC", "Hợp tác xã cần hòa giải")


def test_citizen_exports_and_erases_personal_data(client):
    make_consultation()
    add_opinion(client, "dieu-1", "Ý kiến có tên")
    code = send_list(client, name="Trần Thị Bình", contact="binh@example.vn").headers["Location"].rsplit("/", 1)[1]
    receipt = client.get(f"/bien-nhan/{code}")
    assert receipt.text.count('class="privacy"') == 1
    assert "<title>Biên nhận" in receipt.text and "Trần Thị Bình" not in receipt.text.split("</title>")[0]
    exported = client.get(f"/bien-nhan/{code}/du-lieu.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    assert exported.json["name"] == "Trần Thị Bình" and exported.json["contact"] == "binh@example.vn"
    assert exported.json["comments"][0]["body"] == "Ý kiến có tên"
    client.post(f"/bien-nhan/{code}/xoa-thong-tin")
    contribution = db.session.scalar(select(Contribution).where(Contribution.receipt_code == code))
    assert contribution.name == "" and contribution.contact == ""
    assert contribution.comments[0].body == "Ý kiến có tên"
    again = client.post(f"/bien-nhan/{code}/xoa-thong-tin", follow_redirects=True)
    assert again.status_code == 200
    assert client.get("/bien-nhan/GY-0000-0000/du-lieu.json").status_code == 404


def test_provinces_are_listed_in_vietnamese_order(client):
    make_consultation()
    add_opinion(client, "dieu-1", "Thứ tự tỉnh")
    page = client.get("/du-thao/luat-htx/gop-y-cua-ban").text
    # a consultation opened today offers the 34 units of 1 July 2025
    order = [page.index(f">{name}</option>") for name in ("Cao Bằng", "Đà Nẵng", "Gia Lai", "Vĩnh Long")]
    assert order == sorted(order)
