"""Hostile and random workbooks: the import either succeeds or lists its problems, nothing else."""
from __future__ import annotations

import random

from consult.extensions import db
from surveys.xlsform import XLSFormError, read_xlsform
from tests.surveys.fixtures.xlsform.build_fixtures import csv_bytes, xlsx_bytes

TYPES = ["text", "integer", "decimal", "date", "note", "select_one l", "select_multiple l",
         "select_one l or_other", "rank l", "range", "file", "calculate", "begin_group", "end_group",
         "begin_repeat", "end_repeat", "geopoint", "select_one_from_file x.csv", "select_one nowhere",
         "begin group", "end group", "acknowledge", "", "widget"]
NAMES = ["a", "b", "c", "g", "a", "tên", "1x", "", "x" * 70, "other", "a_other"]
EXPRESSIONS = ["", "${a} > 1", "${b} = 'x'", ". > 0", "selected(${c}, '1')", "${zz} = 1", "(",
               "${a", "count-selected(.) <= 2", "regex(., '(a+)+$')", "1 div 0", "true()", "((" * 40]
APPEARANCES = ["", "minimal", "likert", "multiline", "table-list", "field-list", "list-nolabel", "label"]
LABELS = ["Câu hỏi", "", "Question", "=1+1", "x" * 300, None]


def gentle_form(rng: random.Random) -> dict:
    """Mostly valid rows, so that the mapping itself is exercised."""
    rows = [["type", "name", "label", "relevant", "appearance"]]
    names = []
    for index in range(rng.randint(1, 8)):
        kind = rng.choice(["text", "integer", "select_one l", "select_multiple l or_other", "rank l",
                           "note", "date", "range", "decimal", "calculate", "file"])
        name = f"q{index}"
        relevant = f"${{{rng.choice(names)}}} != ''" if names and rng.random() < .4 else ""
        rows.append([kind, name, f"Câu {index}", relevant, rng.choice(APPEARANCES[:4])])
        if kind != "calculate":
            names.append(name)
        if rng.random() < .2:
            group = f"g{index}"
            rows += [["begin_group", group, "Nhóm", "", rng.choice(["", "table-list", "field-list"])],
                     ["select_one l", f"{group}_1", "Hàng 1"], ["select_one l", f"{group}_2", "Hàng 2"],
                     ["end_group"]]
    if any(row[0] == "calculate" for row in rows[1:]):
        rows[0].append("calculation")
        rows = [rows[0]] + [row + (["1 + 1"] if row[0] == "calculate" else [""]) for row in rows[1:]]
    return {"survey": rows, "choices": [["list_name", "name", "label"], ["l", "1", "Một"], ["l", "2", "Hai"]]}


def random_form(rng: random.Random) -> dict:
    header = ["type", "name", "label::Tiếng Việt (vi)", "label", "relevant", "constraint", "appearance",
              "required", "parameters", "choice_filter", "platform_parameters"]
    rows = [header]
    for _ in range(rng.randint(0, 12)):
        rows.append([rng.choice(TYPES), rng.choice(NAMES), rng.choice(LABELS) or "", rng.choice(LABELS) or "",
                     rng.choice(EXPRESSIONS), rng.choice(EXPRESSIONS), rng.choice(APPEARANCES),
                     rng.choice(["", "yes", "no", "${a} > 1"]), rng.choice(["", "start=1 end=5", "max-file-size=x", "start=a"]),
                     rng.choice(["", "${a} = 1"]), rng.choice(["", "{", '{"min": 1}', "[]", '{"provision": 5}'])])
    choices = [["list_name", "name", "label"]] + [[rng.choice(["l", "l", "m", ""]), rng.choice(["1", "2", "3", "other", ""]),
                                                   rng.choice(["Một", "Hai", ""])] for _ in range(rng.randint(0, 6))]
    return {"survey": rows, "choices": choices}


def test_random_workbooks_never_raise_anything_but_a_report(app):
    rng = random.Random(20240531)
    outcomes = {"ok": 0, "refused": 0}
    with app.test_request_context("/?lang=en"):
        for index in range(50):
            sheets = gentle_form(rng) if index % 2 else random_form(rng)
            data, name = (csv_bytes(sheets), "f.csv") if index % 4 == 0 else (xlsx_bytes(sheets), "f.xlsx")
            try:
                plan, report = read_xlsform(name, data)
            except XLSFormError as error:
                outcomes["refused"] += 1
                assert error.report.errors
                assert "unexpected" not in {item.code for item in error.report.items}
                assert all(item.text() for item in error.report.items)
            else:
                outcomes["ok"] += 1
                assert plan.questions() and not report.errors
    assert outcomes["ok"] and outcomes["refused"]
    db.session.rollback()


def zip_bomb() -> bytes:
    """An .xlsx whose sheet unpacks to 60 MB of spaces (a few hundred kB packed)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_and_a_huge_sheet_are_refused_before_they_are_read(app):
    import pytest

    with pytest.raises(XLSFormError) as raised:
        read_xlsform("bomb.xlsx", zip_bomb())
    assert [item.code for item in raised.value.report.errors] == ["too_large_unzipped"]
    rows = [["type", "name", "label"]] + [["text", f"q{n}", "Câu"] for n in range(10_001)]
    with pytest.raises(XLSFormError) as raised:
        read_xlsform("huge.csv", csv_bytes({"survey": rows}))
    assert [item.code for item in raised.value.report.errors] == ["too_many_rows"]


def random_lss(rng: random.Random) -> bytes:
    from tests.surveys.lss_builder import LssSurvey

    survey = LssSurvey(rng.sample(["vi", "en", "de", "", "vi-VN"], rng.randint(0, 3)), {"vi": "K"})
    groups = [survey.group({"vi": "Trang"}, relevance=rng.choice(["1", "", "Q1 == 'A'", "(("]))
              for _ in range(rng.randint(0, 3))] or [""]
    for index in range(rng.randint(0, 10)):
        survey.question(rng.choice(groups), rng.choice("LMOPSTUNDABCEFH1:;YGKRX*|I!5Z"),
                        rng.choice([f"Q{index}", "1x", "", "Q1"]), {"vi": rng.choice(["Câu", "<b>", ""])},
                        mandatory=rng.choice("YNS"), other=rng.choice("YN"),
                        relevance=rng.choice(["1", "Q1 == \"A\"", "!is_empty(Q2)", "((", "Q1_SQ1 == 'Y'"]),
                        answers=[(rng.choice(["A", "B", ""]), {"vi": "Đ"}) for _ in range(rng.randint(0, 3))],
                        subquestions=[(rng.choice(["SQ1", "SQ2", ""]), {"vi": "H"}) for _ in range(rng.randint(0, 3))],
                        attributes=rng.choice([{}, {"min_num_value_n": "x"}, {"multiflexible_max": "1e9"},
                                               {"max_answers": "-1"}]))
    return survey.xml(modern=rng.random() < .5)


def test_random_lss_files_never_raise_anything_but_a_report(app):
    from surveys.importing import read_survey_file

    rng = random.Random(20261205)
    outcomes = {"ok": 0, "refused": 0}
    with app.test_request_context("/?lang=en"):
        for _ in range(60):
            try:
                plan, report = read_survey_file("f.lss", random_lss(rng))
            except XLSFormError as error:
                outcomes["refused"] += 1
                assert error.report.errors and "unexpected" not in {i.code for i in error.report.items}
            else:
                outcomes["ok"] += 1
                assert plan.questions() and all(item.text() for item in report.items)
    assert outcomes["ok"] and outcomes["refused"]


def test_platform_parameters_of_the_wrong_type_are_not_kept(app):
    from surveys.xlsform import export_xlsform, import_xlsform

    data = xlsx_bytes({"survey": [["type", "name", "label", "appearance", "platform_parameters"],
                                  ["select_one s", "r", "Điểm", "likert", '{"min": 1, "max": 1e300}'],
                                  ["integer", "n", "Số", "", '{"min": "abc", "max_length": true}']],
                       "choices": [["list_name", "name", "label"], ["s", "1", "1"], ["s", "2", "2"]]})
    survey, report = import_xlsform("p.xlsx", data)
    assert {(item.name, item.params.get("parameter")) for item in report.items if item.code == "bad_parameter"} == {
        ("r", "max"), ("n", "min"), ("n", "max_length")}
    assert survey.question_named("r").parameters["max"] == 2
    assert export_xlsform(survey)
    db.session.rollback()
