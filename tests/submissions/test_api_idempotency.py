"""``Idempotency-Key`` on the API's create endpoint: a retry replays the first answer and creates
nothing; another body with the same key is refused; two at once make one letter."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from consult.api.idempotency import IdempotencyKey
from consult.extensions import db
from consult.models import utcnow
from consult.submissions.models import Submission
from tests.submissions.test_api import LETTER, assert_problem, auth, setup  # noqa: F401  (fixture)

URL = "/api/v1/consultations/luat-htx/submissions"


def _create(client, token, key, payload=None, **kwargs):
    return client.post(URL, json=LETTER if payload is None else payload,
                       headers={**auth(token), "Idempotency-Key": key}, **kwargs)


def _letters() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def test_a_retry_with_the_same_key_replays_the_first_answer(client, setup):
    token = setup[3]
    first = _create(client, token, "khoa-1")
    again = _create(client, token, "khoa-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert _letters() == 1


def test_the_same_json_written_differently_is_the_same_request(client, setup):
    token = setup[3]
    first = _create(client, token, "khoa-2")
    spaced = client.post(URL, data='{ "opinions": %s,\n "signer_title": "Thứ trưởng", "signer_name": "Lê Văn Cường",'
                         ' "letter_date": "2022-09-05", "letter_number": "88/BTC-PC" }'
                         % __import__("json").dumps(LETTER["opinions"]),
                         headers={**auth(token), "Idempotency-Key": "khoa-2", "Content-Type": "application/json"})
    assert spaced.status_code == 201 and spaced.get_json()["id"] == first.get_json()["id"]
    assert _letters() == 1


def test_the_same_key_with_another_body_is_refused(client, setup):
    token = setup[3]
    _create(client, token, "khoa-3")
    other = assert_problem(_create(client, token, "khoa-3", {**LETTER, "letter_number": "99/BTC"}), 422)
    assert other["type"].endswith("idempotency-key-reused")
    assert _letters() == 1


def test_without_a_key_nothing_changes(client, setup):
    token = setup[3]
    assert client.post(URL, json=LETTER, headers=auth(token)).status_code == 201
    assert_problem(client.post(URL, json=LETTER, headers=auth(token)), 409)  # a draft exists
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_keys_belong_to_one_organisation(client, setup):
    from tests.submissions.helpers import make_token

    _consultation, _btc, btp, token = setup
    assert _create(client, token, "chung").status_code == 201
    other = _create(client, make_token(btp), "chung")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert _letters() == 2


def test_a_refused_request_frees_its_key_for_the_corrected_one(client, setup):
    token = setup[3]
    bad = {**LETTER, "opinions": [{"article": "999", "body": "Điều không có"}]}
    assert_problem(_create(client, token, "sua-lai", bad), 422)
    fixed = _create(client, token, "sua-lai")
    assert fixed.status_code == 201 and _letters() == 1


def test_invalid_keys_are_refused(client, setup):
    token = setup[3]
    for key in ("", " ", "k" * 256, "khóa"):
        body = assert_problem(client.post(URL, json=LETTER, headers={**auth(token), "Idempotency-Key": key.encode(
            "utf-8").decode("latin-1")}), 400)
        assert body["type"].endswith("invalid-idempotency-key")
    assert _letters() == 0


def test_a_key_older_than_a_day_is_forgotten(client, setup):
    token = setup[3]
    first = _create(client, token, "cu")
    db.session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    again = _create(client, token, "cu")
    assert "Idempotent-Replayed" not in again.headers
    assert_problem(again, 409)  # the view ran again: it found the draft the first request made
    assert first.status_code == 201


def test_two_simultaneous_requests_with_one_key_make_one_letter(app, setup):
    token = setup[3]
    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = app.test_client()
        barrier.wait()
        response = _create(client, token, "cung-luc")
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    db.session.rollback()
    assert len(answers) == 2 and _letters() == 1
    assert sorted(status for status, _ in answers) == [201, 201]
    assert answers[0][1] == answers[1][1]


def test_a_claim_left_by_a_dead_request_is_taken_over(client, setup, app):
    app.config["IDEMPOTENCY_STALE_SECONDS"] = 60
    _consultation, btc, _btp, token = setup
    db.session.add(IdempotencyKey(organisation_id=btc.id, key="bo-do", request_hash="x" * 64,
                                  created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    assert _create(client, token, "bo-do").status_code == 201 and _letters() == 1


def test_a_body_nested_past_pythons_limit_is_refused_not_a_500(client, setup):
    token = setup[3]
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post(URL, data=deep, content_type="application/json",
                         headers={**auth(token), "Idempotency-Key": "khoa-sau"})
    assert 400 <= answer.status_code < 500 and _letters() == 0
