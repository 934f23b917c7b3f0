"""The hot public inserts without a savepoint (``races.insert_or_find(first_write=True)``):
when a twin request stored the row first, the whole transaction is rolled back and the
winner's row is the answer, with nothing left behind (issue 10, items 1 and 5)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult import comments, races
from consult.extensions import db
from consult.models import Comment, Contribution
from consult.submissions import services
from consult.submissions.models import Submission
from tests.factories import make_consultation
from tests.submissions.helpers import make_organisation, on_roster


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def consultation(app):
    return make_consultation()


def test_a_twin_comment_gives_the_winner_and_leaves_no_empty_list(consultation):
    winner, created = comments.add_comment(consultation, None, None, "Ý kiến thứ nhất", "twin-key",
                                           first_write=True)
    assert created
    db.session.commit()
    winner_id, list_id = winner.id, winner.contribution_id
    # the twin's session knows no list: without the savepoint its new list and comment are
    # both in the failed flush, and both go with the rollback
    again, created = comments.add_comment(consultation, None, None, "Ý kiến thứ nhất", "twin-key",
                                          first_write=True)
    assert not created
    assert (again.id, again.contribution_id) == (winner_id, list_id)
    db.session.commit()
    assert count(Comment) == 1
    assert count(Contribution) == 1


def test_a_first_write_with_changes_pending_keeps_the_savepoint(consultation):
    """Something already waiting in the session must not be undone by a twin's conflict."""
    comments.add_comment(consultation, None, None, "Ý kiến thứ nhất", "twin-key")
    db.session.commit()
    pending = comments.start_contribution(consultation)  # not flushed yet
    again, created = comments.add_comment(consultation, None, None, "Ý kiến thứ nhất", "twin-key",
                                          first_write=True)
    assert not created
    db.session.commit()
    assert pending.id is not None  # kept: only the savepoint was rolled back
    assert count(Contribution) == 2


def test_an_unexplained_conflict_is_raised_not_hidden(consultation):
    from sqlalchemy.exc import IntegrityError

    comments.add_comment(consultation, None, None, "Ý kiến", "key-one")
    db.session.commit()
    with pytest.raises(IntegrityError):
        races.insert_or_find(lambda: _duplicate_comment(consultation), lambda: None, first_write=True)
    db.session.rollback()


def _duplicate_comment(consultation):
    comment = Comment(contribution=comments.start_contribution(consultation), consultation=consultation,
                      body="x", body_normalized="x", form_key="key-one", status="draft")
    db.session.add(comment)
    return comment


def test_a_released_savepoint_is_undone_by_the_requests_rollback(consultation):
    """On SQLite, pysqlite had not begun the transaction when only reads came before, so the
    savepoint's RELEASE committed for good; both databases must undo it with the request."""
    before = count(Contribution)
    db.session.scalar(select(func.count()).select_from(Comment))  # the request has only read
    with db.session.begin_nested():
        comments.start_contribution(consultation)
    db.session.rollback()
    assert count(Contribution) == before


def test_a_twin_letter_made_in_one_go_gives_the_winners_draft_without_a_savepoint(consultation):
    """``services.start_letter`` (the API's create) looks nothing up first: a twin's INSERT
    meets the one-draft constraint, its transaction is rolled back (no SAVEPOINT) and the
    winner's draft id is the answer, with no opinion of the loser's left behind."""
    from sqlalchemy import event

    organisation = make_organisation()
    on_roster(consultation, organisation.code)
    db.session.commit()
    version = services.current_version(consultation)

    def letter(number, body):
        return services.start_letter(consultation, organisation, letter_number=number, letter_date=None,
                                     signer_name="A", signer_title="B", no_comment=False,
                                     opinions=[(services.resolve_node(version, "3"), body)])

    first, created = letter("1/BTC", "Ý kiến thứ nhất")
    assert created and first.opinions[0].provision.anchor == "dieu-3"
    db.session.commit()
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        second, created = letter("2/BTC", "Ý kiến của bản sao")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert not created and second == first.id
    assert not any("SAVEPOINT" in statement.upper() for statement in statements), statements
    db.session.commit()
    assert count(Submission) == 1
    stored = db.session.get(Submission, first.id)
    assert stored.letter_number == "1/BTC" and [o.body for o in stored.opinions] == ["Ý kiến thứ nhất"]
