"""An officer prepares, submits and supersedes the organisation's formal letter on the web."""
from __future__ import annotations

import html
import io

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent
from consult.submissions import services
from consult.submissions.models import Submission, SubmissionOpinion
from tests.factories import login, make_user
from tests.submissions.helpers import PDF, on_roster, make_officer, setup_body

LETTER = {"letter_number": "12/BTC-PC", "letter_date": "2022-09-05", "signer_name": "Lê Văn Cường",
          "signer_title": "Thứ trưởng", "answer": "opinions"}


@pytest.fixture()
def body(app, client):
    consultation, organisation, officer = setup_body()
    login(client, officer)
    client.get("/co-quan/?lang=en")
    return consultation, organisation, officer


def draft_id(consultation, organisation) -> str:
    draft = services.find_draft(consultation, organisation.id)
    return str(draft.id) if draft else ""


def save_letter(client, consultation, organisation, **changes):
    data = {**LETTER, "submission_id": draft_id(consultation, organisation), **changes}
    return client.post("/co-quan/luat-htx/van-ban/thu", data=data)


def upload(client, content=PDF, filename="cong-van.pdf"):
    return client.post("/co-quan/luat-htx/van-ban/tep", content_type="multipart/form-data",
                       data={"document": (io.BytesIO(content), filename)})


def add_opinion(client, article="dieu-1", clause="", body="Đề nghị sửa đổi điều này."):
    return client.post("/co-quan/luat-htx/van-ban/y-kien",
                       data={"article": article, "clause": clause, "body": body})


def submit(client, consultation, organisation, submission_id=None):
    sid = submission_id if submission_id is not None else draft_id(consultation, organisation)
    return client.post("/co-quan/luat-htx/van-ban/gui", data={"submission_id": sid})


def complete_letter(client, consultation, organisation):
    assert save_letter(client, consultation, organisation).status_code == 302
    assert upload(client).status_code == 302
    assert add_opinion(client, "dieu-2", "1", "Đề nghị làm rõ khoản 1.").status_code == 302
    assert add_opinion(client, "dieu-3").status_code == 302


def test_officer_drafts_comes_back_and_submits(client, body):
    consultation, organisation, officer = body
    page = client.get("/co-quan/luat-htx/van-ban")
    assert page.status_code == 200 and "Article 3." in page.text
    complete_letter(client, consultation, organisation)
    again = client.get("/co-quan/luat-htx/van-ban")
    assert "12/BTC-PC" in again.text and "Đề nghị làm rõ khoản 1." in again.text
    assert "Clause 1 Article 2" in again.text or "clause 1 Article 2" in again.text.lower()
    draft = services.find_draft(consultation, organisation.id)
    assert [o.provision.anchor for o in draft.opinions] == ["dieu-2-khoan-1", "dieu-3"]
    assert [o.article.anchor for o in draft.opinions] == ["dieu-2", "dieu-3"]
    response = submit(client, consultation, organisation)
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"])
    letter = db.session.get(Submission, draft.id)
    assert letter.status == "submitted" and letter.receipt_code.startswith("CV-")
    assert letter.receipt_code in receipt.text
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "submission.submit" in actions
    history = client.get("/co-quan/luat-htx/lich-su")
    assert letter.receipt_code in history.text


def test_a_submitted_letter_is_locked_and_a_double_submit_makes_one_receipt(client, body):
    consultation, organisation, _officer = body
    complete_letter(client, consultation, organisation)
    sid = draft_id(consultation, organisation)
    first = submit(client, consultation, organisation, sid)
    second = submit(client, consultation, organisation, sid)
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    follow = client.get(second.headers["Location"])
    assert "already submitted" in follow.text
    # Changing the submitted letter through a stale form is refused, the input is kept.
    stale = client.post("/co-quan/luat-htx/van-ban/y-kien",
                        data={"submission_id": sid, "article": "dieu-1", "body": "Ý kiến muộn"})
    assert stale.status_code == 409 and "Ý kiến muộn" in stale.text
    assert db.session.scalar(select(func.count()).select_from(SubmissionOpinion)) == 2


def test_a_later_letter_supersedes_and_history_is_kept(client, body):
    consultation, organisation, _officer = body
    complete_letter(client, consultation, organisation)
    submit(client, consultation, organisation)
    first = services.current_submission(consultation, organisation.id)
    save_letter(client, consultation, organisation, letter_number="15/BTC-PC", answer="no_comment")
    upload(client)
    assert submit(client, consultation, organisation).status_code == 302
    db.session.expire_all()
    letters = services.history(consultation, organisation.id)
    assert [(s.letter_number, s.status) for s in letters] == [("15/BTC-PC", "submitted"),
                                                              ("12/BTC-PC", "superseded")]
    assert letters[0].supersedes_id == first.id and letters[0].no_comment
    assert len(letters[1].opinions) == 2  # nothing of the first letter is lost
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("submission.submit") == 2 and "submission.supersede" in actions
    page = client.get("/co-quan/luat-htx/lich-su")
    assert "15/BTC-PC" in page.text and "12/BTC-PC" in page.text and "Superseded" in page.text


def test_missing_letter_fields_are_listed_and_nothing_is_submitted(client, body):
    consultation, organisation, _officer = body
    add_opinion(client, "dieu-1", "", "Ý kiến đầu tiên")
    response = submit(client, consultation, organisation)
    assert response.status_code == 422
    text = html.unescape(response.text)
    for message in ("letter's number", "letter's date", "who signed", "signed letter as a PDF"):
        assert message in text
    assert services.find_draft(consultation, organisation.id).status == "draft"
    assert "Ý kiến đầu tiên" in response.text


def test_no_comment_with_opinions_is_refused(client, body):
    consultation, organisation, _officer = body
    complete_letter(client, consultation, organisation)
    save_letter(client, consultation, organisation, answer="no_comment")
    response = submit(client, consultation, organisation)
    assert response.status_code == 422 and "no further comment but the letter holds opinions" in response.text


def test_a_file_that_claims_to_be_a_pdf_but_is_not(client, body):
    consultation, organisation, _officer = body
    save_letter(client, consultation, organisation)
    response = upload(client, b"MZ\x90\x00 this is an executable", "cong-van.pdf")
    assert response.status_code == 422 and "not a PDF" in response.text
    broken = upload(client, b"%PDF-1.4\n garbage without any object", "hong.pdf")
    assert broken.status_code == 422 and "damaged" in broken.text
    draft = services.find_draft(consultation, organisation.id)
    assert draft.attachment_name == "" and draft.letter_number == "12/BTC-PC"


@pytest.mark.parametrize("app_config", [{"SUBMISSION_PDF_MAX_BYTES": 2048}])
def test_an_oversized_pdf_states_the_limit(client, body):
    consultation, organisation, _officer = body
    save_letter(client, consultation, organisation)
    response = upload(client, PDF + b"%" * 4096)
    assert response.status_code == 422 and "larger than the" in response.text
    assert services.find_draft(consultation, organisation.id).attachment_name == ""


def test_a_request_over_the_app_limit_gets_a_page_not_a_500(app, client, body):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, PDF + b"%" * 8192)
    assert response.status_code == 413


def test_bad_letter_input_keeps_what_was_typed(client, body):
    consultation, organisation, _officer = body
    response = save_letter(client, consultation, organisation, letter_date="31/02/2022",
                           letter_number="x" * 65, signer_name="Phạm Thị Dung")
    assert response.status_code == 422
    assert "dd/mm/yyyy" in response.text and "64 characters" in response.text
    assert "Phạm Thị Dung" in response.text
    future = save_letter(client, consultation, organisation, letter_date="2999-01-01")
    assert future.status_code == 422 and "cannot be in the future" in future.text
    assert services.find_draft(consultation, organisation.id) is None


def test_unknown_article_or_clause_is_refused(client, body):
    response = add_opinion(client, "dieu-99", "", "Ý kiến")
    assert response.status_code == 422 and "from the list" in response.text
    clause = add_opinion(client, "dieu-1", "7", "Ý kiến về khoản 7")
    assert clause.status_code == 422 and "no clause with that number" in clause.text
    assert "Ý kiến về khoản 7" in clause.text
    assert db.session.scalar(select(func.count()).select_from(SubmissionOpinion)) == 0


def test_a_replayed_opinion_form_adds_one_opinion(client, body):
    assert add_opinion(client, "dieu-2", "2", "Cùng một ý kiến").status_code == 302
    assert add_opinion(client, "dieu-2", "2", "Cùng một ý kiến").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SubmissionOpinion)) == 1
    assert add_opinion(client, "dieu-2", "", "Cùng một ý kiến").status_code == 302  # the whole article
    assert db.session.scalar(select(func.count()).select_from(SubmissionOpinion)) == 2


def test_removing_an_opinion(client, body):
    consultation, organisation, _officer = body
    add_opinion(client, "dieu-1", "", "Bỏ đi")
    opinion = db.session.scalar(select(SubmissionOpinion))
    assert client.post(f"/co-quan/luat-htx/van-ban/y-kien/{opinion.id}/xoa").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SubmissionOpinion)) == 0


def test_an_empty_opinion_is_refused(client, body):
    response = add_opinion(client, "dieu-1", "", "   ")
    assert response.status_code == 422 and "Please write the opinion." in response.text


def test_the_pdf_is_stored_outside_static_and_downloaded_only_by_its_body(app, client, body):
    consultation, organisation, _officer = body
    complete_letter(client, consultation, organisation)
    draft = services.find_draft(consultation, organisation.id)
    path = f"{app.instance_path}/uploads/submissions/{draft.attachment_name}"
    assert open(path, "rb").read() == PDF
    download = client.get(f"/co-quan/van-ban/{draft.id}/cong-van.pdf")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    other_org = on_roster(consultation, "BTP")[0]
    other = make_officer(other_org)
    client.post("/dang-xuat")
    login(client, other)
    assert client.get(f"/co-quan/van-ban/{draft.id}/cong-van.pdf").status_code == 403
    assert client.get(f"/co-quan/van-ban/{draft.id}").status_code == 403
    client.post("/dang-xuat")
    assert client.get(f"/co-quan/van-ban/{draft.id}/cong-van.pdf").status_code == 302  # to login
    login(client, make_user("drafter"))
    assert client.get(f"/co-quan/van-ban/{draft.id}/cong-van.pdf").data == PDF
    assert "12/BTC-PC" in client.get(f"/co-quan/van-ban/{draft.id}").text


def test_an_officer_cannot_touch_another_bodys_draft(client, body):
    consultation, organisation, _officer = body
    (other_org,) = on_roster(consultation, "BTP")
    other = services.start_draft(consultation, other_org, None)[0]
    db.session.commit()
    response = client.post("/co-quan/luat-htx/van-ban/y-kien",
                           data={"submission_id": str(other.id), "article": "dieu-1", "body": "x"})
    assert response.status_code == 403
    assert client.post("/co-quan/luat-htx/van-ban/gui", data={"submission_id": str(other.id)}).status_code == 403
    assert not other.opinions


def test_a_body_not_on_the_roster_has_no_letter_page(client, app):
    from tests.factories import make_consultation
    from tests.submissions.helpers import make_organisation

    make_consultation()
    officer = make_officer(make_organisation("BYT"))
    login(client, officer)
    assert client.get("/co-quan/luat-htx/van-ban").status_code == 404
    assert client.post("/co-quan/luat-htx/van-ban/y-kien", data={"article": "dieu-1", "body": "x"}).status_code == 404


def test_drafting_team_and_citizens_cannot_use_the_officer_pages(client, app):
    setup_body()
    assert client.get("/co-quan/luat-htx/van-ban").status_code == 302  # to login
    login(client, make_user("drafter"))
    assert client.get("/co-quan/luat-htx/van-ban").status_code == 403


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_officer_forms_need_the_csrf_token(client, body):
    consultation, organisation, _officer = body
    response = client.post("/co-quan/luat-htx/van-ban/y-kien", data={"article": "dieu-1", "body": "Ý kiến"})
    assert response.status_code == 400 and "Ý kiến" in response.text  # the text is shown back
    assert db.session.scalar(select(func.count()).select_from(SubmissionOpinion)) == 0


def test_a_consultation_not_yet_published_is_hidden_from_the_bodies_on_its_roster(client, body):
    """Not yet visible means the drafting team's alone: a body put on the roster in advance
    neither sees it on its home page nor opens or writes its letter."""
    consultation, organisation, _officer = body
    consultation.published = False
    db.session.commit()
    assert consultation.title not in client.get("/co-quan/").text
    for url in ("/co-quan/luat-htx/van-ban", "/co-quan/luat-htx/lich-su"):
        assert client.get(url).status_code == 404, url
    assert save_letter(client, consultation, organisation).status_code == 404
    assert db.session.scalar(select(func.count(Submission.id))) == 0
    consultation.published = True
    db.session.commit()
    assert consultation.title in client.get("/co-quan/").text
    assert client.get("/co-quan/luat-htx/van-ban").status_code == 200


@pytest.mark.parametrize("submission_id", ["²", "9" * 40])
def test_a_made_up_letter_id_is_not_a_500(client, body, submission_id):
    consultation, organisation, _officer = body
    response = client.post("/co-quan/luat-htx/van-ban/thu", data={**LETTER, "submission_id": submission_id})
    assert response.status_code in (302, 422)
    assert db.session.scalar(select(func.count(Submission.id))) <= 1
