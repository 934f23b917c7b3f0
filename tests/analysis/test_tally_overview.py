"""The consultation overview's numbers, counted by hand."""
from __future__ import annotations

from datetime import date

from analysis.overview import consultation_overview
from consult.extensions import db
from tests.analysis.tally_factories import make_opinion, make_survey, respond, vn_time
from tests.factories import make_consultation


def test_overview_counts(app):
    consultation = make_consultation()
    make_opinion(consultation, "dieu-2-khoan-1", sent_at=vn_time(date(2024, 5, 1), hour=0))
    make_opinion(consultation, "dieu-2", respondent_type="enterprise", province_code="79",
                 sent_at=vn_time(date(2024, 5, 1), hour=23), status="pending")
    make_opinion(consultation, "dieu-4", sent_at=vn_time(date(2024, 5, 4)))
    make_opinion(consultation, None, status="rejected", province_code=None, sent_at=vn_time(date(2024, 5, 4)))
    survey = make_survey([{"name": "q", "kind": "short_text"}], consultation=consultation)
    respond(survey, {"q": "Đồng ý"}, respondent_type="cooperative", submitted_at=vn_time(date(2024, 5, 3)))
    respond(survey, {"q": "Chưa"}, status="in_progress")

    data = consultation_overview(db.session, consultation.id)
    assert data.per_day.values.tolist() == [["2024-05-01", 2, 0], ["2024-05-02", 0, 0],
                                            ["2024-05-03", 0, 1], ["2024-05-04", 2, 0]]
    by_type = data.by_respondent_type.set_index("key")
    assert by_type.loc["citizen", "opinions"] == 3 and by_type.loc["cooperative", "responses"] == 1
    assert data.by_province.iloc[-1]["key"] is None  # "not given" comes last
    assert data.per_article[["anchor", "opinions", "published"]].values.tolist() == [
        ["dieu-2", 2, 1], ["dieu-4", 1, 1]]
    assert data.moderation == {"published": 2, "pending": 1, "rejected": 1}
    assert data.decisions == {"accepted": 0, "partly_accepted": 0, "explained": 0, "not_accepted": 0,
                              "undecided": 2}  # the two published comments
    assert data.totals == {"opinions": 4, "responses": 1, "senders": 4}


def test_overview_of_an_empty_consultation(app):
    data = consultation_overview(db.session, make_consultation().id)
    assert data.per_day.empty and data.per_article.empty and data.totals["opinions"] == 0
