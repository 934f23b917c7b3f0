"""SQL statements per request on the hot paths: the article page, "add to my list", "send my
list" and the API's letter create (issue 10, item 5).

Round trips to the database are what these requests mostly cost; each bound below is the
count reached when they were cut (docs/load-and-faults.md), so a lazy load or a re-read after
a commit that creeps back in fails here. Counted with a SQLAlchemy event listener; SAVEPOINT
and RELEASE count, as they are round trips too. Each request starts with an empty session, as
it does in production (the tests keep one app context open across requests); the provision
tree, which a worker reads once per published version and keeps, is already read.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from consult.extensions import db
from consult.models import Comment, Contribution
from consult.submissions.models import Submission
from tests.factories import make_consultation
from tests.submissions.helpers import make_token, on_roster

ARTICLE = "/du-thao/luat-htx/dieu-3"
MY_LIST = "/du-thao/luat-htx/gop-y-cua-ban"

#: The most statements each request may send (before this work: 5, 10, 8 and 23 on PostgreSQL;
#: add and API create were 5 and 12 before their inserts went without a savepoint, then 3, 5
#: and 8 before the consultation was kept by the process, consult.page_cache.kept_consultation;
#: API create 7 before its letter went as plain INSERTs checking the roster, services.start_letter).
ARTICLE_PAGE = 3
#: The list read and the opinion written in one INSERT … SELECT (2 before, 3 before that).
ADD_COMMENT = 1
#: A first opinion starts the list: one INSERT inside a WITH on PostgreSQL, two on SQLite.
FIRST_OPINION = {"postgresql": 1, "sqlite": 2}
#: The list read, then both UPDATEs in one statement on PostgreSQL (a WITH), two on SQLite.
SEND_LIST = {"postgresql": 2, "sqlite": 3}
API_CREATE = 4


@contextmanager
def counted():
    """Yield a list that collects the statements sent inside the block."""
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    db.session.remove()  # a fresh session, as a new request in production has
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def add(client, body: str = "Đề nghị làm rõ khái niệm thành viên.", form_key: str = "k-1"):
    return client.post(ARTICLE, data={"body": body, "provision": "", "form_key": form_key})


@pytest.fixture()
def consultation(app):
    return make_consultation()


def test_article_page(client, consultation):
    client.get(ARTICLE)  # a worker reads a published version's provision tree once, then keeps it
    with counted() as statements:
        response = client.get(ARTICLE)
    assert response.status_code == 200
    assert len(statements) <= ARTICLE_PAGE, statements


def test_article_page_with_a_list_and_past_the_first_page(client, consultation):
    """A citizen with a list costs one statement more (the list and its comments at once); a
    second page of comments one more again: the count is skipped only when a short first page
    is the whole answer."""
    for number in range(25):
        add(client, f"Ý kiến số {number} về điều này.", f"k-{number}")
    db.session.execute(Comment.__table__.update().values(status="published"))
    db.session.commit()
    for page, shown in (("1", "Ý kiến số 19"), ("2", "Ý kiến số 24")):
        with counted() as statements:
            response = client.get(ARTICLE + "?trang=" + page)
        assert response.status_code == 200
        assert shown in response.get_data(as_text=True)
        assert "25" in response.get_data(as_text=True)
        assert any("count(" in statement.lower() for statement in statements)
        assert len(statements) <= ARTICLE_PAGE + 2, "\n".join(s[:90] for s in statements)


def test_add_comment(client, consultation):
    add(client, form_key="k-0")  # the session already knows a list, as on a second opinion
    with counted() as statements:
        response = add(client)
    assert response.status_code == 302
    assert len(statements) <= ADD_COMMENT, statements
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 2
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 1


def test_first_opinion_starts_its_list(client, consultation):
    client.get(ARTICLE)  # the worker keeps the consultation, as after any earlier visitor
    with counted() as statements:
        response = add(client)
    assert response.status_code == 302
    assert len(statements) <= FIRST_OPINION[db.engine.dialect.name], statements
    started = db.session.scalars(select(Contribution)).one()
    assert started.status == "draft" and started.name == "" and started.created_at is not None
    assert [(c.body, c.status, c.late) for c in started.comments] == [
        ("Đề nghị làm rõ khái niệm thành viên.", "draft", False)]


def test_adding_to_a_long_list_does_not_read_its_comments(client, consultation):
    """The list's comments are what the list page shows; adding one more touches the list's
    row only, so the twentieth opinion costs what the second did."""
    for number in range(20):
        add(client, f"Ý kiến số {number}.", f"k-{number}")
    with counted() as statements:
        response = add(client, "Ý kiến thứ hai mươi mốt.", "k-last")
    assert response.status_code == 302
    assert len(statements) <= ADD_COMMENT, statements
    assert not any("FROM comment" in s or "JOIN comment" in s for s in statements), statements
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 21
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 1


def test_an_opinion_after_the_list_was_sent_starts_a_new_list(client, consultation):
    add(client, form_key="k-0")
    client.post(MY_LIST, data={"respondent_type": "citizen", "province": "01", "name": "", "contact": "",
                               "consent": "y"})
    response = add(client, "Một ý kiến nữa, sau khi đã gửi.", "k-after")
    assert response.status_code == 302 and response.headers["Location"].endswith("/gop-y-cua-ban")
    lists = db.session.scalars(select(Contribution).order_by(Contribution.id)).all()
    assert [(c.status, len(c.comments)) for c in lists] == [("submitted", 1), ("draft", 1)]
    assert lists[1].comments[0].body == "Một ý kiến nữa, sau khi đã gửi."


def test_send_list(client, consultation):
    add(client)
    with counted() as statements:
        response = client.post(MY_LIST, data={"respondent_type": "citizen", "province": "01",
                                              "name": "", "contact": "", "consent": "y"})
    assert response.status_code == 302
    assert len(statements) <= SEND_LIST[db.engine.dialect.name], statements
    sent = db.session.scalar(select(Contribution))
    assert sent.status == "submitted" and sent.receipt_code in response.headers["Location"]


def test_api_create(client, consultation):
    (organisation,) = on_roster(consultation, "BTC")
    token = make_token(organisation)
    client.get(ARTICLE)  # the provision tree, read once per worker
    letter = {"letter_number": "88/BTC-PC", "letter_date": "2022-09-05", "signer_name": "Lê Văn Cường",
              "signer_title": "Thứ trưởng", "opinions": [{"article": "3", "body": "Đề nghị bổ sung."}]}
    with counted() as statements:
        response = client.post("/api/v1/consultations/luat-htx/submissions", json=letter,
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.data[:500]
    assert len(statements) <= API_CREATE, "\n".join(s[:90] for s in statements)
    body = response.get_json()
    stored = db.session.get(Submission, body["id"])
    assert body["organisation"]["code"] == "BTC" and body["opinions"][0]["article"] == "3"
    assert body["opinions"][0]["id"] == stored.opinions[0].id
    assert stored.letter_number == "88/BTC-PC"


def test_api_create_commits_once(client, consultation):
    """The token's last use (due: never written) goes in the letter's commit, not one of its own."""
    (organisation,) = on_roster(consultation, "BTC")
    token = make_token(organisation)
    commits: list[int] = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    with counted() as statements:
        event.listen(db.engine, "commit", listener)
        try:
            response = client.post("/api/v1/consultations/luat-htx/submissions", json={
                "letter_number": "88/BTC-PC", "letter_date": "2022-09-05", "signer_name": "Lê Văn Cường",
                "signer_title": "Thứ trưởng", "no_comment": True}, headers={"Authorization": f"Bearer {token}"})
        finally:
            event.remove(db.engine, "commit", listener)
    assert response.status_code == 201, response.data[:500]
    assert len(commits) == 1, statements
    assert any(s.lstrip().upper().startswith("UPDATE API_TOKEN") for s in statements), statements
