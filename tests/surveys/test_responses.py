"""Saving page by page, logic (hidden answers discarded), resume, review, submit, invitations."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from consult.extensions import db
from consult.models import utcnow
from surveys import invitations, responses
from surveys.models import Answer, Invitation, Response
from tests.surveys.factories import make_organisation, make_survey

BRANCHING = [
    [{"name": "role", "kind": "single_choice", "required": True,
      "choices": ["citizen", "member"], "parameters": {"profile_field": "respondent_type"}},
     {"name": "coop_name", "kind": "short_text", "required": True,
      "relevant": "${role} = 'member'"}],
    [{"name": "members", "kind": "integer", "relevant": "${role} = 'member'",
      "constraint": ". >= 7", "constraint_message": "At least 7 members"}],
    [{"name": "opinion", "kind": "long_text"}],
]


def start(survey, key="k1"):
    response, code = responses.start_open_response(survey, key)
    db.session.commit()
    return response, code


def save(response, page_index, data, **options):
    outcome = responses.save_page(response, response.survey.pages[page_index], MultiDict(data),
                                  {}, **options)
    db.session.commit()
    return outcome


def stored_names(response):
    db.session.expire_all()
    return {a.question.name for a in db.session.get(Response, response.id).answers}


def test_a_page_with_an_error_stores_the_valid_answers_and_keeps_the_typed_text(app):
    survey = make_survey(pages=[[{"name": "a", "kind": "short_text"},
                                 {"name": "n", "kind": "integer", "parameters": {"max": 10}}]])
    response, _code = start(survey)
    outcome = save(response, 0, {"q-a": "Giữ lại", "q-n": "99"})
    assert outcome.errors == {"n": ["Please enter a number of at most 10."]}
    assert outcome.entries["n"].raw["value"] == "99"
    assert stored_names(response) == {"a"}


def test_required_is_checked_only_when_moving_forward(app):
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    assert save(response, 0, {}, require=False).errors == {}
    assert "role" in save(response, 0, {}).errors


def test_a_question_revealed_by_this_page_is_shown_before_it_is_required(app):
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    outcome = save(response, 0, {"q-role": "member"}, rendered={"role"})
    assert outcome.newly_shown == ["coop_name"] and outcome.errors == {}
    outcome = save(response, 0, {"q-role": "member"}, rendered={"role", "coop_name"})
    assert "coop_name" in outcome.errors


def test_answers_to_hidden_questions_are_discarded_on_every_page(app):
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    save(response, 0, {"q-role": "member", "q-coop_name": "HTX Tân Phú"})
    save(response, 1, {"q-members": "12"})
    assert stored_names(response) == {"role", "coop_name", "members"}
    assert db.session.get(Response, response.id).respondent_type == "member"
    # changing the branch hides coop_name (same page) and members (a later page)
    outcome = save(response, 0, {"q-role": "citizen", "q-coop_name": "HTX Tân Phú"})
    assert outcome.errors == {}
    assert stored_names(response) == {"role"}
    # an answer sent for a hidden question (a tampered or stale form) is not stored either
    save(response, 1, {"q-members": "50"})
    assert stored_names(response) == {"role"}


def test_constraint_message_is_the_authors(app):
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    save(response, 0, {"q-role": "member", "q-coop_name": "HTX"})
    assert save(response, 1, {"q-members": "3"}).errors == {"members": ["At least 7 members"]}
    assert "members" not in stored_names(response)


def test_resume_by_code_forgives_case_and_dashes(app):
    survey = make_survey(pages=BRANCHING)
    response, code = start(survey)
    assert response.resume_code_hash != code and len(response.resume_code_hash) == 64
    assert responses.resume(survey, code.lower().replace("-", " ")).id == response.id
    with pytest.raises(responses.ResumeCodeUnknown):
        responses.resume(survey, "AAAAA-BBBBB")
    with pytest.raises(responses.ResumeCodeUnknown):
        responses.resume(survey, "")


def test_an_expired_resume_code_is_refused(app):
    survey = make_survey(pages=BRANCHING)
    response, code = start(survey)
    response.resume_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(responses.ResumeCodeExpired):
        responses.resume(survey, code)


def test_a_replayed_start_form_finds_the_same_response(app):
    survey = make_survey()
    first, code = start(survey, "same-key")
    again, no_code = start(survey, "same-key")
    assert again.id == first.id and code and no_code is None


def test_submit_lists_problems_then_gives_one_receipt(app):
    survey = make_survey(pages=BRANCHING)
    response, code = start(survey)
    with pytest.raises(responses.Incomplete) as missing:
        responses.submit(response)
    assert [p.question.name for p in missing.value.problems] == ["role"]
    save(response, 0, {"q-role": "citizen"})
    responses.submit(response)
    db.session.commit()
    assert response.status == "submitted" and response.receipt_code.startswith("KS-")
    receipt = response.receipt_code
    with pytest.raises(responses.AlreadySubmitted) as again:
        responses.submit(response)
    assert again.value.response.receipt_code == receipt
    with pytest.raises(responses.AlreadySubmitted):
        save(response, 2, {"q-opinion": "late"})
    with pytest.raises(responses.AlreadySubmitted):
        responses.resume(survey, code)


def test_review_shows_shown_questions_only_with_their_answers(app):
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    save(response, 0, {"q-role": "citizen"})
    sections = responses.review(response, "en")
    names = [item["question"].name for s in sections for item in s["items"]]
    assert names == ["role", "opinion"]
    assert sections[0]["items"][0]["lines"] == ["Citizen"]


def test_a_closed_survey_takes_nothing(app):
    survey = make_survey(is_open=False)
    with pytest.raises(responses.SurveyClosed):
        start(survey)
    draft = make_survey("nhap", status="draft")
    with pytest.raises(responses.SurveyClosed):
        start(draft)


def test_invitation_stores_only_the_hash_of_its_token(app):
    survey = make_survey(audience="invited")
    organisation = make_organisation()
    invitation, token = invitations.create_invitation(survey, organisation)
    db.session.commit()
    stored = db.session.scalars(select(Invitation.token_hash)).all()
    assert stored == [invitations.hash_token(token)] and token not in stored
    assert invitations.find_by_token(survey, token).id == invitation.id
    assert invitations.find_by_token(survey, token + "x") is None
    assert invitations.find_by_token(survey, "") is None
    with pytest.raises(invitations.InvitationExists):
        invitations.create_invitation(survey, organisation)
    new_token = invitations.replace_token(invitation)
    assert invitations.find_by_token(survey, token) is None
    assert invitations.find_by_token(survey, new_token).id == invitation.id


def test_an_invited_response_moves_the_status_and_stays_editable_until_closing(app):
    survey = make_survey(pages=BRANCHING, audience="invited")
    organisation = make_organisation("UBND-01", "province", "UBND Hà Nội", "01")
    invitation, _token = invitations.create_invitation(survey, organisation)
    invitations.advance(invitation, "opened")
    response = responses.start_invited_response(invitation)
    assert response.respondent_type == "province" and response.province_code == "01"
    save(response, 0, {"q-role": "citizen"})
    assert invitation.status == "started" and invitation.opened_at and invitation.started_at
    responses.submit(response)
    db.session.commit()
    assert invitation.status == "submitted" and response.receipt_code
    receipt = response.receipt_code
    save(response, 2, {"q-opinion": "Bổ sung"})
    responses.submit(response)
    assert response.receipt_code == receipt and invitation.status == "submitted"
    assert responses.start_invited_response(invitation).id == response.id
    assert invitations.advance(invitation, "opened") is False
    assert [i.id for i in invitations.not_answered(survey)] == []


def test_submitted_responses_count_once_in_a_group_by(app):
    survey = make_survey(pages=[[{"name": "role", "kind": "single_choice",
                                  "choices": ["citizen", "member"]}]])
    for index, role in enumerate(["citizen", "member", "member"]):
        response, _code = start(survey, f"key-{index}")
        save(response, 0, {"q-role": role})
        responses.submit(response)
    db.session.commit()
    question = survey.questions[0]
    rows = db.session.execute(select(Answer.choice_id, func.count()).where(
        Answer.question_id == question.id).group_by(Answer.choice_id)).all()
    assert dict(rows) == {question.choices[0].id: 1, question.choices[1].id: 2}


def test_questions_pinned_to_an_article_follow_it(app):
    from tests.factories import make_consultation

    consultation = make_consultation()
    article = next(p for p in consultation.draft.current_version.provisions if p.anchor == "dieu-3")
    survey = make_survey(pages=[[{"name": "age", "kind": "rating", "provision": article},
                                 {"name": "other", "kind": "short_text"}]],
                         consultation=consultation)
    assert [q.name for q in responses.questions_for_provision(article.id)] == ["age"]
    survey.status = "closed"
    db.session.commit()
    assert responses.questions_for_provision(article.id) == []


# --- skip markers: shown and left empty (see surveys.responses) -------------------------------

EVERY_KIND = [[
    {"name": "one", "kind": "single_choice", "choices": ["a", "b"]},
    {"name": "pick", "kind": "dropdown", "choices": ["a", "b"]},
    {"name": "many", "kind": "multiple_choice", "choices": ["a", "b", "c"]},
    {"name": "stars", "kind": "rating"},
    {"name": "grid", "kind": "matrix", "choices": ["yes", "no"],
     "parameters": {"rows": [{"name": "r1", "label": {"vi": "Hàng 1"}}]}},
    {"name": "order", "kind": "ranking", "choices": ["x", "y"]},
    {"name": "short", "kind": "short_text"},
    {"name": "long", "kind": "long_text"},
    {"name": "whole", "kind": "integer"},
    {"name": "part", "kind": "decimal"},
    {"name": "day", "kind": "date"},
    {"name": "pdf", "kind": "file"},
    {"name": "intro", "kind": "note"},
]]


def rows_by_question(response) -> dict[str, list[str]]:
    """Question name -> its rows, each "marker" or "value"."""
    db.session.expire_all()
    found: dict[str, list[str]] = {}
    for answer in db.session.get(Response, response.id).answers:
        found.setdefault(answer.question.name, []).append(
            "marker" if answer.is_skip_marker else "value")
    return found


def test_every_shown_question_left_empty_gets_one_marker_that_reads_as_unanswered(app):
    survey = make_survey(pages=EVERY_KIND)
    response, _code = start(survey)
    save(response, 0, {})
    save(response, 0, {}, require=False)  # saved again: still one marker each
    asked = [q["name"] for q in EVERY_KIND[0] if q["kind"] != "note"]
    assert rows_by_question(response) == {name: ["marker"] for name in asked}
    entries = responses.load_entries(db.session.get(Response, response.id))
    assert [name for name, entry in entries.items() if entry.answered or entry.value] == []
    lines = [item["lines"] for section in responses.review(response, "en") for item in section["items"]]
    assert len(lines) == len(asked) and all(line == [] for line in lines)
    responses.submit(response)
    db.session.commit()
    assert rows_by_question(response) == {name: ["marker"] for name in asked}


def test_an_answer_replaces_the_marker_and_clearing_it_brings_the_marker_back(app):
    survey = make_survey(pages=EVERY_KIND)
    response, _code = start(survey)
    save(response, 0, {})
    save(response, 0, MultiDict([("q-many", "a"), ("q-many", "c"), ("q-whole", "7")]))
    rows = rows_by_question(response)
    assert rows["many"] == ["value", "value"] and rows["whole"] == ["value"] and rows["short"] == ["marker"]
    assert responses.load_entries(response)["many"].value == ["a", "c"]
    save(response, 0, {"q-whole": "7"}, require=False)
    rows = rows_by_question(response)
    assert rows["many"] == ["marker"] and rows["whole"] == ["value"]


def test_a_hidden_question_loses_its_marker(app):
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    save(response, 0, {"q-role": "member"}, require=False)
    save(response, 1, {}, require=False)
    assert rows_by_question(response) == {"role": ["value"], "coop_name": ["marker"], "members": ["marker"]}
    save(response, 0, {"q-role": "citizen"})
    assert rows_by_question(response) == {"role": ["value"]}


def test_a_question_with_a_message_or_just_revealed_gets_no_marker_yet(app):
    """The page comes back to the respondent: nothing is settled for those questions."""
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    outcome = save(response, 0, {"q-role": "member"}, rendered={"role"})
    assert outcome.newly_shown == ["coop_name"] and rows_by_question(response) == {"role": ["value"]}
    save(response, 0, {"q-role": "member", "q-coop_name": "HTX"})
    assert save(response, 1, {"q-members": "3"}).errors == {"members": ["At least 7 members"]}
    assert "members" not in rows_by_question(response)


def test_required_questions_are_checked_as_before_whatever_their_marker(app):
    survey = make_survey(pages=BRANCHING)
    response, _code = start(survey)
    # going back stores the empty required question as skipped ...
    save(response, 0, {"q-role": "member"}, require=False)
    assert rows_by_question(response)["coop_name"] == ["marker"]
    # ... but it still needs an answer: moving forward and submitting say so
    assert save(response, 0, {"q-role": "member"}).errors == {"coop_name": ["This question needs an answer."]}
    with pytest.raises(responses.Incomplete) as missing:
        responses.submit(response)
    assert [(p.question.name, p.messages) for p in missing.value.problems] == [
        ("coop_name", ["This question needs an answer."])]
    db.session.rollback()
    save(response, 0, {"q-role": "member", "q-coop_name": "HTX Tân Phú"})
    assert rows_by_question(response)["coop_name"] == ["value"]
    responses.submit(response)
    db.session.commit()
    assert response.status == "submitted"
