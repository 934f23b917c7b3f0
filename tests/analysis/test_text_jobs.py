"""The analysis job: scopes, stored results, the segmentation cache, failures, the CLI."""
import pytest
from sqlalchemy import func, select

from analysis import jobs
from analysis.results import TextAnalysis, TextSegmentCache, TextStanceCache
from analysis.text import pipeline
from consult.extensions import db
from tests.analysis.text_factories import CAMPAIGN, VARIED, add_comment, provision
from tests.factories import make_consultation


@pytest.fixture()
def app_config():
    """Runs happen in-process here, whatever REDIS_URL the environment sets."""
    return {"REDIS_URL": None}


@pytest.fixture()
def consultation(app):
    consultation = make_consultation()
    for body in VARIED:
        add_comment(consultation, "dieu-3", body)
    add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN, respondent_type="coop_member")
    add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN.replace("nông thôn", "miền núi"))
    add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN.upper(), status="pending")
    add_comment(consultation, "dieu-4", "Thành viên cần được chia lợi nhuận minh bạch hằng năm.")
    add_comment(consultation, None, "Luật nên có thêm một chương về tổ hợp tác.")
    add_comment(consultation, "dieu-3", "Bình luận chưa gửi", status="draft")
    db.session.commit()
    return consultation


def run_row(result_id) -> TextAnalysis:
    return db.session.get(TextAnalysis, result_id)


def test_an_article_run_takes_the_published_comments_on_the_article_and_its_clauses(consultation):
    article = provision(consultation, "dieu-3")
    row = run_row(jobs.run_analysis("article", article.id))
    assert row.status == "done" and row.computed_at is not None
    assert row.input_count == 6
    assert row.title.startswith("Điều 3")
    view = row.view()
    assert view["input_count"] == 6
    assert [c["size"] for c in view["campaigns"]] == [2]
    assert row.params["statuses"] == ["published"]


def test_including_pending_comments_adds_them_to_the_campaign(consultation):
    article = provision(consultation, "dieu-3")
    row = run_row(jobs.run_analysis("article", article.id, {"include_pending": True}))
    assert row.input_count == 7
    assert row.view()["campaigns"][0]["size"] == 3
    assert row.view()["flags"].get("all_caps") == 1


def test_results_are_stored_per_respondent_type(consultation):
    row = run_row(jobs.run_analysis("article", provision(consultation, "dieu-3").id))
    assert set(row.result["by_respondent_type"]) == {"citizen", "coop_member"}
    assert row.view("coop_member")["input_count"] == 1
    assert row.view("citizen")["input_count"] == 5
    assert row.view("enterprise") is None


def test_a_consultation_run_also_stores_one_run_per_article(consultation):
    row = run_row(jobs.run_analysis("consultation", consultation.id))
    assert row.input_count == 8
    articles = db.session.scalars(select(TextAnalysis).where(TextAnalysis.scope == "article")).all()
    by_title = {a.title.split(".")[0]: a.input_count for a in articles}
    assert by_title == {"Điều 3": 6, "Điều 4": 1}
    assert all(a.status == "done" and a.consultation_id == consultation.id for a in articles)


def test_a_rerun_segments_only_the_new_texts(consultation):
    article = provision(consultation, "dieu-3")
    jobs.run_analysis("article", article.id)
    cached = db.session.scalar(select(func.count()).select_from(TextSegmentCache))
    assert cached == 6
    add_comment(consultation, "dieu-3", "Đề nghị cho phép thành viên góp vốn bằng quyền sử dụng đất.")
    db.session.commit()
    row = run_row(jobs.run_analysis("article", article.id))
    assert row.view()["timings"]["segment"] < 5
    assert db.session.scalar(select(func.count()).select_from(TextSegmentCache)) == cached + 1
    assert row.input_count == 7


def test_a_failing_run_is_marked_failed_with_its_error(consultation, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("segmenter exploded")

    monkeypatch.setattr(jobs, "analyse", broken)
    row = run_row(jobs.run_analysis("article", provision(consultation, "dieu-3").id))
    assert row.status == "failed"
    assert "segmenter exploded" in row.error


def test_an_unknown_scope_is_refused(app):
    with pytest.raises(jobs.ScopeNotFound):
        jobs.run_analysis("article", 999_999)
    assert db.session.scalar(select(func.count()).select_from(TextAnalysis)) == 0


def test_in_page_runs_without_redis_are_bounded(consultation, app):
    article = provision(consultation, "dieu-3")
    app.config["ANALYSIS_INPROCESS_LIMIT"] = 3
    assert jobs.request_analysis("article", article.id) == (None, "too_large")
    app.config["ANALYSIS_INPROCESS_LIMIT"] = 100
    result_id, state = jobs.request_analysis("article", article.id)
    assert state == "done" and run_row(result_id).input_count == 6


def test_the_cli_runs_a_consultation(consultation, runner):
    result = runner.invoke(args=["analysis", "run", "--id", str(consultation.id), "--include-pending"])
    assert result.exit_code == 0, result.output
    assert "done, 9 opinions" in result.output
    assert "campaign of 3" in result.output


def test_the_cli_reports_an_unknown_scope(app, runner):
    result = runner.invoke(args=["analysis", "run", "--scope", "article", "--id", "424242"])
    assert result.exit_code != 0
    assert "No article with id 424242" in result.output


def test_the_cli_says_when_the_queue_cannot_be_reached(consultation, runner, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    result = runner.invoke(args=["analysis", "run", "--id", str(consultation.id), "--queue"])
    assert result.exit_code != 0
    assert "could not be queued" in result.output and "ConnectionError" in result.output
    assert db.session.scalar(select(TextAnalysis.status)) == "failed"


def _stance_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(TextStanceCache))


def _counting(monkeypatch, name: str) -> list:
    """Count calls of ``analysis.text.pipeline.<name>`` (prepare or classify)."""
    from analysis.text import pipeline

    calls, real = [], getattr(pipeline, name)

    def counted(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pipeline, name, counted)
    return calls


def test_a_rerun_reads_normalised_texts_and_stances_from_the_database(consultation, monkeypatch):
    article = provision(consultation, "dieu-3")
    first = run_row(jobs.run_analysis("article", article.id))
    assert _stance_rows() == 6
    stored = db.session.scalars(select(TextStanceCache)).all()
    assert all(row.version == pipeline.TEXT_CACHE_VERSION and row.entry["stance"] for row in stored)
    prepared, classified = _counting(monkeypatch, "prepare"), _counting(monkeypatch, "classify")
    second = run_row(jobs.run_analysis("article", article.id))
    assert prepared == [] and classified == []
    assert second.view()["stance_opinions"] == first.view()["stance_opinions"]
    assert second.view()["campaigns"][0]["stance_counts"] == first.view()["campaigns"][0]["stance_counts"]


def test_a_rerun_normalises_and_classifies_only_the_new_text(consultation, monkeypatch):
    article = provision(consultation, "dieu-3")
    jobs.run_analysis("article", article.id)
    new = "Tôi không đồng ý cho phép thành viên góp vốn bằng quyền sử dụng đất."
    add_comment(consultation, "dieu-3", new)
    db.session.commit()
    prepared, classified = _counting(monkeypatch, "prepare"), _counting(monkeypatch, "classify")
    row = run_row(jobs.run_analysis("article", article.id))
    assert prepared == [new]
    assert len(classified) == 2  # with and without marks, once
    assert row.view()["stance_opinions"]["disagree"] >= 1
    assert _stance_rows() == 7


def test_another_classifier_version_ignores_the_stored_stances(consultation, monkeypatch):
    article = provision(consultation, "dieu-3")
    jobs.run_analysis("article", article.id)
    monkeypatch.setattr(pipeline, "TEXT_CACHE_VERSION", "normalise-x; stance-y")
    prepared = _counting(monkeypatch, "prepare")
    jobs.run_analysis("article", article.id)
    assert len(prepared) == 6
    versions = set(db.session.scalars(select(TextStanceCache.version)))
    assert versions == {"normalise-x; stance-y"}


def test_a_text_entry_survives_the_round_trip_through_json():
    import json

    cache = pipeline.SegmentCache()
    entry = cache.entry("Tôi KHÔNG đồng ý, nên bỏ Điều 5 ko?")
    from analysis.text.stance import classify

    entry.stance = classify(entry.prepared.text)
    again = pipeline.TextEntry.from_dict(json.loads(json.dumps(entry.to_dict())))
    assert again == entry
    assert again.stance.cues and again.prepared.flags == entry.prepared.flags
    assert pipeline.raw_key("a", 10) != pipeline.raw_key("a", 20) != pipeline.raw_key("A", 20)
