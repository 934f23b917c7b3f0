"""An archived consultation takes no formal letter any more, on the web or by the API: a clear
message, the typed input kept, nothing stored (the letters received stay on record)."""
from __future__ import annotations

import io
import os
from datetime import timedelta

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import utcnow
from consult.submissions import attachments, services
from consult.submissions.models import Submission, SubmissionOpinion
from tests.submissions.helpers import PDF
from tests.submissions.test_api import LETTER as API_LETTER
from tests.submissions.test_api import assert_problem, auth, create, setup  # noqa: F401 - the API fixture
from tests.submissions.test_submission_web import (LETTER, add_opinion, body,  # noqa: F401 - the fixture
                                                   complete_letter, draft_id, save_letter, submit, upload)

ARCHIVED = "Đợt lấy ý kiến này đã được lưu trữ"


def archive(consultation) -> None:
    consultation.closes_at = utcnow() - timedelta(days=2)
    consultation.archived_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def stored_pdfs(app) -> list[str]:
    root = attachments.upload_root(app)
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_a_letter_cannot_be_started_once_archived_and_the_input_is_kept(client, body):
    consultation, organisation, _officer = body
    client.get("/co-quan/?lang=vi")
    archive(consultation)
    page = client.get("/co-quan/luat-htx/van-ban")
    assert page.status_code == 200 and ARCHIVED in page.text
    saved = save_letter(client, consultation, organisation, letter_number="77/BTC-PC")
    assert saved.status_code == 409 and ARCHIVED in saved.text
    assert 'value="77/BTC-PC"' in saved.text
    opinion = add_opinion(client, "dieu-2", "", "Ý kiến gõ sau khi lưu trữ.")
    assert opinion.status_code == 409 and "Ý kiến gõ sau khi lưu trữ." in opinion.text
    assert count(Submission) == 0 and count(SubmissionOpinion) == 0


def test_a_draft_cannot_be_changed_or_submitted_once_archived(app, client, body):
    consultation, organisation, _officer = body
    client.get("/co-quan/?lang=vi")
    complete_letter(client, consultation, organisation)
    files_before = stored_pdfs(app)
    archive(consultation)
    assert upload(client).status_code == 409
    assert stored_pdfs(app) == files_before  # the refused file was not kept
    sent = submit(client, consultation, organisation)
    assert sent.status_code == 409 and ARCHIVED in sent.text
    draft = services.find_draft(consultation, organisation.id)
    assert draft.status == "draft" and draft.receipt_code is None
    removed = client.post(f"/co-quan/luat-htx/van-ban/y-kien/{draft.opinions[0].id}/xoa",
                          follow_redirects=True)
    assert ARCHIVED in removed.text and count(SubmissionOpinion) == 2


def test_a_letter_submitted_before_the_archive_stays_on_record(client, body):
    consultation, organisation, _officer = body
    client.get("/co-quan/?lang=vi")
    complete_letter(client, consultation, organisation)
    assert submit(client, consultation, organisation).status_code == 302
    archive(consultation)
    letter = db.session.scalar(select(Submission))
    assert letter.status == "submitted"
    assert letter.receipt_code in client.get(f"/co-quan/van-ban/{letter.id}").text


def test_the_api_refuses_letters_once_archived_with_an_error_code(client, setup):  # noqa: F811
    consultation, _btc, _btp, token = setup
    created = create(client, token)
    assert created.status_code == 201
    submission_id = created.get_json()["id"]
    archive(consultation)
    for response in (
            create(client, token, payload=API_LETTER),
            client.put(f"/api/v1/submissions/{submission_id}/attachment", data=PDF,
                       headers={**auth(token), "Content-Type": "application/pdf"}),
            client.post(f"/api/v1/submissions/{submission_id}/submit", headers=auth(token))):
        body = assert_problem(response, 409)
        assert body["type"] == "urn:gopy:problem:consultation-archived", body
        assert "lưu trữ" in body["detail"]
    assert db.session.get(Submission, submission_id).status == "draft"
