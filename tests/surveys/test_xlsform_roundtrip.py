"""Round trip over a corpus built here: every form imports with a complete report, exports to a
file pyxform converts, and imports again to the same survey."""
from __future__ import annotations

import pytest
from pyxform.xls2xform import convert

from consult.extensions import db
from surveys.xlsform import export_xlsform, import_xlsform
from surveys.xlsform.outline import survey_outline, unreported_rows
from tests.surveys.fixtures.xlsform.build_fixtures import csv_bytes, xlsx_bytes
from tests.surveys.xlsform_corpus import FEATURES, LABELS, Feature, kitchen_sink


def pyxform_converts(data: bytes, file_type: str = ".xlsx") -> str:
    """pyxform's XForm for the file (raises pyxform's error when it refuses it)."""
    return convert(xlsform=data, file_type=file_type, warnings=[]).xform


def round_trip(feature: Feature, filename: str, data: bytes):
    survey, report = import_xlsform(filename, data)
    db.session.commit()
    codes = {item.code for item in report.items}
    assert feature.codes <= codes, feature.codes - codes
    assert unreported_rows(filename, data, report) == []
    assert {name: survey.question_named(name).kind for name in feature.kinds} == feature.kinds
    exported = export_xlsform(survey)
    assert "<h:html" in pyxform_converts(exported)
    again, again_report = import_xlsform("export.xlsx", exported)
    db.session.commit()
    assert not again_report.errors
    assert survey_outline(again) == survey_outline(survey)
    return survey, report


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_each_feature_survives_the_round_trip(app, name):
    feature = FEATURES[name]
    data = xlsx_bytes(feature.sheets())
    pyxform_converts(data)  # the corpus itself is valid XLSForm
    survey, _report = round_trip(feature, f"{name}.xlsx", data)
    for question_name, label in LABELS.get(name, {}).items():
        assert survey.question_named(question_name).label == label


@pytest.mark.parametrize("filename", ["sink.xlsx", "sink.xlsm", "sink.csv"])
def test_the_kitchen_sink_survives_the_round_trip(app, filename):
    feature = kitchen_sink()
    data = csv_bytes(feature.sheets()) if filename.endswith(".csv") else xlsx_bytes(feature.sheets())
    pyxform_converts(data, "." + filename.rsplit(".", 1)[1])
    survey, report = round_trip(feature, filename, data)
    assert len(survey.questions) >= 40 and not report.errors


def test_what_the_round_trip_keeps_in_detail(app):
    survey, _report = round_trip(kitchen_sink(), "sink.xlsx", xlsx_bytes(kitchen_sink().sheets()))
    age = survey.question_named("tuoi")
    assert age.constraint == ". >= 16 and . <= 120"
    assert age.constraint_message == {"vi": "Từ 16 đến 120", "en": "From 16 to 120"}
    assert survey.question_named("dia_chi").hint == {"vi": "Số nhà, đường", "en": "Number, street"}
    assert survey.question_named("so_tv").relevant == "${co_htx} = 'co'"
    assert survey.question_named("cq2").relevant == "${cq} = 'co'"
    assert survey.question_named("y").relevant == "" and survey.question_named("s").constraint == ""
    assert [c.name for c in survey.question_named("trung_q").choices] == ["1", "1_2"]
    assert survey.question_named("xep2").choices[-1].is_other is False
    assert survey.question_named("pp").parameters["max"] == 9
    assert survey.question_named("tep").parameters["max_mb"] == 3


def test_each_kind_reads_back_as_itself_from_what_the_export_writes(app):
    from surveys.kinds import KINDS, xlsform_appearance, xlsform_kind

    written = {key: kind for key, kind in KINDS.items() if kind.xlsform_type}
    assert set(KINDS) - set(written) == {"matrix"}  # written as a table-list group
    for key, kind in written.items():
        for kept in ("", "minimal", "likert", "multiline", "horizontal", "minimal autocomplete"):
            appearance = xlsform_appearance(key, kept)
            assert xlsform_kind(kind.xlsform_type, appearance) is kind, (key, kept, appearance)
