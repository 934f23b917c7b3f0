"""Skipped (shown, left empty) and not shown (hidden by show-if), written by the answering pages
and counted by the tallies.

Four citizens answer the same survey through the answering pages (no JavaScript, so the pages
send which questions they showed). ``coop_size`` shows when ``is_member`` is "co"; so does the
whole of page 2 (``needs``); ``opinion`` on page 3 is always shown.

=====  ==========================================  ==========  =========  ============
who    what they do                                coop_size   needs      opinion
=====  ==========================================  ==========  =========  ============
A      member, leaves everything else empty        skipped     skipped    skipped
B      not a member, writes an opinion             not shown   not shown  answered
C      member, answers, goes back and clears them  skipped     skipped    skipped
D      member, answers, then says "not a member"   not shown   not shown  skipped
=====  ==========================================  ==========  =========  ============
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from analysis.tallies import summarise_survey
from consult.extensions import db
from surveys.models import Answer, Question, Response
from tests.surveys.factories import make_survey

SLUG = "thanh-vien-htx"
IF_MEMBER = "${is_member} = 'co'"


@pytest.fixture()
def survey(app):
    survey = make_survey(SLUG, pages=[
        [{"name": "is_member", "kind": "single_choice", "required": True, "choices": ["co", "khong"]},
         {"name": "coop_size", "kind": "integer", "relevant": IF_MEMBER}],
        [{"name": "needs", "kind": "multiple_choice", "choices": ["von", "dat_dai", "dao_tao"]}],
        [{"name": "opinion", "kind": "long_text"}],
    ])
    survey.pages[1].relevant = IF_MEMBER
    db.session.commit()
    return survey


class Citizen:
    """One browser (its own session cookie) answering the survey page by page."""

    def __init__(self, app, key: str):
        self.client = app.test_client()
        reply = self.client.post(f"/khao-sat/{SLUG}?lang=en", data={"form_key": key})
        assert reply.status_code == 302
        self.response_id = db.session.scalar(select(Response.id).where(Response.form_key == key))

    def page(self, number: int, data: dict, shown: str, action: str = "next") -> int:
        reply = self.client.post(f"/khao-sat/{SLUG}/trang/{number}?lang=en",
                                 data={"action": action, "shown": shown, **data})
        assert reply.status_code in (200, 302), reply.status_code
        return reply.status_code

    def submit(self) -> None:
        reply = self.client.post(f"/khao-sat/{SLUG}/xem-lai?lang=en")
        assert reply.status_code == 302 and reply.location.endswith("/bien-nhan")

    def rows(self) -> dict[str, list[str]]:
        """Question name -> its rows, each "marker" or "value"."""
        db.session.expire_all()
        found: dict[str, list[str]] = {}
        for answer, name in db.session.execute(
                select(Answer, Question.name).join(Question, Question.id == Answer.question_id)
                .where(Answer.response_id == self.response_id).order_by(Answer.id)):
            found.setdefault(name, []).append("marker" if answer.is_skip_marker else "value")
        return found


def answer_a(app) -> Citizen:
    a = Citizen(app, "a")
    # without JavaScript the page showed only is_member: coop_size appears, not yet skipped
    assert a.page(1, {"q-is_member": "co"}, shown="is_member") == 200
    assert a.rows() == {"is_member": ["value"]}
    a.page(1, {"q-is_member": "co"}, shown="is_member coop_size")
    a.page(2, {}, shown="needs")
    a.page(3, {}, shown="opinion")
    a.submit()
    return a


def answer_b(app) -> Citizen:
    b = Citizen(app, "b")
    b.page(1, {"q-is_member": "khong"}, shown="is_member")
    b.page(3, {"q-opinion": "Cần hỗ trợ vốn"}, shown="opinion")
    b.submit()
    return b


def answer_c(app) -> Citizen:
    c = Citizen(app, "c")
    c.page(1, {"q-is_member": "co", "q-coop_size": "12"}, shown="is_member coop_size")
    c.page(2, {"q-needs": ["von", "dao_tao"]}, shown="needs")
    assert c.rows() == {"is_member": ["value"], "coop_size": ["value"], "needs": ["value", "value"]}
    c.page(2, {}, shown="needs", action="back")
    c.page(1, {"q-is_member": "co", "q-coop_size": ""}, shown="is_member coop_size", action="back")
    assert c.rows() == {"is_member": ["value"], "coop_size": ["marker"], "needs": ["marker"]}
    c.page(1, {"q-is_member": "co", "q-coop_size": ""}, shown="is_member coop_size")
    c.page(2, {}, shown="needs")
    c.page(3, {}, shown="opinion")
    c.submit()
    return c


def answer_d(app) -> Citizen:
    d = Citizen(app, "d")
    d.page(1, {"q-is_member": "co", "q-coop_size": "30"}, shown="is_member coop_size")
    d.page(2, {"q-needs": ["dat_dai"]}, shown="needs")
    d.page(3, {}, shown="opinion")
    d.page(1, {"q-is_member": "khong", "q-coop_size": "30"}, shown="is_member coop_size")
    d.submit()
    return d


def summaries(survey) -> dict:
    return {s.question.name: (s.answered, s.skipped, s.not_shown)
            for s in summarise_survey(db.session, survey.id)}


def test_each_respondent_leaves_the_rows_the_tallies_read(app, survey):
    assert answer_a(app).rows() == {"is_member": ["value"], "coop_size": ["marker"],
                                    "needs": ["marker"], "opinion": ["marker"]}
    assert answer_b(app).rows() == {"is_member": ["value"], "opinion": ["value"]}
    assert answer_c(app).rows() == {"is_member": ["value"], "coop_size": ["marker"],
                                    "needs": ["marker"], "opinion": ["marker"]}
    assert answer_d(app).rows() == {"is_member": ["value"], "opinion": ["marker"]}


def test_skipped_and_not_shown_are_counted_apart(app, survey):
    for answer in (answer_a, answer_b, answer_c, answer_d):
        answer(app)
    # (answered, skipped, not shown) of 4 submitted responses, from the table above
    assert summaries(survey) == {"is_member": (4, 0, 0), "coop_size": (0, 2, 2),
                                 "needs": (0, 2, 2), "opinion": (1, 3, 0)}
    member = next(s for s in summarise_survey(db.session, survey.id) if s.question.name == "is_member")
    assert dict(zip(member.table["label"], member.table["count"])) == {"Co": 2, "Khong": 2}


@pytest.mark.parametrize("answer, expected", [
    (answer_a, {"coop_size": (0, 1, 0), "needs": (0, 1, 0), "opinion": (0, 1, 0)}),
    (answer_b, {"coop_size": (0, 0, 1), "needs": (0, 0, 1), "opinion": (1, 0, 0)}),
    (answer_c, {"coop_size": (0, 1, 0), "needs": (0, 1, 0), "opinion": (0, 1, 0)}),
    (answer_d, {"coop_size": (0, 0, 1), "needs": (0, 0, 1), "opinion": (0, 1, 0)}),
])
def test_one_respondent_alone(app, survey, answer, expected):
    answer(app)
    counted = summaries(survey)
    assert {name: counted[name] for name in expected} == expected


def test_a_page_gone_past_unseen_is_marked_on_submission(app, survey):
    """The review page lets a respondent submit without opening a later page: the questions
    that were shown to them all along count as skipped, not as hidden."""
    e = Citizen(app, "e")
    e.page(1, {"q-is_member": "khong"}, shown="is_member")
    assert e.rows() == {"is_member": ["value"]}
    e.submit()
    assert e.rows() == {"is_member": ["value"], "opinion": ["marker"]}
    assert summaries(survey)["opinion"] == (0, 1, 0)


def test_markers_are_invisible_to_review_and_to_the_export(app, survey):
    from analysis.tallies.responses import ResponseTable

    a = Citizen(app, "a")
    a.page(1, {"q-is_member": "co"}, shown="is_member coop_size")
    review = a.client.get(f"/khao-sat/{SLUG}/xem-lai?lang=en")
    assert review.status_code == 200 and "Not answered" in review.text
    assert a.rows()["coop_size"] == ["marker"]
    a.page(2, {}, shown="needs")
    a.page(3, {}, shown="opinion")
    a.submit()
    table = ResponseTable(db.session, survey.id)
    row = dict(zip([c.key for c in table.columns], next(table.rows())))
    needs = [key for key in row if key.startswith(f"q{survey.question_named('needs').id}:")]
    assert row[f"q{survey.question_named('coop_size').id}"] is None
    assert [row[key] for key in needs] == [None, None, None]
    assert row[f"q{survey.question_named('opinion').id}"] is None
