"""The consultation kept by each process for the public POSTs (consult.page_cache.kept_consultation):
no query for it while kept, and no opinion taken on a state the process already knows is gone."""
from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select, text

from consult import page_cache
from consult.extensions import db
from consult.models import Comment, Consultation, utcnow
from tests.factories import make_consultation

ARTICLE = "/du-thao/luat-htx/dieu-3"


def add(client, form_key: str, body: str = "Đề nghị làm rõ khái niệm thành viên."):
    return client.post(ARTICLE, data={"body": body, "provision": "", "form_key": form_key})


def comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


@pytest.fixture()
def consultation(app):
    return make_consultation()


def test_a_kept_consultation_is_not_read_again(client, consultation):
    assert add(client, "k-0").status_code == 302  # the first request reads and keeps it
    statements: list[str] = []
    db.session.remove()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert add(client, "k-1").status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements and not any("FROM consultation" in s for s in statements), statements
    assert comments() == 2


def test_closing_in_this_process_refuses_the_next_opinion_at_once(client, consultation):
    assert add(client, "k-0").status_code == 302
    consultation = db.session.get(Consultation, consultation.id)
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()  # empties the process's kept pages and consultations
    response = add(client, "k-1", "Ý kiến sau khi đóng.")
    assert response.status_code == 200  # the page again, with the closed message
    assert comments() == 1


def test_unpublishing_in_this_process_is_a_404_at_once(client, consultation):
    assert add(client, "k-0").status_code == 302
    db.session.get(Consultation, consultation.id).published = False
    db.session.commit()
    assert add(client, "k-1").status_code == 404
    assert comments() == 1


def test_a_change_by_another_process_is_seen_once_the_copy_is_old(client, consultation, monkeypatch, app):
    assert add(client, "k-0").status_code == 302
    # Another process closes it: a commit this process's cache does not hear of.
    db.session.execute(text("UPDATE consultation SET closes_at = :at WHERE id = :id"),
                       {"at": utcnow() - timedelta(minutes=1), "id": consultation.id})
    db.session.commit()
    db.session.remove()
    real = time.monotonic
    monkeypatch.setattr(page_cache, "time", SimpleNamespace(
        monotonic=lambda: real() + app.config["PAGE_CACHE_SECONDS"] + 0.1))
    add(client, "k-1", "Ý kiến sau khi đóng.")
    assert comments() == 1


def test_the_same_form_twice_is_stored_once_with_a_kept_consultation(client, consultation):
    assert add(client, "k-0").status_code == 302
    first, second = add(client, "k-1", "Hai lần."), add(client, "k-1", "Hai lần.")
    assert first.status_code == second.status_code == 302
    assert comments() == 2
