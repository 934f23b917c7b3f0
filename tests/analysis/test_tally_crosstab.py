"""Cross-tabs checked by hand against the reference survey (R1…R5, see tally_factories)."""
from __future__ import annotations

import pytest

from analysis.crosstab import UnknownDimension, crosstab, grouping_options
from analysis.tallies import ResponseFilters, load_survey
from consult.extensions import db
from tests.analysis.tally_factories import make_organisation, make_reference_survey, make_survey, respond


@pytest.fixture()
def survey(app):
    return make_reference_survey()


def qid(survey, name):
    return next(q.id for q in survey.questions if q.name == name)


def test_single_choice_by_respondent_type(survey):
    table = crosstab(db.session, survey.id, qid(survey, "q_view"), "respondent_type")
    assert table.groups == ["citizen", "coop_member", "enterprise"]
    assert table.respondents.to_dict() == {"citizen": 3, "coop_member": 1, "enterprise": 1}
    assert table.answered.to_dict() == {"citizen": 2, "coop_member": 1, "enterprise": 1}
    assert table.counts.loc["citizen"].to_dict() == {"Tốt": 1, "Bình thường": 0, "Chưa tốt": 1, "Khác": 0}
    assert table.shares.loc["citizen", "Tốt"] == 0.5
    assert table.counts["Chưa tốt"].sum() == 2  # the same total as the question's summary


def test_multiple_choice_by_another_question(survey):
    table = crosstab(db.session, survey.id, qid(survey, "q_multi"), f"question:{qid(survey, 'q_view')}")
    assert table.groups == ["tot", "binh_thuong", "chua_tot", None]
    assert table.group_labels["chua_tot"] == "Chưa tốt"
    assert table.counts.loc["tot"].to_dict() == {"Vốn góp": 1, "Thành viên": 1, "Quản trị": 1, "Giải thể": 1}
    assert table.counts.loc["chua_tot"].to_dict() == {"Vốn góp": 1, "Thành viên": 1, "Quản trị": 0, "Giải thể": 0}
    assert table.answered.to_dict() == {"tot": 1, "binh_thuong": 0, "chua_tot": 2, None: 0}
    assert table.respondents[None] == 1  # R5 did not answer q_view
    assert table.shares.loc["chua_tot", "Vốn góp"] == 0.5
    assert table.shares.loc["binh_thuong"].isna().all()


def test_number_by_province_gives_statistics_per_group(survey):
    table = crosstab(db.session, survey.id, qid(survey, "q_int"), "province")
    assert table.groups == ["01", "79", None]
    assert table.group_labels["79"] == "Hồ Chí Minh"
    assert table.stats.loc["01", "median"] == 20.0
    assert table.stats.loc["01", "mean"] == pytest.approx(70 / 3)
    assert table.stats.loc["79", "n"] == 1


def test_matrix_and_ranking_by_respondent_type(survey):
    matrix = crosstab(db.session, survey.id, qid(survey, "q_matrix"), "respondent_type")
    assert matrix.counts.loc["citizen", "Điều 5 · Đồng ý"] == 1
    assert matrix.counts.loc["citizen", "Điều 5 · Trung lập"] == 1
    assert matrix.counts.loc["enterprise", "Điều 5 · Đồng ý"] == 1
    ranking = crosstab(db.session, survey.id, qid(survey, "q_rank"), "respondent_type")
    assert ranking.mean_rank.loc["citizen", "Vốn"] == 2.0  # ranks 1 and 3
    assert ranking.mean_rank.loc["enterprise", "Đất đai"] == 1.0


def test_by_organisation_kind_and_filters(app):
    survey = make_survey([{"name": "q", "kind": "single_choice", "choices": [("yes", "Có"), ("no", "Không")]}])
    ministry, province = make_organisation("ministry"), make_organisation("province")
    respond(survey, {"q": "yes"}, organisation=ministry, respondent_type="ministry")
    respond(survey, {"q": "no"}, organisation=make_organisation("ministry"), respondent_type="ministry")
    respond(survey, {"q": "no"}, organisation=province, respondent_type="province")
    respond(survey, {"q": "yes"})  # open link: no organisation
    table = crosstab(db.session, survey.id, survey.questions[0].id, "organisation_kind")
    assert table.counts.loc["ministry"].to_dict() == {"Có": 1, "Không": 1}
    assert table.counts.loc[None].to_dict() == {"Có": 1, "Không": 0}
    invited = crosstab(db.session, survey.id, survey.questions[0].id, "organisation_kind",
                       ResponseFilters(audience="invited"))
    assert invited.groups == ["ministry", "province"]


def test_groupings_offered_and_refused(survey):
    info = load_survey(db.session, survey.id)
    names = [q.name for q in grouping_options(info, qid(survey, "q_view"))]
    assert names == ["q_cond", "q_province"]
    for by in ("nonsense", f"question:{qid(survey, 'q_multi')}", "question:abc", f"question:{qid(survey, 'q_view')}"):
        with pytest.raises(UnknownDimension):
            crosstab(db.session, survey.id, qid(survey, "q_view"), by)
    assert crosstab(db.session, survey.id, 999999, "province") is None


def test_an_old_survey_breaks_down_on_todays_34_units(app):
    """A survey of a 2022 consultation stores the 63 provinces' codes; read on the 34 units of
    1 July 2025, Bình Dương (74) joins Hồ Chí Minh (79) and Yên Bái (15) is now Lào Cai (15)."""
    from datetime import date

    from tests.factories import make_consultation

    consultation = make_consultation("cu")
    consultation.reference_date = date(2022, 9, 1)
    old = make_survey([{"name": "q_view", "kind": "single_choice", "label": "Đánh giá",
                        "choices": [("tot", "Tốt"), ("chua_tot", "Chưa tốt")]}], consultation=consultation)
    for province, view in (("74", "tot"), ("79", "chua_tot"), ("15", "tot"), ("10", "tot")):
        respond(old, {"q_view": view}, province_code=province)
    question = old.questions[0].id
    as_given = crosstab(db.session, old.id, question, "province")
    assert set(as_given.groups) == {"74", "79", "15", "10"} and as_given.group_labels["15"] == "Yên Bái"
    today = crosstab(db.session, old.id, question, "province_2025")
    assert set(today.groups) == {"79", "15"}
    assert today.respondents.to_dict() == {"79": 2, "15": 2}
    assert today.group_labels["15"] == "Lào Cai"
    assert today.counts.loc["79"].to_dict() == {"Tốt": 1, "Chưa tốt": 1}
