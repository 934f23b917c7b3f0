"""Export files read back (csv, openpyxl) and compared with the tallies."""
from __future__ import annotations

import csv
import io
import os
from collections import Counter
from datetime import datetime

import openpyxl
import pytest

from analysis import exports
from analysis.crosstab import crosstab
from analysis.tallies import ResponseFilters, summarise_survey
from analysis.tallies.responses import ResponseTable
from consult.extensions import db
from tests.analysis.tally_factories import make_reference_survey


@pytest.fixture()
def survey(app):
    return make_reference_survey()


def read_csv(chunks) -> list[list[str]]:
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(path) -> list[list]:
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        os.unlink(path)


def column(rows, header):
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def summary_of(survey, name):
    return next(s for s in summarise_survey(db.session, survey.id) if s.question.name == name)


def test_responses_csv_matches_the_tallies(survey):
    rows = read_csv(exports.responses_csv(ResponseTable(db.session, survey.id)))
    assert len(rows) == 1 + 5  # header + five submitted responses, the unfinished one left out
    view = summary_of(survey, "q_view")
    label = view.question.label
    assert Counter(v for v in column(rows, label) if v) == {"Tốt": 1, "Bình thường": 1, "Chưa tốt": 2}
    multi = summary_of(survey, "q_multi")
    for option, count in zip(multi.table["label"], multi.table["count"]):
        assert column(rows, f"{multi.question.label}: {option}").count("1") == count
    assert column(rows, "q_matrix: Điều 5") == ["Đồng ý", "Đồng ý", "Trung lập", "", ""]
    assert column(rows, "q_rank: Vốn") == ["1", "2", "3", "", ""]
    assert column(rows, "q_rating") == ["5", "3", "4", "4", ""]
    assert column(rows, "q_date")[:2] == ["05/01/2024", "06/01/2024"]
    assert column(rows, "q_province")[:3] == ["Hà Nội", "Hồ Chí Minh", "Hồ Chí Minh"]
    assert column(rows, "Respondent type")[:2] == ["citizen", "enterprise"]


def test_responses_xlsx_matches_the_tallies(survey):
    table = ResponseTable(db.session, survey.id, chunk_size=2)  # three chunks
    rows = read_xlsx(exports.responses_xlsx(table, "Phiếu"))
    assert len(rows) == 6
    assert column(rows, "q_int") == [10, 20, 30, 40, None]
    assert sum(column(rows, "q_int")[:4]) / 4 == summary_of(survey, "q_int").stats["mean"]
    assert isinstance(column(rows, "q_date")[0], datetime)
    assert isinstance(column(rows, "Submitted at")[0], datetime)
    assert column(rows, "Answered through") == ["Open link"] * 5


def test_filtered_export_and_labels(survey):
    labels = {"respondent_type": {"citizen": "Người dân", "enterprise": "Doanh nghiệp"}}
    table = ResponseTable(db.session, survey.id, ResponseFilters(respondent_type="citizen"), labels=labels)
    rows = read_csv(exports.responses_csv(table))
    assert table.count() == 3 and len(rows) == 4
    assert set(column(rows, "Respondent type")) == {"Người dân"}


def test_a_deleted_option_keeps_its_column(app):
    from sqlalchemy import update

    from surveys.models import Answer, Choice
    from tests.analysis.tally_factories import make_survey, respond

    survey = make_survey([{"name": "m", "kind": "multiple_choice", "choices": [("a", "Một"), ("b", "Hai")]}])
    respond(survey, {"m": ["a", "b"]})
    respond(survey, {"m": ["b"]})
    old = db.session.query(Choice).filter_by(name="b").one()
    db.session.execute(update(Answer).where(Answer.choice_id == old.id).values(choice_id=None))
    db.session.delete(old)
    db.session.commit()
    rows = read_csv(exports.responses_csv(ResponseTable(db.session, survey.id)))
    assert rows[0][-2:] == ["m: Một", "m: b (deleted option)"]
    assert column(rows, "m: b (deleted option)") == ["1", "1"]


def test_tally_workbook_holds_the_summary_numbers(survey):
    summaries = summarise_survey(db.session, survey.id)
    rows = read_xlsx(exports.tallies_xlsx(summaries, exports.english_words, "Khảo sát"))
    flat = [row for row in rows if row and row[0] is not None]
    view = next(i for i, row in enumerate(flat) if row[0] == summaries[0].question.label)
    assert flat[view + 1][:2] == ["Respondents", 5] and flat[view + 2][:2] == ["Answered", 4]
    option_rows = {row[0]: row[1:3] for row in flat if row[0] in ("Tốt", "Chưa tốt")}
    assert option_rows == {"Tốt": [1, 0.25], "Chưa tốt": [2, 0.5]}
    assert any(row[:2] == ["Median", 4] for row in flat)  # the rating's median


def test_crosstab_workbook(survey):
    qid = next(q.id for q in survey.questions if q.name == "q_view")
    table = crosstab(db.session, survey.id, qid, "respondent_type")
    path = exports.crosstab_xlsx(table, exports.english_words, lambda key: key or "—", "q_view")
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        counts = [list(r) for r in book["Counts"].iter_rows(min_row=3, values_only=True)]
        shares = [list(r) for r in book["Shares"].iter_rows(min_row=3, values_only=True)]
    finally:
        os.unlink(path)
    assert counts[0] == ["Group", "Respondents", "Answered", "Tốt", "Bình thường", "Chưa tốt", "Khác"]
    assert counts[1] == ["citizen", 3, 2, 1, 0, 1, 0]
    assert shares[1][3] == 0.5


def test_csv_streams_in_chunks(app):
    rows = ([i, "Hà Nội"] for i in range(exports.CSV_BATCH * 2 + 1))
    chunks = list(exports.csv_chunks(["Số", "Tỉnh"], rows))
    assert len(chunks) == 3
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == exports.CSV_BATCH * 2 + 2


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert exports.sheet_name("Điều 5: vốn/góp?", taken) == "Điều 5  vốn góp"
    assert exports.sheet_name("Điều 5: vốn/góp?", taken) == "Điều 5  vốn góp (2)"
    assert len(exports.sheet_name("x" * 40, taken)) == 31


def test_workbooks_written_at_a_path_count_their_rows(survey, tmp_path):
    from tests.analysis.tally_factories import make_opinion
    from tests.factories import make_consultation

    path = tmp_path / "phieu.xlsx"  # read_xlsx deletes it after reading
    table = ResponseTable(db.session, survey.id, ResponseFilters(province_code="79"), chunk_size=1)
    assert exports.write_responses_xlsx(table, "Phiếu", path) == 1
    assert len(read_xlsx(path)) == 2  # header + R3
    consultation = make_consultation()
    make_opinion(consultation, "dieu-3")
    make_opinion(consultation, "dieu-1", status="pending")
    assert exports.count_comments(db.session, consultation.id) == 2
    assert exports.write_comments_xlsx(db.session, consultation.id, exports.english_words, path) == 2
    rows = read_xlsx(path)
    assert [row[2] for row in rows] == ["Status", "published", "pending"]
    assert "Receipt code" not in rows[0]  # a receipt code opens the sender's personal data


def test_a_stored_file_streams_and_stays(tmp_path):
    path = tmp_path / "kept.xlsx"
    path.write_bytes(b"x" * 100_000)
    assert b"".join(exports.stream_stored_file(path, block=4096)) == b"x" * 100_000
    assert path.exists()
    with pytest.raises(FileNotFoundError):  # at once, not when the first block is read
        exports.stream_stored_file(tmp_path / "missing.xlsx")
