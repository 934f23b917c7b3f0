"""Exporting surveys to XLSForm, and importing the export again gives the same survey."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from consult.extensions import db
from surveys import authoring
from surveys.authoring import QuestionFields, SurveyFields
from surveys.models import Survey
from surveys.xlsform import export_xlsform, import_xlsform
from tests.factories import make_consultation
from tests.surveys.fixtures.xlsform.build_fixtures import HERE

VI_LABEL, EN_LABEL = "label::Tiếng Việt (vi)", "label::English (en)"


def canonical(survey: Survey) -> dict:
    """What makes two surveys equivalent: everything but ids, slugs and page names."""
    def question(q):
        parameters = {k: v for k, v in q.parameters.items() if k != "appearance"}
        return {"name": q.name, "kind": q.kind, "label": q.label, "hint": q.hint,
                "required": q.required, "relevant": q.relevant, "constraint": q.constraint,
                "constraint_message": q.constraint_message, "parameters": parameters,
                "provision": q.provision.anchor if q.provision else None,
                "choices": [(c.name, c.label, c.is_other) for c in q.choices]}

    return {"title": survey.title, "introduction": survey.introduction,
            "audience": survey.audience, "settings": survey.settings,
            "pages": [{"title": p.title, "relevant": p.relevant,
                       "questions": [question(q) for q in p.questions]} for p in survey.pages]}


def round_trip(survey: Survey, consultation=None) -> Survey:
    data = export_xlsform(survey)
    again, report = import_xlsform("export.xlsx", data, consultation=consultation)
    db.session.commit()
    assert not report.errors
    return again


def sheet_rows(data: bytes, title: str) -> list[dict]:
    sheet = load_workbook(io.BytesIO(data))[title]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_the_export_has_the_three_sheets_with_labels_per_language(app):
    survey, _report = import_xlsform("full.xlsx", (HERE / "full.xlsx").read_bytes())
    db.session.commit()
    data = export_xlsform(survey)
    assert load_workbook(io.BytesIO(data)).sheetnames == ["survey", "choices", "settings"]
    rows = {row["name"]: row for row in sheet_rows(data, "survey") if row["name"]}
    assert rows["tuoi"][VI_LABEL] == "Tuổi của bạn" and rows["tuoi"][EN_LABEL] == "Your age"
    assert rows["tuoi"]["constraint_message::English (en)"] == "Age must be between 16 and 120."
    assert rows["uu_tien"]["type"] == "select_multiple uu_tien or_other"
    assert rows["danh_gia"]["type"] == "begin_group" and rows["danh_gia"]["appearance"] == "table-list"
    assert rows["cs_dat"]["type"] == "select_one danh_gia"
    assert rows["muc_do"]["appearance"] == "likert"
    choices = sheet_rows(data, "choices")
    assert {"list_name": "doi_tuong", "name": "htx", VI_LABEL: "Hợp tác xã",
            EN_LABEL: "Cooperative"} in choices
    settings = sheet_rows(data, "settings")[0]
    assert settings["form_title"] == "Khảo sát về dự thảo Luật Hợp tác xã (sửa đổi)"
    assert settings["default_language"] == "Tiếng Việt (vi)"


def test_an_imported_form_survives_export_and_import(app):
    survey, _report = import_xlsform("full.xlsx", (HERE / "full.xlsx").read_bytes())
    db.session.commit()
    again = round_trip(survey)
    assert again.id != survey.id and again.slug != survey.slug
    assert canonical(again) == canonical(survey)
    assert [page.name for page in again.pages] == ["ve_ban", "y_kien", "", ""]


def test_a_survey_built_in_the_web_ui_survives_export_and_import(app):
    consultation = make_consultation()
    survey = authoring.create_survey(SurveyFields(
        title={"vi": "Phiếu hỏi các bộ", "en": "Ministries' questionnaire"},
        introduction={"vi": "Xin mời trả lời."}, audience="invited", consultation_id=consultation.id,
        settings={"anonymous": False, "resume_days": 10}))
    page = survey.pages[0]
    authoring.update_page(page, {"vi": "Thông tin chung"})
    article = authoring.pinnable_articles(survey)[2]
    q = authoring.add_question(page, QuestionFields(
        name="tinh", kind="dropdown", label={"vi": "Tỉnh"}, required=True,
        parameters={"choice_source": "provinces", "profile_field": "province_code"}))
    q = authoring.add_question(page, QuestionFields(
        name="so_htx", kind="integer", label={"vi": "Số hợp tác xã", "en": "Number of cooperatives"},
        parameters={"min": 0, "max": 100000}, constraint=". >= 0",
        constraint_message={"vi": "Không âm"}, provision_id=article.id))
    q = authoring.add_question(page, QuestionFields(
        name="danh_gia", kind="rating", label={"vi": "Đánh giá"},
        parameters={"min": 0, "max": 10, "max_label": {"vi": "Rất tốt", "en": "Very good"}}))
    second = authoring.add_page(survey, {}, relevant="${so_htx} > 0")
    q = authoring.add_question(second, QuestionFields(
        name="chon", kind="multiple_choice", label={"vi": "Chọn"}, parameters={"max_picks": 2},
        relevant="${danh_gia} >= 5"))
    for name, label in (("a", "Một"), ("b", "Hai")):
        authoring.add_choice(q, name, {"vi": label})
    authoring.add_choice(q, "khac", {"vi": "Khác (ghi rõ)", "en": "Other (please specify)"}, is_other=True)
    matrix = authoring.add_question(second, QuestionFields(
        name="bang", kind="matrix", label={"vi": "Bảng"}, required=True,
        parameters={"rows": [{"name": "chon", "label": {"vi": "Trùng tên"}},
                             {"name": "r2", "label": {"vi": "Hàng 2"}}]}))
    authoring.add_choice(matrix, "1", {"vi": "Có"})
    authoring.add_choice(matrix, "2", {"vi": "Không"})
    authoring.add_question(second, QuestionFields(name="ghi_chu", kind="long_text", label={"vi": "Ghi chú"},
                                                  parameters={"max_length": 2000}))
    db.session.commit()

    again = round_trip(survey, consultation)
    expected = canonical(survey)
    # "Other" is written as XLSForm's or_other, which names the option "other".
    expected["pages"][1]["questions"][0]["choices"][-1] = (
        "other", {"vi": "Khác (ghi rõ)", "en": "Other (please specify)"}, True)
    # A matrix row named like a question is renamed so that names stay unique.
    expected["pages"][1]["questions"][1]["parameters"]["rows"][0]["name"] = "bang_chon"
    assert canonical(again) == expected
    assert again.question_named("so_htx").provision.anchor == article.anchor
    assert again.question_named("tinh").choices == []
