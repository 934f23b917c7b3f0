"""Today's administrative map and yesterday's: 63 provinces until 30 June 2025, 34 units from
1 July 2025, 22 ministries and agencies until 28 February 2025, 17 from 1 March 2025; each
consultation reads its codes on its own map; bodies merge and are renamed with letters kept."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from analysis.overview import consultation_overview
from consult import organisations
from consult.data import (load_organisations, load_provinces, organisation_successors, province_map_on,
                          province_names, province_successors, sorted_provinces, vietnamese_sort_key)
from consult.demo import DECREE_SLUG, DEMO_SLUG, load_demo
from consult.extensions import db
from consult.models import AuditEvent, Consultation, Organisation
from consult.submissions.models import RosterEntry
from tests.consult import decision_factories as make
from tests.analysis.tally_factories import make_opinion
from tests.factories import make_consultation
from tests.surveys.factories import make_survey


def test_the_map_of_1_july_2025_has_34_units_formed_from_all_63():
    units = load_provinces("2025")
    assert len(units) == 34 and sum(row["kind"] == "city" for row in units) == 6
    successors = province_successors()
    assert set(successors) == set(province_names("2008")) and len(successors) == 63
    assert set(successors.values()) == set(province_names("2025"))
    assert successors["15"] == "15" and successors["10"] == "15"  # Yên Bái and Lào Cai → Lào Cai
    assert successors["74"] == successors["77"] == "79"  # Bình Dương, Bà Rịa - Vũng Tàu → TP.HCM
    assert province_names("2008")["15"] == "Yên Bái" and province_names("2025")["15"] == "Lào Cai"


def test_the_government_of_1_march_2025_has_14_ministries_and_3_agencies():
    bodies = load_organisations("2025")
    assert sum(row["kind"] == "ministry" for row in bodies) == 14
    assert sum(row["kind"] == "ministerial_agency" for row in bodies) == 3
    successors = organisation_successors()
    assert successors["BKHDT"] == "BTC" and successors["BTNMT"] == successors["BNNPTNT"] == "BNNMT"
    assert {row["code"] for row in load_organisations("2008")} <= set(successors)


def test_provinces_sort_the_vietnamese_way():
    names = [name for _, name in sorted_provinces("2008")]
    assert names.index("Đà Nẵng") > names.index("Cần Thơ")
    assert names.index("Điện Biên") < names.index("Gia Lai") and names[-1] == "Yên Bái"
    assert names.index("Cà Mau") < names.index("Cao Bằng") < names.index("Cần Thơ")
    assert sorted(["Ân", "Ăn", "An", "Bà", "Ba"], key=vietnamese_sort_key) == ["An", "Ăn", "Ân", "Ba", "Bà"]
    assert sorted(["Đồng", "Dũng", "Em"], key=vietnamese_sort_key) == ["Dũng", "Đồng", "Em"]


def test_a_consultation_uses_the_map_of_its_reference_day(app):
    consultation = make_consultation()
    consultation.reference_date = date(2025, 6, 30)
    assert consultation.province_map == "2008"
    consultation.reference_date = date(2025, 7, 1)
    assert consultation.province_map == "2025"
    consultation.reference_date = None  # then its opening day decides
    assert consultation.province_map == province_map_on(consultation.opens_at.date())


def _options(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]+)"', block)


def _list_page(client, slug: str) -> str:
    client.post(f"/du-thao/{slug}/dieu-1", data={"body": "Đề nghị làm rõ phạm vi.", "provision": "",
                                                "form_key": f"k-{slug}"})
    return client.get(f"/du-thao/{slug}/gop-y-cua-ban").text


def test_the_comment_form_offers_the_consultations_own_map(client):
    old = make_consultation("cu")
    old.reference_date = date(2022, 9, 1)
    new = make_consultation("moi")
    new.reference_date = date(2026, 1, 5)
    db.session.commit()
    assert len(_options(_list_page(client, "cu"), "province")) == 63
    codes = _options(_list_page(client, "moi"), "province")
    assert len(codes) == 34 and "02" not in codes  # Hà Giang is part of Tuyên Quang now
    refused = client.post("/du-thao/moi/gop-y-cua-ban", data={
        "respondent_type": "citizen", "province": "02", "consent": "y",
        "token": re.search(r'name="token"[^>]*value="([^"]+)"', _list_page(client, "moi")).group(1)})
    assert refused.status_code in (200, 422) and "Đề nghị làm rõ phạm vi." in refused.text
    assert "danh sách" in refused.text


def test_a_stored_code_is_named_on_its_consultations_map(client):
    for slug, day, expected in (("cu", date(2022, 9, 1), "Yên Bái"), ("moi", date(2026, 1, 5), "Lào Cai")):
        consultation = make_consultation(slug)
        consultation.reference_date = day
        comment = make_opinion(consultation, "dieu-1", province_code="15", body=f"Ý kiến {slug}.")
        db.session.commit()
        page = client.get(f"/bien-nhan/{comment.contribution.receipt_code}").text
        assert expected in page, slug


def test_the_overview_shows_an_old_consultation_on_todays_map(app):
    consultation = make_consultation()
    consultation.reference_date = date(2022, 9, 1)
    for code in ("10", "15", "15", "01"):  # Lào Cai, Yên Bái ×2, Hà Nội
        make_opinion(consultation, "dieu-1", province_code=code)
    db.session.commit()
    as_given = consultation_overview(db.session, consultation.id, survey_counts=None)
    assert dict(zip(as_given.by_province["key"], as_given.by_province["opinions"])) == \
        {"15": 2, "10": 1, "01": 1}
    today = consultation_overview(db.session, consultation.id, survey_counts=None, province_map="2025")
    assert dict(zip(today.by_province["key"], today.by_province["opinions"])) == {"15": 3, "01": 1}


def test_a_survey_province_question_can_use_either_map(app):
    from surveys.kinds import options

    survey = make_survey("ban-do", pages=[[
        {"name": "tinh_moi", "kind": "dropdown", "parameters": {"choice_source": "provinces_2025"}},
        {"name": "tinh_cu", "kind": "dropdown", "parameters": {"choice_source": "provinces"}}]])
    new, old = survey.questions
    names = [o.label for o in options(new)]
    assert len(names) == 34 and names.index("Đà Nẵng") < names.index("Gia Lai")
    assert len(options(old)) == 63 and options(old)[-1].label == "Yên Bái"


def test_the_demo_keeps_its_2022_map_and_adds_a_2026_consultation(app):
    load_demo(admin_password="mat-khau-dai-123")
    demo = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    decree = db.session.scalar(select(Consultation).where(Consultation.slug == DECREE_SLUG))
    assert (demo.province_map, decree.province_map) == ("2008", "2025")

    def roster_codes(consultation):
        return set(db.session.scalars(select(Organisation.code).join(
            RosterEntry, RosterEntry.organisation_id == Organisation.id)
            .where(RosterEntry.consultation_id == consultation.id)))

    old, new = roster_codes(demo), roster_codes(decree)
    assert {"BTNMT", "BNNPTNT", "UBND-02", "UBND-10"} <= old and not {"BNNMT", "UBND-15-2025"} & old
    assert {"BNNMT", "BDTTG", "UBND-15-2025", "UBND-01"} <= new and not {"BKHDT", "UBND-02"} & new
    assert sum(code.startswith("UBND-") for code in new) == 34
    assert sum(code.startswith("UBND-") for code in old) == 63
    huế = db.session.scalar(select(Organisation).where(Organisation.code == "UBND-46"))
    assert huế.name == "Ủy ban nhân dân thành phố Huế"
    assert organisations.name_on(huế, date(2022, 9, 1)) == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"


def test_merging_a_body_keeps_its_letters_and_points_at_the_successor(app):
    consultation = make_consultation()
    old = make.organisation("BCU", name="Bộ Cũ")
    new = make.organisation("BMOI", name="Bộ Mới")
    letter = make.letter(consultation, old, [("dieu-1", "Ý kiến của Bộ Cũ.")])
    organisations.merge(old, new, date(2026, 3, 1), None)
    db.session.commit()
    assert letter.organisation.code == "BCU" and letter.organisation.name == "Bộ Cũ"
    assert old.in_force_until == date(2026, 2, 28) and not old.in_force_on(date(2026, 3, 1))
    assert organisations.successor_in_force(old, date(2026, 6, 1)) is new
    assert organisations.successor_in_force(old, date(2025, 6, 1)) is old
    with pytest.raises(organisations.MergeRefused):
        organisations.merge(new, old, date(2026, 4, 1), None)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.merge"))


def test_renaming_a_body_keeps_the_name_it_had(app, runner):
    body = make.organisation("BXYZ", name="Bộ Xây dựng cũ")
    result = runner.invoke(args=["organisation", "rename", "BXYZ", "Bộ Xây dựng mới", "--on", "2026-01-01"])
    assert result.exit_code == 0, result.output
    db.session.refresh(body)
    assert body.name == "Bộ Xây dựng mới"
    assert organisations.name_on(body, date(2025, 12, 31)) == "Bộ Xây dựng cũ"
    assert organisations.name_on(body, date(2026, 1, 1)) == "Bộ Xây dựng mới"
    refused = runner.invoke(args=["organisation", "merge", "BXYZ", "BXYZ", "--on", "2026-02-01"])
    assert refused.exit_code != 0


def test_bodies_in_force_on_a_day_in_sql(app):
    make.organisation("BA")
    gone = make.organisation("BB")
    gone.in_force_until = date(2025, 2, 28)
    born = make.organisation("BC")
    born.in_force_from = date(2025, 3, 1)
    db.session.commit()

    def codes(day):
        return set(db.session.scalars(select(Organisation.code).where(
            Organisation.code.in_(["BA", "BB", "BC"]), Organisation.in_force_clause(day))))

    assert codes(date(2024, 1, 1)) == {"BA", "BB"}
    assert codes(date(2026, 1, 1)) == {"BA", "BC"}
    assert codes(None) == {"BA", "BB", "BC"}
    assert codes(date(2025, 3, 1) - timedelta(days=1)) == {"BA", "BB"}
