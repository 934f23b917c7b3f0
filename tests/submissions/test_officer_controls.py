"""The drafting team withdraws officers' invitations and deactivates or reactivates officers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, User
from consult.submissions import officers, services
from consult.submissions.models import OfficerInvitation
from tests.factories import login, make_user
from tests.submissions.helpers import PASSWORD, make_officer, make_organisation, setup_body

OFFICERS = "/co-quan/quan-tri/can-bo"


@pytest.fixture()
def team(client):
    drafter = make_user("drafter")
    login(client, drafter)
    client.get(f"{OFFICERS}?lang=en")
    return drafter


def invite(email: str = "moi@btc.gov.vn") -> tuple[OfficerInvitation, str]:
    invitation, raw = officers.invite_officer(email, "Người mới", make_organisation("BTC"), None)
    db.session.commit()
    return invitation, raw


def actions(name: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == name)).all()


def other_client(app, user: User):
    """A second browser, logged in as ``user``, reading English."""
    browser = app.test_client()
    login(browser, user)
    browser.get("/co-quan/?lang=en")
    return browser


# --- withdrawing an invitation ---------------------------------------------------------------

def test_a_withdrawn_invitation_link_shows_the_invalid_page(client, team):
    invitation, raw = invite()
    assert client.get(f"/co-quan/loi-moi/{raw}").status_code == 200
    listing = client.get(OFFICERS)
    assert f'id="invitation-{invitation.id}"' in listing.text and "Withdraw" in listing.text
    response = client.post(f"{OFFICERS}/loi-moi/{invitation.id}/thu-hoi", follow_redirects=True)
    assert response.status_code == 200
    assert "The invitation to moi@btc.gov.vn is withdrawn: its link no longer works." in response.text
    assert f'id="invitation-{invitation.id}"' not in response.text
    link = client.get(f"/co-quan/loi-moi/{raw}")
    assert link.status_code == 404 and 'id="invitation-invalid"' in link.text
    assert "withdrawn by the drafting team" in link.text
    refused = client.post(f"/co-quan/loi-moi/{raw}", data={"password": PASSWORD, "confirm": PASSWORD})
    assert refused.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "moi@btc.gov.vn")) is None
    (event,) = actions("officer.invitation_withdraw")
    assert event.object_id == invitation.id and event.detail == {"email": "moi@btc.gov.vn",
                                                                 "organisation": "BTC"}
    assert event.actor_id == team.id


def test_a_replayed_withdrawal_is_harmless(client, team):
    invitation, _raw = invite()
    client.post(f"{OFFICERS}/loi-moi/{invitation.id}/thu-hoi")
    expires = db.session.get(OfficerInvitation, invitation.id).expires_at
    again = client.post(f"{OFFICERS}/loi-moi/{invitation.id}/thu-hoi", follow_redirects=True)
    assert again.status_code == 200
    assert "was already withdrawn or expired; nothing changed" in again.text
    assert db.session.get(OfficerInvitation, invitation.id).expires_at == expires
    assert len(actions("officer.invitation_withdraw")) == 1


def test_an_accepted_invitation_cannot_be_withdrawn(app, client, team):
    invitation, raw = invite()
    newcomer = app.test_client()
    assert newcomer.post(f"/co-quan/loi-moi/{raw}",
                         data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    response = client.post(f"{OFFICERS}/loi-moi/{invitation.id}/thu-hoi", follow_redirects=True)
    assert "has already accepted the invitation" in response.text
    assert "deactivate the account instead" in response.text
    assert actions("officer.invitation_withdraw") == []


def test_withdrawing_needs_the_team_a_known_invitation_and_csrf(app, client):
    invitation, raw = invite()
    url = f"{OFFICERS}/loi-moi/{invitation.id}/thu-hoi"
    assert "/dang-nhap" in client.post(url).headers["Location"]
    login(client, make_user("moderator"))
    assert client.post(url).status_code == 403
    client.post("/dang-xuat")
    login(client, make_officer(make_organisation("BTC")))
    assert client.post(url).status_code == 403
    client.post("/dang-xuat")
    login(client, make_user("drafter"))
    assert client.post(f"{OFFICERS}/loi-moi/999999/thu-hoi").status_code == 404
    assert client.get(url).status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(url).status_code == 400
    assert officers.find_invitation(raw) is not None


# --- deactivating and reactivating an officer ------------------------------------------------

def test_a_deactivated_officer_loses_access_at_the_next_request(app, client, team):
    consultation, organisation, officer = setup_body()
    draft, _ = services.start_draft(consultation, organisation, officer)
    db.session.commit()
    browser = other_client(app, officer)
    assert browser.get("/co-quan/luat-htx/van-ban").status_code == 200
    listing = client.get(OFFICERS)
    assert f'id="officer-{officer.id}" data-active="yes"' in listing.text
    response = client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa", follow_redirects=True)
    assert "is deactivated: the officer can no longer log in" in response.text
    assert f'id="officer-{officer.id}" data-active="no"' in response.text
    shut = browser.get("/co-quan/luat-htx/van-ban")
    assert shut.status_code == 302 and "/dang-nhap" in shut.headers["Location"]
    page = browser.get(shut.headers["Location"])
    assert "Your account has been deactivated by the drafting team" in page.text
    assert "Please log in to see this page." not in page.text
    assert browser.get("/co-quan/").status_code == 302  # still out: the session forgot the login
    assert db.session.get(User, officer.id).active is False
    assert services.find_draft(consultation, organisation.id).id == draft.id  # their work stays
    (event,) = actions("officer.deactivate")
    assert event.object_id == officer.id and event.actor_id == team.id
    assert event.detail["organisation"] == organisation.code


def test_the_login_form_says_the_account_is_deactivated_only_to_its_owner(app, client, team):
    officer = make_officer(make_organisation("BTC"))
    client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa")
    browser = app.test_client()
    browser.get("/dang-nhap?lang=en")
    right = browser.post("/dang-nhap", data={"email": officer.email, "password": PASSWORD})
    assert right.status_code == 403
    assert "This account has been deactivated. Ask the drafting team" in right.text
    assert officer.email in right.text  # the typed e-mail is kept
    wrong = browser.post("/dang-nhap", data={"email": officer.email, "password": "doan-mo-sai-1"})
    assert wrong.status_code == 200 and "deactivated" not in wrong.text
    assert "The e-mail or password is not right." in wrong.text
    assert browser.get("/co-quan/").status_code == 302


def test_reactivating_lets_the_officer_log_in_again(app, client, team):
    officer = make_officer(make_organisation("BTC"))
    client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa")
    response = client.post(f"{OFFICERS}/{officer.id}/kich-hoat", follow_redirects=True)
    assert "is active again" in response.text
    browser = app.test_client()
    assert browser.post("/dang-nhap", data={"email": officer.email,
                                             "password": PASSWORD}).status_code == 302
    assert browser.get("/co-quan/").status_code == 200
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "user", AuditEvent.object_id == officer.id)
        .order_by(AuditEvent.id))] == ["officer.create", "officer.deactivate", "officer.reactivate"]


def test_replayed_buttons_change_nothing_twice(client, team):
    officer = make_officer(make_organisation("BTC"))
    client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa")
    again = client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa", follow_redirects=True)
    assert "was already deactivated; nothing changed" in again.text
    client.post(f"{OFFICERS}/{officer.id}/kich-hoat")
    again = client.post(f"{OFFICERS}/{officer.id}/kich-hoat", follow_redirects=True)
    assert "was already active; nothing changed" in again.text
    assert len(actions("officer.deactivate")) == 1 and len(actions("officer.reactivate")) == 1


def test_only_officers_can_be_deactivated_here_and_only_by_the_team(app, client, team):
    officer = make_officer(make_organisation("BTC"))
    assert client.post(f"{OFFICERS}/{team.id}/vo-hieu-hoa").status_code == 404
    assert client.post(f"{OFFICERS}/999999/vo-hieu-hoa").status_code == 404
    assert db.session.get(User, team.id).active is True
    with pytest.raises(officers.NotAnOfficer):
        officers.set_active(team, False, None)
    moderator_browser = other_client(app, make_user("moderator"))
    assert moderator_browser.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa").status_code == 403
    officer_browser = other_client(app, officer)
    assert officer_browser.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa").status_code == 403
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"{OFFICERS}/{officer.id}/vo-hieu-hoa").status_code == 400
    assert db.session.get(User, officer.id).active is True
