"""The honeypot and the minimum fill time on public forms: a robot is refused with a neutral
message, a person who trips them keeps every word and succeeds by sending again."""
from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from consult import antibot
from consult.extensions import db
from consult.forms import CommentForm, ProfileForm
from consult.models import Comment, Contribution
from consult.submissions.forms import LetterForm
from surveys.forms import StartForm
from tests.factories import make_consultation

NEUTRAL = "Chúng tôi chưa thể nhận biểu mẫu này ngay lúc này"


@pytest.fixture()
def app_config():
    return {"ANTIBOT_MIN_SECONDS": 2}


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def _stamp_from(seconds_ago: int) -> str:
    class Earlier(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - seconds_ago

    return Earlier("test-secret", salt=antibot._SALT).sign(b"form").decode()


def _post_comment(client, body: str, **extra):
    page = client.get("/du-thao/luat-htx/dieu-1")
    data = {"body": body, "form_key": _hidden(page.text, "form_key"),
            "form_started": _hidden(page.text, "form_started")}
    data.update(extra)
    return client.post("/du-thao/luat-htx/dieu-1", data=data)


def _comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def test_a_form_sent_at_human_speed_is_accepted(client):
    make_consultation()
    assert _post_comment(client, "Ý kiến bình thường", form_started=_stamp_from(5)).status_code == 302
    assert _comments() == 1


def test_a_form_sent_faster_than_a_person_types_is_refused_and_kept(client):
    make_consultation()
    # Stamped just now (not at the page's render, which a loaded machine may take seconds to serve).
    refused = _post_comment(client, "Gửi quá nhanh nhưng vẫn giữ chữ", form_started=_stamp_from(0))
    assert refused.status_code == 200 and NEUTRAL in refused.text
    assert "Gửi quá nhanh nhưng vẫn giữ chữ" in refused.text and _comments() == 0
    retry = {"body": "Gửi quá nhanh nhưng vẫn giữ chữ", "form_key": _hidden(refused.text, "form_key"),
             "form_started": _stamp_from(5)}
    assert client.post("/du-thao/luat-htx/dieu-1", data=retry).status_code == 302 and _comments() == 1


def test_the_refused_form_comes_back_with_a_new_clock(client, app):
    make_consultation()
    refused = _post_comment(client, "Đồng hồ mới")
    with app.test_request_context():
        assert antibot.seconds_since(_hidden(refused.text, "form_started")) < 2


def test_a_missing_or_forged_start_time_is_refused(client):
    make_consultation()
    assert NEUTRAL in _post_comment(client, "Không có dấu thời gian", form_started="").text
    forged = TimestampSigner("another-secret", salt=antibot._SALT)
    assert NEUTRAL in _post_comment(client, "Dấu giả", form_started=forged.sign(b"form").decode()).text
    assert _comments() == 0


def test_a_filled_honeypot_is_refused_emptied_and_the_text_kept(client):
    make_consultation()
    refused = _post_comment(client, "Robot điền hết các ô", website="http://spam.example",
                            form_started=_stamp_from(5))
    assert refused.status_code == 200 and NEUTRAL in refused.text and _comments() == 0
    assert "Robot điền hết các ô" in refused.text and "spam.example" not in refused.text


def test_the_send_list_form_has_the_same_checks(client):
    make_consultation()
    _post_comment(client, "Một ý kiến", form_started=_stamp_from(5))
    page = client.get("/du-thao/luat-htx/gop-y-cua-ban")
    data = {"respondent_type": "citizen", "province": "01", "name": "Nguyễn Văn Bình", "contact": "",
            "consent": "y", "token": _hidden(page.text, "token"), "form_started": _stamp_from(5),
            "website": "spam"}
    refused = client.post("/du-thao/luat-htx/gop-y-cua-ban", data=data)
    assert NEUTRAL in refused.text and "Nguyễn Văn Bình" in refused.text
    assert db.session.scalar(select(Contribution.status)) == "draft"
    data["website"] = ""
    assert client.post("/du-thao/luat-htx/gop-y-cua-ban", data=data).status_code == 302
    assert db.session.scalar(select(Contribution.status)) == "submitted"


@pytest.mark.parametrize("form", [CommentForm, ProfileForm, StartForm, LetterForm])
def test_every_public_form_carries_the_checks(form):
    assert issubclass(form, antibot.HumanCheck)


def test_the_pages_render_the_trap_out_of_sight(client):
    make_consultation()
    page = client.get("/du-thao/luat-htx/dieu-1").text
    assert re.search(r'<div class="trap" aria-hidden="true">.*name="website"[^>]*tabindex="-1"', page) \
        or re.search(r'<div class="trap" aria-hidden="true">.*tabindex="-1"[^>]*name="website"', page)
    assert 'name="form_started"' in page


@pytest.mark.parametrize("app_config", [{"ANTIBOT_MIN_SECONDS": 0}])
def test_with_no_minimum_only_the_honeypot_counts(client, app_config):
    make_consultation()
    assert _post_comment(client, "Nhanh nhưng được phép").status_code == 302
    assert NEUTRAL in _post_comment(client, "Robot", website="x").text


def test_starting_a_survey_too_fast_says_so_and_a_second_click_starts_it(client):
    from surveys.models import Response
    from tests.surveys.factories import make_survey

    make_survey()
    page = client.get("/khao-sat/khao-sat")
    key = _hidden(page.text, "form_key")
    refused = client.post("/khao-sat/khao-sat", data={"form_key": key,
                                                       "form_started": _hidden(page.text, "form_started")})
    assert refused.status_code == 200 and NEUTRAL in refused.text
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    started = client.post("/khao-sat/khao-sat", data={"form_key": key, "form_started": _stamp_from(3)})
    assert started.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
