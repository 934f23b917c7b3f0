"""Answering the public: the answers page, the outcomes on receipts, and the one e-mail."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import select

from consult import answer_mail, answers, decisions, drafts
from consult.comments import new_receipt_code
from consult.demo import demo_draft_text
from consult.extensions import db
from consult.models import AuditEvent, Contribution, utcnow
from tests.consult.decision_factories import comment, comments, drafter, letter, organisation
from tests.consult.version_texts import demo_version_2
from tests.factories import login, make_consultation
from tests.mail import free_port, start_smtp as _smtp

NAME, EMAIL, PHONE = "Trần Thị Bí Mật", "bi.mat@example.vn", "0912345678"
BASE = "http://gopy.example.vn/"


def _named(made, name: str = NAME, contact: str = EMAIL):
    contribution = made.contribution
    contribution.name, contribution.contact, contribution.consent_at = name, contact, utcnow()
    contribution.receipt_code = new_receipt_code()  # a real code, as the receipt page reads it
    db.session.commit()
    return contribution


def _decide(opinions, outcome, reason):
    decisions.decide(opinions, outcome, reason, None)
    db.session.commit()


@pytest.fixture()
def app_config():
    """Background retries without the production pauses, so no thread outlives its test; no
    Redis unless a test asks for it (a queued job would wait for a worker that is not there)."""
    return {"ANSWERS_MAIL_RETRY_WAITS": (0,), "REDIS_URL": None}


@pytest.fixture()
def consultation(app):
    """The demo draft with a named citizen's opinion, a campaign of 3 copies and a ministry's letter."""
    found = make_consultation(text=demo_draft_text())
    own = comment(found, "dieu-12", "Đề nghị giữ mức trần 20% vốn điều lệ.")
    _named(own)
    campaign = comments(found, "dieu-12", "Bỏ giới hạn vốn góp.", 3)
    body = organisation("BTC", name="Bộ Tài chính")
    sent = letter(found, body, [("dieu-12-khoan-1", "Bộ Tài chính đề nghị nâng mức trần.")], number="12/BTC-PC")
    _decide([own], "not_accepted", "Mức trần bảo đảm tính tương trợ.")
    _decide(campaign, "explained", "Giới hạn vốn góp là nguyên tắc của hợp tác xã.")
    _decide(sent.opinions, "accepted", "")
    return found


def test_the_answers_page_is_hidden_until_published_then_linked(client, consultation):
    slug = consultation.slug
    assert client.get(f"/du-thao/{slug}/tiep-thu-giai-trinh").status_code == 404
    assert "tiep-thu-giai-trinh" not in client.get(f"/du-thao/{slug}").text
    assert "tiep-thu-giai-trinh" not in client.get(f"/du-thao/{slug}/dieu-12").text
    login(client, drafter())
    response = client.post(f"/quan-tri/xu-ly/{slug}/cong-bo")
    assert response.status_code == 302
    answer_mail.wait_for_background(10)
    assert consultation.answers_published_at is not None
    assert db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "answers.publish")).all() \
        == ["answers.publish"]
    assert client.post(f"/quan-tri/xu-ly/{slug}/cong-bo").status_code == 302  # a second time: no change
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answers.publish")).all()) == 1
    assert f"/du-thao/{slug}/tiep-thu-giai-trinh" in client.get(f"/du-thao/{slug}").text
    assert f"/du-thao/{slug}/tiep-thu-giai-trinh#tl-dieu-12" in client.get(f"/du-thao/{slug}/dieu-12").text


def test_six_publishings_at_once_publish_once_and_record_one_audit_event(app, client, consultation):
    """A double click (or two team members) publishing at once: one conditional UPDATE wins,
    one audit event, never a 500."""
    from tests.races import cookie_of, race, statuses

    login(client, drafter())
    slug = consultation.slug
    results = race(app, lambda twin: twin.post(f"/quan-tri/xu-ly/{slug}/cong-bo"), cookie=cookie_of(client))
    answer_mail.wait_for_background(10)
    assert statuses(results) == [302] * 6
    db.session.expire_all()
    assert consultation.answers_published_at is not None
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answers.publish")).all()) == 1


def test_publishing_a_stale_copy_of_a_published_consultation_changes_nothing(app, consultation):
    """The object read before another publishing committed still says unpublished: the
    conditional UPDATE finds no row to change, so nothing is recorded and the stamp stays."""
    assert answers.publish(consultation, None)
    db.session.commit()
    first = consultation.answers_published_at
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(consultation, "answers_published_at", None)  # as read before the other commit
    assert answers.publish(consultation, None) is False
    db.session.commit()
    assert consultation.answers_published_at == first
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "answers.publish")).all()) == 1


def test_only_the_drafting_team_publishes(client, consultation):
    assert client.post(f"/quan-tri/xu-ly/{consultation.slug}/cong-bo").status_code in (302, 401, 403)
    assert consultation.answers_published_at is None


def test_the_page_counts_outcomes_groups_copies_and_names_organisations_not_citizens(client, consultation):
    answers.publish(consultation, None)
    db.session.commit()
    page = client.get(f"/du-thao/{consultation.slug}/tiep-thu-giai-trinh").text
    assert "Bộ Tài chính" in page and "12/BTC-PC" in page
    assert "× 3" in page and page.count("Bỏ giới hạn vốn góp.") == 1
    assert "Giới hạn vốn góp là nguyên tắc của hợp tác xã." in page
    assert "Mức trần bảo đảm tính tương trợ." in page
    own = db.session.scalar(select(Contribution).where(Contribution.name == NAME))
    for secret in (NAME, EMAIL, own.receipt_code):
        assert secret not in page
    [article] = answers.public_answers(consultation)
    assert article.opinions == 5
    assert {key: n for key, n in article.counts.items() if n} == {"accepted": 1, "explained": 3, "not_accepted": 1}


def test_the_receipt_shows_the_answer_on_the_article_in_force_only_once_published(client, consultation):
    own = db.session.scalar(select(Contribution).where(Contribution.name == NAME))
    receipt = f"/bien-nhan/{own.receipt_code}"
    assert "Mức trần bảo đảm tính tương trợ." not in client.get(receipt).text
    drafts.publish_version(drafts.create_version(consultation.draft, demo_version_2(), "v2.txt"))
    answers.publish(consultation, None)
    db.session.commit()
    page = client.get(receipt).text
    assert "Mức trần bảo đảm tính tương trợ." in page and "Không tiếp thu" in page
    # Điều 12 of version 1 is Điều 13 of version 2: an article was inserted before it
    assert "Điều 13 (phiên bản 2)" in page


def test_one_message_to_each_e_mail_contact_never_twice(app, consultation):
    phone = comment(consultation, "dieu-12", "Ý kiến có số điện thoại.")
    _named(phone, "Lê Văn Thoại", PHONE)
    answers.publish(consultation, None)
    db.session.commit()
    controller, inbox = _smtp(app)
    try:
        first = answer_mail.notify(consultation.id, BASE)
        again = answer_mail.notify(consultation.id, BASE)
    finally:
        controller.stop()
    assert (first.sent, first.failed, again.sent) == (1, 0, 0)
    [(recipients, message)] = inbox.messages
    assert recipients == [EMAIL]
    text = message.get_content()
    own = db.session.scalar(select(Contribution).where(Contribution.name == NAME))
    assert f"{BASE}bien-nhan/{own.receipt_code}" in text and "tiep-thu-giai-trinh" in text
    assert "công bố" in message["Subject"]
    assert own.answers_mailed_at is not None


def test_nothing_is_sent_before_publishing_or_without_consent(app, consultation):
    assert answer_mail.owed(consultation.id) == []
    answers.publish(consultation, None)
    own = db.session.scalar(select(Contribution).where(Contribution.name == NAME))
    own.consent_at = None
    db.session.commit()
    assert answer_mail.owed(consultation.id) == []


def test_a_failed_message_is_owed_again_and_sent_by_the_retry(app, consultation):
    answers.publish(consultation, None)
    db.session.commit()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens
    failed = answer_mail.notify(consultation.id, BASE)
    assert (failed.sent, failed.failed) == (0, 1)
    own = db.session.scalar(select(Contribution).where(Contribution.name == NAME))
    db.session.refresh(own)
    assert own.answers_mailed_at is None and answer_mail.owed(consultation.id) == [own.id]
    controller, inbox = _smtp(app)
    try:
        retried = answer_mail.with_retries(consultation.id, BASE, waits=(0,))
    finally:
        controller.stop()
    assert retried.sent == 1 and len(inbox.messages) == 1


def test_a_sending_claimed_by_another_process_is_not_sent_again(app, consultation):
    answers.publish(consultation, None)
    db.session.commit()
    own = db.session.scalar(select(Contribution).where(Contribution.name == NAME))
    assert answer_mail.claim(own.id) is True
    assert answer_mail.claim(own.id) is False  # the conditional UPDATE lets one winner through


def test_publishing_from_the_page_mails_in_the_background(app, client, consultation):
    controller, inbox = _smtp(app)
    try:
        login(client, drafter())
        client.post(f"/quan-tri/xu-ly/{consultation.slug}/cong-bo")
        answer_mail.wait_for_background(20)
    finally:
        controller.stop()
    assert [recipients for recipients, _ in inbox.messages] == [[EMAIL]]


def test_the_cli_sends_what_is_owed(app, consultation):
    answers.publish(consultation, None)
    db.session.commit()
    controller, inbox = _smtp(app)
    try:
        result = app.test_cli_runner().invoke(args=["answers", "notify", consultation.slug, "--base-url", BASE])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output and len(inbox.messages) == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run on the PostgreSQL leg)")
def test_with_redis_the_message_goes_through_an_rq_worker(app, consultation):
    from redis import Redis
    from rq import Queue, SimpleWorker

    app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    answers.publish(consultation, None)
    db.session.commit()
    controller, inbox = _smtp(app)
    name = f"mail-test-{uuid.uuid4().hex[:8]}"
    connection = Redis.from_url(app.config["REDIS_URL"])
    try:
        answer_mail.enqueue(consultation.id, BASE, queue_name=name)
        SimpleWorker([Queue(name, connection=connection)], connection=connection).work(burst=True)
    finally:
        controller.stop()
        Queue(name, connection=connection).delete(delete_jobs=True)
    assert len(inbox.messages) == 1


def test_two_processes_sending_at_once_send_one_message(app, consultation):
    """Two workers (here threads, each with its own session) run the same round together."""
    import threading

    for number in range(5):
        _named(comment(consultation, "dieu-12", f"Ý kiến số {number}."), f"Người {number}", f"nguoi{number}@example.vn")
    answers.publish(consultation, None)
    db.session.commit()
    controller, inbox = _smtp(app)
    start = threading.Barrier(2)
    consultation_id = consultation.id  # read here: two threads refreshing the expired object collide

    def run():
        with app.app_context():
            start.wait()
            try:
                answer_mail.notify(consultation_id, BASE)
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
    recipients = sorted(address for addresses, _ in inbox.messages for address in addresses)
    assert recipients == sorted([EMAIL] + [f"nguoi{n}@example.vn" for n in range(5)])


def test_the_team_page_offers_publishing_then_links_the_public_page(client, consultation):
    login(client, drafter())
    page = client.get(f"/quan-tri/xu-ly/{consultation.slug}").text
    assert 'id="publish-answers"' in page
    answers.publish(consultation, None)
    db.session.commit()
    page = client.get(f"/quan-tri/xu-ly/{consultation.slug}").text
    assert 'id="publish-answers"' not in page and "/tiep-thu-giai-trinh" in page
    english = client.get(f"/du-thao/{consultation.slug}/tiep-thu-giai-trinh?lang=en").text
    assert "How the opinions were taken in" in english and "Not accepted" in english
