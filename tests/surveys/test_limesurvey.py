"""Importing LimeSurvey structure files (.lss): types, show-ifs, languages, and hostile files."""
from __future__ import annotations

import pytest
from pyxform.xls2xform import convert

from consult.extensions import db
from surveys.importing import import_survey_file, read_survey_file
from surveys.models import Survey
from surveys.xlsform import XLSFormError, export_xlsform, import_xlsform
from surveys.xlsform.outline import survey_outline
from tests.surveys.lss_builder import LssSurvey

VI_EN = ["vi", "en"]


def every_type() -> LssSurvey:
    """One question of each LimeSurvey type, on two groups, with relevance and conditions."""
    s = LssSurvey(VI_EN, {"vi": "Khảo sát HTX", "en": "Cooperative survey"},
                  description={"vi": "<p>Xin mời</p>", "en": "Welcome"})
    one = s.group({"vi": "Về bạn", "en": "About you"})
    yes_no = [("A1", {"vi": "Có", "en": "Yes"}), ("A2", {"vi": "Không", "en": "No"})]
    q1 = s.question(one, "L", "Q1", {"vi": "<b>Bạn</b> là thành viên HTX?", "en": "A member?"},
                    help={"vi": "Chọn một"}, mandatory="Y", answers=yes_no)
    s.question(one, "!", "Q2", {"vi": "Tỉnh", "en": "Province"}, answers=[("HN", {"vi": "Hà Nội"}), ("HCM", {"vi": "TP HCM"})])
    s.question(one, "O", "Q3", {"vi": "Loại hình"}, answers=yes_no, other="Y")
    s.question(one, "M", "Q4", {"vi": "Ưu tiên", "en": "Priorities"}, other="Y",
               subquestions=[("SQ1", {"vi": "Vốn", "en": "Capital"}), ("SQ2", {"vi": "Đất", "en": "Land"})],
               attributes={"max_answers": "2"})
    s.question(one, "P", "Q5", {"vi": "Vì sao"}, subquestions=[("SQ1", {"vi": "A"})])
    s.question(one, "S", "Q6", {"vi": "Họ tên"}, mandatory="S")
    s.question(one, "T", "Q7", {"vi": "Ý kiến"}, relevance='Q1.NAOK == "A1"')
    s.question(one, "U", "Q8", {"vi": "Góp ý dài"}, relevance='Q4_SQ1 == "Y" && !is_empty(Q6)')
    s.question(one, "N", "Q9", {"vi": "Số thành viên"}, attributes={"num_value_int_only": "1",
                                                                    "min_num_value_n": "7", "max_num_value_n": "500"})
    s.question(one, "D", "Q10", {"vi": "Ngày thành lập"})
    two = s.group({"vi": "Đánh giá", "en": "Ratings"}, relevance='Q1 == "A1"')
    s.question(two, "5", "Q11", {"vi": "Điểm"})
    rows = [("R1", {"vi": "Vốn"}), ("R2", {"vi": "Đất"})]
    s.question(two, "A", "Q12", {"vi": "Mảng 5 điểm"}, subquestions=rows)
    s.question(two, "B", "Q13", {"vi": "Mảng 10 điểm"}, subquestions=rows)
    s.question(two, "C", "Q14", {"vi": "Có/không chắc/không"}, subquestions=rows)
    s.question(two, "E", "Q15", {"vi": "Tăng/giảm"}, subquestions=rows)
    s.question(two, "F", "Q16", {"vi": "Mảng tuỳ chọn"}, subquestions=rows, answers=yes_no)
    s.question(two, "H", "Q17", {"vi": "Theo cột"}, subquestions=rows, answers=yes_no)
    s.question(two, ":", "Q18", {"vi": "Mảng số"}, subquestions=rows,
               attributes={"multiflexible_min": "1", "multiflexible_max": "4"})
    s.question(two, "1", "Q19", {"vi": "Hai thang"}, subquestions=rows,
               answers=yes_no + [("B1", {"vi": "X"}, "1")])
    s.question(two, "Y", "Q20", {"vi": "Có hay không", "en": "Yes or no"})
    s.question(two, "G", "Q21", {"vi": "Giới tính"})
    s.question(two, "K", "Q22", {"vi": "Số liệu"}, subquestions=[("V1", {"vi": "Vốn"}), ("V2", {"vi": "Lãi"})])
    s.question(two, "R", "Q23", {"vi": "Xếp hạng"}, answers=yes_no)
    s.question(two, "X", "Q24", {"vi": "<p>Cảm ơn bạn</p>", "en": "Thanks"})
    s.question(two, "*", "Q25", {"vi": "Tính"})
    s.question(two, ";", "Q26", {"vi": "Mảng chữ"}, subquestions=rows)
    s.question(two, "|", "Q27", {"vi": "Tệp"})
    q28 = s.question(two, "S", "Q28", {"vi": "Theo điều kiện cũ"})
    s.condition(q28, q1, f"123456X{one}X{q1}", "A1")
    s.condition(q28, q1, f"123456X{one}X{q1}", "A2")
    s.question(two, "S", "Q29", {"vi": "Tổng"}, relevance="sum(Q9, Q22_V1) > 3")
    return s


def codes(report) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for item in report.items:
        result.setdefault(item.code, set()).add(item.name)
    return result


@pytest.mark.parametrize("modern", [True, False], ids=["limesurvey-4+", "limesurvey-2-3"])
def test_every_limesurvey_type_is_mapped_or_reported(app, modern):
    survey, report = import_survey_file("khao_sat.lss", every_type().xml(modern))
    db.session.commit()
    kinds = {q.name: q.kind for q in survey.questions}
    assert kinds == {
        "Q1": "single_choice", "Q2": "dropdown", "Q3": "single_choice", "Q4": "multiple_choice",
        "Q5": "multiple_choice", "Q6": "short_text", "Q7": "long_text", "Q8": "long_text", "Q9": "integer",
        "Q10": "date", "Q11": "rating", "Q12": "matrix", "Q13": "matrix", "Q14": "matrix", "Q15": "matrix",
        "Q16": "matrix", "Q17": "matrix", "Q18": "matrix", "Q19": "matrix", "Q20": "single_choice",
        "Q21": "single_choice", "Q22_V1": "decimal", "Q22_V2": "decimal", "Q23": "ranking", "Q24": "note",
        "Q27": "file", "Q28": "short_text", "Q29": "short_text"}
    assert survey.title == {"vi": "Khảo sát HTX", "en": "Cooperative survey"}
    assert [p.title for p in survey.pages] == [{"vi": "Về bạn", "en": "About you"}, {"vi": "Đánh giá", "en": "Ratings"}]
    assert survey.pages[1].relevant == "${Q1} = 'A1'"
    q1 = survey.question_named("Q1")
    assert q1.required and q1.label == {"vi": "Bạn là thành viên HTX?", "en": "A member?"}
    assert q1.hint == {"vi": "Chọn một"} and [c.name for c in q1.choices] == ["A1", "A2"]
    assert [(c.name, c.is_other) for c in survey.question_named("Q4").choices] == [
        ("SQ1", False), ("SQ2", False), ("other", True)]
    assert survey.question_named("Q4").parameters["max_picks"] == 2
    assert survey.question_named("Q6").required is False
    assert survey.question_named("Q7").relevant == "${Q1} = 'A1'"
    assert survey.question_named("Q8").relevant == "selected(${Q4}, 'SQ1') and ${Q6} != ''"
    assert survey.question_named("Q9").parameters == {"min": 7, "max": 500}
    assert [c.name for c in survey.question_named("Q14").choices] == ["Y", "U", "N"]
    assert [r["name"] for r in survey.question_named("Q12").parameters["rows"]] == ["Q12_R1", "Q12_R2"]
    assert [c.name for c in survey.question_named("Q18").choices] == ["1", "2", "3", "4"]
    assert [c.name for c in survey.question_named("Q19").choices] == ["A1", "A2"]
    assert [c.name for c in survey.question_named("Q21").choices] == ["F", "M"]
    assert survey.question_named("Q24").label == {"vi": "Cảm ơn bạn", "en": "Thanks"}
    assert survey.question_named("Q28").relevant == "((${Q1} = 'A1' or ${Q1} = 'A2'))"
    assert survey.question_named("Q29").relevant == ""
    said = codes(report)
    assert said["lss_equation"] == {"Q25"} and said["unsupported_type"] == {"Q26"}
    assert said["lss_relevance_dropped"] == {"Q29"} and said["lss_soft_mandatory"] == {"Q6"}
    assert said["lss_comment_dropped"] == {"Q3", "Q5"} and said["lss_split"] == {"Q22"}
    assert said["lss_second_scale"] == {"Q19"} and "lss_html_removed" in said
    assert {"Q3", "Q4"} <= said["or_other"]


def test_a_limesurvey_import_exports_to_xlsform_and_back(app):
    survey, _report = import_survey_file("khao_sat.lss", every_type().xml())
    db.session.commit()
    exported = export_xlsform(survey)
    assert "<h:html" in convert(xlsform=exported, file_type=".xlsx", warnings=[]).xform
    again, _again_report = import_xlsform("export.xlsx", exported)
    db.session.commit()
    assert survey_outline(again) == survey_outline(survey)


def test_languages_other_than_ours_stand_in_or_are_reported(app):
    s = LssSurvey(["de", "fr"], {"de": "Umfrage", "fr": "Enquête"})
    group = s.group({"de": "Seite", "fr": "Page"})
    s.question(group, "S", "Q1", {"de": "Name", "fr": "Nom"})
    plan, report = read_survey_file("de.lss", s.xml())
    assert plan.questions()[0].label == {"vi": "Name"} and plan.title == {"vi": "Umfrage"}
    assert codes(report)["language_substituted"] == {""} and codes(report)["language_dropped"] == {""}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><languages><language>vi</language></languages>
<questions><rows><row><title>&lol3;</title></row></rows></questions></document>"""
NO_QUESTIONS = (b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType><languages><language>vi</language>"
                b"</languages></document>")
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><x>&secret;</x></document>"""


@pytest.mark.parametrize("data, code", [
    (BILLION_LAUGHS, "lss_unsafe"),
    (EXTERNAL_ENTITY, "lss_unsafe"),
    (b"<?xml version='1.0'?><html><body>not a survey</body></html>", "not_lss"),
    (b"\x00\xff garbage", "lss_xml"),
    (b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType>", "lss_xml"),
    (b"", "empty_file"),
    (b"<document>" + b" " * (6 * 1024 * 1024) + b"</document>", "too_large"),
    (NO_QUESTIONS, "no_questions_lss"),
])
def test_hostile_and_broken_lss_files_are_refused_with_a_reason(app, data, code):
    with pytest.raises(XLSFormError) as raised:
        import_survey_file("x.lss", data)
    assert [item.code for item in raised.value.report.errors] == [code]
    assert all(item.text() for item in raised.value.report.items)
    db.session.rollback()
    assert db.session.query(Survey).count() == 0


def test_too_many_rows_are_refused(app):
    s = LssSurvey(["vi"], {"vi": "Lớn"})
    group = s.group({"vi": "Trang"})
    data = s.xml().replace(b"<answers/>", b"<answers><rows>" + b"<row><qid>1</qid></row>" * 20_001
                           + b"</rows></answers>")
    with pytest.raises(XLSFormError) as raised:
        read_survey_file("big.lss", data)
    assert [item.code for item in raised.value.report.errors] == ["too_many_rows"]
    assert group
