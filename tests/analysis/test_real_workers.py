"""One split analysis taken by two real ``flask analysis worker`` processes (issue 12, item 5).

The chunk tests (``test_text_chunks.py``) run the jobs of "two workers" one after the other
in this process; here two worker processes, started as an operator would (the same
``DATABASE_URL`` and ``REDIS_URL``, a queue of the test's own), take the jobs of one split
run at the same time. The test checks that both took chunk jobs, that each distinct text
was given to exactly one chunk job, that every opinion has its per-text outputs, that the
stored result and those outputs are the ones a single-process run stores, and that no
worker process, queue, job or lock is left behind.

Needs ``REDIS_URL`` (the PostgreSQL leg of CI sets it); runs on SQLite too (a file the
processes share). The workers' periodic turns (retention purge, announcements) take keys
of the test's own, as in ``tests/ops``, so the real workers' turns are not held.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from analysis import chunked, jobs
from analysis.results import TextAnalysis, TextSegmentCache, TextStanceCache
from analysis.text.segment import default_segmenter
from consult.extensions import db
from tests.analysis.text_factories import generated_consultation

ROOT = Path(__file__).resolve().parents[2]
OPINIONS = 200
CHUNK = 30
#: Seconds to wait for the workers to start and for the run to end (both far above the usual).
START_TIMEOUT = 120
RUN_TIMEOUT = 120

#: ``flask --app wsgi analysis worker --queue NAME``, with the workers' lock keys first set to
#: the test's own (argv: purge key, announce key, queue).
LAUNCHER = """\
import sys
from consult import worker
worker.PURGE_LOCK_KEY, worker.ANNOUNCE_LOCK_KEY, queue = sys.argv[1:4]
from flask.cli import main
sys.argv = ["flask", "--app", "wsgi", "analysis", "worker", "--queue", queue]
main()
"""


def database_url_for_a_process(app) -> str:
    """The test database's URL as another process reaches it: a PostgreSQL run's schema goes
    in the URL (``options=-csearch_path=…``); SQLite is a file."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}).get("options")
    if options:
        url = url.update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


def without_timings(view):
    if isinstance(view, dict):
        return {key: without_timings(value) for key, value in view.items()
                if key not in ("timings", "cpu_timings")}
    return view


def per_opinion_outputs(consultation_id: int, params: dict) -> dict[int, tuple]:
    """For each opinion of the run, by id: its stored entry (normalised text, flags, stance,
    cue words) and its stored segmented words, or None where one is missing — what
    ``bench/workers`` digests."""
    pipeline = jobs.pipeline
    max_chars = pipeline.AnalysisParams.from_dict(params).max_chars
    raw = {o.id: pipeline.raw_key(o.text, max_chars)
           for o in jobs.load_opinions("consultation", consultation_id, params)}
    entries = {row.key: row.entry for row in db.session.scalars(
        select(TextStanceCache).where(TextStanceCache.version == pipeline.TEXT_CACHE_VERSION))}
    words = {row.key: row.words for row in db.session.scalars(
        select(TextSegmentCache).where(TextSegmentCache.segmenter == default_segmenter().name))}
    outputs = {}
    for opinion_id, key in raw.items():
        entry = entries.get(key)
        outputs[opinion_id] = (entry, words.get(entry["key"]) if entry and entry.get("key") else None)
    return outputs


def start_worker(log_path: Path, environment: dict, keys: tuple[str, str], queue: str):
    with open(log_path, "w") as log:  # the child keeps its own descriptor
        return subprocess.Popen([sys.executable, "-c", LAUNCHER, *keys, queue], cwd=ROOT,
                                env=environment, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def logs(paths) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in paths)


def stop(processes) -> None:
    """SIGTERM (RQ's warm shutdown), then SIGKILL to any still running after 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def forget(connection, queue, name: str, keys: tuple[str, str], workers) -> set[str]:
    """Delete the queue, every job it held (results and dependency sets too), the workers'
    records and every key naming the queue or a lock of the test; returns the job ids."""
    from rq import Worker
    from rq.job import Job

    ids = set(queue.get_job_ids())
    for registry in (queue.finished_job_registry, queue.failed_job_registry, queue.deferred_job_registry,
                     queue.started_job_registry, queue.scheduled_job_registry, queue.canceled_job_registry):
        ids.update(registry.get_job_ids())
    for job_id in ids:
        job = Job(job_id, connection=connection)
        connection.delete(job.key, job.dependents_key, job.dependencies_key, f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter():  # RQ's executions of the jobs, its keys of the queue
        if any(part in key.decode() for part in (name, *ids)):
            connection.delete(key)
    connection.delete(*keys, *(Worker.redis_worker_namespace_prefix + worker for worker in workers))
    return ids


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run on the PostgreSQL leg)")
def test_two_worker_processes_split_a_run_and_store_the_single_process_result(app, tmp_path):
    from redis import Redis
    from rq import Queue, Worker
    from rq.job import Job

    redis_url = os.environ["REDIS_URL"]
    app.config.update(REDIS_URL=redis_url)
    connection = Redis.from_url(redis_url)
    name = f"test-real-workers-{uuid.uuid4().hex[:12]}"
    keys = (f"test:gopy:purge-lock:{name}", f"test:gopy:send-due-lock:{name}")
    queue = Queue(name, connection=connection)

    consultation_id = generated_consultation(OPINIONS, campaign_count=3, seed=11).id

    environment = {key: value for key, value in os.environ.items() if not key.startswith("GOPY_")}
    environment.update(DATABASE_URL=database_url_for_a_process(app), REDIS_URL=redis_url,
                       GOPY_ANALYSIS_CHUNK_SIZE=str(CHUNK), GOPY_SECRET_KEY="test-real-workers",
                       PYTHONPATH=str(ROOT))
    log_paths = [tmp_path / f"worker-{number}.log" for number in (1, 2)]
    processes, workers, job_ids = [], {}, set()
    try:
        processes = [start_worker(path, environment, keys, name) for path in log_paths]
        deadline = time.monotonic() + START_TIMEOUT
        while Worker.count(queue=queue) < 2:
            assert all(p.poll() is None for p in processes), "a worker stopped:\n" + logs(log_paths)
            assert time.monotonic() < deadline, "the workers did not start:\n" + logs(log_paths)
            time.sleep(0.2)
        workers.update({worker.name: worker.pid for worker in Worker.all(queue=queue)})
        assert sorted(workers.values()) == sorted(p.pid for p in processes)

        result_id = jobs.queue_analysis("consultation", consultation_id, queue_name=name)
        job_ids.add(db.session.get(TextAnalysis, result_id).job_id)
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            db.session.expire_all()
            split_run = db.session.get(TextAnalysis, result_id)
            db.session.commit()  # end the read, so SQLite's writers are not held up
            if split_run.status in ("done", "failed"):
                break
            assert all(p.poll() is None for p in processes), "a worker stopped:\n" + logs(log_paths)
            assert time.monotonic() < deadline, "the run did not end:\n" + logs(log_paths)
            time.sleep(0.3)
        assert split_run.status == "done", split_run.error + "\n" + logs(log_paths)
        # The final job stored the run and is ending; no finished job may stay "started"
        # (two views ending at once made RQ 2.12 leave one there: see consult.worker).
        while queue.started_job_registry.count:
            if time.monotonic() > deadline:
                stuck = queue.started_job_registry.get_job_ids()
                info = [(j.description, j.get_status(), j.worker_name, j.started_at, j.ended_at)
                        for j in Job.fetch_many(stuck, connection=connection) if j]
                lines = [line[:400] for path in log_paths for line in path.read_text().splitlines()
                         if any(i in line for i in stuck)]
                pytest.fail(f"jobs left started: {info}\n" + "\n".join(lines))
            time.sleep(0.1)

        ran = [job for job in Job.fetch_many(queue.finished_job_registry.get_job_ids(), connection=connection)
               if job is not None]
        chunk_jobs = [job for job in ran if job.func_name == "analysis.chunked.segment_chunk"]
        view_jobs = [job for job in ran if job.func_name == "analysis.chunked.analyse_part"]
        final_jobs = [job for job in ran if job.func_name == "analysis.chunked.finish"]
        assert queue.failed_job_registry.count == 0 and queue.count == 0
        assert queue.deferred_job_registry.count == 0 and queue.started_job_registry.count == 0
        assert len(chunk_jobs) >= 4 and len(final_jobs) == 1 and len(view_jobs) >= 4
        # Each chunk job ran once, on one of the two processes, and both processes took some.
        assert {job.worker_name for job in ran} <= set(workers)
        assert {job.worker_name for job in chunk_jobs} == set(workers), \
            [(job.description, job.worker_name) for job in chunk_jobs]
        # Each distinct text was given to exactly one chunk job: none lost, none done twice.
        given = [opinion_id for job in chunk_jobs for opinion_id in job.args[2]]
        max_chars = jobs.pipeline.AnalysisParams.from_dict(split_run.params).max_chars
        loaded = jobs.load_opinions("consultation", consultation_id, split_run.params)
        distinct = {jobs.pipeline.raw_key(o.text, max_chars) for o in loaded}
        texts = {o.id: jobs.pipeline.raw_key(o.text, max_chars) for o in loaded}
        assert len(given) == len(set(given)) == len(distinct)
        assert {texts[opinion_id] for opinion_id in given} == distinct
        frozen = chunked.FROZEN_KEY.format(queue=name, database=chunked.database_identity(), id=result_id)
        assert connection.get(frozen) is None  # finish deleted it, and no other list of the queue is left
        assert list(connection.scan_iter(f"gopy:text-analysis:{name}:*")) == []

        stop(processes)
        assert [p.returncode for p in processes] == [0, 0], logs(log_paths)
        assert Worker.count(queue=queue) == 0  # both said goodbye to Redis
    finally:
        stop(processes)
        job_ids |= forget(connection, queue, name, keys, workers)
    assert len(job_ids) > 12  # the run's, the chunks', the views' and the final one
    left = [key.decode() for key in connection.scan_iter()
            if any(part in key.decode() for part in (name, *job_ids, *workers))]
    assert not left, left  # nothing of the test's is left in Redis

    # Every opinion has its per-text outputs; a single-process run from empty caches stores
    # the same outputs and the same result (views and article runs, timings aside).
    split_outputs = per_opinion_outputs(consultation_id, split_run.params)
    assert len(split_outputs) == OPINIONS
    assert all(entry and (words or not entry.get("key")) for entry, words in split_outputs.values())
    db.session.execute(delete(TextSegmentCache))
    db.session.execute(delete(TextStanceCache))
    db.session.commit()
    single = db.session.get(TextAnalysis, jobs.run_analysis("consultation", consultation_id))
    assert single.status == "done", single.error
    assert per_opinion_outputs(consultation_id, single.params) == split_outputs
    assert split_run.input_count == single.input_count == OPINIONS
    assert split_run.view()["campaigns"], "the planted campaigns are found"
    assert without_timings(split_run.result) == without_timings(single.result)
    article_runs = db.session.scalars(select(TextAnalysis).where(TextAnalysis.scope == "article")
                                      .order_by(TextAnalysis.id)).all()
    assert len(article_runs) == 4  # dieu-3 and dieu-4, by each run
    assert [without_timings(r.result) for r in article_runs[:2]] == \
        [without_timings(r.result) for r in article_runs[2:]]
    connection.close()
