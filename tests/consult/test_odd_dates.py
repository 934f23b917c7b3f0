"""Days that cannot be moved to UTC (year 1) or lie past any sensible deadline (year 9999) on
the consultation, survey and roster forms: a Vietnamese message and the input kept, never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Consultation
from consult.submissions import roster
from surveys.models import Survey
from tests.consult.test_consultation_manage import NEW, agency_btp, drafter, form, lifecycle, published_consultation  # noqa: F401

ODD_DAYS = ("0001-01-01", "01/01/0001", "9999-12-31", "1999-12-31", "2101-01-01")


@pytest.mark.parametrize("day", ODD_DAYS)
def test_a_consultation_with_an_odd_year_is_refused(client, drafter, day):
    created = client.post(NEW, data=form(agency_btp(), opens_on=day, opens_time="00:00"))
    assert created.status_code == 422 and "Vui lòng nhập ngày và giờ bắt đầu" in created.text
    assert day in created.text  # the input is kept
    assert db.session.scalar(select(func.count(Consultation.id))) == 0
    consultation = published_consultation(drafter)
    closes = consultation.closes_at
    extended = lifecycle(client, consultation, "gia-han", reason="Đề nghị", requested_by="Bộ Tư pháp",
                         closes_on=day, closes_time="00:00")
    assert extended.status_code == 422 and "Vui lòng nhập ngày và giờ kết thúc mới" in extended.text
    assert db.session.get(Consultation, consultation.id).closes_at == closes


def test_editing_to_year_one_is_refused(client, drafter):
    client.post(NEW, data=form(agency_btp()))
    consultation = db.session.scalars(select(Consultation)).one()
    edited = client.post(f"/quan-tri/tham-van/{consultation.id}/sua",
                         data=form(agency_btp(), slug=consultation.slug, opens_on="0001-01-01", opens_time="00:00"))
    assert edited.status_code == 422


@pytest.mark.parametrize("day", ["0001-01-01T00:00", "9999-12-31T23:59", "2101-01-01T08:00"])
def test_a_survey_with_an_odd_year_is_refused(client, drafter, day):
    response = client.post("/khao-sat/quan-tri/moi", data={
        "title_vi": "Phiếu khảo sát", "audience": "both", "resume_days": "30", "opens_at": day,
        "consultation_id": ""})
    assert response.status_code == 422 and "từ năm 2000 đến năm 2100" in response.text
    assert "Phiếu khảo sát" in response.text
    assert db.session.scalar(select(func.count(Survey.id))) == 0


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_roster_deadline_out_of_2000_to_2100_is_refused(client, drafter, day):
    consultation = published_consultation(drafter)
    base = f"/co-quan/quan-tri/{consultation.slug}"
    for url, data in ((f"{base}/them/nhom", {"group": "ministry", "deadline": day}),
                      (f"{base}/them/csv", {"csv_text": "BTP", "deadline": day})):
        response = client.post(url, data=data)
        assert response.status_code == 422 and "từ năm 2000 đến năm 2100" in response.text, url
    assert roster.roster_rows(consultation) == []
