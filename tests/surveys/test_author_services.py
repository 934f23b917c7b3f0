"""Authoring services: slugs, pages, moving across pages, answers that protect questions."""
from __future__ import annotations

import pytest

from consult.extensions import db
from surveys import authoring
from surveys.authoring import AuthoringError, QuestionFields, SurveyFields
from surveys.models import Answer, Response
from tests.factories import make_consultation
from tests.surveys.test_author_views import make_survey


def names(survey):
    db.session.expire_all()
    return [[q.name for q in page.questions] for page in survey.pages]


def test_slugs_are_unique_ascii_and_never_an_admin_path(app):
    first = authoring.create_survey(SurveyFields(title={"vi": "Đánh giá Luật Hợp tác xã"}))
    second = authoring.create_survey(SurveyFields(title={"vi": "Đánh giá Luật Hợp tác xã!"}))
    reserved = authoring.create_survey(SurveyFields(title={"vi": "Quản trị"}))
    assert (first.slug, second.slug) == ("danh-gia-luat-hop-tac-xa", "danh-gia-luat-hop-tac-xa-2")
    assert reserved.slug == "khao-sat-quan-tri"


def test_questions_move_across_page_boundaries(app):
    survey = make_survey()
    second = authoring.add_page(survey, {"vi": "Trang 2"})
    tuoi = survey.question_named("tuoi")
    authoring.move_question(tuoi, "up")  # already first of the first page: nothing happens
    authoring.move_question(survey.question_named("y_kien"), "down")
    db.session.commit()
    assert names(survey) == [["tuoi", "vai_tro"], ["y_kien"]]
    authoring.move_question(survey.question_named("y_kien"), "up")
    db.session.commit()
    assert names(survey) == [["tuoi", "vai_tro", "y_kien"], []]
    authoring.move_page(second, "up")
    db.session.commit()
    assert names(survey) == [[], ["tuoi", "vai_tro", "y_kien"]]


def test_pages_are_deleted_only_when_empty_and_never_the_last(app):
    survey = make_survey()
    with pytest.raises(AuthoringError):
        authoring.delete_page(survey.pages[0])
    extra = authoring.add_page(survey, {}, relevant="${tuoi} > 3")
    authoring.delete_page(extra)
    db.session.commit()
    assert len(survey.pages) == 1
    with pytest.raises(AuthoringError) as raised:
        authoring.add_page(survey, {}, relevant="${khong_co} = 1")
    assert raised.value.field == "relevant"


def add_answer(question, choice=None):
    response = Response(survey=question.survey, status="submitted")
    db.session.add(response)
    db.session.add(Answer(response=response, question=question, choice=choice,
                          value_text=choice.name if choice else "x"))
    db.session.commit()


def test_answers_protect_questions_choices_and_the_draft_status(app):
    survey = make_survey()
    role = survey.question_named("vai_tro")
    authoring.set_status(survey, "published")
    add_answer(role, role.choices[0])
    with pytest.raises(AuthoringError):
        authoring.delete_question(role)
    with pytest.raises(AuthoringError):
        authoring.update_question(role, QuestionFields(name="vai_tro", kind="dropdown", label={"vi": "Vai trò"}))
    with pytest.raises(AuthoringError):
        authoring.delete_choice(role.choices[0])
    with pytest.raises(AuthoringError):
        authoring.update_choice(role.choices[0], "doi_ten", {"vi": "Thành viên"})
    authoring.update_choice(role.choices[0], "thanh_vien", {"vi": "Thành viên HTX"})  # label only: fine
    authoring.delete_choice(role.choices[1])  # never chosen: fine
    with pytest.raises(AuthoringError):
        authoring.set_status(survey, "draft")
    authoring.set_status(survey, "closed")
    db.session.commit()
    assert survey.status == "closed" and [c.name for c in role.choices] == ["thanh_vien"]


def test_parameters_are_kept_only_for_the_kind_that_uses_them(app):
    survey = make_survey()
    page = survey.pages[0]
    question = authoring.add_question(page, QuestionFields(
        name="so", kind="integer", label={"vi": "Số"},
        parameters={"min": 1, "max": 9, "max_picks": 3, "rows": [{"name": "x"}], "max_label": {}}))
    assert question.parameters == {"min": 1, "max": 9}
    authoring.update_question(question, QuestionFields(name="so", kind="rating", label={"vi": "Số"},
                                                       parameters={"max_label": {"vi": "Cao"}, "min": None}))
    assert question.parameters == {"max": 9, "max_label": {"vi": "Cao"}}


def test_only_articles_of_the_consultation_can_be_pinned(app):
    consultation = make_consultation()
    survey = make_survey(consultation_id=consultation.id)
    articles = authoring.pinnable_articles(survey)
    assert [a.number for a in articles] == ["1", "2", "3", "4"]
    clause = next(p for p in consultation.draft.current_version.provisions if p.kind == "clause")
    with pytest.raises(AuthoringError) as raised:
        authoring.add_question(survey.pages[0], QuestionFields(name="x", kind="short_text", label={"vi": "X"},
                                                               provision_id=clause.id))
    assert raised.value.field == "provision_id"
    assert authoring.pinnable_articles(make_survey()) == []


def test_publishing_needs_options_for_choice_questions(app):
    survey = make_survey()
    authoring.add_question(survey.pages[0], QuestionFields(name="rong", kind="multiple_choice", label={"vi": "R"}))
    with app.test_request_context("/?lang=en"):
        problems = authoring.publish_problems(survey)
    assert problems == ["Question “rong” has no options yet."]
    with pytest.raises(AuthoringError):
        authoring.set_status(survey, "published")


def test_a_deleted_options_value_is_not_given_to_a_new_option(app):
    """The answers kept from a deleted option carry its value: a new option (or a renamed one)
    with that value would take them over silently, so it is refused."""
    survey = make_survey()
    role = survey.question_named("vai_tro")
    chosen = role.choices[0]
    value = chosen.name
    add_answer(role, chosen)
    authoring.delete_choice(chosen, keep_answers=True)
    db.session.commit()
    with pytest.raises(AuthoringError) as refused:
        authoring.add_choice(role, value, {"vi": "Một lựa chọn mới hoàn toàn khác"})
    assert refused.value.field == "name"
    with pytest.raises(AuthoringError):
        authoring.update_choice(role.choices[0], value, {"vi": "Đổi tên"})
    assert authoring.add_choice(role, value + "_moi", {"vi": "Lựa chọn mới"}).name == value + "_moi"
