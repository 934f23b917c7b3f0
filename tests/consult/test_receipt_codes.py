"""Receipt codes: 80 random bits, read in groups of four; old 40-bit codes still found; never
written into the files staff download."""
from __future__ import annotations

import math
import re

from consult import codes
from consult.comments import contribution_by_receipt
from consult.extensions import db
from consult.models import Contribution
from tests.consult.test_comment_journey import add_opinion, send_list
from tests.factories import make_consultation

NEW_FORMAT = re.compile(r"(GY|CV|KS)(-[0-9A-HJKMNP-TV-Z]{4}){4}")


def test_new_codes_carry_at_least_80_random_bits_in_readable_groups():
    made = {codes.receipt_code("GY") for _ in range(2000)}
    assert len(made) == 2000
    assert all(NEW_FORMAT.fullmatch(code) for code in made)
    assert codes.RECEIPT_CHARS * math.log2(len(codes.CODE_ALPHABET)) >= 80
    assert {ch for code in made for ch in code[3:].replace("-", "")} == set(codes.CODE_ALPHABET)


def test_every_kind_of_receipt_uses_the_long_format(client):
    from consult.submissions.services import new_receipt_code as letter_code
    from surveys.responses import new_receipt_code as survey_code

    assert NEW_FORMAT.fullmatch(letter_code()) and NEW_FORMAT.fullmatch(survey_code())
    make_consultation()
    add_opinion(client, "dieu-1", "Mã dài")
    code = send_list(client).headers["Location"].rsplit("/", 1)[1]
    assert NEW_FORMAT.fullmatch(code) and code.startswith("GY-")


def test_a_code_is_found_however_it_is_typed(client):
    make_consultation()
    add_opinion(client, "dieu-1", "Tra cứu")
    code = send_list(client).headers["Location"].rsplit("/", 1)[1]
    bare = code[3:].replace("-", "")
    for typed in (code.lower(), f" {code} ", bare, " ".join(bare[i:i + 4] for i in range(0, 16, 4)),
                  code.replace("0", "O").replace("1", "l")):
        found = contribution_by_receipt(typed)
        assert found is not None and found.receipt_code == code, typed


def test_an_old_short_code_is_still_found(app):
    consultation = make_consultation()
    contribution = Contribution(consultation=consultation, token="t" * 32, status="submitted",
                                receipt_code="GY-7K3M-9QXD")
    db.session.add(contribution)
    db.session.commit()
    for typed in ("GY-7K3M-9QXD", "gy 7k3m 9qxd", "7K3M9QXD", "7K3M-9QXD"):
        assert contribution_by_receipt(typed) == contribution, typed
    client = app.test_client()
    assert client.get("/bien-nhan", query_string={"code": "7k3m-9qxd"}).headers["Location"].endswith("GY-7K3M-9QXD")


def test_what_cannot_be_a_code_finds_nothing(app):
    for typed in ("", "GY-", "GY-7K3M", "GY-7K3M-9QXD-A2BC", "\x00" * 16, "GY-ĐĐĐĐ-9QXD"):
        assert codes.normalise_receipt(typed, "GY") == ""
        assert contribution_by_receipt(typed) is None


def test_the_comments_export_lists_no_receipt_code(client):
    from analysis import exports

    consultation = make_consultation()
    add_opinion(client, "dieu-1", "Ý kiến trong tệp xuất")
    code = send_list(client).headers["Location"].rsplit("/", 1)[1]
    text = b"".join(exports.comments_csv(db.session, consultation.id, exports.english_words)).decode("utf-8-sig")
    header = text.splitlines()[0]
    assert "Ý kiến trong tệp xuất" in text and "Opinion" in header
    assert code not in text and "Receipt" not in header and "receipt_code" not in exports.COMMENT_KEYS


# --- a survey's receipt at /bien-nhan ----------------------------------------------------------

def _answered_survey(client) -> str:
    """A citizen answers a one-question survey through its pages; its receipt code."""
    from surveys.models import Response
    from tests.surveys.factories import make_survey

    make_survey("ks-htx", pages=[[{"name": "y_kien", "kind": "long_text"}]])
    first_page = client.post("/khao-sat/ks-htx", data={"form_key": "khoa-1"}).location
    client.post(first_page, data={"action": "next", "q-y_kien": "Câu trả lời riêng tư của tôi"})
    assert client.post("/khao-sat/ks-htx/xem-lai").status_code == 302
    return db.session.scalar(db.select(Response.receipt_code))


def test_a_survey_receipt_is_found_at_the_receipt_page(app, client):
    code = _answered_survey(client)
    assert NEW_FORMAT.fullmatch(code) and code.startswith("KS-")
    stranger = app.test_client()  # another browser: only the code
    for typed in (code, code.lower(), " ".join(code[3:].replace("-", "")[i:i + 4] for i in range(0, 16, 4))):
        found = stranger.get("/bien-nhan", query_string={"code": typed})
        assert found.status_code == 302 and found.headers["Location"] == f"/bien-nhan/{code}", typed
    page = stranger.get(f"/bien-nhan/{code}").text
    assert code in page and "Khảo sát ks-htx" in page and "Biên nhận câu trả lời khảo sát" in page
    assert "Câu trả lời riêng tư của tôi" not in page  # a receipt, not the answers


def test_an_old_short_survey_code_is_still_found(app, client):
    from surveys.models import Response

    _answered_survey(client)
    response = db.session.scalar(db.select(Response))
    response.receipt_code = "KS-7K3M-9QXD"
    db.session.commit()
    stranger = app.test_client()
    assert stranger.get("/bien-nhan", query_string={"code": "ks 7k3m 9qxd"}).headers["Location"] == "/bien-nhan/KS-7K3M-9QXD"
    assert "KS-7K3M-9QXD" in stranger.get("/bien-nhan/KS-7K3M-9QXD").text


def test_a_wrong_or_unsent_survey_code_finds_nothing(app, client):
    from surveys.models import Response

    code = _answered_survey(client)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    stranger = app.test_client()
    looked_up = stranger.get("/bien-nhan", query_string={"code": wrong})
    assert looked_up.status_code == 200 and "Không tìm thấy" in looked_up.text
    assert stranger.get(f"/bien-nhan/{wrong}").status_code == 404
    db.session.scalar(db.select(Response)).status = "in_progress"  # an unsent response has no receipt
    db.session.commit()
    assert stranger.get(f"/bien-nhan/{code}").status_code == 404
    assert stranger.get(f"/bien-nhan/{code}/du-lieu.json").status_code == 404
