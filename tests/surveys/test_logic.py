"""Server-side logic: show-if in answering order, constraints and their messages per language."""
from __future__ import annotations

from surveys import logic
from surveys.kinds import Entry
from tests.surveys.factories import make_survey


def chain_survey():
    return make_survey(pages=[
        [{"name": "a", "kind": "single_choice", "choices": ["yes", "no"]},
         {"name": "b", "kind": "single_choice", "choices": ["yes", "no"], "relevant": "${a} = 'yes'"}],
        [{"name": "c", "kind": "short_text", "relevant": "${b} = 'yes'"}],
    ])


def test_a_hidden_question_reads_as_unanswered_for_the_questions_after_it(app):
    survey = chain_survey()
    entries = {"a": Entry("yes"), "b": Entry("yes"), "c": Entry("x")}
    assert logic.visibility(survey, entries) == {"a": True, "b": True, "c": True}
    entries["a"] = Entry("no")  # b keeps its stale "yes", but is hidden, so c hides too
    assert logic.visibility(survey, entries) == {"a": True, "b": False, "c": False}
    assert logic.hidden_names(survey, entries) == {"b", "c"}


def test_a_page_show_if_hides_all_its_questions(app):
    survey = chain_survey()
    survey.pages[1].relevant = "${a} = 'no'"
    shown = logic.visibility(survey, {"a": Entry("yes"), "b": Entry("yes")})
    assert shown["c"] is False
    assert logic.visible_pages(survey, shown) == [survey.pages[0]]


def test_a_rule_that_fails_at_run_time_never_blocks_the_respondent(app, caplog, monkeypatch):
    monkeypatch.setattr(logic.log, "disabled", False)  # Alembic's fileConfig disables loggers
    survey = make_survey(pages=[[{"name": "n", "kind": "integer",
                                  "relevant": "regex(${n}, '(')", "constraint": "unknown-fn(.)"}]])
    question = survey.questions[0]
    assert logic.visibility(survey, {"n": Entry(5)}) == {"n": True}
    assert logic.constraint_errors(question, Entry(5), {"n": 5}) == []
    assert "Survey expression failed" in caplog.text


def test_the_constraint_message_is_given_in_the_respondents_language(app):
    survey = make_survey(pages=[[{"name": "n", "kind": "integer", "constraint": ". > 5"}]])
    question = survey.questions[0]
    question.constraint_message = {"vi": "Phải lớn hơn 5", "en": "Must be over 5"}
    assert logic.constraint_errors(question, Entry(3), {"n": 3}, "vi") == ["Phải lớn hơn 5"]
    assert logic.constraint_errors(question, Entry(3), {"n": 3}, "en") == ["Must be over 5"]
    assert logic.constraint_errors(question, Entry(9), {"n": 9}, "en") == []
    assert logic.constraint_errors(question, Entry(None), {"n": ""}, "en") == []
    question.constraint_message = {}
    assert logic.constraint_errors(question, Entry(3), {"n": 3}, "en") == ["This answer is not accepted."]


def test_logic_values_follow_each_kind(app):
    survey = make_survey(pages=[[{"name": "m", "kind": "multiple_choice", "choices": ["x", "y"]},
                                 {"name": "k", "kind": "integer"},
                                 {"name": "t", "kind": "short_text"}]])
    values = logic.logic_values(survey, {"m": Entry(["x", "y"]), "k": Entry(4)})
    assert values == {"m": ["x", "y"], "k": 4, "t": ""}
    from surveys.expressions import is_true
    assert is_true("count-selected(${m}) = 2 and ${k} + 1 = 5 and ${t} = ''", values)
