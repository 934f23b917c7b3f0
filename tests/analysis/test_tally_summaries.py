"""Summaries checked against counts made by hand (see the table in each test)."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from sqlalchemy import update

from analysis.tallies import ResponseFilters, summarise_question, summarise_survey
from consult.extensions import db
from surveys.models import Answer, Choice
from tests.analysis.tally_factories import QUESTIONS, make_reference_survey, make_survey, respond

@pytest.fixture()
def survey(app):
    return make_reference_survey()


def by_name(summaries):
    return {s.question.name: s for s in summaries}


def counts(summary):
    return dict(zip(summary.table["label"], summary.table["count"]))


def test_single_choice_counts_shares_and_skips(survey):
    s = by_name(summarise_survey(db.session, survey.id))["q_view"]
    assert (s.respondents, s.answered, s.skipped, s.not_shown) == (5, 4, 1, 0)
    assert counts(s) == {"Tốt": 1, "Bình thường": 1, "Chưa tốt": 2, "Khác": 0}
    assert list(s.table["share"]) == [0.25, 0.25, 0.5, 0.0]


def test_multiple_choice_where_one_response_picks_every_option(survey):
    s = by_name(summarise_survey(db.session, survey.id))["q_multi"]
    assert (s.answered, s.skipped) == (3, 2)
    assert counts(s) == {"Vốn góp": 2, "Thành viên": 2, "Quản trị": 1, "Giải thể": 1}
    assert list(s.table["share"]) == pytest.approx([2 / 3, 2 / 3, 1 / 3, 1 / 3])


def test_scale_and_number_statistics(survey):
    summaries = by_name(summarise_survey(db.session, survey.id))
    rating, number = summaries["q_rating"], summaries["q_int"]
    assert rating.stats == {"n": 4, "mean": 4.0, "median": 4.0, "min": 3.0, "max": 5.0}
    assert counts(rating) == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 1}
    assert number.stats["mean"] == 25.0 and number.stats["median"] == 25.0  # (20 + 30) / 2


def test_matrix_row_by_scale_table(survey):
    s = by_name(summarise_survey(db.session, survey.id))["q_matrix"]
    assert s.answered == 3
    assert s.matrix.loc["Điều 5"].to_dict() == {"Đồng ý": 2, "Trung lập": 1, "Không đồng ý": 0}
    assert s.matrix.loc["Điều 6"].to_dict() == {"Đồng ý": 1, "Trung lập": 0, "Không đồng ý": 1}


def test_ranking_average_rank(survey):
    s = by_name(summarise_survey(db.session, survey.id))["q_rank"]
    assert list(s.table["label"]) == ["Đất đai", "Vốn", "Tín dụng"]  # best average rank first
    assert list(s.table["mean_rank"]) == pytest.approx([4 / 3, 2.0, 8 / 3])
    assert s.rank_table.loc["Vốn"].to_dict() == {1: 1, 2: 1, 3: 1}


def test_skipped_and_not_shown_are_kept_apart(survey):
    summaries = by_name(summarise_survey(db.session, survey.id))
    cond, text, date_q = summaries["q_cond"], summaries["q_text"], summaries["q_date"]
    # q_cond is shown only after "chưa tốt": answered by R2, skipped by R3, hidden for three.
    assert (cond.answered, cond.skipped, cond.not_shown) == (1, 1, 3)
    # q_text has no show-if: a response without a row skipped it, it was not hidden.
    assert (text.answered, text.skipped, text.not_shown) == (1, 4, 0)
    assert date_q.answered == 2 and date_q.stats["min"] == date(2024, 1, 5)
    assert "q_note" not in summaries


def test_builtin_province_list_shows_the_chosen_provinces(survey):
    s = by_name(summarise_survey(db.session, survey.id))["q_province"]
    assert counts(s) == {"Hồ Chí Minh": 2, "Hà Nội": 1}
    assert list(s.table["key"]) == ["79", "01"]


def test_filters_narrow_the_responses(survey):
    filters = ResponseFilters(province_code="79")
    s = by_name(summarise_survey(db.session, survey.id, filters))["q_view"]
    assert (s.respondents, s.answered) == (1, 1)  # only R3 lives in province 79
    assert counts(s)["Chưa tốt"] == 1
    s = by_name(summarise_survey(db.session, survey.id, ResponseFilters(respondent_type="citizen")))["q_view"]
    assert (s.respondents, s.answered) == (3, 2)


def test_the_filtered_and_unfiltered_queries_agree(survey):
    """Unfiltered tallies subtract unfinished responses; filtered ones join the responses."""
    everything = ResponseFilters(date_from=date(2000, 1, 1))
    assert everything.active
    plain, joined = summarise_survey(db.session, survey.id), summarise_survey(db.session, survey.id, everything)
    for a, b in zip(plain, joined):
        assert (a.respondents, a.answered, a.skipped, a.not_shown) == (b.respondents, b.answered, b.skipped,
                                                                        b.not_shown)
        assert a.table.equals(b.table), a.question.name
        assert a.stats == b.stats


def test_no_answers_at_all(app):
    survey = make_survey(QUESTIONS)
    summaries = by_name(summarise_survey(db.session, survey.id))
    view, rating = summaries["q_view"], summaries["q_rating"]
    assert (view.respondents, view.answered, view.skipped, view.not_shown) == (0, 0, 0, 0)
    assert list(view.table["count"]) == [0, 0, 0, 0] and view.table["share"].isna().all()
    assert rating.stats == {"n": 0, "mean": None, "median": None, "min": None, "max": None}
    assert summaries["q_matrix"].matrix.to_numpy().sum() == 0


def test_every_answer_skipped(app):
    survey = make_survey(QUESTIONS)
    names = [q["name"] for q in QUESTIONS if q["kind"] != "note"]
    for _ in range(3):
        respond(survey, {}, skipped=tuple(names))
    for s in summarise_survey(db.session, survey.id):
        assert (s.respondents, s.answered, s.skipped, s.not_shown) == (3, 0, 3, 0), s.question.name
        assert s.table["count"].sum() == 0 if not s.table.empty else True


def test_labels_written_in_nfd_come_out_composed(app):
    nfd = unicodedata.normalize("NFD", "Đồng ý một phần")
    survey = make_survey([{"name": "q", "kind": "single_choice", "label": unicodedata.normalize("NFD", "Ý kiến"),
                           "choices": [("mot_phan", nfd), ("khong", "Không")]}])
    respond(survey, {"q": "mot_phan"})
    s = summarise_survey(db.session, survey.id)[0]
    assert s.question.label == "Ý kiến"
    assert counts(s) == {"Đồng ý một phần": 1, "Không": 0}


def test_a_choice_deleted_after_answers_were_given(app):
    survey = make_survey(QUESTIONS[:1])
    for value in ("tot", "khac_cu", "chua_tot", "chua_tot"):
        respond(survey, {"q_view": value if value != "khac_cu" else "other"})
    other = db.session.query(Choice).filter_by(name="other").one()
    # Deleting an option keeps its answers: the option's id is cleared, its name stays.
    db.session.execute(update(Answer).where(Answer.choice_id == other.id).values(choice_id=None))
    db.session.delete(other)
    db.session.commit()
    s = summarise_survey(db.session, survey.id)[0]
    table = s.table.set_index("label")
    assert s.answered == 4
    assert table.loc["other", "count"] == 1 and bool(table.loc["other", "deleted"])
    assert table.loc["Chưa tốt", "count"] == 2 and not bool(table.loc["Chưa tốt", "deleted"])
    assert table["share"].sum() == pytest.approx(1.0)


def test_summarise_question_matches_the_survey_summary(survey):
    question = next(q for q in survey.questions if q.name == "q_multi")
    one = summarise_question(db.session, survey.id, question.id)
    assert counts(one) == counts(by_name(summarise_survey(db.session, survey.id))["q_multi"])
    assert summarise_question(db.session, survey.id, 999999) is None
