"""Uploading XLSForms in the browser-less client: report page, errors listed, never a 500."""
from __future__ import annotations

import html
import io

import pytest
from openpyxl import load_workbook

from consult.extensions import db
from surveys.models import Question, Survey
from tests.factories import login, make_consultation, make_user
from tests.surveys.fixtures.xlsform.build_fixtures import HERE, xlsx_bytes

BASE = "/khao-sat/quan-tri"


@pytest.fixture()
def drafter(client):
    user = make_user("drafter")
    login(client, user)
    return user


def upload(client, data: bytes, filename: str, **extra):
    return client.post(f"{BASE}/nhap-xlsform?lang=en", data={"workbook": (io.BytesIO(data), filename), **extra},
                       content_type="multipart/form-data")


def test_import_then_read_the_report(client, app, drafter):
    consultation = make_consultation()
    response = upload(client, (HERE / "unsupported.xlsx").read_bytes(), "unsupported.xlsx",
                      consultation_id=str(consultation.id))
    assert response.status_code == 302
    survey = db.session.query(Survey).one()
    assert survey.consultation_id == consultation.id and survey.status == "draft"
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "A repeat (begin_repeat) cannot be represented" in page
    assert "Not imported: this question is inside the repeat “thanh_vien”." in page
    assert "7 rows could not be represented and were not imported" in page


BAD_NAMES = xlsx_bytes({"survey": [["type", "name", "label"], ["text", "a", "A"], ["text", "tên có dấu", "B"]]})


def test_one_bad_item_is_dropped_and_the_report_says_so(client, app, drafter):
    response = upload(client, (HERE / "errors.xlsx").read_bytes(), "errors.xlsx")
    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert ("“${tuoi_cua_ban} > 18” refers to ${tuoi_cua_ban}, but the survey has no question named "
            "“tuoi_cua_ban”. This logic was not imported") in page
    assert "The name “tuoi” is already used on row 2; this one was renamed “tuoi_2”." in page


def test_pyxform_s_own_message_is_shown(client, app, drafter):
    data = xlsx_bytes({"survey": [["type", "name", "label", "label"], ["text", "a", "A", "B"]]})
    response = upload(client, data, "dup.xlsx")
    assert response.status_code == 422
    assert "The file is not valid as an XLSForm: Duplicate column header: label" in html.unescape(
        response.get_data(as_text=True))


@pytest.mark.parametrize("filename, message", [
    ("bad_names.xlsx", "Sheet “survey”, row 3:"),
    ("bad_names.xlsx", "The name “tên có dấu” is not valid"),
    ("no_survey_sheet.xlsx", "There is no sheet named “survey”."),
    ("empty.xlsx", "The file is empty."),
    ("not_a_spreadsheet.xlsx", "This file is not a spreadsheet that can be read"),
])
def test_a_bad_workbook_lists_its_problems_and_stores_nothing(client, app, drafter, filename, message):
    data = BAD_NAMES if filename == "bad_names.xlsx" else (HERE / filename).read_bytes()
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.session.query(Survey).count() == 0 and db.session.query(Question).count() == 0


def test_no_file_and_junk_never_give_a_500(client, app, drafter):
    response = client.post(f"{BASE}/nhap-xlsform?lang=en", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Please choose an XLSForm file to import." in response.get_data(as_text=True)
    for junk in (b"\x00" * 100, b"PK\x03\x04" + b"\xff" * 300, "ý,kiến\n\"".encode()):
        for name in ("a.xlsx", "a.xls", "a.csv"):
            assert upload(client, junk, name).status_code == 422


def test_export_downloads_an_xlsx(client, app, drafter):
    upload(client, (HERE / "full.xlsx").read_bytes(), "full.xlsx")
    survey = db.session.query(Survey).one()
    response = client.get(f"{BASE}/{survey.id}/xlsform")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="khao-sat-htx.xlsx"'
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["survey", "choices", "settings"]


def test_the_import_page_is_for_the_drafting_team_only(client, app):
    login(client, make_user("moderator"))
    assert upload(client, (HERE / "full.xlsx").read_bytes(), "full.xlsx").status_code == 403


def test_a_limesurvey_file_and_an_xlsm_upload_on_the_same_page(client, app, drafter):
    from tests.surveys.lss_builder import LssSurvey

    lss = LssSurvey(["vi", "en"], {"vi": "Khảo sát", "en": "Survey"})
    lss.question(lss.group({"vi": "Trang"}), "L", "Q1", {"vi": "Bạn là ai?"},
                 answers=[("A1", {"vi": "Người dân"}), ("A2", {"vi": "Hợp tác xã"})])
    response = upload(client, lss.xml(), "khao_sat.lss")
    assert response.status_code == 302
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "File: khao_sat.lss" in page and "Imported as “Single choice”." in page
    response = upload(client, (HERE / "full.xlsx").read_bytes(), "full.xlsm")
    assert response.status_code == 302
    assert db.session.query(Survey).count() == 2


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4 a letter, not a survey", "The .lss file cannot be read as XML"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><document>&a;</document>",
     "refused for safety"),
    (b"<html><body>LimeSurvey</body></html>", "This file is not a LimeSurvey survey structure"),
])
def test_an_lss_upload_is_checked_by_its_content(client, app, drafter, data, message):
    response = upload(client, data, "khao_sat.lss")
    assert response.status_code == 422 and message in html.unescape(response.get_data(as_text=True))
    assert db.session.query(Survey).count() == 0
