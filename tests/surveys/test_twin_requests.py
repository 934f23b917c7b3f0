"""Survey forms sent several times at once (double clicks, retrying browsers): one response,
one answer per question, the same answer to every copy, never a 500 (issue 10)."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from surveys import invitations
from surveys.models import Answer, Question, Response
from tests.races import cookie_of, race, statuses
from tests.surveys.factories import make_organisation, make_survey
from tests.surveys.test_answering_pages import SLUG, started
from tests.surveys.test_responses import BRANCHING


def _rows(question_name: str) -> list[Answer]:
    db.session.expire_all()
    return db.session.scalars(select(Answer).join(Question).where(Question.name == question_name)).all()


def _responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


def test_six_start_forms_at_once_make_one_response(app, client):
    make_survey(pages=BRANCHING)
    client.get(f"/khao-sat/{SLUG}")
    results = race(app, lambda twin: twin.post(f"/khao-sat/{SLUG}", data={"form_key": "key-twin"}),
                   cookie=cookie_of(client))
    assert statuses(results) == [302] * 6
    assert {result.location for result in results} == {f"/khao-sat/{SLUG}/trang/1"}
    assert _responses() == 1


def test_a_start_form_key_longer_than_the_column_is_not_an_error(app, client):
    make_survey(pages=BRANCHING)
    reply = client.post(f"/khao-sat/{SLUG}", data={"form_key": "k" * 300})
    assert reply.status_code == 302
    assert len(db.session.scalar(select(Response.form_key))) <= 64


def test_six_saves_of_one_page_at_once_store_each_answer_once(app, client):
    make_survey(pages=BRANCHING)
    started(client)
    page = f"/khao-sat/{SLUG}/trang/3"
    results = race(app, lambda twin: twin.post(page, data={"q-opinion": "Một ý kiến", "action": "next"}),
                   cookie=cookie_of(client))
    assert statuses(results) == [302] * 6
    assert [row.value_text for row in _rows("opinion")] == ["Một ý kiến"]
    assert _responses() == 1


def test_six_first_saves_of_an_invited_organisation_make_one_response(app, client):
    survey = make_survey(pages=BRANCHING, audience="invited")
    _invitation, token = invitations.create_invitation(survey, make_organisation())
    db.session.commit()
    page = f"/khao-sat/{SLUG}/moi/{token}/trang/1"
    results = race(app, lambda twin: twin.post(page, data={"q-role": "citizen", "action": "leave"}))
    assert statuses(results) == [302] * 6
    assert _responses() == 1
    assert [row.value_text for row in _rows("role")] == ["citizen"]


def test_six_submissions_at_once_make_one_receipt(app, client):
    make_survey(pages=BRANCHING)
    started(client)
    client.post(f"/khao-sat/{SLUG}/trang/1", data={"q-role": "citizen", "action": "next"})
    results = race(app, lambda twin: twin.post(f"/khao-sat/{SLUG}/xem-lai"), cookie=cookie_of(client))
    assert statuses(results) == [302] * 6
    assert {result.location for result in results} == {f"/khao-sat/{SLUG}/bien-nhan"}
    db.session.expire_all()
    (response,) = db.session.scalars(select(Response)).all()
    assert response.status == "submitted" and response.receipt_code
