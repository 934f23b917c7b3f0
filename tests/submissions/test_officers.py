"""Officers' accounts: made by the drafting team, or by an e-mailed one-time invitation."""
from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, User, utcnow
from consult.submissions import officers
from consult.submissions.models import OfficerInvitation
from tests.factories import login, make_consultation, make_user
from tests.mail import free_port, start_smtp
from tests.submissions.helpers import PASSWORD, make_officer, make_organisation, on_roster


@pytest.fixture()
def smtp_server():
    controller, inbox = start_smtp()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture()
def team(client, app):
    login(client, make_user("drafter"))
    client.get("/co-quan/quan-tri/can-bo?lang=en")
    return client


def test_the_team_creates_an_officer_who_logs_in(team, client):
    organisation = make_organisation("BTC")
    response = team.post("/co-quan/quan-tri/can-bo", data={
        "email": "Can.Bo@BTC.gov.vn", "name": "Cán bộ BTC", "organisation": str(organisation.id),
        "password": PASSWORD, "create": "1"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "can.bo@btc.gov.vn"))
    assert user.role == "officer" and user.organisation_id == organisation.id
    assert "officer.create" in db.session.scalars(select(AuditEvent.action)).all()
    duplicate = team.post("/co-quan/quan-tri/can-bo", data={
        "email": "can.bo@btc.gov.vn", "organisation": str(organisation.id), "password": PASSWORD, "create": "1"})
    assert duplicate.status_code == 422 and "exists already" in duplicate.text


def test_officer_form_errors(team):
    organisation = make_organisation("BTC")
    short = team.post("/co-quan/quan-tri/can-bo", data={
        "email": "a@b.vn", "organisation": str(organisation.id), "password": "ngan", "create": "1"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    bad = team.post("/co-quan/quan-tri/can-bo", data={"email": "khong-phai-email", "organisation": "999999",
                                                        "invite": "1"})
    assert bad.status_code == 422 and "valid e-mail" in bad.text and "from the list" in bad.text
    assert db.session.scalar(select(User).where(User.role == "officer")) is None


def test_invitation_is_emailed_and_accepted_once(team, client, app, smtp_server):
    port, inbox = smtp_server
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="gopy@example.vn")
    organisation = make_organisation("UBND-01", "province", "Ủy ban nhân dân thành phố Hà Nội")
    response = team.post("/co-quan/quan-tri/can-bo", data={
        "email": "canbo@hanoi.gov.vn", "name": "Nguyễn Thị Hoa", "organisation": str(organisation.id),
        "invite": "1"})
    assert response.status_code == 302
    [(recipients, message)] = inbox.messages
    assert recipients == ["canbo@hanoi.gov.vn"] and message["From"] == "gopy@example.vn"
    text = message.get_content()
    assert "Ủy ban nhân dân thành phố Hà Nội" in text
    link = re.search(r"http://localhost(/co-quan/loi-moi/\S+)", text).group(1)
    token = link.rsplit("/", 1)[1]
    invitation = db.session.scalar(select(OfficerInvitation))
    assert invitation.token_hash == officers.hash_token(token) and token not in invitation.token_hash
    client.post("/dang-xuat")
    page = client.get(link)
    assert page.status_code == 200 and "canbo@hanoi.gov.vn" in page.text
    mismatch = client.post(link, data={"name": "Hoa", "password": PASSWORD, "confirm": "khac-nhau-123"})
    assert mismatch.status_code == 200 and "not the same" in mismatch.text
    accepted = client.post(link, data={"name": "Hoa", "password": PASSWORD, "confirm": PASSWORD})
    assert accepted.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "canbo@hanoi.gov.vn"))
    assert user.role == "officer" and user.organisation_id == organisation.id and user.check_password(PASSWORD)
    client.post("/dang-xuat")
    assert client.get(link).status_code == 404  # used once


def test_an_expired_or_made_up_invitation_does_not_work(client, app):
    organisation = make_organisation("BTC")
    invitation, raw = officers.invite_officer("x@btc.gov.vn", "", organisation, None,
                                              now=utcnow() - timedelta(days=8))
    db.session.commit()
    assert client.get(f"/co-quan/loi-moi/{raw}").status_code == 404
    assert client.get("/co-quan/loi-moi/khong-hop-le").status_code == 404
    assert client.post(f"/co-quan/loi-moi/{raw}", data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 404
    assert db.session.scalar(select(User)) is None


def test_when_mail_cannot_be_sent_the_link_is_shown_once(team, app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens there
    organisation = make_organisation("BTC")
    response = team.post("/co-quan/quan-tri/can-bo", data={
        "email": "x@btc.gov.vn", "organisation": str(organisation.id), "invite": "1"})
    assert response.status_code == 200 and "could not be sent" in response.text
    assert "/co-quan/loi-moi/" in response.text


def test_an_officer_sees_only_their_organisations_work(client, app):
    consultation = make_consultation()
    btc, btp = on_roster(consultation, "BTC", "BTP")
    officer = make_officer(btc)
    assert officers.can_see_organisation(officer, btc.id)
    assert not officers.can_see_organisation(officer, btp.id)
    assert officers.can_see_organisation(make_user("drafter"), btp.id)
    login(client, officer)
    home = client.get("/co-quan/")
    assert home.status_code == 200 and consultation.title in home.text
    assert client.get(f"/co-quan/quan-tri/luat-htx/co-quan/{btp.code}").status_code == 403
