"""One analysis split over many RQ workers: segmentation in chunks, the rest in a final job.

Word segmentation is ~85 % of a run and is done once per distinct text, each text on its
own, so it is what workers share.  When a run on the queue has more distinct texts missing
from the segmentation cache (``TextSegmentCache``) than one chunk holds
(``ANALYSIS_CHUNK_SIZE``, default 5,000), ``split_run``:

1. enqueues one ``segment_chunk(result_id, source, ids, max_chars)`` job per chunk: the ids
   of one opinion per missing text; the job reads their texts, segments them and upserts
   the segmentations into the cache (race-safe, see ``results.store_cache``);
2. enqueues ``finish(result_id)``, which RQ starts when every chunk job has ended
   (``Dependency(allow_failure=True)``, so it also runs after a failure and sees the run
   failed): it runs the whole pipeline (``jobs.compute``), now reading every segmentation
   from the cache, so the result is the one a single process computes.

Any number of ``flask analysis worker`` processes on the queue, on one machine or many,
share the chunks.  Jobs take ids, never ORM objects.  Without Redis, or for a run small
enough for one chunk, ``jobs.compute`` runs in one process as before.
"""
from __future__ import annotations

import logging
import traceback

from flask import current_app
from sqlalchemy import select

from analysis import jobs, results
from analysis.text.normalise import prepare
from analysis.text.segment import default_segmenter, encode_segmentation, segment_text
from consult.extensions import db
from consult.logging_setup import job_meta
from consult.models import Comment

log = logging.getLogger(__name__)

#: Distinct texts segmented by one chunk job (a few minutes of one core).
CHUNK_SIZE = 5000


def split_run(row) -> bool:
    """Enqueue the chunk jobs and the final job of a running run; False when not worth it
    (not in an RQ job, or every missing text fits in one chunk)."""
    from rq import get_current_job

    job = get_current_job()
    if job is None or not current_app.config.get("REDIS_URL"):
        return False
    params = jobs.pipeline.AnalysisParams.from_dict(row.params)
    source, ids = missing_texts(row, params.max_chars)
    size = max(1, int(current_app.config.get("ANALYSIS_CHUNK_SIZE") or CHUNK_SIZE))
    if len(ids) <= size:
        return False
    chunks = [ids[start:start + size] for start in range(0, len(ids), size)]
    enqueue_chunks(row.id, source, chunks, params.max_chars, job.origin, job.connection)
    log.info("text analysis %s split into %d chunks of up to %d texts", row.id, len(chunks), size)
    return True


def missing_texts(row, max_chars: int) -> tuple[str, list[int]]:
    """(source, ids): one opinion id per distinct text whose segmentation is not cached."""
    opinions = jobs.load_opinions(row.scope, row.scope_id, row.params)
    first: dict[str, int] = {}
    for opinion in opinions:
        key = prepare(opinion.text, max_chars).key
        if key and key not in first:
            first[key] = opinion.id
    known = results.known_keys(sorted(first), default_segmenter().name)
    source = opinions[0].source if opinions else "comment"
    return source, [opinion_id for key, opinion_id in first.items() if key not in known]


def enqueue_chunks(result_id: int, source: str, chunks: list[list[int]], max_chars: int,
                   queue_name: str, connection) -> list[str]:
    """The chunk jobs then the final job on ``queue_name``; returns the chunk jobs' ids."""
    from rq import Queue
    from rq.job import Dependency

    queue = Queue(queue_name, connection=connection)
    options = {"job_timeout": jobs.JOB_TIMEOUT, "result_ttl": 86400, "failure_ttl": 7 * 86400,
               "meta": job_meta()}
    chunk_jobs = [queue.enqueue("analysis.chunked.segment_chunk", result_id, source, ids, max_chars,
                                description=f"text analysis {result_id}: chunk {number}/{len(chunks)}",
                                **options)
                  for number, ids in enumerate(chunks, 1)]
    queue.enqueue("analysis.chunked.finish", result_id,
                  depends_on=Dependency(jobs=chunk_jobs, allow_failure=True),
                  description=f"text analysis {result_id}: final", **options)
    return [job.id for job in chunk_jobs]


def segment_chunk(result_id: int, source: str, ids: list[int], max_chars: int) -> int:
    """The RQ chunk job: segment the texts of ``ids`` into the cache; returns how many.

    A failure marks the run failed with its message (the first failure's is kept) and is
    raised again, so RQ keeps the job among the failed ones."""
    return jobs.in_app(_segment_chunk, result_id, source, ids, max_chars)


def _segment_chunk(result_id: int, source: str, ids: list[int], max_chars: int) -> int:
    row = db.session.get(results.TextAnalysis, result_id)
    if row is None or row.status != "running":
        return 0  # the run was removed or failed already: nothing to do
    try:
        return store_segmentations(texts_of(source, ids), max_chars)
    except Exception as error:
        db.session.rollback()
        log.exception("text analysis %s: a chunk failed", result_id)
        row = db.session.get(results.TextAnalysis, result_id)
        if row is not None and row.status == "running":
            results.mark_failed(row, f"{type(error).__name__}: {error}\n"
                                     f"{traceback.format_exc(limit=3)}")
            db.session.commit()
        raise


def texts_of(source: str, ids: list[int]) -> list[str]:
    """The texts as written of comments (or survey answers) ``ids``."""
    if source == "answer":
        from surveys.models import Answer

        column, key = Answer.value_text, Answer.id
    else:
        column, key = Comment.body, Comment.id
    found: list[str] = []
    for start in range(0, len(ids), 500):
        found.extend(db.session.scalars(select(column).where(key.in_(ids[start:start + 500]))))
    return [text or "" for text in found]


def store_segmentations(texts: list[str], max_chars: int) -> int:
    """Segment each distinct text as the pipeline does and upsert it into the cache."""
    segmenter = default_segmenter()
    entries: dict[str, str] = {}
    for text in texts:
        prepared = prepare(text, max_chars)
        if prepared.key and prepared.key not in entries:
            entries[prepared.key] = encode_segmentation(segment_text(prepared.text, segmenter))
    results.store_cache(entries, segmenter.name)
    db.session.commit()
    return len(entries)


def finish(result_id: int) -> int:
    """The RQ final job: the whole pipeline from the cache, unless a chunk failed the run."""
    return jobs.in_app(_finish, result_id)


def _finish(result_id: int) -> int:
    row = db.session.get(results.TextAnalysis, result_id)
    if row is None or row.status != "running":
        return result_id
    return jobs.guarded(result_id, jobs.compute)
