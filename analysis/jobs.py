"""Running the open-text analysis: through RQ when ``REDIS_URL`` is set, else in-process.

Jobs take ids, never ORM objects.  ``run_analysis(scope, scope_id, params)`` computes
now and returns the stored result's id (CLI, tests); ``request_analysis`` is what the
page's button calls: it enqueues on Redis, or, without Redis, runs in the request only
when the scope is small (``ANALYSIS_INPROCESS_LIMIT`` opinions), so no request stays busy
for minutes.  ``perform(result_id)`` is the RQ entry point; it never leaves a run
"running": any error marks it failed with the message.  On the queue, a run bigger than one
chunk is split into jobs that any number of workers share (``analysis.chunked``).
"""
from __future__ import annotations

import logging
import re
import traceback
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from analysis import results, stance_labels
from analysis.text.opinion import Opinion
from analysis.text.segment import decode_segmentation, default_segmenter, encode_segmentation
from consult.extensions import db
from consult.lazy import lazy_module
from consult.logging_setup import job_meta
from consult.models import Comment, Consultation, Contribution, Provision

if TYPE_CHECKING:
    from analysis.text.pipeline import AnalysisParams, SegmentCache

#: scikit-learn, NLTK and datasketch load with the pipeline: on the first run, not in every web worker.
pipeline = lazy_module("analysis.text.pipeline")

log = logging.getLogger(__name__)

#: Opinions analysed inside a web request when no Redis queue is configured.
INPROCESS_LIMIT = 3000
#: Seconds an RQ job may run before RQ stops it (and it is marked failed).
JOB_TIMEOUT = 6 * 3600
DEFAULT_QUEUE = "analysis"
_ARTICLE_RE = re.compile(r"^(dieu-[^-]+)")


class ScopeNotFound(LookupError):
    """The article, consultation or question does not exist (or has no current version)."""


# --- entry points -------------------------------------------------------------------------


def run_analysis(scope: str, scope_id: int, params: dict | None = None,
                 requested_by_id: int | None = None) -> int:
    """Compute the analysis of one scope now, in this process; returns the result id."""
    row = new_request(scope, scope_id, params or {}, requested_by_id)
    db.session.commit()
    perform(row.id)
    return row.id


def request_analysis(scope: str, scope_id: int, params: dict | None = None,
                     requested_by_id: int | None = None) -> tuple[int | None, str]:
    """Start an analysis for a page: ``(result id, "queued" | "done" | "failed" | "too_large")``."""
    params = params or {}
    if current_app.config.get("REDIS_URL"):
        result_id = queue_analysis(scope, scope_id, params, requested_by_id)
        failed = db.session.get(results.TextAnalysis, result_id).status == "failed"
        return result_id, "failed" if failed else "queued"
    limit = current_app.config.get("ANALYSIS_INPROCESS_LIMIT", INPROCESS_LIMIT)
    if count_opinions(scope, scope_id, params) > limit:
        return None, "too_large"
    result_id = run_analysis(scope, scope_id, params, requested_by_id)
    return result_id, db.session.get(results.TextAnalysis, result_id).status


def queue_analysis(scope: str, scope_id: int, params: dict | None = None,
                   requested_by_id: int | None = None, queue_name: str | None = None) -> int:
    """Store a request and put it on the RQ queue; returns the result id. A queue that cannot
    be reached (Redis down or misconfigured) marks the run failed with the reason, as an export
    is: never a run left "queued" that no worker will take, never an error page."""
    row = new_request(scope, scope_id, params or {}, requested_by_id)
    db.session.commit()
    try:
        row.job_id = enqueue(row.id, queue_name)
    except Exception as error:  # the redis client's errors, and a URL it cannot use
        log.exception("analysis %s could not be queued", row.id)
        results.mark_failed(row, f"{type(error).__name__}: {error}")
    db.session.commit()
    return row.id


def enqueue(result_id: int, queue_name: str | None = None) -> str:
    """Put ``perform(result_id)`` on the RQ queue; returns the job id."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    queue = Queue(queue_name or current_app.config.get("ANALYSIS_QUEUE", DEFAULT_QUEUE),
                  connection=connection)
    job = queue.enqueue("analysis.jobs.perform", result_id, job_timeout=JOB_TIMEOUT,
                        result_ttl=86400, failure_ttl=7 * 86400,
                        meta=job_meta())
    return job.id


def perform(result_id: int) -> int:
    """Compute a requested run (the RQ job). Uses the current app, or creates one."""
    return in_app(_perform, result_id)


def in_app(function, *args):
    """``function(*args)`` inside the current app context, or a new app's (an RQ worker
    started outside Flask)."""
    if has_app_context():
        return function(*args)
    from consult import create_app

    with create_app().app_context():
        return function(*args)


# --- the work ---------------------------------------------------------------------------


def new_request(scope: str, scope_id: int, params: dict, requested_by_id: int | None):
    """A queued ``TextAnalysis`` row with the run's parameters; raises ScopeNotFound."""
    title, consultation_id = describe_scope(scope, scope_id)
    stored = pipeline.AnalysisParams.from_dict(params).to_dict()
    stored["statuses"] = _statuses(params)
    return results.create_request(scope, scope_id, stored, title=title,
                                  consultation_id=consultation_id, requested_by_id=requested_by_id)


def _perform(result_id: int) -> int:
    row = db.session.get(results.TextAnalysis, result_id)
    if row is None or row.status == "done":
        return result_id
    results.mark_running(row)
    db.session.commit()
    return guarded(result_id, _start)


def _start(row) -> None:
    """Split a big run over the queue's workers (``analysis.chunked``), else compute it now."""
    from analysis import chunked

    if not chunked.split_run(row):
        compute(row)


def guarded(result_id: int, work) -> int:
    """``work(row)`` on a running run; any error marks the run failed with its message."""
    row = db.session.get(results.TextAnalysis, result_id)
    try:
        work(row)
    except Exception as error:  # a run must end failed, never stuck "running"
        db.session.rollback()
        log.exception("text analysis %s failed", result_id)
        row = db.session.get(results.TextAnalysis, result_id)
        results.mark_failed(row, f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}")
    db.session.commit()
    return result_id


def compute(row) -> None:
    """The whole pipeline on a run's opinions, segmentations from the cache when stored."""
    params = pipeline.AnalysisParams.from_dict(row.params)
    opinions = load_opinions(row.scope, row.scope_id, row.params)
    cache = load_cache(opinions, params.max_chars)
    views = compute_views(opinions, params, cache)
    article_views = {}
    if row.scope == "consultation":
        articles = current_articles(row.scope_id)
        article_views = {anchor: compute_views(subset, params, cache)
                         for anchor, subset in by_article(opinions, articles).items()}
    complete(row, opinions, views, article_views)
    _store_cache(cache)


def complete(row, opinions: list[Opinion], views: dict, article_views: dict[str, dict],
             articles: dict[str, Provision] | None = None) -> None:
    """Store a run's views as done, with the stance suggestions of a consultation and one
    run per article (``article_views``: article anchor -> its views; ``articles``: the
    articles by anchor, as read when the run began, else the current ones)."""
    if row.scope == "consultation":
        views["stance_suggestions"] = stance_labels.suggestions_for(row.scope_id, opinions)
    results.mark_done(row, views, len(opinions))
    if articles is None:
        articles = current_articles(row.scope_id) if article_views else {}
    for anchor, article_view in article_views.items():
        article = articles[anchor]
        run = results.create_request("article", article.id, row.params, title=_article_title(article),
                                     consultation_id=row.scope_id,
                                     requested_by_id=row.requested_by_id, status="running")
        results.mark_done(run, article_view, article_view["all"]["input_count"])


def analyse(opinions: list[Opinion], params: AnalysisParams, cache: SegmentCache):
    """The text pipeline on ``opinions`` (``analysis.text.pipeline.analyse``)."""
    return pipeline.analyse(opinions, params, cache)


def compute_views(opinions: list[Opinion], params: AnalysisParams, cache: SegmentCache) -> dict:
    """The analysis of all opinions and of each respondent type's opinions."""
    by_type = by_respondent_type(opinions)
    everyone = analyse(opinions, params, cache).to_dict()
    if len(by_type) <= 1:
        return combine_views(everyone, dict.fromkeys(by_type, everyone))
    return combine_views(everyone, {respondent_type: analyse(subset, params, cache).to_dict()
                                    for respondent_type, subset in sorted(by_type.items())})


def combine_views(everyone: dict, type_views: dict[str, dict]) -> dict:
    """The stored shape: the view of all opinions and one per respondent type."""
    return {"all": everyone, "by_respondent_type": type_views}


def by_respondent_type(opinions: list[Opinion]) -> dict[str, list[Opinion]]:
    by_type: dict[str, list[Opinion]] = {}
    for opinion in opinions:
        by_type.setdefault(opinion.respondent_type or "unknown", []).append(opinion)
    return by_type


def current_articles(consultation_id: int) -> dict[str, Provision]:
    """The articles of a consultation's current draft version, by anchor."""
    consultation = db.session.get(Consultation, consultation_id)
    version = consultation.draft.current_version if consultation and consultation.draft else None
    if version is None:
        return {}
    return {p.anchor: p for p in version.provisions if p.kind == "article"}


def by_article(opinions: list[Opinion], articles: dict[str, Provision]) -> dict[str, list[Opinion]]:
    """The opinions on each of ``articles`` (its clauses and points included), in order."""
    found: dict[str, list[Opinion]] = {}
    for opinion in opinions:
        if opinion.group_key in articles:
            found.setdefault(opinion.group_key, []).append(opinion)
    return found


def load_cache(opinions: list[Opinion], max_chars: int) -> SegmentCache:
    """The stored normalisations and stances of the opinions' texts (``TextStanceCache``,
    this classifier version only) and the stored segmentations of their distinct texts."""
    segmenter = default_segmenter().name
    raw_keys = sorted({pipeline.raw_key(o.text, max_chars) for o in opinions})
    stored_texts = results.load_text_cache(raw_keys, pipeline.TEXT_CACHE_VERSION)
    cache = pipeline.SegmentCache(texts={key: pipeline.TextEntry.from_dict(entry)
                                         for key, entry in stored_texts.items()})
    keys = sorted({key for key in (cache.entry(o.text, max_chars).prepared.key for o in opinions)
                   if key})
    stored = results.load_cache(keys, segmenter)
    cache.known.update({key: decode_segmentation(words) for key, words in stored.items()})
    return cache


def _store_cache(cache: SegmentCache) -> None:
    """Keep new segmentations, normalisations and stances; losing them to a concurrent run
    only costs time later."""
    entries = {key: encode_segmentation(words) for key, words in cache.added.items()}
    try:
        db.session.commit()
        results.store_cache(entries, default_segmenter().name)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("segmentation cache not stored (%d texts)", len(entries))
    store_text_cache(cache)


def store_text_cache(cache: SegmentCache) -> None:
    """Keep the normalisations and stances this run computed (``TextStanceCache``)."""
    entries = {key: entry.to_dict() for key, entry in cache.texts_added.items()}
    try:
        db.session.commit()
        results.store_text_cache(entries, pipeline.TEXT_CACHE_VERSION)
        db.session.commit()
        cache.texts_added.clear()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("normalisation and stance cache not stored (%d texts)", len(entries))


# --- scopes: what is analysed -------------------------------------------------------------


def _statuses(params: dict) -> list[str]:
    """Published comments; with ``include_pending`` also those awaiting moderation."""
    statuses = params.get("statuses")
    if isinstance(statuses, (list, tuple)) and statuses:
        return [s for s in statuses if s in ("published", "pending")] or ["published"]
    return ["published", "pending"] if params.get("include_pending") else ["published"]


def describe_scope(scope: str, scope_id: int) -> tuple[str, int | None]:
    """(title, consultation id) of a scope; raises ScopeNotFound."""
    if scope == "article":
        article = db.session.get(Provision, scope_id)
        if article is None or article.kind != "article":
            raise ScopeNotFound(scope_id)
        return _article_title(article), article.version.draft.consultation_id
    if scope == "consultation":
        consultation = db.session.get(Consultation, scope_id)
        if consultation is None:
            raise ScopeNotFound(scope_id)
        return consultation.title, consultation.id
    if scope == "question":
        return _describe_question(scope_id)
    raise ScopeNotFound(scope)


def count_opinions(scope: str, scope_id: int, params: dict) -> int:
    return len(load_opinions(scope, scope_id, params, text=False))


def load_opinions(scope: str, scope_id: int, params: dict, text: bool = True) -> list[Opinion]:
    """The opinions of a scope as plain ``Opinion`` values (ids, text, respondent type)."""
    return list(iter_opinions(scope, scope_id, params, text))


def iter_opinions(scope: str, scope_id: int, params: dict, text: bool = True,
                  batch: int | None = None):
    """``load_opinions`` one at a time; with ``batch``, rows are fetched that many at a time
    (a server-side cursor on PostgreSQL), so a million texts never sit in memory together."""
    if scope == "question":
        yield from _answers(scope_id, text, batch)
        return
    query = (
        select(Comment.id, Comment.body if text else Comment.id, Provision.anchor,
               Contribution.respondent_type)
        .join(Contribution, Contribution.id == Comment.contribution_id)
        .outerjoin(Provision, Provision.id == Comment.provision_id)
        .where(Comment.status.in_(_statuses(params)))
    )
    if scope == "article":
        article = db.session.get(Provision, scope_id)
        if article is None:
            raise ScopeNotFound(scope_id)
        consultation_id = article.version.draft.consultation_id
        query = query.where(Comment.consultation_id == consultation_id,
                            (Provision.anchor == article.anchor)
                            | Provision.anchor.startswith(article.anchor + "-", autoescape=True))
    elif scope == "consultation":
        query = query.where(Comment.consultation_id == scope_id)
    else:
        raise ScopeNotFound(scope)
    for row in _rows(query.order_by(Comment.id), batch):
        yield Opinion(id=row[0], text=row[1] if text else "", group_key=_article_anchor(row[2]),
                      respondent_type=row[3], source="comment")


def _rows(query, batch: int | None):
    if batch:
        return db.session.execute(query.execution_options(yield_per=batch))
    return db.session.execute(query)


def _article_anchor(anchor: str | None) -> str:
    match = _ARTICLE_RE.match(anchor or "")
    return match.group(1) if match else ""


def _article_title(article: Provision) -> str:
    title = f"Điều {article.number}"
    return f"{title}. {article.title}" if article.title else title


# --- survey open questions (surveys.models: Question, Response, Answer.value_text) --------

#: Question kinds whose answers are open text worth analysing.
OPEN_QUESTION_KINDS = ("long_text",)


def _describe_question(question_id: int) -> tuple[str, int | None]:
    from surveys.models import Question

    question = db.session.get(Question, question_id)
    if question is None or question.kind not in ("long_text", "short_text"):
        raise ScopeNotFound(question_id)
    return question.label_in("vi") or question.name, question.survey.consultation_id


def _answers(question_id: int, text: bool, batch: int | None = None):
    """Submitted answers to one text question (the text as written), one at a time."""
    from surveys.models import Answer, Response

    rows = _rows(
        select(Answer.id, Answer.value_text, Response.respondent_type)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question_id, Response.status == "submitted",
               Answer.value_text.is_not(None))
        .order_by(Answer.id), batch)
    for row in rows:
        yield Opinion(id=row[0], text=(row[1] or "") if text else "", group_key=str(question_id),
                      respondent_type=row[2], source="answer")


def open_questions(consultation_id: int | None = None) -> list:
    """Open-text survey questions (of a consultation's surveys), for the analysis pages."""
    try:
        from surveys.models import Question, Survey
    except ImportError:  # pragma: no cover - surveys is part of the platform
        return []
    query = select(Question).join(Survey, Survey.id == Question.survey_id) \
        .where(Question.kind.in_(OPEN_QUESTION_KINDS)).order_by(Survey.id, Question.id)
    if consultation_id is not None:
        query = query.where(Survey.consultation_id == consultation_id)
    return list(db.session.scalars(query))
