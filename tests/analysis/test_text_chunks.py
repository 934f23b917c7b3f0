"""One analysis split over several RQ workers (issue 12, item 5), on the real Redis.

A consultation's opinions come from the synthetic generator (campaigns planted); the chunk
size is set small so a few dozen distinct texts make several chunk jobs. Skipped only when
no Redis answers.
"""
import uuid

import pytest
from sqlalchemy import delete, func, select

from analysis import chunked, jobs, results
from analysis.results import TextAnalysis, TextSegmentCache, TextStanceCache
from consult.extensions import db
from tests.analysis.redis_support import REDIS_URL, drop_queue, live_redis, work
from tests.analysis.text_factories import add_comment, generated_consultation

CHUNK = 8


@pytest.fixture()
def redis_queue(app):
    import rq

    connection = live_redis()
    name = f"test-chunks-{uuid.uuid4().hex[:12]}"
    app.config.update(REDIS_URL=REDIS_URL, ANALYSIS_QUEUE=name, ANALYSIS_CHUNK_SIZE=CHUNK)
    queue = rq.Queue(name, connection=connection)
    yield queue
    drop_queue(queue)
    connection.close()


def normalised_keys(opinions, ids: list[int], max_chars: int) -> list[str]:
    """The normalised-text keys of the opinions ``ids``, in that order."""
    from analysis.text.normalise import prepare

    texts = {o.id: o.text for o in opinions}
    return [prepare(texts[opinion_id], max_chars).key for opinion_id in ids]


def cached_count() -> int:
    return db.session.scalar(select(func.count()).select_from(TextSegmentCache))


def without_timings(view: dict) -> dict:
    """A stored view without its stage timings (the only part that differs between runs)."""
    if isinstance(view, dict):
        return {key: without_timings(value) for key, value in view.items()
                if key not in ("timings", "cpu_timings")}
    return view


def test_two_workers_share_the_chunks_and_store_the_single_process_result(redis_queue):
    consultation = generated_consultation()
    result_id = jobs.queue_analysis("consultation", consultation.id)
    assert redis_queue.count == 1

    work(redis_queue, max_jobs=1)  # the run's job: splits, computes nothing itself
    db.session.expire_all()
    row = db.session.get(TextAnalysis, result_id)
    opinions = jobs.load_opinions("consultation", consultation.id, row.params)
    max_chars = jobs.pipeline.AnalysisParams.from_dict(row.params).max_chars
    to_do = chunked.missing_texts(opinions, max_chars)
    distinct = len(to_do)  # one per text as written, none cached yet
    normalised = normalised_keys(opinions, to_do, max_chars)
    parts = chunked.view_parts(row, opinions)
    assert distinct > 2 * CHUNK
    assert ("all", "") in parts and ("article", "dieu-3") in parts and ("article", "dieu-4") in parts
    assert len([kind for kind, _ in parts if kind == "type"]) > 1
    assert redis_queue.count == -(-distinct // CHUNK)  # one job per chunk
    assert redis_queue.deferred_job_registry.count == len(parts) + 1  # views, then the final job
    assert row.status == "running"

    work(redis_queue, max_jobs=2)  # a first worker takes two chunks
    assert cached_count() == len(set(normalised[:2 * CHUNK]))
    # … and keeps their normalised texts and stances for the view jobs
    assert db.session.scalar(select(func.count()).select_from(TextStanceCache)) == 2 * CHUNK
    work(redis_queue)  # a second one the other chunks, then the final job
    db.session.expire_all()
    split_run = db.session.get(TextAnalysis, result_id)
    assert split_run.status == "done", split_run.error
    assert cached_count() == len(set(normalised))
    raw = {jobs.pipeline.raw_key(o.text, max_chars) for o in opinions}
    stored = db.session.scalars(select(TextStanceCache)).all()
    assert {r.key for r in stored} == raw  # the view jobs kept normalisation and stance
    assert all(r.entry["stance"] for r in stored)

    db.session.execute(delete(TextSegmentCache))
    db.session.commit()
    single = db.session.get(TextAnalysis, jobs.run_analysis("consultation", consultation.id))
    assert single.status == "done" and cached_count() == len(set(normalised))
    assert split_run.input_count == single.input_count == 40
    assert split_run.view()["campaigns"], "the planted campaigns are found"
    article_runs = db.session.scalars(select(TextAnalysis).where(TextAnalysis.scope == "article")
                                      .order_by(TextAnalysis.id)).all()
    assert len(article_runs) == 4  # dieu-3 and dieu-4, by each run
    assert [without_timings(r.result) for r in article_runs[:2]] == \
        [without_timings(r.result) for r in article_runs[2:]]
    assert without_timings(split_run.result) == without_timings(single.result)


def test_opinions_arriving_or_moving_during_a_split_run_do_not_change_it(redis_queue):
    """The run's opinions and their articles are frozen when it is split: a comment sent
    while the chunks are being segmented, or moved to another article (carried to a new
    draft version), is left for the next run, in every view and in the final job alike."""
    from tests.analysis.text_factories import provision

    consultation = generated_consultation()
    before = db.session.get(TextAnalysis, jobs.run_analysis("consultation", consultation.id))
    assert before.status == "done"
    db.session.execute(delete(TextSegmentCache))
    db.session.commit()

    result_id = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue, max_jobs=1)  # split: the chunks and views are queued
    work(redis_queue, max_jobs=1)  # one chunk segmented
    for anchor in ("dieu-3", "dieu-4", None):
        add_comment(consultation, anchor, "Góp ý gửi trong lúc đang phân tích: đề nghị giảm "
                    "lệ phí đăng ký cho hợp tác xã nhỏ ở vùng sâu vùng xa.", respondent_type="expert")
    moved = db.session.scalar(select(jobs.Comment).where(
        jobs.Comment.consultation_id == consultation.id).order_by(jobs.Comment.id))
    moved.provision = provision(consultation, "dieu-4" if moved.provision and
                                moved.provision.anchor == "dieu-3" else "dieu-3")
    db.session.commit()
    work(redis_queue)

    db.session.expire_all()
    split_run = db.session.get(TextAnalysis, result_id)
    assert split_run.status == "done", split_run.error
    assert split_run.input_count == before.input_count == 40
    assert without_timings(split_run.result) == without_timings(before.result)
    article_runs = db.session.scalars(select(TextAnalysis).where(TextAnalysis.scope == "article")
                                      .order_by(TextAnalysis.id)).all()
    assert len(article_runs) == 4
    assert [without_timings(r.result) for r in article_runs[:2]] == \
        [without_timings(r.result) for r in article_runs[2:]]
    assert redis_queue.connection.get(chunked.frozen_key(result_id)) is None  # cleaned


def test_two_databases_sharing_one_redis_database_keep_their_own_frozen_lists(redis_queue, tmp_path):
    """The frozen list's key names the database (its server, name and schema), not only
    the run's id: a run of another database with the same id, on the same Redis database,
    neither reads nor deletes this one's list."""
    from analysis.text.opinion import Opinion
    from tests.conftest import isolated_database, make_test_app

    connection = redis_queue.connection
    mine = chunked.frozen_key(1)
    chunked.freeze(connection, mine, [Opinion(1, "", "dieu-3"), Opinion(2, "", "dieu-4")], {})
    try:
        with isolated_database(tmp_path, "other") as other:
            other_app = make_test_app(other, tmp_path, REDIS_URL=REDIS_URL)
            with other_app.app_context():
                theirs = chunked.frozen_key(1)
                chunked.freeze(connection, theirs, [Opinion(7, "", "")], {})
                chunked.unfreeze(1)  # their run ends
                db.session.remove()
                db.engine.dispose()
        assert theirs != mine
        assert connection.get(theirs) is None
        assert connection.get(mine) is not None
        assert chunked.frozen_key(1) == mine  # the same database, the same key
    finally:
        chunked.unfreeze(1)
    assert connection.get(mine) is None


def test_a_run_that_fits_in_one_chunk_is_not_split(redis_queue):
    consultation = generated_consultation(count=6)
    result_id = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue, max_jobs=1)
    db.session.expire_all()
    assert db.session.get(TextAnalysis, result_id).status == "done"
    assert redis_queue.count == 0 and redis_queue.deferred_job_registry.count == 0


def test_a_failing_chunk_fails_the_run_with_its_message(redis_queue, monkeypatch):
    consultation = generated_consultation()
    calls = []
    real = chunked.store_segmentations

    def second_chunk_breaks(texts, max_chars):
        calls.append(len(texts))
        if len(calls) == 2:
            raise ValueError("bộ tách từ hỏng ở phần 2")
        return real(texts, max_chars)

    monkeypatch.setattr(chunked, "store_segmentations", second_chunk_breaks)
    result_id = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue)

    db.session.expire_all()
    row = db.session.get(TextAnalysis, result_id)
    assert row.status == "failed"
    assert "ValueError: bộ tách từ hỏng ở phần 2" in row.error
    assert redis_queue.failed_job_registry.count == 1
    assert len(calls) == 2, "chunks after the failure do no work"
    assert redis_queue.deferred_job_registry.count == 0  # the final job ran and left it failed
    assert row.result in ({}, None)


def test_a_failing_view_fails_the_run_with_its_message(redis_queue, monkeypatch):
    consultation = generated_consultation()

    def broken(*args, **kwargs):
        raise RuntimeError("phân tích hỏng")

    monkeypatch.setattr(jobs, "analyse", broken)
    result_id = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue)

    db.session.expire_all()
    row = db.session.get(TextAnalysis, result_id)
    assert row.status == "failed" and "RuntimeError: phân tích hỏng" in row.error
    assert redis_queue.failed_job_registry.count == 1, "views after the failure do no work"
    assert cached_count() > 0  # the chunks had run


def test_storing_a_segmentation_twice_replaces_it(app):
    results.store_cache({"k" * 32: "một hai"}, "seg-a")
    db.session.commit()
    results.store_cache({"k" * 32: "ba\nbốn", "m" * 32: "năm"}, "seg-b")
    db.session.commit()
    assert results.load_cache(["k" * 32, "m" * 32], "seg-b") == {"k" * 32: "ba\nbốn", "m" * 32: "năm"}
    assert results.known_keys(["k" * 32, "x" * 32], "seg-b") == {"k" * 32}
    assert results.known_keys(["k" * 32], "seg-a") == set()


def test_key_words_rank_ties_alike_in_every_process():
    """Workers differ in their hash seed; a tie between words must not depend on it."""
    import subprocess
    import sys

    program = ("from analysis.text.keyphrases import key_words; "
               "docs = [['vốn', 'góp', 'xã', 'viên', 'lãi', 'chia', 'quỹ', 'đất', 'thuế', 'nợ']] * 2; "
               "print([p.phrase for p in key_words(docs, 10)])")
    printed = {subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout
               for seed in (1, 2, 3, 4)}
    assert printed == {"['vốn', 'góp', 'xã', 'viên', 'lãi', 'chia', 'quỹ', 'đất', 'thuế', 'nợ']\n"}


def test_a_split_run_over_stored_caches_normalises_and_segments_nothing(redis_queue, monkeypatch):
    """Every text's normalisation, stance and segmentation stored by a first split run: the
    second one enqueues no chunk job, and neither the split job, nor a view job, nor the
    final job normalises or segments a text; the stored result is the same."""
    consultation = generated_consultation()
    first = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue)

    def never(*args, **kwargs):
        raise AssertionError("a text was normalised or segmented again")

    monkeypatch.setattr(jobs.pipeline, "prepare", never)
    monkeypatch.setattr(jobs.pipeline, "segment_text", never)
    monkeypatch.setattr(chunked, "segment_text", never)
    second = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue, max_jobs=1)  # the split: the views wait for nothing
    queued = [job.description for job in redis_queue.jobs]
    assert queued and not [d for d in queued if "chunk" in d], queued
    work(redis_queue)
    db.session.expire_all()
    rows = [db.session.get(TextAnalysis, result_id) for result_id in (first, second)]
    assert [row.status for row in rows] == ["done", "done"], rows[1].error
    assert without_timings(rows[0].result) == without_timings(rows[1].result)


def test_chunk_jobs_segment_from_stored_normalisations(redis_queue, monkeypatch):
    """Segmentations gone but normalisations and stances stored: the chunk jobs segment
    every distinct text again without normalising one."""
    consultation = generated_consultation()
    first = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue)
    segmented = cached_count()
    db.session.execute(delete(TextSegmentCache))
    db.session.commit()

    def never(*args, **kwargs):
        raise AssertionError("a text was normalised again")

    monkeypatch.setattr(jobs.pipeline, "prepare", never)
    second = jobs.queue_analysis("consultation", consultation.id)
    work(redis_queue, max_jobs=1)
    queued = [job.description for job in redis_queue.jobs]
    written = {o.text for o in jobs.load_opinions("consultation", consultation.id, {})}
    assert len(queued) == -(-len(written) // CHUNK) and all("chunk" in d for d in queued)
    work(redis_queue)
    db.session.expire_all()
    rows = [db.session.get(TextAnalysis, result_id) for result_id in (first, second)]
    assert rows[1].status == "done", rows[1].error
    assert cached_count() == segmented
    assert without_timings(rows[0].result) == without_timings(rows[1].result)
