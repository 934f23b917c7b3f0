"""``flask survey import FILE [--check]``: the upload page's report on the command line."""
from __future__ import annotations

from consult.extensions import db
from surveys.models import Survey
from surveys.xlsform import last_import_report
from tests.factories import make_consultation
from tests.surveys.fixtures.xlsform.build_fixtures import HERE
from tests.surveys.lss_builder import LssSurvey


def test_check_prints_the_report_and_stores_nothing(runner, app):
    result = runner.invoke(args=["survey", "import", "--check", "--lang", "en", str(HERE / "unsupported.xlsx")])
    assert result.exit_code == 0, result.output
    assert "Sheet “survey”, row 8: [thanh_vien] A repeat (begin_repeat) cannot be represented" in result.output
    assert "Not imported: 7" in result.output.splitlines()[0]
    assert db.session.query(Survey).count() == 0


def test_the_report_is_in_vietnamese_by_default(runner, app):
    result = runner.invoke(args=["survey", "import", "--check", str(HERE / "unsupported.xlsx")])
    assert "Không nhập được" in result.output


def test_import_creates_a_draft_attached_to_the_consultation(runner, app):
    consultation = make_consultation("luat-htx")
    result = runner.invoke(args=["survey", "import", "--consultation", "luat-htx", "--lang", "en",
                                 str(HERE / "full.xlsx")])
    assert result.exit_code == 0, result.output
    survey = db.session.query(Survey).one()
    assert survey.status == "draft" and survey.consultation_id == consultation.id
    assert f"(number {survey.id})" in result.output
    assert last_import_report(survey).filename == "full.xlsx"


def test_a_limesurvey_file_imports_from_the_command_line(runner, app, tmp_path):
    make_consultation("luat-htx")
    lss = LssSurvey(["vi"], {"vi": "Khảo sát"})
    lss.question(lss.group({"vi": "Trang"}), "Y", "Q1", {"vi": "Đồng ý?"})
    path = tmp_path / "khao_sat.lss"
    path.write_bytes(lss.xml())
    result = runner.invoke(args=["survey", "import", "--consultation", "luat-htx", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.query(Survey).one().question_named("Q1").kind == "single_choice"


def test_errors_and_unknown_consultations_fail_with_a_message(runner, app, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    result = runner.invoke(args=["survey", "import", "--check", "--lang", "en", str(bad)])
    assert result.exit_code == 1 and "This file is not a spreadsheet that can be read" in result.output
    result = runner.invoke(args=["survey", "import", "--consultation", "khong-co", "--lang", "en",
                                 str(HERE / "full.xlsx")])
    assert result.exit_code == 1 and "No consultation with the address “khong-co”." in result.output
    assert db.session.query(Survey).count() == 0
