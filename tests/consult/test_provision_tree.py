"""A published version's provision tree is read once per application and kept as plain data;
an article's published comments are counted and paged in SQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from consult import provision_tree
from consult.extensions import db
from consult.models import Comment, Contribution, Provision, utcnow
from tests.factories import make_consultation


@pytest.fixture()
def statements(app):
    """The SQL statements run while the test looks."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def _provision_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if "FROM provision" in s)


def test_a_published_tree_is_read_once_and_holds_no_orm_objects(app, statements):
    version = make_consultation().draft.current_version
    before = _provision_reads(statements)  # importing and publishing read provisions too
    first = provision_tree.tree_of(version)
    reads = _provision_reads(statements) - before
    again = provision_tree.tree_of(version)
    assert again is first
    assert _provision_reads(statements) - before == reads == 1
    assert not any(isinstance(node, Provision) for node in first.nodes)
    article = first.article("dieu-3")
    assert [c.anchor for c in first.children[article.id]] == ["dieu-3-khoan-1", "dieu-3-khoan-2"]
    point = first.by_anchor["dieu-3-khoan-2-diem-dd"]
    assert point.parent.parent is article
    assert first.article_ids[point.id] == article.id
    assert sorted(first.subtree_ids(article)) == sorted(
        n.id for n in first.nodes if n.anchor.startswith("dieu-3"))


def test_an_unpublished_version_is_read_fresh_each_time(app, statements):
    version = make_consultation().draft.current_version
    version.published_at = None
    before = _provision_reads(statements)
    provision_tree.tree_of(version)
    provision_tree.tree_of(version)
    assert _provision_reads(statements) - before == 2


def test_a_republished_version_is_read_again(app):
    version = make_consultation().draft.current_version
    first = provision_tree.tree_of(version)
    version.published_at = version.published_at + timedelta(seconds=1)
    assert provision_tree.tree_of(version) is not first


def test_a_clause_comment_names_its_clause_from_the_tree(client):
    consultation = make_consultation()
    _published_comments(consultation, "dieu-3-khoan-2-diem-a", 1)
    page = client.get("/du-thao/luat-htx/dieu-3")
    assert "Điểm a khoản 2 Điều 3" in page.text


def _published_comments(consultation, anchor: str, count: int, later: int = 0) -> None:
    """``count`` published comments on ``anchor``, a second apart, ``later`` minutes on."""
    version = consultation.draft.current_version
    provision = next(p for p in version.provisions if p.anchor == anchor)
    contribution = Contribution(consultation=consultation, token=f"t-{anchor}", status="submitted")
    start = utcnow() - timedelta(hours=1) + timedelta(minutes=later)
    db.session.add_all(
        Comment(contribution=contribution, consultation=consultation, provision=provision,
                body=f"Ý kiến {anchor} số {i:03d}", body_normalized=f"ý kiến {anchor} số {i:03d}", status="published",
                form_key=f"{anchor}-{i}", created_at=start + timedelta(seconds=i))
        for i in range(count))
    db.session.commit()


def test_an_article_shows_its_comments_a_page_at_a_time(client):
    consultation = make_consultation()
    _published_comments(consultation, "dieu-2", 15)
    _published_comments(consultation, "dieu-2-khoan-1", 10, later=5)
    _published_comments(consultation, "dieu-3", 4)
    first = client.get("/du-thao/luat-htx/dieu-2")
    assert "25 góp ý đã công bố" in first.text
    assert first.text.count('class="comment"') == 20
    assert "Ý kiến dieu-2 số 000" in first.text and "trang=2" in first.text
    assert "Ý kiến dieu-2-khoan-1 số 004" in first.text
    assert "Ý kiến dieu-2-khoan-1 số 005" not in first.text and "dieu-3 số" not in first.text
    second = client.get("/du-thao/luat-htx/dieu-2?trang=2")
    assert second.text.count('class="comment"') == 5
    assert "Ý kiến dieu-2-khoan-1 số 009" in second.text
    assert "Ý kiến dieu-2 số 000" not in second.text
    beyond = client.get("/du-thao/luat-htx/dieu-2?trang=99")
    assert beyond.status_code == 200 and beyond.text.count('class="comment"') == 5
