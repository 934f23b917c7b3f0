"""E-mail subscriptions to new consultations: subscribe → confirmation mail → confirm → one
announcement per consultation → one-click unsubscribe; replayed and expired links; privacy."""
from __future__ import annotations

import hashlib
import os
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult import mail_jobs
from consult.extensions import db
from consult.models import Consultation, Organisation, utcnow
from consult.subscriptions import services
from consult.subscriptions.models import Announcement, Subscription, SubscriptionDelivery
from tests.mail import free_port, start_smtp

EMAIL = "cong.dan@example.vn"
BASE = "http://gopy.example.vn/"


@pytest.fixture()
def app_config():
    """Background retries without pauses; no Redis unless a test asks for it."""
    return {"SUBSCRIPTION_MAIL_RETRY_WAITS": (0,), "REDIS_URL": None, "PUBLIC_URL": BASE}


@pytest.fixture()
def inbox(app):
    """A local SMTP server the app sends to."""
    controller, received = start_smtp(app)
    try:
        yield received
    finally:
        mail_jobs.wait_for_background(20)
        controller.stop()


@pytest.fixture()
def agencies(app):
    """Two ministries, each with a consultation published before anyone subscribed."""
    btc = Organisation(code="BTC", kind="ministry", name="Bộ Tài chính")
    bkhdt = Organisation(code="BKHDT", kind="ministry", name="Bộ Kế hoạch và Đầu tư")
    db.session.add_all([btc, bkhdt])
    for organisation in (btc, bkhdt):
        old = _consultation(f"cu-{organisation.code.lower()}", f"Dự thảo cũ của {organisation.name}", organisation)
        db.session.commit()
        services.announce(old.id)
    db.session.commit()
    return btc, bkhdt


def _consultation(slug: str, title: str, agency, *, published: bool = True, opens=timedelta(days=-1)):
    now = utcnow()
    consultation = Consultation(slug=slug, title=title, agency_organisation=agency, agency=agency.name,
                                document_kind="decree", opens_at=now + opens, closes_at=now + timedelta(days=30),
                                published=published)
    db.session.add(consultation)
    db.session.commit()
    return consultation


def _subscribe(client, email: str = EMAIL, agency: str = "BTC", **extra):
    return client.post("/nhan-tin", data={"email": email, "agency": agency, **extra})


def _link(message, path: str) -> str:
    return re.search(rf"{re.escape(BASE)}({path}/[A-Za-z0-9_.\-]+)", message.get_content()).group(1)


def _subscribed_and_confirmed(client, inbox, email: str = EMAIL, agency: str = "BTC") -> None:
    assert _subscribe(client, email, agency).status_code == 302
    mail_jobs.wait_for_background(20)
    confirm = _link(inbox.messages[-1][1], "nhan-tin/xac-nhan")
    assert client.post("/" + confirm).status_code == 200


def test_the_whole_journey(client, inbox, agencies):
    btc, bkhdt = agencies
    form = client.get("/nhan-tin?co-quan=BTC").text
    assert '<option selected value="BTC">' in form or '<option value="BTC" selected>' in form
    sent = _subscribe(client)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/nhan-tin/da-gui")
    assert "Hãy kiểm tra hộp thư" in client.get(sent.headers["Location"]).text
    mail_jobs.wait_for_background(20)
    [(recipients, message)] = inbox.messages
    assert recipients == [EMAIL] and "xác nhận" in message["Subject"]
    assert message["List-Unsubscribe"].startswith(f"<{BASE}nhan-tin/huy/")
    confirm = _link(message, "nhan-tin/xac-nhan")
    token = confirm.rsplit("/", 1)[1]
    subscription = db.session.scalar(select(Subscription))
    assert subscription.confirm_token_hash == hashlib.sha256(token.encode()).hexdigest()  # stored hashed
    assert token not in (subscription.confirm_token_hash or "")

    page = client.get("/" + confirm)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200 and "Xác nhận" in page.text
    db.session.refresh(subscription)
    assert subscription.confirmed_at is None
    done = client.post("/" + confirm)
    assert done.status_code == 200 and "Đã xác nhận đăng ký" in done.text
    db.session.refresh(subscription)
    assert subscription.confirmed_at is not None and subscription.confirm_token_hash is None
    replayed = client.post("/" + confirm)
    assert replayed.status_code == 404 and "không hợp lệ hoặc đã được dùng" in replayed.text
    assert len(inbox.messages) == 1, "the consultations published before subscribing are not sent"

    new = _consultation("nd-moi", "Dự thảo Nghị định mới về thuế", btc)
    other = _consultation("nd-khac", "Dự thảo Nghị định của bộ khác", bkhdt)
    assert services.notify_new(new.id) == "thread"
    services.notify_new(other.id)
    mail_jobs.wait_for_background(20)
    assert len(inbox.messages) == 2
    recipients, announcement = inbox.messages[1]
    assert recipients == [EMAIL] and announcement["Subject"] == "Lấy ý kiến dự thảo mới: Dự thảo Nghị định mới về thuế"
    text = announcement.get_content()
    assert f"{BASE}du-thao/nd-moi" in text and "Nghị định · Bộ Tài chính" in text
    assert announcement["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = _link(announcement, "nhan-tin/huy")
    assert announcement["List-Unsubscribe"] == f"<{BASE}{unsubscribe}>"

    services.notify_new(new.id)  # published again, or the periodic check: never twice
    assert services.send_due().sent == 0
    mail_jobs.wait_for_background(20)
    assert len(inbox.messages) == 2

    leave = client.get("/" + unsubscribe)
    assert leave.status_code == 200 and "Hủy đăng ký" in leave.text
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1  # GET changes nothing
    gone = client.post("/" + unsubscribe)
    assert gone.status_code == 200 and "Bạn đã hủy đăng ký" in gone.text
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert db.session.scalar(select(func.count()).select_from(SubscriptionDelivery)) == 0
    assert client.post("/" + unsubscribe).status_code == 200  # a second click: the same page
    later = _consultation("nd-sau", "Dự thảo Nghị định sau khi hủy", btc)
    services.notify_new(later.id)
    mail_jobs.wait_for_background(20)
    assert len(inbox.messages) == 2


def test_an_expired_link_gets_a_clear_page(client, inbox, agencies):
    _subscribe(client)
    mail_jobs.wait_for_background(20)
    confirm = _link(inbox.messages[0][1], "nhan-tin/xac-nhan")
    subscription = db.session.scalar(select(Subscription))
    subscription.confirm_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.post("/" + confirm)
    assert page.status_code == 410 and "đã hết hạn" in page.text and "/nhan-tin" in page.text
    db.session.refresh(subscription)
    assert subscription.confirmed_at is None
    assert client.post("/nhan-tin/xac-nhan/" + "A" * 43).status_code == 404
    assert client.post("/nhan-tin/xac-nhan/" + "x" * 5000).status_code in (404, 414)


def test_expired_unconfirmed_addresses_are_forgotten_by_the_periodic_check(client, inbox, agencies):
    _subscribe(client)
    mail_jobs.wait_for_background(20)
    subscription = db.session.scalar(select(Subscription))
    subscription.requested_at = subscription.confirm_expires_at = utcnow() - timedelta(days=8)
    db.session.commit()
    services.send_due(BASE)
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_the_same_address_twice_is_one_row_and_the_same_answer(client, inbox, agencies):
    first = _subscribe(client, EMAIL)
    second = _subscribe(client, EMAIL.upper())
    mail_jobs.wait_for_background(20)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1
    assert len(inbox.messages) == 1, "no second mail within minutes: no mail bombing an address"
    confirm = _link(inbox.messages[0][1], "nhan-tin/xac-nhan")
    client.post("/" + confirm)
    subscription = db.session.scalar(select(Subscription))
    subscription.requested_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    again = _subscribe(client, EMAIL)  # already subscribed: told nothing different
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 1


@pytest.mark.parametrize("email, message", [
    ("", "Vui lòng nhập địa chỉ e-mail"),
    ("khong-phai-email", "Vui lòng nhập địa chỉ e-mail hợp lệ"),
    ("a\x00b@example.vn", None),  # the boundary drops NUL: stored as ab@example.vn
    ("x" * 300 + "@example.vn", "tối đa 254 ký tự"),
    ("<script>@x.vn", None),
])
def test_bad_addresses_are_refused_in_vietnamese_keeping_the_input(client, inbox, agencies, email, message):
    page = _subscribe(client, email)
    assert page.status_code in (400, 302)
    if message:
        assert page.status_code == 400 and message in page.text
    assert "<script>@" not in page.text
    assert all("\x00" not in address for address in db.session.scalars(select(Subscription.email)))
    if page.status_code == 400 and email.strip() and "\x00" not in email:
        assert email[:40] in page.text


def test_the_form_offers_ministries_in_force_and_agencies_with_consultations(client, agencies):
    db.session.add_all([Organisation(code="BNN", kind="ministry", name="Bộ Nông nghiệp và Phát triển nông thôn",
                                     in_force_until=utcnow().date() - timedelta(days=300)),
                        Organisation(code="BTP", kind="ministry", name="Bộ Tư pháp"),
                        Organisation(code="UBND01", kind="province", name="Ủy ban nhân dân thành phố Hà Nội")])
    db.session.commit()
    form = client.get("/nhan-tin").text
    offered = re.findall(r'<option (?:selected )?value="([^"]*)"', form)
    assert offered == ["", "BKHDT", "BTC", "BTP"]  # merged away in 2025 and a province: not offered


def test_an_unknown_agency_and_the_honeypot_are_refused(client, app, inbox, agencies):
    assert _subscribe(client, agency="KHONG-CO").status_code == 400
    trapped = _subscribe(client, website="http://spam.example")
    assert trapped.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_a_subscription_to_all_agencies_hears_of_every_new_consultation(client, inbox, agencies):
    btc, bkhdt = agencies
    _subscribed_and_confirmed(client, inbox, agency="")
    for organisation in (btc, bkhdt):
        _consultation(f"moi-{organisation.code.lower()}", f"Dự thảo mới của {organisation.name}", organisation)
    result = client.application.test_cli_runner().invoke(args=["subscriptions", "send-due", "--base-url", BASE])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    assert sorted(m["Subject"] for _r, m in inbox.messages[1:]) == [
        "Lấy ý kiến dự thảo mới: Dự thảo mới của Bộ Kế hoạch và Đầu tư",
        "Lấy ý kiến dự thảo mới: Dự thảo mới của Bộ Tài chính"]


def test_a_hidden_consultation_is_announced_when_published_and_a_scheduled_one_without_a_request(
        client, inbox, agencies):
    btc, _ = agencies
    _subscribed_and_confirmed(client, inbox)
    hidden = _consultation("nd-an", "Dự thảo Nghị định chưa công bố", btc, published=False)
    assert services.notify_new(hidden.id) is None
    assert services.send_due(BASE).sent == 0
    hidden.published = True
    hidden.opens_at = utcnow() + timedelta(days=5)  # scheduled: visible, not open yet
    db.session.commit()
    assert services.send_due(BASE).sent == 1
    assert "nd-an" in inbox.messages[-1][1].get_content()
    assert db.session.get(Announcement, hidden.id) is not None


def test_a_refused_message_is_owed_again_and_never_sent_twice(client, app, inbox, agencies):
    btc, _ = agencies
    _subscribed_and_confirmed(client, inbox)
    new = _consultation("nd-moi", "Dự thảo Nghị định mới", btc)
    services.announce(new.id)
    db.session.commit()
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nobody listens
    failed = services.notify(new.id, BASE)
    assert (failed.sent, failed.failed) == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(SubscriptionDelivery)) == 0
    app.config["SMTP_PORT"] = port
    assert services.notify(new.id, BASE).sent == 1
    assert services.notify(new.id, BASE).sent == 0
    [subscription_id] = db.session.scalars(select(Subscription.id)).all()
    assert services.claim(subscription_id, new.id) is False  # the unique pair lets one winner through
    assert len(inbox.messages) == 2


def test_the_privacy_notice_mentions_subscriptions():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "privacy.md").read_text()
    assert "send-due" in text and "unsubscrib" in text.lower()


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "REDIS_URL": None}])
def test_one_click_unsubscribe_works_without_a_form_token(app, client, agencies):
    subscription = Subscription(email=EMAIL, email_key=EMAIL, scope="*", nonce="abc", confirmed_at=utcnow())
    db.session.add(subscription)
    db.session.commit()
    with app.test_request_context("/"):
        token = services.unsubscribe_token(subscription)
    response = client.post(f"/nhan-tin/huy/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert client.post("/nhan-tin", data={"email": EMAIL}).status_code == 400  # the form still needs CSRF


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                                         "RATELIMIT_SUBMIT": "2 per minute", "RATELIMIT_LOOKUP": "3 per minute",
                                         "REDIS_URL": None}])
def test_subscribing_and_link_guessing_are_rate_limited(client, agencies, inbox):
    statuses = [_subscribe(client, f"nguoi{n}@example.vn").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    guesses = [client.get(f"/nhan-tin/xac-nhan/doan-{n}").status_code for n in range(4)]
    assert guesses[:3] == [200] * 3 and guesses[3] == 429


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run on the PostgreSQL leg)")
def test_with_redis_the_announcement_goes_through_an_rq_worker(app, client, inbox, agencies):
    from redis import Redis
    from rq import Queue, SimpleWorker

    btc, _ = agencies
    _subscribed_and_confirmed(client, inbox)
    new = _consultation("nd-moi", "Dự thảo Nghị định mới", btc)
    services.announce(new.id)
    db.session.commit()
    app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    name = f"mail-test-{uuid.uuid4().hex[:8]}"
    connection = Redis.from_url(app.config["REDIS_URL"])
    try:
        mail_jobs.enqueue("consult.mail_jobs.perform", "consult.subscriptions.services.notify", new.id, BASE,
                          queue_name=name)
        SimpleWorker([Queue(name, connection=connection)], connection=connection).work(burst=True)
    finally:
        Queue(name, connection=connection).delete(delete_jobs=True)
    assert len(inbox.messages) == 2 and "nd-moi" in inbox.messages[1][1].get_content()


class _Locks:
    """The part of a Redis connection the worker's turns use: SET NX EX and DEL."""

    def __init__(self):
        self.keys: set[str] = set()

    def set(self, key, _value, nx=False, ex=None):
        if nx and key in self.keys:
            return None
        self.keys.add(key)
        return True

    def delete(self, key):
        self.keys.discard(key)


def test_the_worker_announces_once_per_turn_without_a_request(client, inbox, agencies):
    from consult.worker import run_announcements_if_due

    btc, _ = agencies
    _subscribed_and_confirmed(client, inbox)
    _consultation("nd-moi", "Dự thảo Nghị định mới", btc)  # published directly, never announced
    locks = _Locks()
    assert run_announcements_if_due(locks) == 1
    assert run_announcements_if_due(locks) is None  # another worker within ten minutes: skipped
    assert [m["Subject"] for _r, m in inbox.messages[1:]] == ["Lấy ý kiến dự thảo mới: Dự thảo Nghị định mới"]
