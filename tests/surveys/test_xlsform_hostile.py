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
