"""One analysis split over many RQ workers: segmentation in chunks, then its views in parallel.

Word segmentation is ~85 % of a cold run and is done once per distinct text, each text on
its own; the views of a run (all opinions, each respondent type, each article of a
consultation) are independent analyses of subsets.  When a run on the queue has more
opinions than one chunk holds (``ANALYSIS_CHUNK_SIZE``, default 5,000), ``split_run``
enqueues, on the run's queue:

1. one ``segment_chunk(result_id, source, ids, max_chars)`` job per chunk of the distinct
   texts (as written) whose normalisation and stance (``TextStanceCache``) or whose
   segmentation (``TextSegmentCache``) is not stored: the ids of one opinion per text; the
   job normalises, classifies and segments what is missing and upserts it into the caches
   (race-safe, see ``results.store_cache``). The split job itself only hashes the texts
   (``pipeline.raw_key``) and reads the keys stored in the caches, so normalisation, like
   segmentation, is shared among the workers;
2. one ``analyse_part(result_id, kind, name)`` job per view (``all``, ``type``/respondent
   type, ``article``/anchor), started by RQ when every chunk job has ended: the pipeline on
   that subset, every segmentation read from the cache; the view is the job's return value
   (kept in Redis by RQ);
3. ``finish(result_id, parts)``, started when every part has ended: gathers the views and
   stores the run as a single process would (``jobs.complete``).

The run's opinions (ids and the article each is on) and its articles are frozen in Redis
when it is split (``freeze``, key ``frozen_key``: the run's queue, its database and its id): every view job and the final job read
the opinions through ``frozen`` and so analyse the same set, whatever is sent, moderated
or carried to another article while the run goes on (the next run sees it).

Dependencies use ``allow_failure=True``, so the next step also starts after a failure and
sees the run failed: a failing job marks the run failed with its message (the first
failure's is kept).  Any number of ``flask analysis worker`` processes on the queue, on one
machine or many, share the jobs.  Jobs take ids, never ORM objects.  Without Redis, or for
a run of one chunk, ``jobs.compute`` runs in one process as before; both give the same
stored result.
"""
from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import logging
import traceback
import zlib
from dataclasses import replace

from flask import current_app
from redis import Redis
from rq import Queue, get_current_job
from rq.job import Dependency, Job
from sqlalchemy import select, text

from analysis import jobs, results
from analysis.text.opinion import Opinion
from analysis.text.segment import default_segmenter, encode_segmentation, segment_text
from consult.extensions import db
from consult.logging_setup import job_meta
from consult.models import Comment, Provision

log = logging.getLogger(__name__)

#: Distinct texts segmented by one chunk job (a few minutes of one core).
CHUNK_SIZE = 5000
#: Redis key of a split run's frozen opinions and articles (``freeze``), by the run's queue,
#: its database's identity (``database_identity``) and its id; kept at most a week. Run ids
#: alone repeat across databases: two databases sharing one Redis database (a test run and a
#: benchmark, each in a schema of its own) would otherwise delete each other's list.
FROZEN_KEY = "gopy:text-analysis:{queue}:{database}:{id}:frozen"
FROZEN_TTL = 7 * 86400
#: Rows fetched at a time when the split job reads a run's texts to hash them.
SCAN_BATCH = 5000


def split_run(row) -> bool:
    """Enqueue the jobs of a running run (see above); False when not worth it (not in an
    RQ job, or the run has no more opinions than one chunk)."""
    job = get_current_job()
    if job is None or not current_app.config.get("REDIS_URL"):
        return False
    size = max(1, int(current_app.config.get("ANALYSIS_CHUNK_SIZE") or CHUNK_SIZE))
    params = jobs.pipeline.AnalysisParams.from_dict(row.params)
    opinions, first = scan(row, params.max_chars)
    if len(opinions) <= size:
        return False
    ids = uncached(first)
    del first
    chunks = [ids[start:start + size] for start in range(0, len(ids), size)]
    articles = jobs.current_articles(row.scope_id) if row.scope == "consultation" else {}
    freeze(job.connection, frozen_key(row.id), opinions, articles)
    queue = Queue(job.origin, connection=job.connection)
    chunk_jobs = enqueue_chunks(queue, row.id, opinions[0].source, chunks, params.max_chars)
    part_jobs = enqueue_parts(queue, row.id, view_parts(row, opinions, articles), chunk_jobs)
    enqueue_finish(queue, row.id, part_jobs)
    log.info("text analysis %s split into %d chunk jobs of up to %d texts and %d views",
             row.id, len(chunks), size, len(part_jobs))
    return True


def scan(row, max_chars: int) -> tuple[list[Opinion], dict[str, int]]:
    """The run's opinions without their texts, and the id of the first opinion of each
    distinct text as written (by ``pipeline.raw_key``). Texts are read in batches and only
    hashed: the split job neither keeps nor normalises them (the chunk jobs do)."""
    raw_key = jobs.pipeline.raw_key
    opinions: list[Opinion] = []
    first: dict[str, int] = {}
    for opinion in jobs.iter_opinions(row.scope, row.scope_id, row.params, batch=SCAN_BATCH):
        first.setdefault(raw_key(opinion.text, max_chars), opinion.id)
        opinions.append(replace(opinion, text=""))
    return opinions, first


def missing_texts(opinions: list[Opinion], max_chars: int) -> list[int]:
    """One opinion id per distinct text as written that the chunk jobs must still work on."""
    first: dict[str, int] = {}
    for opinion in opinions:
        first.setdefault(jobs.pipeline.raw_key(opinion.text, max_chars), opinion.id)
    return uncached(first)


def uncached(first: dict[str, int]) -> list[int]:
    """The ids of ``first`` (raw key -> opinion id) whose text has no stored normalisation
    and stance (``TextStanceCache``) of this version, or whose normalised text has no stored
    segmentation: only their keys are read from the caches, never a text normalised."""
    pipeline = jobs.pipeline
    normalised = results.normalised_keys(sorted(first), pipeline.TEXT_CACHE_VERSION)
    segmented = results.known_keys(sorted({key for key in normalised.values() if key}),
                                   default_segmenter().name)
    return [opinion_id for raw, opinion_id in first.items()
            if raw not in normalised or (normalised[raw] and normalised[raw] not in segmented)]


def view_parts(row, opinions: list[Opinion], articles: dict | None = None) -> list[tuple[str, str]]:
    """The views a run stores, as (kind, name): ``jobs.compute_views`` and one per article."""
    parts = [("all", "")]
    types = jobs.by_respondent_type(opinions)
    if len(types) > 1:
        parts += [("type", respondent_type) for respondent_type in sorted(types)]
    if row.scope == "consultation":
        articles = jobs.current_articles(row.scope_id) if articles is None else articles
        parts += [("article", anchor) for anchor in jobs.by_article(opinions, articles)]
    return parts


def database_identity() -> str:
    """A short hash of the database the app works on: the server (host and port), the
    database's name or file and, on PostgreSQL, the schema it works in (``search_path``, as
    the tests and benchmarks set it per run), so each database has keys of its own."""
    url = db.engine.url
    parts = [url.get_backend_name(), url.host or "", str(url.port or ""), url.database or ""]
    if url.get_backend_name() == "postgresql":
        parts.append(db.session.scalar(text("SELECT current_schema()")) or "")
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=6).hexdigest()


def frozen_key(result_id: int) -> str:
    """``FROZEN_KEY`` of a run of this app's database, under the queue of the RQ job running
    (every job of a split run is on the queue its split job was on)."""
    job = get_current_job()
    queue = job.origin if job is not None else current_app.config.get("ANALYSIS_QUEUE", jobs.DEFAULT_QUEUE)
    return FROZEN_KEY.format(queue=queue, database=database_identity(), id=result_id)


def freeze(connection, key: str, opinions: list[Opinion], articles: dict[str, Provision]) -> None:
    """Keep the run's opinion ids, the article anchor of each and the articles' ids in Redis,
    compressed (a million opinions take a few megabytes), for ``frozen``."""
    payload = {"ids": [o.id for o in opinions], "anchors": [o.group_key for o in opinions],
               "articles": {anchor: article.id for anchor, article in articles.items()}}
    connection.set(key, zlib.compress(json.dumps(payload).encode()),
                   ex=FROZEN_TTL)


def frozen(row, wanted=None) -> tuple[list[Opinion], dict[str, Provision]]:
    """The run's opinions as they were when it was split (texts read now; opinions sent since
    left out; each on the article it was on), only those ``wanted(opinion)`` accepts when
    given (the others' texts are never kept: a view of a few opinions of a million stays
    small), and its articles by anchor."""
    connection = Redis.from_url(current_app.config["REDIS_URL"])
    raw = connection.get(frozen_key(row.id))
    if raw is None:
        raise RuntimeError(f"text analysis {row.id}: its frozen list of opinions is gone from Redis")
    payload = json.loads(zlib.decompress(raw))
    anchors = dict(zip(payload["ids"], payload["anchors"]))
    opinions = []
    for opinion in jobs.iter_opinions(row.scope, row.scope_id, row.params, batch=SCAN_BATCH):
        anchor = anchors.get(opinion.id)
        if anchor is not None:
            opinion = replace(opinion, group_key=anchor)
            if wanted is None or wanted(opinion):
                opinions.append(opinion)
    articles = {anchor: db.session.get(Provision, article_id)
                for anchor, article_id in payload["articles"].items()}
    return opinions, {anchor: article for anchor, article in articles.items() if article is not None}


def unfreeze(result_id: int) -> None:
    Redis.from_url(current_app.config["REDIS_URL"]).delete(frozen_key(result_id))


def enqueue_chunks(queue, result_id: int, source: str, chunks: list[list[int]],
                   max_chars: int) -> list:
    return [queue.enqueue("analysis.chunked.segment_chunk", result_id, source, ids, max_chars,
                          description=f"text analysis {result_id}: chunk {number}/{len(chunks)}",
                          **_options())
            for number, ids in enumerate(chunks, 1)]


def enqueue_parts(queue, result_id: int, parts: list[tuple[str, str]], chunk_jobs: list) -> list:
    """One job per view, each waiting for every chunk job; [((kind, name), job)]."""
    waits = {"depends_on": Dependency(jobs=chunk_jobs, allow_failure=True)} if chunk_jobs else {}
    return [((kind, name), queue.enqueue("analysis.chunked.analyse_part", result_id, kind, name,
                                         description=f"text analysis {result_id}: {kind} {name}",
                                         **waits, **_options()))
            for kind, name in parts]


def enqueue_finish(queue, result_id: int, part_jobs: list) -> None:
    """The final job, waiting for every view's job; it gets their ids, not their views."""
    queue.enqueue("analysis.chunked.finish", result_id,
                  [[kind, name, part.id] for (kind, name), part in part_jobs],
                  depends_on=Dependency(jobs=[part for _, part in part_jobs], allow_failure=True),
                  description=f"text analysis {result_id}: final", **_options())


def _options() -> dict:
    return {"job_timeout": jobs.JOB_TIMEOUT, "result_ttl": 86400, "failure_ttl": 7 * 86400,
            "meta": job_meta()}


def segment_chunk(result_id: int, source: str, ids: list[int], max_chars: int) -> int:
    """The RQ chunk job: segment the texts of ``ids`` into the cache; returns how many.

    A failure marks the run failed with its message (the first failure's is kept) and is
    raised again, so RQ keeps the job among the failed ones."""
    return jobs.in_app(_segment_chunk, result_id, source, ids, max_chars)


def give_back_memory() -> None:
    """Return the memory a job freed to the system (glibc's ``malloc_trim``): a worker runs
    one job after another in one process, and without it each view's freed heap stays
    counted in the worker's resident memory, so the next job starts that much higher."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _segment_chunk(result_id: int, source: str, ids: list[int], max_chars: int) -> int:
    return _failing_the_run(result_id, lambda: store_segmentations(texts_of(source, ids), max_chars),
                            default=0)


def _failing_the_run(result_id: int, work, default=None):
    """``work()`` for a running run (else ``default``: a job after a failure does nothing).
    An error marks the run failed with its message, if no other job did first, and is
    raised again so that RQ keeps the job among the failed ones."""
    row = db.session.get(results.TextAnalysis, result_id)
    if row is None or row.status != "running":
        return default
    try:
        return work()
    except Exception as error:
        db.session.rollback()
        log.exception("text analysis %s: a job failed", result_id)
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
    """Normalise, classify and segment the texts as the pipeline does, each only when its
    cache row is missing, and upsert the new rows (``TextStanceCache`` by text as written,
    ``TextSegmentCache`` by normalised text), so the view jobs only read them. Returns how
    many texts were segmented."""
    pipeline = jobs.pipeline
    segmenter = default_segmenter()
    raw_keys = sorted({pipeline.raw_key(text, max_chars) for text in texts})
    stored = results.load_text_cache(raw_keys, pipeline.TEXT_CACHE_VERSION)
    cache = pipeline.SegmentCache(texts={key: pipeline.TextEntry.from_dict(entry)
                                         for key, entry in stored.items()})
    entries = [cache.entry(text, max_chars) for text in texts]
    keys = sorted({entry.prepared.key for entry in entries if entry.prepared.key})
    known = results.known_keys(keys, segmenter.name)
    segmented: dict[str, str] = {}
    for entry in entries:
        prepared = entry.prepared
        if prepared.key and prepared.key not in known and prepared.key not in segmented:
            segmented[prepared.key] = encode_segmentation(segment_text(prepared.text, segmenter))
    pipeline.classify_entries(list(cache.texts_added.values()))
    results.store_cache(segmented, segmenter.name)
    results.store_text_cache({key: entry.to_dict() for key, entry in cache.texts_added.items()},
                             pipeline.TEXT_CACHE_VERSION)
    db.session.commit()
    return len(segmented)


def analyse_part(result_id: int, kind: str, name: str) -> dict | None:
    """The RQ job of one view: ``all``, ``type`` (a respondent type) or ``article`` (an
    article's views, as ``jobs.compute_views``); returns it for ``finish``."""
    try:
        return jobs.in_app(_failing_the_run, result_id, lambda: _analyse_part(result_id, kind, name))
    finally:
        give_back_memory()


def _analyse_part(result_id: int, kind: str, name: str) -> dict:
    row = db.session.get(results.TextAnalysis, result_id)
    params = jobs.pipeline.AnalysisParams.from_dict(row.params)
    if kind == "type":
        opinions, _ = frozen(row, lambda o: (o.respondent_type or "unknown") == name)
    elif kind == "article":
        opinions, _ = frozen(row, lambda o: o.group_key == name)
    else:
        opinions, _ = frozen(row)
    cache = jobs.load_cache(opinions, params.max_chars)
    if kind == "article":
        view = jobs.compute_views(opinions, params, cache)
    else:
        view = jobs.analyse(opinions, params, cache).to_dict()
    jobs.store_text_cache(cache)
    return view


def finish(result_id: int, parts: list[list]) -> int:
    """The RQ final job: store the views of ``parts`` ([kind, name, job id]) as the run's
    result, unless a job failed the run."""
    return jobs.in_app(_finish, result_id, parts)


def _finish(result_id: int, parts: list[list]) -> int:
    row = db.session.get(results.TextAnalysis, result_id)
    try:
        if row is None or row.status != "running":
            return result_id
        return jobs.guarded(result_id, lambda run: _assemble(run, parts))
    finally:
        unfreeze(result_id)


def _assemble(row, parts: list[list]) -> None:
    connection = Redis.from_url(current_app.config["REDIS_URL"])
    views = {(kind, name): Job.fetch(job_id, connection=connection).return_value()
             for kind, name, job_id in parts}
    opinions, articles = frozen(row)
    everyone = views[("all", "")]
    type_views = {name: view for (kind, name), view in views.items() if kind == "type"}
    if not type_views:
        type_views = dict.fromkeys(jobs.by_respondent_type(opinions), everyone)
    article_views = {name: view for (kind, name), view in views.items() if kind == "article"}
    jobs.complete(row, opinions, jobs.combine_views(everyone, type_views), article_views, articles)
