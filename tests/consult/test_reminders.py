"""E-mail reminders: to roster bodies without a letter as the deadline nears, and to organisations
invited to a survey that have not answered; never twice a day; the team's page and the command."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult import auth, reminders
from consult.clock import VIETNAM_OFFSET
from consult.config import parse_settings
from consult.extensions import db
from consult.models import ReminderLog, utcnow
from consult.submissions import roster
from surveys.models import Invitation
from tests.consult.decision_factories import drafter, letter, organisation
from tests.factories import login, make_consultation, make_user
from tests.mail import free_port, start_smtp as _smtp
from tests.surveys.factories import make_survey

BASE = "http://gopy.example.vn/"


@pytest.fixture()
def app_config():
    return {"REMINDERS_MAIL_RETRY_WAITS": (0,), "REDIS_URL": None, "REMINDER_DAYS": (7, 2)}


def _noon_in(days: int):
    """The end of the Vietnam day ``days`` days from today, as naive UTC: a deadline ``days`` away."""
    today = (utcnow() + VIETNAM_OFFSET).date()
    return roster.end_of_vn_day(today + timedelta(days=days))


def _officer(body, email: str):
    user = auth.create_user(email, "mat-khau-dai-123", "officer", organisation_id=body.id)
    db.session.commit()
    return user


@pytest.fixture()
def setting(app):
    """Roster: BTC (7 days, no letter, two officers), BTP (7 days, letter sent), BCT (9 days, no
    letter: no reminder due yet); a survey closing in 2 days with BTC invited and BTP having
    answered."""
    consultation = make_consultation()
    btc, btp, bct = organisation("BTC", name="Bộ Tài chính"), organisation("BTP"), organisation("BCT")
    for body, days in ((btc, 7), (btp, 7), (bct, 9)):
        roster.add_to_roster(consultation, body, _noon_in(days))
    db.session.commit()
    letter(consultation, btp, [(None, "Đồng ý.")])
    _officer(btc, "vanthu@btc.gov.vn")
    _officer(btc, "phapche@btc.gov.vn")
    _officer(btp, "vanthu@btp.gov.vn")
    _officer(bct, "vanthu@bct.gov.vn")
    survey = make_survey("ks-hop-tac-xa", audience="invited", consultation=consultation)
    survey.closes_at = _noon_in(2)
    db.session.add_all([Invitation(survey=survey, organisation=btc, token_hash="a" * 64, status="sent"),
                        Invitation(survey=survey, organisation=btp, token_hash="b" * 64, status="submitted")])
    db.session.commit()
    return consultation


def test_due_reminders_go_once_a_day_to_the_officers_of_bodies_that_have_not_answered(app, setting):
    controller, inbox = _smtp(app)
    try:
        first = reminders.send_due(BASE)
        again = reminders.send_due(BASE)
    finally:
        controller.stop()
    assert (first.sent, first.failed) == (4, 0)
    assert (again.sent, again.skipped) == (0, 4)
    got = sorted((recipients[0], message["Subject"]) for recipients, message in inbox.messages)
    assert [r for r, _ in got] == ["phapche@btc.gov.vn", "phapche@btc.gov.vn", "vanthu@btc.gov.vn", "vanthu@btc.gov.vn"]
    roster_mail = next(m for _, m in inbox.messages if "ks-hop-tac-xa" not in m["Subject"])
    text = roster_mail.get_content()
    assert "Bộ Tài chính" in text and f"{BASE}co-quan/" in text and "7" in text
    assert {row.kind: row.status for row in db.session.scalars(select(ReminderLog))} == {
        "roster": "sent", "survey": "sent"}
    assert db.session.scalar(select(Invitation).where(Invitation.status == "sent")).reminded_at is not None
    # The next day they are not due again: the 7-day and 2-day reminders went today.
    tomorrow = utcnow() + timedelta(days=1)
    assert reminders.due((7, 2), tomorrow) == []


def test_a_refused_message_is_owed_again_and_two_processes_send_it_once(app, setting):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens
    failed = reminders.send_due(BASE)
    assert (failed.sent, failed.failed) == (0, 4)
    assert db.session.scalar(select(func.count(ReminderLog.id))) == 0
    controller, inbox = _smtp(app)
    start = threading.Barrier(2)

    def run():
        with app.app_context():
            start.wait()
            try:
                reminders.send_due(BASE)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
    finally:
        controller.stop()
    assert len(inbox.messages) == 4
    assert db.session.scalar(select(func.count(ReminderLog.id))) == 4


def test_the_background_round_and_the_command(app, setting):
    from consult import mail_jobs

    controller, inbox = _smtp(app)
    try:
        with app.test_request_context("/"):
            assert reminders.start(BASE) == "thread"
        mail_jobs.wait_for_background(20)
        result = app.test_cli_runner().invoke(args=["reminders", "send-due", "--base-url", BASE])
    finally:
        controller.stop()
    assert len(inbox.messages) == 4
    assert result.exit_code == 0, result.output
    assert "sent 0" in result.output and "4" in result.output


def test_the_team_page_shows_what_is_due_and_what_was_sent(app, client, setting):
    login(client, drafter())
    page = client.get("/quan-tri/nhac-nho/?lang=en").text
    assert 'id="due" data-count="4"' in page and "No reminder has been sent yet." in page
    controller, inbox = _smtp(app)
    try:
        response = client.post("/quan-tri/nhac-nho/gui")
        from consult import mail_jobs

        mail_jobs.wait_for_background(20)
    finally:
        controller.stop()
    assert response.status_code == 302 and len(inbox.messages) == 4
    page = client.get("/quan-tri/nhac-nho/").text
    assert page.count('class="reminder-row"') == 4 and "vanthu@btc.gov.vn" in page
    assert 'data-status="sent"' in page


def test_the_page_needs_a_drafting_role_and_a_csrf_token(app, client, setting):
    assert client.get("/quan-tri/nhac-nho/").status_code == 302
    for role in ("moderator", "officer"):
        login(client, make_user(role, email=f"{role}@example.vn"))
        assert client.get("/quan-tri/nhac-nho/").status_code == 403
        assert client.post("/quan-tri/nhac-nho/gui").status_code == 403
        client.post("/dang-xuat")
    login(client, drafter())
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/quan-tri/nhac-nho/gui", follow_redirects=True)
    assert "The form has expired" in response.text or "Biểu mẫu đã hết hạn" in response.text
    assert db.session.scalar(select(func.count(ReminderLog.id))) == 0


def test_the_reminder_days_setting():
    assert parse_settings({"REMINDER_DAYS": "2, 7"})["REMINDER_DAYS"] == (7, 2)
    assert parse_settings({"REMINDER_DAYS": ""})["REMINDER_DAYS"] == ()
    for bad in ("một", "-1", "400"):
        with pytest.raises(RuntimeError):
            parse_settings({"REMINDER_DAYS": bad})


def test_an_agencys_team_sees_and_sends_only_its_own_consultations_reminders(app, client, setting):
    """The reminders of agency B's consultation are not agency A's to see or to send."""
    agency_a, agency_b = organisation("BAAA", name="Bộ A"), organisation("BBBB", name="Bộ B")
    setting.agency_id = agency_b.id
    db.session.commit()
    member_a = auth.create_user("soanthao@a.vn", "mat-khau-dai-123", "drafter", organisation_id=agency_a.id)
    member_b = auth.create_user("soanthao@b.vn", "mat-khau-dai-123", "drafter", organisation_id=agency_b.id)
    db.session.commit()
    controller, inbox = _smtp(app)
    try:
        login(client, member_a)
        page = client.get("/quan-tri/nhac-nho/").text
        assert 'id="due" data-count="0"' in page and "vanthu@btc.gov.vn" not in page
        assert client.post("/quan-tri/nhac-nho/gui").status_code == 302
        from consult import mail_jobs

        mail_jobs.wait_for_background(20)
        assert inbox.messages == [] and db.session.scalar(select(func.count(ReminderLog.id))) == 0
        client.post("/dang-xuat")
        login(client, member_b)
        assert 'id="due" data-count="4"' in client.get("/quan-tri/nhac-nho/").text
        client.post("/quan-tri/nhac-nho/gui")
        mail_jobs.wait_for_background(20)
    finally:
        controller.stop()
    assert len(inbox.messages) == 4
    client.post("/dang-xuat")
    login(client, member_a)
    page = client.get("/quan-tri/nhac-nho/").text
    assert 'class="reminder-row"' not in page and "vanthu@btc.gov.vn" not in page


# --- a day the reminders did not run ------------------------------------------------------------

def _cron_on(app, monkeypatch, day: int):
    """``flask reminders send-due`` as cron runs it, ``day`` days from today."""
    later = utcnow() + timedelta(days=day)
    monkeypatch.setattr(reminders, "utcnow", lambda: later)
    result = app.test_cli_runner().invoke(args=["reminders", "send-due", "--base-url", BASE])
    assert result.exit_code == 0, result.output


def _roster_mail(inbox) -> list[tuple[str, str]]:
    """(recipient, days left as the message says) of each reminder received, in order."""
    import re

    return [(recipients[0], re.search(r"còn (\d+) ngày", message.get_content()).group(1))
            for recipients, message in inbox.messages]


def test_a_reminder_day_missed_is_caught_up_once_and_never_after_the_deadline(app, client, monkeypatch):
    """BTC's deadline is 9 days away; the server is down on the 7-day and 2-day reminder days:
    each reminder goes at the next run, once. BXD's deadline is tomorrow and it was never
    reminded: only the 2-day reminder goes, once. BCT's deadline passed: nothing goes."""
    consultation = make_consultation()
    btc, bxd, bct = organisation("BTC", name="Bộ Tài chính"), organisation("BXD"), organisation("BCT")
    for body, days in ((btc, 9), (bxd, 1), (bct, -1)):
        roster.add_to_roster(consultation, body, _noon_in(days))
        _officer(body, f"vanthu@{body.code.lower()}.gov.vn")
    db.session.commit()
    controller, inbox = _smtp(app)
    try:
        _cron_on(app, monkeypatch, 0)  # BTC: 9 days left, nothing due; BXD: the 2-day reminder
        assert _roster_mail(inbox) == [("vanthu@bxd.gov.vn", "1")]
        for day in (1, 4, 5, 6):  # down on days 2 and 3 (7 and 6 days left); up again on day 4
            _cron_on(app, monkeypatch, day)
        assert _roster_mail(inbox)[1:] == [("vanthu@btc.gov.vn", "5")]
        login(client, drafter())
        assert 'id="due" data-count="0"' in client.get("/quan-tri/nhac-nho/").text
        for day in (8, 9, 10, 11):  # down on day 7 (2 days left)
            _cron_on(app, monkeypatch, day)
    finally:
        controller.stop()
    assert _roster_mail(inbox)[1:] == [("vanthu@btc.gov.vn", "5"), ("vanthu@btc.gov.vn", "1")]
    assert "vanthu@bct.gov.vn" not in {recipient for recipient, _days in _roster_mail(inbox)}


def test_the_team_page_shows_a_missed_reminder_as_due(app, client, setting, monkeypatch):
    """BCT (9 days) was not reminded on its 7-day day: two days later the page lists it."""
    later = utcnow() + timedelta(days=4)
    monkeypatch.setattr(reminders, "utcnow", lambda: later)
    login(client, drafter())
    page = client.get("/quan-tri/nhac-nho/").text
    assert "vanthu@bct.gov.vn" in page and "Còn 5 ngày" in page
