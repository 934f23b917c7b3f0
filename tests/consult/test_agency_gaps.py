"""Gaps of "many agencies" closed after the first pass: officers and API tokens are the
platform's, the audit trail follows the consultation, the workload offers only members who see
the consultation, and an agency sets its own minimum consultation period on a page."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from consult import auth
from consult.extensions import db
from consult.models import AuditEvent, Comment, User
from consult.submissions.models import ApiToken, OfficerInvitation
from tests.consult.test_agency_scoping import PASSWORD, world  # noqa: F401 (a fixture)
from tests.factories import login
from tests.submissions.helpers import make_organisation

OFFICERS, TOKENS = "/co-quan/quan-tri/can-bo", "/co-quan/quan-tri/api"


# --- 1. officers and API tokens: only those who see every consultation --------------------------

def _officer(world, email="can.bo@x.vn"):
    body = make_organisation("TINHX")
    officer = auth.create_user(email, PASSWORD, "officer", organisation_id=body.id)
    db.session.commit()
    return body, officer


def test_an_agencys_drafter_manages_no_officer_and_no_api_token(client, world):
    body, officer = _officer(world)
    token = ApiToken(organisation_id=body.id, label="x", prefix="gy_abcdefg", token_hash="0" * 64,
                     scopes="read")
    invitation = OfficerInvitation(email="moi@x.vn", organisation_id=body.id, token_hash="1" * 64,
                                   expires_at=datetime(2099, 1, 1), created_by_id=world.admin.id)
    db.session.add_all([token, invitation])
    db.session.commit()
    login(client, world.drafter_a, PASSWORD)
    assert client.get(OFFICERS).status_code == 403 and client.get(TOKENS).status_code == 403
    nav = client.get("/quan-tri/").text
    assert OFFICERS not in nav and TOKENS not in nav
    created = client.post(OFFICERS, data={"email": "gia@x.vn", "organisation": str(body.id),
                                          "password": PASSWORD, "create": "1"})
    assert created.status_code == 403 and auth.find_user("gia@x.vn") is None
    assert client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa").status_code == 403
    assert client.post(f"{OFFICERS}/loi-moi/{invitation.id}/thu-hoi").status_code == 403
    made = client.post(TOKENS, data={"organisation": str(body.id), "scopes": "read", "label": "y"})
    assert made.status_code == 403
    assert client.post(f"{TOKENS}/{token.id}/thu-hoi").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, officer.id).active is True
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert db.session.get(OfficerInvitation, invitation.id).expires_at == datetime(2099, 1, 1)
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_the_administrator_still_manages_officers_and_tokens(client, world):
    body, officer = _officer(world)
    login(client, world.admin, PASSWORD)
    nav = client.get("/quan-tri/").text
    assert OFFICERS in nav and TOKENS in nav
    assert client.get(OFFICERS).status_code == 200
    assert client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa").status_code == 302
    assert db.session.get(User, officer.id).active is False
    made = client.post(TOKENS, data={"organisation": str(body.id), "scopes": "read", "label": "y"})
    assert made.status_code == 200 and db.session.scalar(select(func.count(ApiToken.id))) == 1


# --- 2. the audit trail follows the consultation ------------------------------------------------

def test_an_event_names_the_consultation_of_its_object(world):
    from consult import audit
    from surveys.models import Survey

    version = world.a.draft.versions[0]
    comment = db.session.scalar(select(Comment).where(Comment.consultation_id == world.b.id))
    loose = Survey(title={"vi": "Phiếu rời"}, slug="phieu-roi")
    db.session.add(loose)
    db.session.flush()
    found = {obj: audit.record(world.admin, "x", obj).consultation_id
             for obj in (world.a, version, comment, loose, world.drafter_a)}
    assert found == {world.a: world.a.id, version: world.a.id, comment: world.b.id,
                     loose: None, world.drafter_a: None}


def test_an_agency_sees_an_administrators_action_on_its_consultation(client, world):
    login(client, world.admin, PASSWORD)
    ours = db.session.scalar(select(Comment).where(Comment.consultation_id == world.a.id))
    theirs = db.session.scalar(select(Comment).where(Comment.consultation_id == world.b.id))
    client.post(f"/quan-tri/kiem-duyet/{ours.id}", data={"action": "reject", "reason": "Trùng lặp"})
    client.post(f"/quan-tri/kiem-duyet/{theirs.id}", data={"action": "hide", "reason": "Lạc đề"})
    login(client, world.moderator_a, PASSWORD)
    page = client.get("/quan-tri/nhat-ky").text
    assert "comment.reject" in page and world.admin.email in page
    assert "comment.hide" not in page
    # The administrator sets agency A's minimum period and deactivates a member of B: A sees the first only.
    login(client, world.admin, PASSWORD)
    client.post("/quan-tri/thoi-gian-toi-thieu", data={"organisation": str(world.agency_a.id), "days": "40"})
    client.post(f"/quan-tri/co-quan-soan-thao/{world.drafter_b.id}/vo-hieu-hoa")
    client.post(f"/quan-tri/co-quan-soan-thao/{world.drafter_a.id}/vo-hieu-hoa")
    login(client, world.moderator_a, PASSWORD)
    page = client.get("/quan-tri/nhat-ky").text
    assert "organisation.min_consultation_days" in page and "team.deactivate" in page
    assert world.drafter_a.email in page and world.drafter_b.email not in page


# --- 3. the workload: only members who see the consultation -------------------------------------

def test_the_assignee_picker_offers_only_members_who_see_the_consultation(client, world):
    from consult import workload
    from consult.models import Assignment

    assert {u.email for u in workload.assignable_users(world.a)} == {
        world.admin.email, world.drafter_a.email, world.moderator_a.email}
    login(client, world.admin, PASSWORD)
    for page in ("/quan-tri/xu-ly/luat-a", "/quan-tri/xu-ly/luat-a/dieu-1"):
        shown = client.get(page).text
        assert f'value="{world.drafter_a.id}"' in shown, page
        assert f'value="{world.drafter_b.id}"' not in shown, page
    refused = client.post("/quan-tri/xu-ly/luat-a/dieu-1/phan-cong",
                          data={"whole": "1", "assignee": str(world.drafter_b.id)})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count(Assignment.id))) == 0
    given = client.post("/quan-tri/xu-ly/luat-a/dieu-1/phan-cong",
                        data={"whole": "1", "assignee": str(world.drafter_a.id)})
    assert given.status_code == 302
    assert [line.consultation.slug for line in workload.queue(world.drafter_a)] == ["luat-a"]
    # The member moves to agency B: A's work is no longer listed as theirs.
    world.drafter_a.organisation_id = world.agency_b.id
    db.session.commit()
    assert workload.queue(world.drafter_a) == []
    login(client, world.drafter_a, PASSWORD)
    assert "luat-a" not in client.get("/quan-tri/xu-ly/cua-toi").text


# --- 4. an agency's minimum consultation period, on a page ---------------------------------------

PERIOD = "/quan-tri/thoi-gian-toi-thieu"


def test_an_agencys_drafter_sets_only_its_own_minimum_period(client, world):
    login(client, world.drafter_a, PASSWORD)
    page = client.get(PERIOD)
    assert page.status_code == 200 and "Bộ A" in page.text and "Bộ B" not in page.text
    assert PERIOD in client.get("/quan-tri/").text
    assert client.post(PERIOD, data={"organisation": str(world.agency_a.id), "days": "45"}).status_code == 302
    assert client.post(PERIOD, data={"organisation": str(world.agency_a.id), "days": "45"}).status_code == 302
    refused = client.post(PERIOD, data={"organisation": str(world.agency_b.id), "days": "5"})
    assert refused.status_code == 422 and "danh sách" in refused.text
    db.session.expire_all()
    assert (world.agency_a.min_consultation_days, world.agency_b.min_consultation_days) == (45, None)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "organisation.min_consultation_days")).all()
    assert [(e.actor_id, e.object_id, e.detail["new"]) for e in events] == [
        (world.drafter_a.id, world.agency_a.id, 45)]  # the replay changed nothing
    assert 'data-days="45"' in client.get(PERIOD).text
    assert "organisation.min_consultation_days" in client.get("/quan-tri/nhat-ky").text
    login(client, world.moderator_a, PASSWORD)
    assert client.get(PERIOD).status_code == 403


def test_the_administrator_sets_any_agencys_minimum_and_bad_input_is_kept(client, world):
    login(client, world.admin, PASSWORD)
    page = client.get(PERIOD).text
    assert "Bộ A" in page and "Bộ B" in page
    for days, message in (("-1", "từ 0 đến 365"), ("366", "từ 0 đến 365"), ("9" * 5000, "từ 0 đến 365"),
                          ("ba mươi", "từ 0 đến 365"), ("١٢", "từ 0 đến 365"), ("<b>7</b>", "từ 0 đến 365")):
        response = client.post(PERIOD, data={"organisation": str(world.agency_b.id), "days": days})
        assert response.status_code == 422 and message in response.text, days
    kept = client.post(PERIOD, data={"organisation": "", "days": "20"})
    assert kept.status_code == 422 and 'value="20"' in kept.text
    assert client.post(PERIOD, data={"organisation": str(world.agency_b.id), "days": "2\x000"}).status_code == 302
    db.session.expire_all()
    assert world.agency_b.min_consultation_days == 20  # the NUL is dropped at the boundary
    assert client.post(PERIOD, data={"organisation": str(world.agency_b.id), "days": ""}).status_code == 302
    db.session.expire_all()
    assert world.agency_b.min_consultation_days is None
