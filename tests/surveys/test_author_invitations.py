"""Invitations on the drafting team's side: links shown once, status, non-responders CSV."""
from __future__ import annotations

import csv
import io
import re

import pytest

from consult.domain import ORGANISATION_KINDS
from consult.extensions import db
from consult.models import Organisation
from surveys import author_invitations, invitations
from surveys.models import Invitation
from tests.factories import login, make_consultation, make_user
from tests.surveys.test_author_views import BASE, make_survey


@pytest.fixture()
def organisations(app):
    rows = [Organisation(code="BTC", kind="ministry", name="Bộ Tài chính"),
            Organisation(code="BNN", kind="ministry", name="Bộ Nông nghiệp"),
            Organisation(code="HN", kind="province", name="UBND thành phố Hà Nội", province_code="01"),
            Organisation(code="=cmd", kind="association", name="+Hội nghề nghiệp")]
    db.session.add_all(rows)
    db.session.commit()
    return {o.code: o for o in rows}


@pytest.fixture()
def drafter(client):
    user = make_user("drafter")
    login(client, user)
    return user


def test_choose_by_kind_and_one_by_one(app, organisations):
    survey = make_survey(audience="invited")
    chosen = author_invitations.organisations_to_invite(survey, ["ministry"], [organisations["HN"].id])
    assert [o.code for o in chosen] == ["BNN", "BTC", "HN"]
    assert author_invitations.organisations_to_invite(survey, ["unknown"]) == []
    assert author_invitations.roster_organisation_ids(survey) is None  # no consultation


def test_invite_shows_each_link_once_and_skips_those_already_invited(client, app, drafter, organisations):
    survey = make_survey(audience="invited")
    response = client.post(f"{BASE}/{survey.id}/loi-moi?lang=en", data={"kinds": ["ministry"]})
    page = response.get_data(as_text=True)
    links = re.findall(r"/khao-sat/[a-z0-9-]+/moi/([A-Za-z0-9_-]+)", page)
    assert response.status_code == 200 and len(set(links)) == 2
    for token in set(links):
        assert invitations.find_by_token(survey, token) is not None
    again = client.post(f"{BASE}/{survey.id}/loi-moi?lang=en", data={"kinds": ["ministry"]}).get_data(as_text=True)
    assert "already invited; nothing changed" in again
    assert not set(re.findall(r"/moi/([A-Za-z0-9_-]+)", again)) & set(links)
    listing = client.get(f"{BASE}/{survey.id}/loi-moi?lang=en").get_data(as_text=True)
    assert not set(re.findall(r"/moi/([A-Za-z0-9_-]+)", listing)) & set(links)
    assert db.session.query(Invitation).count() == 2


def test_a_new_link_replaces_the_old_one(client, app, drafter, organisations):
    survey = make_survey(audience="invited")
    invitation, old = invitations.create_invitation(survey, organisations["BTC"])
    db.session.commit()
    page = client.post(f"{BASE}/{survey.id}/loi-moi/{invitation.id}/lien-ket-moi?lang=en").get_data(as_text=True)
    new = re.findall(r"/moi/([A-Za-z0-9_-]+)", page)
    assert new and new[0] != old
    assert invitations.find_by_token(survey, old) is None
    assert invitations.find_by_token(survey, new[0]).id == invitation.id


def test_nothing_chosen_or_an_open_only_survey_is_refused(client, app, drafter, organisations):
    survey = make_survey(audience="invited")
    response = client.post(f"{BASE}/{survey.id}/loi-moi?lang=en", data={})
    assert response.status_code == 422
    assert "Please choose at least one kind of organisation or one organisation." in response.get_data(as_text=True)
    open_survey = make_survey()
    response = client.post(f"{BASE}/{open_survey.id}/loi-moi?lang=en", data={"kinds": ["ministry"]})
    assert response.status_code == 422 and db.session.query(Invitation).count() == 0


def test_status_list_and_non_responders_csv(client, app, drafter, organisations):
    survey = make_survey(audience="both")
    created = dict((inv.organisation.code, inv) for inv, _token in
                   invitations.invite_organisations(survey, list(organisations.values())))
    invitations.advance(created["BTC"], "submitted")
    invitations.advance(created["HN"], "started")
    db.session.commit()
    page = client.get(f"{BASE}/{survey.id}/loi-moi?lang=en").get_data(as_text=True)
    assert page.index("UBND thành phố Hà Nội") < page.index("Bộ Tài chính")  # not answered first
    waiting = client.get(f"{BASE}/{survey.id}/loi-moi?lang=en&chua-tra-loi=1").get_data(as_text=True)
    waiting = waiting.split("<table")[1].split("</table>")[0]
    assert "UBND thành phố Hà Nội" in waiting and "Bộ Tài chính" not in waiting
    response = client.get(f"{BASE}/{survey.id}/loi-moi/chua-tra-loi.csv?lang=en")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows[0]) == 8
    assert sorted(row[0] for row in rows[1:]) == ["'=cmd", "BNN", "HN"]
    with app.test_request_context():  # the labels in the language the download used
        expected = ["HN", "UBND thành phố Hà Nội", str(ORGANISATION_KINDS["province"]),
                    str(invitations.STATUS_LABELS["started"])]
    assert next(row[:4] for row in rows[1:] if row[0] == "HN") == expected
    assert next(row for row in rows[1:] if row[0] == "'=cmd")[1] == "'+Hội nghề nghiệp"
    client.post(f"{BASE}/{survey.id}/loi-moi/nhac")
    db.session.expire_all()
    assert created["BNN"].reminded_at is not None and created["BTC"].reminded_at is None


def test_the_consultation_roster_can_be_invited_at_once(client, app, drafter, organisations):
    from consult.models import utcnow

    consultation = make_consultation()
    survey = make_survey(audience="invited", consultation_id=consultation.id)
    roster = db.metadata.tables["roster_entry"]
    for code in ("HN", "BNN"):
        db.session.execute(roster.insert().values(consultation_id=consultation.id, deadline=utcnow(),
                                                  organisation_id=organisations[code].id))
    db.session.commit()
    assert sorted(author_invitations.roster_organisation_ids(survey)) == sorted(
        [organisations["HN"].id, organisations["BNN"].id])
    page = client.get(f"{BASE}/{survey.id}/loi-moi?lang=en").get_data(as_text=True)
    assert 'name="roster"' in page
    client.post(f"{BASE}/{survey.id}/loi-moi", data={"roster": "y"})
    assert sorted(i.organisation.code for i in db.session.query(Invitation)) == ["BNN", "HN"]


# --- withdrawing an invitation ---------------------------------------------------------------

def _answerable_invitation(code: str = "BTC"):
    """A published invitation-only survey with one question, and one organisation's link."""
    from tests.surveys.factories import make_survey as make_published

    survey = make_published(slug="moi", audience="invited", pages=[[{"name": "so_htx", "kind": "integer"}]])
    organisation = db.session.query(Organisation).filter_by(code=code).one()
    invitation, token = invitations.create_invitation(survey, organisation)
    db.session.commit()
    return survey, invitation, token


def _revoke(client, survey, invitation, follow=True):
    return client.post(f"{BASE}/{survey.id}/loi-moi/{invitation.id}/thu-hoi?lang=en",
                       follow_redirects=follow)


def _audit(action: str) -> list:
    from consult.models import AuditEvent

    return db.session.query(AuditEvent).filter_by(action=action).all()


def test_a_withdrawn_link_opens_a_clear_page_not_the_survey(client, app, drafter, organisations):
    survey, invitation, token = _answerable_invitation()
    assert client.get(f"/khao-sat/moi/moi/{token}?lang=en").status_code == 200
    client.post(f"/khao-sat/moi/moi/{token}/trang/1", data={"q-so_htx": "12", "action": "next"})
    page = _revoke(client, survey, invitation)
    assert page.status_code == 200
    assert "The invitation of Bộ Tài chính is withdrawn" in page.get_data(as_text=True)
    assert f'id="invitation-{invitation.id}" data-status="revoked"' in page.get_data(as_text=True)
    db.session.expire_all()
    assert invitation.status == "revoked" and invitation.response is not None  # answers kept
    for url in (f"/khao-sat/moi/moi/{token}", f"/khao-sat/moi/moi/{token}/trang/1",
                f"/khao-sat/moi/moi/{token}/xem-lai"):
        reply = client.get(f"{url}?lang=en")
        assert reply.status_code == 404 and "This invitation link does not work" in reply.get_data(as_text=True)
        assert 'name="q-so_htx"' not in reply.get_data(as_text=True)
    posted = client.post(f"/khao-sat/moi/moi/{token}/trang/1?lang=en",
                         data={"q-so_htx": "15", "action": "next"})
    assert posted.status_code == 404
    db.session.expire_all()
    assert invitation.response.status == "in_progress" and invitation.status == "revoked"
    (event,) = _audit("survey.invitation_revoke")
    assert event.detail == {"organisation": "BTC", "invitation": invitation.id}
    assert event.actor_id == drafter.id


def test_withdrawn_invitations_are_not_counted_as_not_answered(client, app, drafter, organisations):
    survey = make_survey(audience="invited")
    created = {inv.organisation.code: inv for inv, _token in
               invitations.invite_organisations(survey, list(organisations.values()))}
    db.session.commit()
    _revoke(client, survey, created["BNN"])
    page = client.get(f"{BASE}/{survey.id}/loi-moi?lang=en").get_data(as_text=True)
    assert "Withdrawn: <strong>1</strong>" in page
    assert "Download the 3 organisations that have not answered (CSV)" in page
    assert page.index("Bộ Tài chính") < page.index("Bộ Nông nghiệp")  # withdrawn ones last
    waiting = client.get(f"{BASE}/{survey.id}/loi-moi?lang=en&chua-tra-loi=1").get_data(as_text=True)
    assert "Bộ Nông nghiệp" not in waiting.split("<table")[1].split("</table>")[0]
    rows = list(csv.reader(io.StringIO(client.get(
        f"{BASE}/{survey.id}/loi-moi/chua-tra-loi.csv?lang=en").data.decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == ["'=cmd", "BTC", "HN"]
    client.post(f"{BASE}/{survey.id}/loi-moi/nhac")
    db.session.expire_all()
    assert created["BNN"].reminded_at is None and created["BTC"].reminded_at is not None


def test_a_new_link_restores_a_withdrawn_invitation(client, app, drafter, organisations):
    survey, invitation, old = _answerable_invitation()
    _revoke(client, survey, invitation)
    page = client.post(f"{BASE}/{survey.id}/loi-moi/{invitation.id}/lien-ket-moi?lang=en").get_data(as_text=True)
    assert "is restored with a new link" in page
    new = re.findall(r"/moi/moi/([A-Za-z0-9_-]+)", page)
    db.session.expire_all()
    assert new and invitation.status == "sent"
    assert client.get(f"/khao-sat/moi/moi/{new[0]}?lang=en").status_code == 200
    assert client.get(f"/khao-sat/moi/moi/{old}?lang=en").status_code == 404  # the withdrawn link stays dead
    (event,) = _audit("survey.invitation_restore")
    assert event.detail["status"] == "sent" and event.detail["organisation"] == "BTC"


def test_restoring_keeps_how_far_the_organisation_had_gone(app, organisations):
    survey, invitation, _token = _answerable_invitation()
    invitations.advance(invitation, "started")
    assert invitations.revoke(invitation) is True
    assert invitations.advance(invitation, "submitted") is False  # a withdrawn one never moves on
    assert invitations.restore(invitation) is True and invitation.status == "started"
    assert invitations.restore(invitation) is False


def test_a_replayed_withdrawal_changes_nothing(client, app, drafter, organisations):
    survey, invitation, _token = _answerable_invitation()
    _revoke(client, survey, invitation)
    again = _revoke(client, survey, invitation).get_data(as_text=True)
    assert "was already withdrawn; nothing changed" in again
    assert len(_audit("survey.invitation_revoke")) == 1


def test_a_submitted_invitation_cannot_be_withdrawn(client, app, drafter, organisations):
    survey, invitation, _token = _answerable_invitation()
    invitations.advance(invitation, "submitted")
    db.session.commit()
    page = _revoke(client, survey, invitation).get_data(as_text=True)
    assert "has already submitted its answers: a submitted invitation cannot be withdrawn." in page
    assert f"/loi-moi/{invitation.id}/thu-hoi" not in page  # no button for it either
    db.session.expire_all()
    assert invitation.status == "submitted" and _audit("survey.invitation_revoke") == []
    with pytest.raises(invitations.AlreadySubmitted):
        invitations.revoke(invitation)


def test_withdrawing_unknown_or_foreign_invitations(client, app, drafter, organisations):
    survey, invitation, _token = _answerable_invitation()
    other = make_survey(audience="invited")
    assert client.post(f"{BASE}/{survey.id}/loi-moi/999999/thu-hoi").status_code == 404
    assert client.post(f"{BASE}/{other.id}/loi-moi/{invitation.id}/thu-hoi").status_code == 404
    assert client.post(f"{BASE}/999999/loi-moi/{invitation.id}/thu-hoi").status_code == 404
    assert client.get(f"{BASE}/{survey.id}/loi-moi/{invitation.id}/thu-hoi").status_code == 405
    db.session.expire_all()
    assert invitation.status == "sent"


@pytest.mark.parametrize("role", ["moderator", "officer"])
def test_only_the_drafting_team_withdraws(client, app, organisations, role):
    survey, invitation, _token = _answerable_invitation()
    url = f"{BASE}/{survey.id}/loi-moi/{invitation.id}/thu-hoi"
    assert "/dang-nhap" in client.post(url).headers["Location"]
    login(client, make_user(role))
    assert client.post(url).status_code == 403
    db.session.expire_all()
    assert invitation.status == "sent"


def test_withdrawing_needs_the_form_token(client, app, drafter, organisations):
    survey, invitation, _token = _answerable_invitation()
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"{BASE}/{survey.id}/loi-moi/{invitation.id}/thu-hoi").status_code == 400
    db.session.expire_all()
    assert invitation.status == "sent"
