"""The drafting team changes one body's deadline and removes a body that has sent nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, utcnow
from consult.submissions import roster, services
from consult.submissions.models import RosterEntry
from tests.factories import login, make_consultation, make_user
from tests.submissions.helpers import make_officer, make_organisation, on_roster
from tests.submissions.test_roster import submit_letter

BASE = "/co-quan/quan-tri/luat-htx/co-quan"


@pytest.fixture()
def bodies(client):
    consultation = make_consultation()
    on_roster(consultation, "BTC", "BTP")
    drafter = make_user("drafter")
    login(client, drafter)
    client.get("/co-quan/quan-tri/?lang=en")
    return consultation, drafter


def entry_of(consultation, code: str) -> RosterEntry | None:
    return roster.find_entry(consultation, make_organisation(code).id)


def in_a_month() -> date:
    return roster.vn_date(utcnow()) + timedelta(days=30)


def test_the_roster_links_each_body_to_its_edit_page(client, bodies):
    page = client.get("/co-quan/quan-tri/luat-htx")
    assert 'href="/co-quan/quan-tri/luat-htx/co-quan/BTC/sua"' in page.text
    edit = client.get(f"{BASE}/BTC/sua")
    assert edit.status_code == 200 and "Change the deadline" in edit.text
    assert f'action="{BASE}/BTC/xoa"' in edit.text


def test_changing_one_deadline(client, bodies):
    consultation, drafter = bodies
    day = in_a_month()
    response = client.post(f"{BASE}/BTC/han", data={"deadline": day.strftime("%d/%m/%Y")},
                           follow_redirects=True)
    assert response.status_code == 200
    assert f"The deadline of Cơ quan BTC is now {day:%d/%m/%Y}." in response.text
    assert roster.vn_date(entry_of(consultation, "BTC").deadline) == day
    assert entry_of(consultation, "BTC").deadline == roster.end_of_vn_day(day)
    assert roster.vn_date(entry_of(consultation, "BTP").deadline) != day  # only that body
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.deadline")).all()
    assert event.actor_id == drafter.id and event.detail["deadline"] == day.isoformat()
    assert event.detail["organisation"] == "BTC"
    again = client.post(f"{BASE}/BTC/han", data={"deadline": day.isoformat()}, follow_redirects=True)
    assert "was already" in again.text and "nothing changed" in again.text
    assert db.session.query(AuditEvent).filter_by(action="roster.deadline").count() == 1


@pytest.mark.parametrize("typed, message", [
    ("31/02/2026", "Please give the date as dd/mm/yyyy."),
    ("ngày mai", "Please give the date as dd/mm/yyyy."),
    ("", "Please give the deadline as dd/mm/yyyy."),
    ("01/01/2001", "The deadline cannot be before the consultation opens"),
])
def test_a_bad_deadline_is_refused_and_kept(client, bodies, typed, message):
    consultation, _drafter = bodies
    before = entry_of(consultation, "BTC").deadline
    response = client.post(f"{BASE}/BTC/han", data={"deadline": typed})
    assert response.status_code == 422 and message in response.text
    if typed:
        assert f'value="{typed}"' in response.text or "2001-01-01" in response.text
    assert entry_of(consultation, "BTC").deadline == before


def test_removing_a_body_without_letters(client, bodies):
    consultation, drafter = bodies
    response = client.post(f"{BASE}/BTP/xoa", follow_redirects=True)
    assert response.status_code == 200 and "Cơ quan BTP was removed from the roster." in response.text
    assert 'id="body-BTP"' not in response.text and 'id="body-BTC"' in response.text
    assert entry_of(consultation, "BTP") is None
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.remove")).all()
    assert event.actor_id == drafter.id and event.detail["organisation"] == "BTP"
    again = client.post(f"{BASE}/BTP/xoa", follow_redirects=True)
    assert again.status_code == 200 and "Cơ quan BTP is not on the roster; nothing changed." in again.text
    assert client.get(f"{BASE}/BTP/sua").status_code == 404
    assert client.post(f"{BASE}/BTP/han", data={"deadline": "01/01/2030"}).status_code == 404


def test_a_body_with_a_letter_in_preparation_or_submitted_stays(client, bodies):
    consultation, _drafter = bodies
    btc, btp = make_organisation("BTC"), make_organisation("BTP")
    services.start_draft(consultation, btc, None)
    db.session.commit()
    submit_letter(consultation, btp)
    for code in ("BTC", "BTP"):
        page = client.get(f"{BASE}/{code}/sua")
        assert 'id="remove-refused"' in page.text and f'action="{BASE}/{code}/xoa"' not in page.text
        refused = client.post(f"{BASE}/{code}/xoa")
        assert refused.status_code == 409 and "cannot be removed from the roster" in refused.text
        assert entry_of(consultation, code) is not None
    assert db.session.query(AuditEvent).filter_by(action="roster.remove").count() == 0
    with pytest.raises(roster.BodyHasLetters):
        roster.remove_from_roster(entry_of(consultation, "BTP"), None)


def test_unknown_codes_and_consultations(client, bodies):
    make_organisation("KHAC")  # exists, but not on this roster
    assert client.get(f"{BASE}/KHONGCO/sua").status_code == 404
    assert client.get(f"{BASE}/KHAC/sua").status_code == 404
    assert client.post(f"{BASE}/KHONGCO/xoa").status_code == 404
    assert client.post(f"{BASE}/KHONGCO/han", data={"deadline": "01/01/2030"}).status_code == 404
    assert client.get("/co-quan/quan-tri/khong-co/co-quan/BTC/sua").status_code == 404
    assert client.post("/co-quan/quan-tri/khong-co/co-quan/BTC/xoa").status_code == 404


def test_only_the_team_may_change_the_roster(app, client, bodies):
    consultation, _drafter = bodies
    client.post("/dang-xuat")
    assert "/dang-nhap" in client.post(f"{BASE}/BTP/xoa").headers["Location"]
    login(client, make_officer(make_organisation("BTP")))
    assert client.post(f"{BASE}/BTP/xoa").status_code == 403
    assert client.post(f"{BASE}/BTP/han", data={"deadline": "01/01/2030"}).status_code == 403
    assert client.get(f"{BASE}/BTP/sua").status_code == 403
    client.post("/dang-xuat")
    login(client, make_user("moderator"))
    assert client.post(f"{BASE}/BTP/xoa").status_code == 403
    client.post("/dang-xuat")
    login(client, make_user("admin", email="admin@example.vn"))
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"{BASE}/BTP/xoa").status_code == 400
    assert client.post(f"{BASE}/BTP/han", data={"deadline": "01/01/2030"}).status_code == 400
    assert entry_of(consultation, "BTP") is not None
