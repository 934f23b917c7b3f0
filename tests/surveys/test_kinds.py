"""Every question kind: read the form, check, store as rows, load back, and be tallied by
``analysis.tallies`` (the kinds themselves do not count)."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from analysis.tallies import summarise_question
from consult.extensions import db
from surveys.kinds import KINDS, kind_of, options, parse_decimal, parse_integer
from surveys.models import Answer, Response
from tests.surveys.factories import make_survey

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def one_question(spec: dict, slug: str = "khao-sat"):
    survey = make_survey(slug, pages=[[spec]])
    return survey, survey.questions[0]


def read(question, data: dict, files: dict | None = None, previous=None):
    return kind_of(question).read(question, MultiDict(data), files or {}, previous)


def roundtrip(survey, question, entry):
    """Store the entry's rows in a submitted response, reload them, and read them back."""
    response = Response(survey=survey, status="submitted")
    for row in kind_of(question).to_rows(question, entry):
        response.answers.append(Answer(question=question, **row))
    db.session.add(response)
    db.session.commit()
    db.session.expire_all()
    rows = db.session.query(Answer).filter_by(response_id=response.id).order_by(Answer.id).all()
    return kind_of(question).from_rows(question, rows), rows


def tally(survey, question):
    """The canonical tally of one question over the survey's submitted responses."""
    return summarise_question(db.session, survey.id, question.id)


def option_counts(summary) -> dict:
    """Option name -> count, from an option question's summary table."""
    return dict(zip(summary.table["name"], summary.table["count"].astype(int)))


def test_every_kind_has_a_macro_and_a_label(app):
    for key, kind in KINDS.items():
        assert kind.key == key and kind.macro and str(kind.label)


def test_single_choice_reads_stores_loads_and_tallies(app):
    survey, q = one_question({"name": "role", "kind": "single_choice",
                              "choices": ["citizen", "member", "other*"]})
    entry = read(q, {"q-role": "member"})
    assert entry.value == "member" and not entry.errors
    loaded, rows = roundtrip(survey, q, entry)
    assert loaded.value == "member"
    assert rows[0].choice_id == q.choices[1].id and rows[0].value_text == "member"
    summary = tally(survey, q)
    assert summary.answered == 1 and summary.skipped == 0
    assert option_counts(summary) == {"citizen": 0, "member": 1, "other": 0}


def test_single_choice_other_needs_its_text_and_keeps_it(app):
    survey, q = one_question({"name": "role", "kind": "single_choice", "choices": ["a", "other*"]})
    assert read(q, {"q-role": "other"}).errors
    entry = read(q, {"q-role": "other", "q-role-other": "Hội nông dân"})
    assert not entry.errors
    loaded, rows = roundtrip(survey, q, entry)
    assert rows[0].other_text == "Hội nông dân" and loaded.other == "Hội nông dân"
    assert kind_of(q).display(q, loaded) == ["Other: Hội nông dân"]


def test_the_other_text_counts_letters_as_people_see_them(app):
    """A phone keyboard may send Vietnamese decomposed (NFD): 200 letters are 400 code points,
    and the limit of 255 is about letters, as for the text kinds."""
    import unicodedata

    survey, q = one_question({"name": "role", "kind": "single_choice", "choices": ["a", "other*"]})
    assert not read(q, {"q-role": "other", "q-role-other": unicodedata.normalize("NFD", "ữ" * 200)}).errors
    too_long = read(q, {"q-role": "other", "q-role-other": unicodedata.normalize("NFD", "ữ" * 256)})
    assert too_long.errors and "256" in too_long.errors[0]
    many, q_many = one_question({"name": "help", "kind": "multiple_choice", "choices": ["a", "other*"]},
                                slug="nhieu")
    assert not read(q_many, MultiDict([("q-help", "other"),
                                       ("q-help-other", unicodedata.normalize("NFD", "ệ" * 255))])).errors


def test_tampered_choice_value_is_refused_and_kept_for_display(app):
    _survey, q = one_question({"name": "role", "kind": "single_choice", "choices": ["a", "b"]})
    entry = read(q, {"q-role": "<script>"})
    assert entry.errors and entry.raw["value"] == "<script>"


def test_multiple_choice_one_row_per_option_with_pick_limits(app):
    survey, q = one_question({"name": "needs", "kind": "multiple_choice",
                              "choices": ["land", "credit", "training", "market"],
                              "parameters": {"min_picks": 2, "max_picks": 3}})
    assert read(q, {"q-needs": ["land"]}).errors
    assert read(q, {"q-needs": ["land", "credit", "training", "market"]}).errors
    assert read(q, {"q-needs": ["land", "forged"]}).errors
    entry = read(q, {"q-needs": ["training", "land"]})
    assert entry.value == ["land", "training"] and not entry.errors
    loaded, rows = roundtrip(survey, q, entry)
    assert len(rows) == 2 and loaded.value == ["land", "training"]
    summary = tally(survey, q)
    counts = option_counts(summary)
    assert summary.answered == 1 and counts["land"] == 1 and counts["credit"] == 0


def test_dropdown_of_provinces_stores_the_code(app):
    survey, q = one_question({"name": "province", "kind": "dropdown",
                              "parameters": {"choice_source": "provinces"}})
    assert read(q, {"q-province": "99x"}).errors
    entry = read(q, {"q-province": "01"})
    loaded, rows = roundtrip(survey, q, entry)
    assert rows[0].choice_id is None and rows[0].value_text == "01"
    assert kind_of(q).display(q, loaded) == ["Hà Nội"]
    # the tally of a built-in list shows the chosen options only, most chosen first
    summary = tally(survey, q)
    assert option_counts(summary) == {"01": 1} and len(options(q)) == 63
    assert list(summary.table["label"]) == ["Hà Nội"] and not summary.table["deleted"].any()


def test_rating_within_the_scale(app):
    survey, q = one_question({"name": "agree", "kind": "rating",
                              "parameters": {"min": 1, "max": 5, "min_label": {"vi": "Rất không đồng ý"},
                                             "max_label": {"vi": "Rất đồng ý"}}})
    assert read(q, {"q-agree": "6"}).errors and read(q, {"q-agree": "x"}).errors
    loaded, rows = roundtrip(survey, q, read(q, {"q-agree": "4"}))
    assert loaded.value == 4 and rows[0].value_number == 4.0
    summary = tally(survey, q)
    assert summary.stats["mean"] == 4.0 and summary.stats["n"] == 1
    assert list(summary.table["label"]) == ["1", "2", "3", "4", "5"]
    assert list(summary.table["count"]) == [0, 0, 0, 1, 0]


def test_matrix_one_row_per_line_and_required_means_every_row(app):
    survey, q = one_question({"name": "policies", "kind": "matrix", "required": True,
                              "choices": ["low", "mid", "high"],
                              "parameters": {"rows": [{"name": "land", "label": {"vi": "Đất"}},
                                                      {"name": "credit", "label": {"vi": "Vốn"}}]}})
    partial = read(q, {"q-policies-land": "high"})
    assert kind_of(q).required_errors(q, partial)
    assert read(q, {"q-policies-land": "top"}).errors
    entry = read(q, {"q-policies-land": "high", "q-policies-credit": "low"})
    assert not kind_of(q).required_errors(q, entry)
    loaded, rows = roundtrip(survey, q, entry)
    assert {(r.row_name, r.value_text) for r in rows} == {("land", "high"), ("credit", "low")}
    assert loaded.value == {"land": "high", "credit": "low"}
    matrix = tally(survey, q).matrix
    assert list(matrix.index) == ["Đất", "Vốn"] and list(matrix.columns) == ["Low", "Mid", "High"]
    assert list(matrix.loc["Đất"]) == [0, 0, 1]


@pytest.mark.parametrize("kind", ["short_text", "long_text"])
def test_text_keeps_what_was_written_and_normalises_for_analysis(app, kind):
    survey, q = one_question({"name": "idea", "kind": kind, "parameters": {"max_length": 20}})
    assert read(q, {"q-idea": "x" * 21}).errors
    entry = read(q, {"q-idea": "  Hợp tác xã\x00 tốt  "})
    assert entry.value == "Hợp tác xã tốt"
    loaded, rows = roundtrip(survey, q, entry)
    assert loaded.value == "Hợp tác xã tốt" and rows[0].value_normalized


def test_integer_reads_grouped_digits_and_checks_the_range(app):
    survey, q = one_question({"name": "coops", "kind": "integer",
                              "parameters": {"min": 0, "max": 100000}})
    assert read(q, {"q-coops": "abc"}).errors
    assert read(q, {"q-coops": "2.5"}).errors
    assert read(q, {"q-coops": "-1"}).errors
    assert read(q, {"q-coops": "9" * 400}).errors
    entry = read(q, {"q-coops": "1.250"})
    assert entry.value == 1250 and not entry.errors
    loaded, _rows = roundtrip(survey, q, entry)
    assert loaded.value == 1250 and loaded.raw["value"] == "1250"
    summary = tally(survey, q)
    assert summary.answered == 1
    assert summary.stats["n"] == 1 and summary.stats["min"] == summary.stats["max"] == 1250


def test_decimal_reads_a_decimal_comma(app):
    survey, q = one_question({"name": "share", "kind": "decimal", "parameters": {"max": 100}})
    assert read(q, {"q-share": "2,5"}).value == 2.5
    assert read(q, {"q-share": "1e400"}).errors
    assert read(q, {"q-share": "100,5"}).errors
    loaded, _rows = roundtrip(survey, q, read(q, {"q-share": "12.75"}))
    assert loaded.value == 12.75


@pytest.mark.parametrize("lang, shown", [("vi", "12,75"), ("en", "12.75")])
def test_a_saved_decimal_comes_back_in_the_readers_notation(app, lang, shown):
    """A respondent who returns sees 12,75 in Vietnamese (12.75 in English), and saving the
    page again keeps the same number."""
    survey, q = one_question({"name": "share", "kind": "decimal"})
    with app.test_request_context(f"/?lang={lang}"):
        loaded, _rows = roundtrip(survey, q, read(q, {"q-share": "12,75"}))
        assert loaded.raw["value"] == shown
        assert read(q, {"q-share": loaded.raw["value"]}).value == 12.75


def test_number_parsing_helpers():
    assert parse_integer("1 200") == 1200 and parse_integer("1,200,300") == 1200300
    assert parse_integer("12.34") is None and parse_integer("") is None
    assert parse_decimal("1.234,5") == 1234.5 and parse_decimal("1,234.5") == 1234.5
    assert parse_decimal("nan") is None and parse_decimal("inf") is None


def test_date_accepts_iso_and_day_month_year_within_range(app):
    survey, q = one_question({"name": "founded", "kind": "date",
                              "parameters": {"min": "1950-01-01", "max": "2030-12-31"}})
    assert read(q, {"q-founded": "31/02/2020"}).errors
    assert read(q, {"q-founded": "1900-01-01"}).errors
    assert read(q, {"q-founded": "25/12/2020"}).value == date(2020, 12, 25)
    loaded, _rows = roundtrip(survey, q, read(q, {"q-founded": "2021-03-04"}))
    assert loaded.value == date(2021, 3, 4) and loaded.raw["value"] == "2021-03-04"
    assert kind_of(q).logic_value(q, loaded) == "2021-03-04"


def test_ranking_needs_distinct_consecutive_ranks(app):
    survey, q = one_question({"name": "priority", "kind": "ranking",
                              "choices": ["land", "credit", "training"]})
    assert read(q, {"q-priority-land": "1", "q-priority-credit": "1"}).errors
    assert read(q, {"q-priority-land": "1", "q-priority-credit": "3"}).errors
    assert read(q, {"q-priority-land": "x"}).errors
    entry = read(q, {"q-priority-land": "2", "q-priority-credit": "1"})
    assert entry.value == ["credit", "land"] and not entry.errors
    loaded, rows = roundtrip(survey, q, entry)
    assert loaded.value == ["credit", "land"] and sorted(r.rank for r in rows) == [1, 2]
    mean_rank = tally(survey, q).table.set_index("name")["mean_rank"]
    assert mean_rank["credit"] == 1.0 and mean_rank["land"] == 2.0
    assert pd.isna(mean_rank["training"])


def test_a_skip_marker_on_a_rating_is_skipped_not_answered(app):
    """A marker (an Answer row with no value) means "shown and left empty": the tally counts
    it as skipped and keeps it out of the answers and their statistics."""
    survey, q = one_question({"name": "agree", "kind": "rating", "parameters": {"min": 1, "max": 5}})
    roundtrip(survey, q, read(q, {"q-agree": "4"}))
    marked = Response(survey=survey, status="submitted")
    marked.answers.append(Answer(question=q))
    db.session.add(marked)
    db.session.commit()
    assert marked.answers[0].is_skip_marker
    assert db.session.scalar(select(func.count()).select_from(Answer)
                             .where(Answer.question_id == q.id, Answer.has_value())) == 1
    summary = tally(survey, q)
    assert (summary.answered, summary.skipped, summary.not_shown) == (1, 1, 0)
    assert summary.stats["n"] == 1 and summary.stats["mean"] == 4.0
    assert int(summary.table["count"].sum()) == 1


def _upload(content: bytes, name: str = "bao-cao.pdf") -> dict:
    return {"q-report": FileStorage(stream=io.BytesIO(content), filename=name,
                                    content_type="application/pdf")}


def test_file_upload_accepts_a_pdf_by_content_and_stores_it_under_instance(app):
    survey, q = one_question({"name": "report", "kind": "file"})
    assert read(q, {}, _upload(b"MZ\x90\x00 not a pdf", "virus.pdf")).errors
    entry = read(q, {}, _upload(PDF, "Báo cáo.pdf"))
    assert not entry.errors and entry.value["name"] == "Báo cáo.pdf"
    stored = Path(app.instance_path) / entry.value["path"]
    assert stored.read_bytes() == PDF and "static" not in str(stored)
    loaded, rows = roundtrip(survey, q, entry)
    assert rows[0].file_path == entry.value["path"] and loaded.value["size"] == len(PDF)
    # sending the page again without a file keeps the stored one; "remove" drops it
    assert read(q, {}, {}, previous=loaded).value == loaded.value
    assert read(q, {"q-report-remove": "1"}, {}, previous=loaded).value is None


def test_file_upload_refuses_a_file_over_the_limit(app):
    app.config["SURVEY_UPLOAD_MAX_BYTES"] = 100
    _survey, q = one_question({"name": "report", "kind": "file"})
    assert read(q, {}, _upload(PDF + b"0" * 200)).errors


def test_note_takes_no_answer(app):
    _survey, q = one_question({"name": "intro", "kind": "note"})
    assert read(q, {"q-intro": "x"}).value is None and kind_of(q).to_rows(q, read(q, {})) == []


def test_parameters_given_as_text_by_an_import_still_apply(app):
    _survey, q = one_question({"name": "n", "kind": "integer", "parameters": {"min": "1", "max": "10"}})
    assert read(q, {"q-n": "11"}).errors and not read(q, {"q-n": "10"}).errors
    _survey2, r = one_question({"name": "r", "kind": "rating", "parameters": {"min": "x", "max": "7"}},
                               slug="thang-do")
    assert kind_of(r).scale(r) == [1, 2, 3, 4, 5, 6, 7]


def test_every_kind_that_stores_answers_says_how_it_is_tallied():
    """One kind, one place: the tallies read a kind's family from the kind itself."""
    from analysis.tallies.structure import KIND_FAMILIES, family_of
    from surveys.kinds import KINDS
    from surveys.models import Question

    families = {"single", "multiple", "matrix", "ranking", "scale", "number", "date", "text", "file"}
    for key, kind in KINDS.items():
        assert (kind.tally_family in families) == kind.takes_answer, key
        assert KIND_FAMILIES.get(key, "") == kind.tally_family
        assert family_of(Question(kind=key, parameters={})) == (kind.tally_family or None)
