"""Importing XLSForms: every supported feature, what cannot be represented, and bad files."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from surveys.models import Question, Survey
from surveys.xlsform import XLSFormError, import_xlsform, last_import_report, read_xlsform
from tests.surveys.fixtures.xlsform.build_fixtures import (FULL, HERE, csv_bytes, survey_only,
                                                           xlsx_bytes)


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def import_fixture(name: str) -> Survey:
    survey, report = import_xlsform(name, fixture(name))
    db.session.commit()
    assert not report.errors
    return survey


def items(report, outcome=None):
    return {(item.row, item.code) for item in report.items if outcome in (None, item.outcome)}


@pytest.mark.parametrize("name", ["full.xlsx", "full.xls", "full.csv"])
def test_every_supported_feature_is_imported(app, name):
    survey = import_fixture(name)
    assert survey.status == "draft" and survey.slug == "khao-sat-htx"
    assert survey.title == {"vi": "Khảo sát về dự thảo Luật Hợp tác xã (sửa đổi)"}
    assert [page.name for page in survey.pages] == ["ve_ban", "y_kien", "", ""]
    assert survey.pages[1].title == {"vi": "Ý kiến về dự thảo", "en": "Opinions on the draft"}
    kinds = {q.name: q.kind for q in survey.questions}
    assert kinds == {
        "loi_chao": "note", "doi_tuong": "single_choice", "tinh": "dropdown", "tuoi": "integer",
        "muc_do": "rating", "uu_tien": "multiple_choice", "ly_do": "long_text",
        "thu_dien_tu": "short_text", "von_gop": "decimal", "ngay_thanh_lap": "date",
        "xep_hang": "ranking", "van_ban": "file", "danh_gia": "matrix", "diem": "rating"}
    assert [q.name for q in survey.pages[0].questions] == ["loi_chao", "doi_tuong", "tinh", "tuoi"]

    age = survey.question_named("tuoi")
    assert age.required and age.label == {"vi": "Tuổi của bạn", "en": "Your age"}
    assert age.constraint == ". >= 16 and . <= 120"
    assert age.constraint_message == {"vi": "Tuổi phải từ 16 đến 120.", "en": "Age must be between 16 and 120."}
    respondent = survey.question_named("doi_tuong")
    assert respondent.hint == {"vi": "Chọn một", "en": "Choose one"}
    assert [(c.name, c.label["en"]) for c in respondent.choices] == [
        ("nguoi_dan", "Citizen"), ("thanh_vien", "Cooperative member"), ("htx", "Cooperative")]

    priorities = survey.question_named("uu_tien")
    assert priorities.relevant == "${doi_tuong} = 'thanh_vien' or ${doi_tuong} = 'htx'"
    assert [(c.name, c.is_other) for c in priorities.choices] == [
        ("von", False), ("dat", False), ("dao_tao", False), ("other", True)]
    assert survey.question_named("ly_do").relevant == "selected(${uu_tien}, 'von')"

    likert = survey.question_named("muc_do")
    assert likert.required  # "true()"
    assert likert.parameters["min"] == 1 and likert.parameters["max"] == 5
    assert likert.parameters["min_label"] == {"vi": "Hoàn toàn không đồng ý", "en": "Strongly disagree"}
    assert likert.parameters["max_label"]["en"] == "Strongly agree"
    assert survey.question_named("diem").parameters == {"min": 1, "max": 10, "appearance": "likert"}
    assert survey.question_named("tinh").parameters["appearance"] == "minimal"
    assert survey.question_named("van_ban").parameters["max_mb"] == 5
    assert [c.name for c in survey.question_named("xep_hang").choices] == ["thue", "tin_dung", "ha_tang"]

    matrix = survey.question_named("danh_gia")
    assert matrix.required and matrix.label["vi"] == "Đánh giá các chính sách"
    assert [row["name"] for row in matrix.parameters["rows"]] == ["cs_von", "cs_dat", "cs_thue"]
    assert matrix.parameters["rows"][1]["label"] == {"vi": "Chính sách về đất đai", "en": "Land policy"}
    assert [c.name for c in matrix.choices] == ["1", "2", "3", "4", "5"]
    assert survey.question_named("cs_von") is None


def test_the_report_lists_each_row_and_is_kept_with_the_survey(app):
    survey = import_fixture("full.xlsx")
    report = last_import_report(survey)
    assert report.filename == "full.xlsx"
    assert (4, "imported") in items(report) and (18, "imported_matrix") in items(report)
    assert {(19, "matrix_row"), (20, "matrix_row"), (21, "matrix_row")} <= items(report)
    assert {(9, "likert"), (10, "or_other"), (16, "file_pdf_only")} <= items(report, "changed")
    with app.test_request_context("/?lang=en"):
        texts = [item.text() for item in report.items]
    assert "Imported as “Dropdown list”." in texts


def test_what_cannot_be_represented_is_listed_row_by_row(app):
    survey, report = import_xlsform("unsupported.xlsx", fixture("unsupported.xlsx"))
    db.session.commit()
    assert [q.name for q in survey.ordered_questions()] == ["loai", "nganh", "so_thanh_vien", "ket_thuc"]
    assert items(report, "unsupported") == {
        (2, "metadata"), (4, "choice_filter"), (5, "select_from_file"), (7, "calculate"),
        (8, "repeat"), (9, "inside_repeat"), (11, "unsupported_type")}
    assert {(6, "required_expression"), (6, "required_message"),
            (None, "language_dropped")} <= items(report, "changed")
    assert survey.question_named("so_thanh_vien").required is False
    assert "fr" not in survey.question_named("loai").label


def error_rows(data: bytes, filename: str = "form.xlsx") -> set[tuple]:
    before = db.session.scalar(select(func.count()).select_from(Question))
    with pytest.raises(XLSFormError) as raised:
        import_xlsform(filename, data)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
    assert db.session.scalar(select(func.count()).select_from(Question)) == before
    return {(item.row, item.code) for item in raised.value.report.errors}


def test_one_bad_item_drops_that_item_not_the_form(app):
    survey, report = import_xlsform("errors.xlsx", fixture("errors.xlsx"))
    assert {(3, "expression_dropped"), (4, "expression_dropped")} <= items(report, "unsupported")
    assert (5, "renamed_duplicate") in items(report, "changed")
    assert [q.name for q in survey.ordered_questions()] == ["tuoi", "nghe", "y_kien", "tuoi_2"]
    assert survey.question_named("nghe").relevant == "" and survey.question_named("y_kien").constraint == ""
    texts = {(item.row, item.code): item.text() for item in report.items}
    assert texts[3, "expression_dropped"].startswith("Column “relevant”: “${tuoi_cua_ban} > 18” refers to")
    assert texts[5, "renamed_duplicate"] == "The name “tuoi” is already used on row 2; this one was renamed “tuoi_2”."


def test_errors_are_all_listed_with_their_rows_and_nothing_is_stored(app):
    data = xlsx_bytes({"survey": [["type", "name", "label"], ["text", "tên có dấu", "A"],
                                  ["text", "1x", "B"], ["select_one l", "c", "C"]],
                       "choices": [["list_name", "name", "label"], ["l", "1", "Một"], ["l", "1", "Lại một"]]})
    assert error_rows(data) == {(2, "bad_name"), (3, "bad_name"), (3, "duplicate_choice")}


@pytest.mark.parametrize("filename, code", [
    ("empty.xlsx", "empty_file"),
    ("not_a_spreadsheet.xlsx", "not_a_spreadsheet"),
    ("no_survey_sheet.xlsx", "missing_survey_sheet"),
])
def test_files_that_are_not_xlsforms(app, filename, code):
    assert error_rows(fixture(filename), filename) == {(None, code)}


def test_other_unreadable_uploads(app):
    assert error_rows(b"%PDF-1.4 not a form", "form.pdf") == {(None, "unsupported_extension")}
    assert error_rows(b"survey,type,name,label\n,text,a,Ti\xeang Vi\xeat\n", "f.csv") == {(None, "csv_not_utf8")}
    assert error_rows(b"PK\x03\x04 broken zip", "form.xlsx") == {(None, "not_a_spreadsheet")}
    assert error_rows(xlsx_bytes({"survey": [["type", "name", "label"]]})) == {(None, "no_questions")}
    assert error_rows(xlsx_bytes({"survey": [["name", "label"], ["a", "A"]]})) == {(None, "missing_column")}


def test_a_csv_saved_by_excel_with_a_byte_order_mark_reads(app):
    plan, report = read_xlsform("form.csv", b"\xef\xbb\xbf" + csv_bytes(FULL))
    assert len(plan.questions()) == 14 and not report.errors


def rows(*questions):
    return xlsx_bytes(survey_only([["type", "name", "label", "relevant", "constraint"], *questions]))


def test_logic_pointing_at_a_question_that_is_not_imported_is_dropped_and_reported(app):
    data = xlsx_bytes({"survey": [
        ["type", "name", "label", "relevant", "calculation"],
        ["calculate", "tong", "", "", "1 + 1"],
        ["begin_repeat", "lap", "Lặp"], ["text", "ten", "Tên"], ["end_repeat"],
        ["integer", "so", "Số", "${tong} > 1"],
        ["text", "ghi_chu", "Ghi chú", "${ten} != ''"],
    ]})
    survey, report = import_xlsform("form.xlsx", data)
    assert {(6, "expression_dropped"), (7, "expression_dropped")} <= items(report, "unsupported")
    assert survey.question_named("so").relevant == "" and survey.question_named("ghi_chu").relevant == ""


def test_expressions_our_evaluator_refuses_are_dropped_on_their_row(app):
    data = rows(["integer", "a", "A"],
                ["text", "b", "B", "jr:choice-name(${a}, '${a}') = 'x'"],
                ["text", "c", "C", "concat(${a}, 'x') = 'x'"],
                ["text", "d", "D", "", "regex(., '(a')"],
                ["text", "e", "E", "", "selected(.)"],
                ["integer", "f", "F", "", "sum(${a}) > 1"])
    survey, report = import_xlsform("form.xlsx", data)
    assert items(report, "unsupported") == {(3, "expression_dropped"), (4, "expression_dropped"),
                                            (5, "expression_dropped"), (6, "expression_dropped"),
                                            (7, "expression_dropped")}
    assert [q.name for q in survey.ordered_questions()] == ["a", "b", "c", "d", "e", "f"]
    assert not any(q.relevant or q.constraint for q in survey.questions)


def test_pyxform_s_own_checks_keep_their_row(app):
    data = xlsx_bytes({"survey": [["type", "name", "label"], ["select_one khong_co", "a", "A"]],
                       "choices": [["list_name", "name", "label"], ["co", "1", "Có"]]})
    assert error_rows(data) == {(2, "pyxform")} or error_rows(data) == {(None, "pyxform")}


def test_bad_names_and_duplicate_choices(app):
    data = xlsx_bytes({"survey": [["type", "name", "label"], ["text", "tên có dấu", "A"],
                                  ["select_one l", "b", "B"]],
                       "choices": [["list_name", "name", "label"], ["l", "1", "Một"], ["l", "1", "Lại một"]]})
    errors = error_rows(data)
    assert (2, "bad_name") in errors and (3, "duplicate_choice") in errors


def test_nested_groups_merge_into_their_page_with_their_show_if(app):
    data = xlsx_bytes({"survey": [
        ["type", "name", "label", "relevant"],
        ["begin_group", "trang", "Trang"], ["integer", "tuoi", "Tuổi"],
        ["begin_group", "con", "Nhóm con", "${tuoi} > 18"], ["text", "nghe", "Nghề", "${tuoi} < 60"],
        ["end_group"], ["end_group"]]})
    survey, report = import_xlsform("nested.xlsx", data)
    assert [q.name for q in survey.pages[0].questions] == ["tuoi", "nghe"]
    assert survey.question_named("nghe").relevant == "(${tuoi} > 18) and (${tuoi} < 60)"
    assert (4, "nested_group") in items(report, "changed")


def test_a_matrix_whose_rows_carry_logic_stays_separate_questions(app):
    data = xlsx_bytes({"survey": [
        ["type", "name", "label", "relevant", "appearance"],
        ["integer", "tuoi", "Tuổi"],
        ["begin_group", "bang", "Bảng", "", "table-list"],
        ["select_one d", "h1", "Hàng 1"], ["select_one d", "h2", "Hàng 2", "${tuoi} > 1"],
        ["end_group"]],
        "choices": [["list_name", "name", "label"], ["d", "1", "Có"], ["d", "2", "Không"]]})
    survey, report = import_xlsform("bang.xlsx", data)
    assert {q.name: q.kind for q in survey.questions} == {"tuoi": "integer", "h1": "single_choice",
                                                          "h2": "single_choice"}
    assert (3, "matrix_kept_separate") in items(report, "changed")


def test_a_field_list_matrix_written_by_hand_is_recognised(app):
    data = xlsx_bytes({"survey": [
        ["type", "name", "label", "appearance"],
        ["begin_group", "bang", "Bảng", "field-list"],
        ["select_one d", "tieu_de", "", "label"],
        ["select_one d", "h1", "Hàng 1", "list-nolabel"], ["select_one d", "h2", "Hàng 2", "list-nolabel"],
        ["end_group"]],
        "choices": [["list_name", "name", "label"], ["d", "1", "Có"], ["d", "2", "Không"]]})
    survey, _report = import_xlsform("bang.xlsx", data)
    matrix = survey.question_named("bang")
    assert matrix.kind == "matrix" and [r["name"] for r in matrix.parameters["rows"]] == ["h1", "h2"]


def test_the_import_pins_questions_to_articles_of_the_consultation(app):
    from tests.factories import make_consultation

    consultation = make_consultation()
    data = xlsx_bytes({"survey": [["type", "name", "label", "platform_parameters"],
                                  ["text", "a", "A", '{"provision": "dieu-3"}'],
                                  ["text", "b", "B", '{"provision": "dieu-99", "max_length": 20}']]})
    survey, report = import_xlsform("pin.xlsx", data, consultation=consultation)
    assert survey.question_named("a").provision.number == "3"
    assert survey.question_named("b").provision is None
    assert survey.question_named("b").parameters["max_length"] == 20
    assert (3, "provision_not_found") in items(report, "changed")
