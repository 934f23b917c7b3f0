"""The decisions page of one article in pages of groups: counts for the whole article on every
page, identical opinions grouped across pages, and a decision that reaches only what was shown."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult import decisions
from consult.extensions import db
from consult.models import Comment, Decision
from tests.consult.decision_factories import comments_saying, drafter
from tests.factories import login, make_consultation

CAMPAIGN = "Đề nghị bỏ mức trần 30% khi chia thu nhập theo vốn góp."
DISTINCT = 250
COPIES = 30


def distinct_text(number: int) -> str:
    return f"Ý kiến riêng số {number:03d} về Điều 3."


@pytest.fixture()
def article(app, client):
    """250 distinct opinions and a campaign of 30 copies on Điều 3, in one commit. The campaign's
    first copy comes after 150 distinct opinions, so its group is the 151st: on page 2."""
    consultation = make_consultation()
    texts = [distinct_text(n) for n in range(DISTINCT)]
    bodies = texts[:150] + [CAMPAIGN] + texts[150:] + [CAMPAIGN] * (COPIES - 1)
    made = comments_saying(consultation, "dieu-3", bodies)
    login(client, drafter())
    client.get("/?lang=en")
    return consultation, {comment.body: comment for comment in made}, made


def url(consultation, query: str = "") -> str:
    return f"/quan-tri/xu-ly/{consultation.slug}/dieu-3{query}"


def counts(page: str) -> tuple[str, str, str]:
    return re.search(r'id="counts" data-opinions="(\d+)" data-decided="(\d+)" data-undecided="(\d+)"',
                     page).groups()


def page_range(page: str) -> tuple[str, str, str]:
    return re.search(r'id="page-range" data-first="(\d+)" data-last="(\d+)" data-total="(\d+)"', page).groups()


def decided() -> int:
    return db.session.scalar(select(func.count(Comment.id)).where(Comment.decision_id.is_not(None)))


def test_page_two_shows_the_next_groups_with_the_whole_articles_counts(client, article):
    consultation, by_text, _ = article
    page = client.get(url(consultation, "?trang=2")).text
    assert page_range(page) == ("101", "200", "251")
    assert counts(page) == (str(DISTINCT + COPIES), "0", str(DISTINCT + COPIES))
    assert f'action="{url(consultation, "?trang=2")}" id="decide-form"' in page  # decided on this page
    assert distinct_text(100) in page and distinct_text(198) in page
    assert distinct_text(99) not in page and distinct_text(199) not in page
    # The campaign is one group holding all 30 copies, though most were sent after page 2's texts.
    assert page.count(CAMPAIGN) == 1 and "× 30" in page
    assert "?trang=3" in page and "?trang=1" in page and 'aria-current="page" aria-label="Page 2"' in page
    last = client.get(url(consultation, "?trang=3")).text
    assert page_range(last) == ("201", "251", "251") and distinct_text(249) in last


@pytest.mark.parametrize("asked, shown", [("abc", "1"), ("0", "1"), ("-4", "1"), ("99", "3"),
                                          ("9" * 30, "3")])
def test_a_page_number_out_of_range_shows_the_nearest_page(client, article, asked, shown):
    consultation = article[0]
    response = client.get(url(consultation, f"?trang={asked}"))
    assert response.status_code == 200
    first = {"1": "1", "3": "201"}[shown]
    assert page_range(response.text)[0] == first


def test_deciding_on_page_two_reaches_only_the_ticked_opinions_and_comes_back_there(client, article):
    consultation, by_text, made = article
    campaign = [comment for comment in made if comment.body == CAMPAIGN]
    chosen = by_text[distinct_text(120)]
    response = client.post(url(consultation, "?trang=2"), data={
        "opinion": [" ".join(f"c{c.id}" for c in campaign), f"c{chosen.id}"],
        "outcome": "explained", "reason": "Giữ mức trần để bảo đảm bản chất HTX."})
    assert response.status_code == 302 and response.headers["Location"].endswith("?trang=2")
    db.session.expire_all()
    assert decided() == COPIES + 1
    assert {c.decision_id for c in campaign} == {chosen.decision_id} != {None}
    first = client.get(url(consultation)).text
    assert counts(first) == (str(DISTINCT + COPIES), str(COPIES + 1), str(DISTINCT - 1))
    # Only undecided: 249 groups left, the third page holds the last 49.
    last = client.get(url(consultation, "?undecided=1&trang=3")).text
    assert page_range(last) == ("201", "249", "249")


def test_an_opinion_not_on_the_page_decided_on_is_never_decided(client, article):
    consultation, by_text, _ = article
    on_two, on_one = by_text[distinct_text(120)], by_text[distinct_text(5)]
    for ticked in ([f"c{on_one.id}"], [f"c{on_two.id}", f"c{on_one.id}"]):
        response = client.post(url(consultation, "?trang=2"), data={
            "opinion": ticked, "outcome": "explained", "reason": "Lý do đã gõ"})
        assert response.status_code == 422
        assert "no longer on this page" in response.text and "Lý do đã gõ" in response.text
        assert page_range(response.text)[0] == "101"
    assert decided() == 0 and db.session.scalar(select(func.count(Decision.id))) == 0


def test_pages_follow_the_filter_as_decisions_take_groups_off_it(client, article):
    """In "undecided only", deciding page 1 moves later groups up: a form still holding a group
    that moved to page 1 is refused on page 2 rather than applied unseen."""
    consultation, by_text, _ = article
    page_one = decisions.article_opinions(consultation, "dieu-3").page(1, undecided_only=True)
    stale = by_text[distinct_text(100)]  # first on page 2, moves to page 1 once page 1 is decided
    decisions.decide(page_one.opinions, "accepted", "", None)
    db.session.commit()
    response = client.post(url(consultation, "?undecided=1&trang=2"), data={
        "opinion": f"c{stale.id}", "outcome": "accepted"})
    assert response.status_code == 422 and "no longer on this page" in response.text
    assert client.get(url(consultation, "?undecided=1")).text.count(distinct_text(100)) == 1


def test_group_page_links_the_ends_and_the_neighbours(app):
    scope = decisions.ArticleOpinions(None, None)
    page = decisions.GroupPage(groups=[], number=6, pages=12, total=1200, offset=500)
    assert page.nearby() == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert scope.page(5).number == 1 and scope.page(5).pages == 1 and scope.page(5).first == 0
