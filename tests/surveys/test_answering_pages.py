"""The answering pages through the test client: open link, invitation, save, resume, bad input."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from consult.extensions import db
from consult.models import utcnow
from surveys import invitations
from surveys.models import Answer, Invitation, Response
from tests.surveys.factories import make_organisation, make_survey
from tests.surveys.test_responses import BRANCHING

SLUG = "khao-sat"


def started(client, slug=SLUG, key="key-1"):
    """Start an open-link response; returns the first page's URL."""
    reply = client.post(f"/khao-sat/{slug}?lang=en", data={"form_key": key})
    assert reply.status_code == 302
    return reply.location


def post_page(client, number, data, action="next", slug=SLUG, prefix=""):
    data = {"action": action, **data}
    return client.post(f"/khao-sat/{slug}{prefix}/trang/{number}?lang=en", data=data)


def one_response() -> Response:
    db.session.expire_all()
    return db.session.query(Response).one()


def test_the_list_shows_open_public_surveys_only(app, client):
    make_survey("mo", pages=BRANCHING)
    make_survey("moi", audience="invited")
    make_survey("nhap", status="draft")
    make_survey("dong", is_open=False)
    page = client.get("/khao-sat/?lang=en").text
    assert "/khao-sat/mo" in page
    assert all(f"/khao-sat/{slug}\"" not in page for slug in ("moi", "nhap", "dong"))


def test_a_citizen_answers_down_one_branch_with_javascript_off(app, client):
    make_survey(pages=BRANCHING)
    assert started(client).endswith("/khao-sat/khao-sat/trang/1")
    # choosing "member" reveals a question on the same page: shown, not yet required
    reply = post_page(client, 1, {"q-role": "member", "shown": "role"})
    assert reply.status_code == 200 and "opened new questions" in reply.text
    assert 'id="box-coop_name" data-name="coop_name"' in reply.text
    assert 'data-relevant="${role} = &#39;member&#39;">' in reply.text  # no hidden attribute
    reply = post_page(client, 1, {"q-role": "member", "q-coop_name": "HTX Tân Phú",
                                  "shown": "role coop_name"})
    assert reply.status_code == 302 and reply.location.endswith("/trang/2")
    page2 = client.get(reply.location + "?lang=en").text
    assert "Page 2 of 3" in page2
    reply = post_page(client, 2, {"q-members": "12"})
    assert reply.location.endswith("/trang/3")
    reply = post_page(client, 3, {"q-opinion": "Cần hỗ trợ đào tạo"})
    assert reply.location.endswith("/xem-lai")
    review = client.get("/khao-sat/khao-sat/xem-lai?lang=en").text
    assert "HTX Tân Phú" in review and "Cần hỗ trợ đào tạo" in review
    reply = client.post("/khao-sat/khao-sat/xem-lai?lang=en")
    assert reply.status_code == 302 and reply.location.endswith("/bien-nhan")
    receipt = client.get("/khao-sat/khao-sat/bien-nhan?lang=en").text
    response = one_response()
    assert response.status == "submitted" and response.receipt_code in receipt
    # submitting again (a double click, the back button) keeps one receipt
    again = client.post("/khao-sat/khao-sat/xem-lai?lang=en")
    assert again.status_code == 302 and one_response().receipt_code == response.receipt_code
    # and the pages no longer accept changes
    reply = post_page(client, 3, {"q-opinion": "changed"})
    assert reply.status_code == 302 and reply.location.endswith("/bien-nhan")
    assert db.session.query(Answer).filter_by(value_text="changed").count() == 0


def test_the_other_branch_skips_the_members_page(app, client):
    make_survey(pages=BRANCHING)
    started(client)
    reply = post_page(client, 1, {"q-role": "citizen", "shown": "role"})
    assert reply.location.endswith("/trang/3")
    assert "Page 2 of 2" in client.get("/khao-sat/khao-sat/trang/3?lang=en").text
    # asking for the hidden page sends the respondent on
    assert client.get("/khao-sat/khao-sat/trang/2?lang=en").location.endswith("/trang/3")


def test_errors_are_shown_next_to_the_field_and_summarised_with_the_input_kept(app, client):
    make_survey(pages=[[{"name": "role", "kind": "single_choice", "required": True,
                         "choices": ["a", "b"]},
                        {"name": "count", "kind": "integer", "parameters": {"max": 100}},
                        {"name": "note", "kind": "short_text"}]])
    started(client)
    reply = post_page(client, 1, {"q-count": "mười hai", "q-note": "Giữ nguyên văn bản này"})
    assert reply.status_code == 422
    text = reply.text
    assert 'class="error-summary"' in text and 'href="#q-count"' in text and 'href="#q-role"' in text
    assert 'id="q-count-error"' in text and 'aria-invalid="true"' in text
    assert 'value="mười hai"' in text and 'value="Giữ nguyên văn bản này"' in text
    # the valid answer was saved although the page had errors
    assert db.session.query(Answer).one().value_text == "Giữ nguyên văn bản này"


@pytest.mark.parametrize("data", [
    {"q-role": "forged"},
    {"q-role": "a", "q-count": "1e999"},
    {"q-role": "a", "q-count": "-5000000000000000000"},
    {"q-role": "a", "q-count": "101"},
])
def test_tampered_or_out_of_range_answers_are_refused(app, client, data):
    make_survey(pages=[[{"name": "role", "kind": "single_choice", "choices": ["a", "b"]},
                        {"name": "count", "kind": "integer", "parameters": {"min": 0, "max": 100}}]])
    started(client)
    reply = post_page(client, 1, data)
    assert reply.status_code == 422 and 'class="error"' in reply.text


def test_a_replayed_start_form_does_not_make_two_responses(app, client):
    make_survey()
    started(client, key="same")
    started(client, key="same")
    assert db.session.query(Response).count() == 1


def test_save_and_leave_then_resume_by_code_in_another_browser(app, client):
    make_survey(pages=BRANCHING)
    started(client)
    reply = post_page(client, 1, {"q-role": "citizen"}, action="leave")
    assert reply.location.endswith("/da-luu")
    saved = client.get(reply.location + "?lang=en").text
    code = re.search(r'id="resume-code">([0-9A-Z-]+)<', saved).group(1)
    other = app.test_client()
    assert other.get("/khao-sat/khao-sat/trang/1").location.endswith("/tiep-tuc")
    wrong = other.post("/khao-sat/khao-sat/tiep-tuc?lang=en", data={"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 422 and "does not match" in wrong.text
    empty = other.post("/khao-sat/khao-sat/tiep-tuc?lang=en", data={"code": ""})
    assert empty.status_code == 422
    reply = other.post("/khao-sat/khao-sat/tiep-tuc?lang=en", data={"code": code.lower()})
    assert reply.status_code == 302 and reply.location.endswith("/trang/1")
    page = other.get("/khao-sat/khao-sat/trang/1?lang=en").text
    assert 'value="citizen" checked' in page


def test_resume_link_works_and_an_expired_or_unknown_one_says_so(app, client):
    make_survey(pages=BRANCHING)
    started(client)
    saved = client.get("/khao-sat/khao-sat/da-luu?lang=en").text
    link = re.search(r'href="http://localhost(/khao-sat/khao-sat/tiep-tuc/[0-9A-Z-]+)"', saved).group(1)
    assert app.test_client().get(link).status_code == 302
    unknown = app.test_client().get("/khao-sat/khao-sat/tiep-tuc/ZZZZZ-ZZZZZ?lang=en")
    assert unknown.status_code == 404 and "does not work" in unknown.text
    response = one_response()
    response.resume_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = app.test_client().get(link + "?lang=en")
    assert expired.status_code == 410 and "expired" in expired.text


def test_a_closed_survey_says_so_and_gives_typed_text_back(app, client):
    survey = make_survey(pages=BRANCHING)
    started(client)
    survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "This survey is closed" in client.get("/khao-sat/khao-sat?lang=en").text
    reply = post_page(client, 3, {"q-opinion": "Ý kiến dài không được mất"})
    assert reply.status_code == 409 and "Ý kiến dài không được mất" in reply.text
    reply = client.post("/khao-sat/khao-sat?lang=en", data={"form_key": "new"})
    assert reply.status_code == 409


def test_draft_unknown_and_invitation_only_surveys(app, client):
    make_survey("nhap", status="draft")
    make_survey("moi", audience="invited")
    assert client.get("/khao-sat/nhap").status_code == 404
    assert client.get("/khao-sat/khong-co").status_code == 404
    reply = client.get("/khao-sat/moi?lang=en")
    assert reply.status_code == 403 and "by invitation" in reply.text
    assert client.get("/khao-sat/khao-sat/trang/99").status_code == 404


def test_an_organisation_saves_leaves_resumes_submits_and_edits(app, client):
    survey = make_survey(pages=BRANCHING, audience="invited")
    organisation = make_organisation()
    invitation, token = invitations.create_invitation(survey, organisation)
    db.session.commit()
    base = f"/khao-sat/{SLUG}/moi/{token}"
    landing = client.get(base + "?lang=en")
    assert landing.status_code == 200 and "Bộ Tài chính" in landing.text
    assert db.session.get(Invitation, invitation.id).status == "opened"
    reply = client.post(base + "/trang/1?lang=en", data={"q-role": "citizen", "action": "leave"})
    assert reply.location.endswith(base + "/da-luu")
    assert db.session.get(Invitation, invitation.id).status == "started"
    # another computer of the same organisation, with the link only
    other = app.test_client()
    assert "Continue our answers" in other.get(base + "?lang=en").text
    assert 'value="citizen" checked' in other.get(base + "/trang/1?lang=en").text
    reply = other.post(base + "/trang/3?lang=en", data={"q-opinion": "Ý kiến của Bộ", "action": "next"})
    assert reply.location.endswith(base + "/xem-lai")
    assert other.post(base + "/xem-lai?lang=en").location.endswith(base + "/bien-nhan")
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "submitted"
    receipt = one_response().receipt_code
    assert receipt in other.get(base + "/bien-nhan?lang=en").text
    # editable until the survey closes; the receipt stays
    other.post(base + "/trang/3?lang=en", data={"q-opinion": "Ý kiến đã sửa", "action": "next"})
    other.post(base + "/xem-lai?lang=en")
    assert one_response().receipt_code == receipt
    assert db.session.query(Answer).filter_by(value_text="Ý kiến đã sửa").count() == 1
    assert db.session.query(Response).count() == 1


@pytest.mark.parametrize("path", ["", "/trang/1", "/xem-lai", "/bien-nhan", "/da-luu"])
def test_a_wrong_or_replaced_token_gets_a_clear_page(app, client, path):
    survey = make_survey(audience="invited")
    invitation, token = invitations.create_invitation(survey, make_organisation())
    invitations.replace_token(invitation)
    db.session.commit()
    for bad in (token, "sai-ma", "x" * 300):
        reply = client.get(f"/khao-sat/{SLUG}/moi/{bad}{path}?lang=en")
        assert reply.status_code == 404 and "invitation link does not work" in reply.text


def test_an_invitation_after_closing_shows_it_is_closed(app, client):
    survey = make_survey(audience="invited", is_open=False)
    _invitation, token = invitations.create_invitation(survey, make_organisation())
    db.session.commit()
    assert "closed" in client.get(f"/khao-sat/{SLUG}/moi/{token}?lang=en").text
    reply = client.post(f"/khao-sat/{SLUG}/moi/{token}/trang/1?lang=en",
                        data={"q-q1": "Văn bản sau hạn", "action": "next"})
    assert reply.status_code == 409 and "Văn bản sau hạn" in reply.text


def test_the_review_page_lists_what_is_missing(app, client):
    make_survey(pages=BRANCHING)
    started(client)
    reply = client.post("/khao-sat/khao-sat/xem-lai?lang=en")
    assert reply.status_code == 422 and "/trang/1#q-role" in reply.text
    assert one_response().status == "in_progress"


def test_a_pdf_upload_through_the_page(app, client):
    make_survey(pages=[[{"name": "report", "kind": "file"}]])
    started(client)
    bad = client.post("/khao-sat/khao-sat/trang/1?lang=en", content_type="multipart/form-data",
                      data={"action": "next", "q-report": (io.BytesIO(b"GIF89a"), "anh.pdf")})
    assert bad.status_code == 422 and "not a PDF" in bad.text
    good = client.post("/khao-sat/khao-sat/trang/1?lang=en", content_type="multipart/form-data",
                       data={"action": "next", "q-report": (io.BytesIO(b"%PDF-1.7\n"), "Báo cáo.pdf")})
    assert good.status_code == 302
    assert db.session.query(Answer).one().value_text == "Báo cáo.pdf"


def test_a_page_without_a_csrf_token_is_refused_cleanly(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    make_survey()
    reply = client.post("/khao-sat/khao-sat?lang=en", data={"form_key": "x"})
    assert reply.status_code == 400
    assert db.session.query(Response).count() == 0


def test_a_pinned_question_links_from_the_article_to_its_page(app, client):
    from flask import render_template_string

    from tests.factories import make_consultation

    consultation = make_consultation()
    article = next(p for p in consultation.draft.current_version.provisions if p.anchor == "dieu-3")
    make_survey(pages=[[{"name": "a", "kind": "short_text"}],
                       [{"name": "age", "kind": "rating", "provision": article,
                         "label": "Tuổi tối thiểu 18 có phù hợp?"}]], consultation=consultation)
    html = render_template_string('{% include "surveys/respond/_pinned.html" %}', article=article)
    assert "Tuổi tối thiểu 18 có phù hợp?" in html and "/khao-sat/khao-sat/cau-hoi/age" in html
    reply = client.get("/khao-sat/khao-sat/cau-hoi/age")
    assert reply.location.endswith("/khao-sat/khao-sat?cau=age")
    reply = client.post("/khao-sat/khao-sat?cau=age", data={"form_key": "k"})
    assert reply.location.endswith("/khao-sat/khao-sat/trang/2")
    assert client.get("/khao-sat/khao-sat/cau-hoi/age").location.endswith("/trang/2")


def test_a_used_invitation_of_a_survey_without_editing_goes_to_the_receipt(app, client):
    survey = make_survey(audience="invited", settings={"edit_after_submit": False})
    _invitation, token = invitations.create_invitation(survey, make_organisation())
    db.session.commit()
    base = f"/khao-sat/{SLUG}/moi/{token}"
    client.post(base + "/trang/1?lang=en", data={"q-q1": "Một lần", "action": "next"})
    assert client.post(base + "/xem-lai?lang=en").location.endswith(base + "/bien-nhan")
    again = client.post(base + "/trang/1?lang=en", data={"q-q1": "Lần hai", "action": "next"})
    assert again.location.endswith(base + "/bien-nhan")
    assert "can no longer be changed" in client.get(base + "?lang=en").text
    assert db.session.query(Answer).one().value_text == "Một lần"
