"""Pruning the per-text caches of the analysis: rows no opinion refers to any more.

``TextStanceCache`` (key: the text as written, ``pipeline.raw_key``) and ``TextSegmentCache``
(key: the normalised text, ``PreparedText.key``) grow with every text ever analysed. A text
edited, a comment deleted or an answer erased leaves rows behind, and those rows hold the
(normalised) text itself. ``prune_caches`` deletes

* stance rows whose text no comment or survey answer has any more (whatever its status), and
  rows of another normaliser/classifier version (ignored by every run);
* segmentation rows whose normalised text belongs to no kept stance row nor to any current
  text, and rows of another segmenter (ignored too);

except rows stored in the last ``keep_days`` days. A row deleted by mistake (a text that
comes back) costs only its recomputation in the next run; nothing is ever read from a row
that is kept wrongly. Run by ``flask analysis prune-cache`` (daily from cron is plenty).

The referenced keys are computed by hashing every text (``raw_key``, microseconds each);
only texts without a stance row of this version are normalised to find their segmentation
key. Texts are read in batches; a million opinions need about 200 MB of keys.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select

from analysis.results import TextAnalysis, TextSegmentCache, TextStanceCache
from analysis.text.normalise import prepare
from analysis.text.segment import default_segmenter
from consult.extensions import db
from consult.lazy import lazy_module
from consult.models import Comment, utcnow

pipeline = lazy_module("analysis.text.pipeline")
log = logging.getLogger(__name__)

#: Rows read, and keys deleted, at a time.
BATCH = 5000
DELETE_CHUNK = 500


@dataclass
class Pruned:
    """Rows deleted and kept in each cache."""

    stance_deleted: int = 0
    stance_kept: int = 0
    segment_deleted: int = 0
    segment_kept: int = 0


def prune_caches(keep_days: float = 0) -> Pruned:
    """Delete the cache rows no opinion refers to (see the module); commits."""
    cutoff = utcnow() - timedelta(days=keep_days)
    version = pipeline.TEXT_CACHE_VERSION
    lengths = max_chars_in_use()
    referenced = {pipeline.raw_key(text, length) for text in all_texts() for length in lengths}
    pruned = Pruned()
    doomed, normalised = [], set()
    for key, row_version, text_key, created_at in _stream(
            select(TextStanceCache.key, TextStanceCache.version,
                   TextStanceCache.entry["key"].as_string(), TextStanceCache.created_at)):
        if (key not in referenced or row_version != version) and created_at <= cutoff:
            doomed.append(key)
            continue
        pruned.stance_kept += 1
        if row_version == version:
            referenced.discard(key)  # left: referenced texts without a usable row
            normalised.add(text_key or "")
    pruned.stance_deleted = _delete(TextStanceCache, doomed, cutoff)
    normalised |= keys_of_texts_without_row(referenced, lengths)
    del referenced
    segmenter = default_segmenter().name
    doomed = [key for key, row_segmenter, created_at in _stream(
                  select(TextSegmentCache.key, TextSegmentCache.segmenter, TextSegmentCache.created_at))
              if (key not in normalised or row_segmenter != segmenter) and created_at <= cutoff]
    pruned.segment_deleted = _delete(TextSegmentCache, doomed, cutoff)
    pruned.segment_kept = db.session.scalar(select(func.count()).select_from(TextSegmentCache))
    db.session.commit()
    log.info("analysis caches pruned: %s", pruned)
    return pruned


def all_texts():
    """Every comment's text and every text answer to a survey question, whatever its status."""
    from surveys.models import Answer

    yield from _stream(select(Comment.body), scalar=True)
    yield from _stream(select(Answer.value_text).where(Answer.value_text.is_not(None)), scalar=True)


def max_chars_in_use() -> list[int]:
    """The cut lengths of the stored runs and the default one: each makes its own raw keys."""
    lengths = {pipeline.AnalysisParams().max_chars}
    for params in db.session.scalars(select(TextAnalysis.params)):
        lengths.add(pipeline.AnalysisParams.from_dict(params).max_chars)
    return sorted(lengths)


def keys_of_texts_without_row(raw_keys: set[str], lengths: list[int]) -> set[str]:
    """The normalised keys of the texts among ``raw_keys`` (their rows are missing, or of
    another version): those texts are normalised now, the only ones."""
    if not raw_keys:
        return set()
    found = set()
    for text in all_texts():
        for length in lengths:
            if pipeline.raw_key(text, length) in raw_keys:
                found.add(prepare(text, length).key)
    return found


def _stream(query, scalar: bool = False):
    rows = db.session.execute(query.execution_options(yield_per=BATCH))
    return rows.scalars() if scalar else rows


def _delete(model, keys: list[str], cutoff) -> int:
    """Delete ``keys`` still older than ``cutoff`` (a row stored again meanwhile stays)."""
    deleted = 0
    for start in range(0, len(keys), DELETE_CHUNK):
        deleted += db.session.execute(delete(model).where(
            model.key.in_(keys[start:start + DELETE_CHUNK]), model.created_at <= cutoff)).rowcount
    return deleted
