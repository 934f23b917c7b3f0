"""A letter's forms and the API's create and submit, sent several times at once: one letter,
each opinion once, one receipt, the same answer to every copy, never a 500 (issue 10)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.submissions import attachments
from consult.submissions.models import Submission, SubmissionOpinion
from tests.races import cookie_of, race, statuses
from tests.submissions.test_api import LETTER as API_LETTER
from tests.submissions.helpers import PDF
from tests.submissions.test_api import auth, setup  # noqa: F401 - the API fixture
from tests.submissions.test_submission_web import (body, complete_letter, draft_id,  # noqa: F401
                                                   save_letter)

OPINION = {"article": "dieu-1", "clause": "", "body": "Đề nghị sửa đổi điều này."}
CREATE = "/api/v1/consultations/luat-htx/submissions"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("with_draft", [True, False], ids=["draft-saved", "first-action"])
def test_six_identical_opinion_forms_at_once_add_one_opinion(app, client, body, with_draft):
    consultation, organisation, _officer = body
    if with_draft:
        save_letter(client, consultation, organisation)
    data = {**OPINION, "submission_id": draft_id(consultation, organisation)}
    results = race(app, lambda twin: twin.post("/co-quan/luat-htx/van-ban/y-kien", data=data),
                   cookie=cookie_of(client))
    assert statuses(results) == [302] * 6
    assert count(Submission) == 1
    assert count(SubmissionOpinion) == 1


def test_six_submits_at_once_make_one_receipt(app, client, body):
    consultation, organisation, _officer = body
    complete_letter(client, consultation, organisation)
    sid = draft_id(consultation, organisation)
    results = race(app, lambda twin: twin.post("/co-quan/luat-htx/van-ban/gui", data={"submission_id": sid}),
                   cookie=cookie_of(client))
    assert statuses(results) == [302] * 6
    assert len({result.location for result in results}) == 1
    db.session.expire_all()
    letter = db.session.scalar(select(Submission))
    assert letter.status == "submitted" and letter.receipt_code
    assert count(Submission) == 1


def test_six_api_creates_at_once_make_one_draft_and_five_conflicts(app, setup):  # noqa: F811
    token = setup[3]
    results = race(app, lambda twin: twin.post(CREATE, json=API_LETTER, headers=auth(token)))
    assert sorted(statuses(results)) == [201] + [409] * 5
    created = next(result for result in results if result.status_code == 201).get_json()
    conflicts = [result.get_json() for result in results if result.status_code == 409]
    assert {problem["submission_id"] for problem in conflicts} == {created["id"]}
    assert count(Submission) == 1
    assert count(SubmissionOpinion) == len(API_LETTER["opinions"])


def test_six_api_submits_at_once_make_one_receipt(app, client, setup):  # noqa: F811
    token = setup[3]
    sid = client.post(CREATE, json=API_LETTER, headers=auth(token)).get_json()["id"]
    client.put(f"/api/v1/submissions/{sid}/attachment", data=PDF,
               headers={**auth(token), "Content-Type": "application/pdf"})
    results = race(app, lambda twin: twin.post(f"/api/v1/submissions/{sid}/submit", headers=auth(token)))
    assert sorted(statuses(results)) == [200] + [409] * 5
    receipts = {result.get_json()["receipt_code"] for result in results}
    assert len(receipts) == 1 and None not in receipts


def test_six_uploads_at_once_leave_one_file(app, client, body):
    consultation, organisation, _officer = body
    save_letter(client, consultation, organisation)

    def send(twin):
        return twin.post("/co-quan/luat-htx/van-ban/tep", content_type="multipart/form-data",
                         data={"document": (io.BytesIO(PDF), "cong-van.pdf")})

    results = race(app, send, cookie=cookie_of(client))
    assert statuses(results) == [302] * 6
    db.session.expire_all()
    letter = db.session.scalar(select(Submission))
    kept = sorted(path.name for path in attachments.upload_root(app).glob("*.pdf"))
    assert kept == [letter.attachment_name]
