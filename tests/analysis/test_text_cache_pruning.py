"""Pruning the per-text caches (``analysis.cache_pruning``, ``flask analysis prune-cache``):
rows no opinion refers to go, rows still referenced stay and a re-run needs nothing new."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from analysis import jobs
from analysis.cache_pruning import prune_caches
from analysis import results
from analysis.results import TextAnalysis, TextSegmentCache, TextStanceCache
from analysis.text import pipeline
from analysis.text.normalise import prepare
from consult.extensions import db
from consult.models import utcnow
from tests.analysis.text_factories import CAMPAIGN, VARIED, add_comment
from tests.factories import make_consultation


@pytest.fixture()
def app_config():
    return {"REDIS_URL": None}


def stance_keys() -> set[str]:
    return set(db.session.scalars(select(TextStanceCache.key)))


def segment_keys() -> set[str]:
    return set(db.session.scalars(select(TextSegmentCache.key)))


def analysed_consultation():
    consultation = make_consultation()
    comments = [add_comment(consultation, "dieu-3", body) for body in VARIED]
    comments.append(add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN))
    comments.append(add_comment(consultation, "dieu-3-khoan-1", CAMPAIGN.upper()))  # same normalised text
    db.session.commit()
    assert db.session.get(TextAnalysis, jobs.run_analysis("consultation", consultation.id)).status == "done"
    return consultation, comments


def expected_keys(texts: list[str]) -> tuple[set[str], set[str]]:
    return ({pipeline.raw_key(text) for text in texts}, {prepare(text).key for text in texts})


def test_pruning_keeps_what_opinions_refer_to_and_drops_the_rest(app):
    consultation, comments = analysed_consultation()
    edited, removed = comments[0], comments[1]
    old_text = edited.body
    edited.body = "Tổ hợp tác nhỏ nên được miễn yêu cầu có tư cách pháp nhân khi làm thành viên."
    db.session.delete(removed)
    db.session.commit()
    # an entry of an older normaliser, on a text still in use, is ignored by runs: it goes too
    db.session.execute(update(TextStanceCache).where(
        TextStanceCache.key == pipeline.raw_key(comments[2].body)).values(version="old"))
    db.session.commit()

    pruned = prune_caches()

    texts = [c.body for c in comments[2:]]  # analysed and still there; the edited text never analysed
    raw, normalised = expected_keys(texts)
    raw.discard(pipeline.raw_key(comments[2].body))
    assert stance_keys() == raw
    assert pipeline.raw_key(old_text) not in stance_keys()
    assert pipeline.raw_key(removed.body) not in stance_keys()
    assert segment_keys() == normalised  # the old-version row's text still holds its segmentation
    assert (pruned.stance_deleted, pruned.segment_deleted) == (3, 2)
    assert (pruned.stance_kept, pruned.segment_kept) == (len(raw), len(normalised))


def test_a_run_after_pruning_segments_only_the_new_text(app, monkeypatch):
    consultation, comments = analysed_consultation()
    comments[0].body = "Hộ kinh doanh cá thể có được góp vốn để làm thành viên hợp tác xã không?"
    db.session.commit()
    prune_caches()
    segmented = []
    real = pipeline.segment_text

    def counting(text, segmenter=None):
        segmented.append(text)
        return real(text, segmenter)

    monkeypatch.setattr(pipeline, "segment_text", counting)
    again = jobs.run_analysis("consultation", consultation.id)
    assert db.session.get(TextAnalysis, again).status == "done"
    assert segmented == [prepare(comments[0].body).text]


def test_recent_rows_are_kept_with_keep_days(app):
    analysed_consultation()
    stray = {"s" * 32: {"text": "x", "key": "k" * 32, "flags": [], "syllables": 1, "stance": None}}
    results.store_text_cache(stray, pipeline.TEXT_CACHE_VERSION)
    results.store_cache({"k" * 32: "x"}, "underthesea")
    db.session.commit()
    before = (stance_keys(), segment_keys())

    assert prune_caches(keep_days=1).stance_deleted == 0
    assert (stance_keys(), segment_keys()) == before

    db.session.execute(update(TextStanceCache).values(created_at=utcnow() - timedelta(days=2)))
    db.session.execute(update(TextSegmentCache).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    pruned = prune_caches(keep_days=1)
    assert "s" * 32 not in stance_keys() and "k" * 32 not in segment_keys()
    assert (pruned.stance_deleted, pruned.segment_deleted) == (1, 1)
    assert stance_keys() == before[0] - {"s" * 32}


def test_survey_answers_count_as_references(app):
    from tests.analysis.test_text_questions import make_answers

    question = make_answers(make_consultation())
    assert jobs.run_analysis("question", question.id)
    before = (stance_keys(), segment_keys())
    assert before[0] and before[1]
    pruned = prune_caches()
    assert (pruned.stance_deleted, pruned.segment_deleted) == (0, 0)
    assert (stance_keys(), segment_keys()) == before


def test_the_prune_command_reports_what_it_deleted(app, runner):
    consultation, comments = analysed_consultation()
    db.session.delete(comments[0])
    db.session.commit()
    output = runner.invoke(args=["analysis", "prune-cache"]).output
    assert "Normalisation and stance cache: 1 deleted, 5 kept." in output
    assert "Segmentation cache: 1 deleted, 4 kept." in output
