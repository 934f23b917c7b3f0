"""Stored results of the open-text analysis, and the per-text segmentation cache.

A ``TextAnalysis`` row is one run for one scope: an article of the draft, a whole
consultation, or an open survey question.  Pages only read these rows; the work is done
by ``analysis.jobs``.  ``TextSegmentCache`` keeps the segmented words of every distinct
text (keyed by the hash of its folded normalised form) so that a re-run segments only
the new texts; ``TextStanceCache`` keeps each raw text's normalised form and stance.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.models import utcnow

SCOPES = ("article", "consultation", "question")
STATUSES = ("queued", "running", "done", "failed")
#: A run still "running" after this long was cut off (worker killed): shown as failed.
STALE_AFTER = timedelta(hours=2)


class TextAnalysis(db.Model):
    __tablename__ = "text_analysis"
    __table_args__ = (Index("ix_text_analysis_scope", "scope", "scope_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of ``SCOPES``.
    scope: Mapped[str] = mapped_column(String(16))
    #: Provision id (article of the current version), consultation id or question id.
    scope_id: Mapped[int]
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: What was analysed, for lists: "Điều 26. Phân phối thu nhập", a question's label.
    title: Mapped[str] = mapped_column(String(500), default="")
    #: ``AnalysisParams`` plus the opinion statuses taken (``statuses``).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: One of ``STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str] = mapped_column(Text, default="")
    #: The RQ job id when run through Redis.
    job_id: Mapped[str | None] = mapped_column(String(64))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    computed_at: Mapped[datetime | None]
    input_count: Mapped[int] = mapped_column(default=0)
    #: Distinct voices and campaigns among all opinions: for lists, without loading ``result``.
    voice_count: Mapped[int] = mapped_column(default=0)
    campaign_count: Mapped[int] = mapped_column(default=0)
    #: ``{"all": AnalysisResult.to_dict(), "by_respondent_type": {type: …}}``; loaded on use.
    result: Mapped[dict] = mapped_column(JSON, default=dict, deferred=True)

    @property
    def is_stale(self) -> bool:
        started = self.started_at or self.created_at
        return self.status in ("queued", "running") and utcnow() - started > STALE_AFTER

    def view(self, respondent_type: str | None = None) -> dict | None:
        """The result for all respondents, or for one respondent type (None if absent)."""
        if not self.result:
            return None
        if respondent_type:
            return (self.result.get("by_respondent_type") or {}).get(respondent_type)
        return self.result.get("all")


class TextSegmentCache(db.Model):
    __tablename__ = "text_segment_cache"

    #: ``analysis.text.normalise.text_key`` of the text.
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: The segmenter that made ``words``; another segmenter ignores the row.
    segmenter: Mapped[str] = mapped_column(String(80))
    #: Sentences on lines, words separated by spaces (``segment.encode_segmentation``).
    words: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TextStanceCache(db.Model):
    """Per raw text: its normalised form and the stance of it (``pipeline.TextEntry``), so a
    re-run, and every view job of a run, neither normalises nor classifies a text again."""

    __tablename__ = "text_stance_cache"

    #: ``analysis.text.pipeline.raw_key`` of the text as written.
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: ``pipeline.TEXT_CACHE_VERSION`` (normaliser and classifier): another version ignores the row.
    version: Mapped[str] = mapped_column(String(80))
    #: ``TextEntry.to_dict()``: normalised text, its key, flags, syllables, stance and cues.
    entry: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def create_request(scope: str, scope_id: int, params: dict, *, title: str = "",
                   consultation_id: int | None = None, requested_by_id: int | None = None,
                   status: str = "queued") -> TextAnalysis:
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    row = TextAnalysis(scope=scope, scope_id=scope_id, params=dict(params), title=title[:500],
                       consultation_id=consultation_id, requested_by_id=requested_by_id,
                       status=status)
    db.session.add(row)
    db.session.flush()
    return row


def latest(scope: str, scope_id: int, *, done: bool = True) -> TextAnalysis | None:
    """The newest finished run for a scope (or the newest of any status)."""
    query = select(TextAnalysis).where(TextAnalysis.scope == scope, TextAnalysis.scope_id == scope_id)
    if done:
        query = query.where(TextAnalysis.status == "done")
    return db.session.scalar(query.order_by(TextAnalysis.id.desc()).limit(1))


def latest_by_scope_id(scope: str, scope_ids: list[int]) -> dict[int, TextAnalysis]:
    """The newest finished run of each scope id, for lists."""
    if not scope_ids:
        return {}
    rows = db.session.scalars(
        select(TextAnalysis).where(TextAnalysis.scope == scope, TextAnalysis.status == "done",
                                   TextAnalysis.scope_id.in_(scope_ids))
        .order_by(TextAnalysis.id)
    )
    return {row.scope_id: row for row in rows}


def recent_runs(consultation_id: int | None = None, limit: int = 10) -> list[TextAnalysis]:
    query = select(TextAnalysis).order_by(TextAnalysis.id.desc()).limit(limit)
    if consultation_id is not None:
        query = query.where(TextAnalysis.consultation_id == consultation_id)
    return list(db.session.scalars(query))


def mark_running(row: TextAnalysis) -> None:
    row.status, row.started_at, row.error = "running", utcnow(), ""


def mark_done(row: TextAnalysis, result: dict, input_count: int) -> None:
    row.status, row.result, row.input_count, row.computed_at = "done", result, input_count, utcnow()
    everyone = result.get("all") or {}
    row.voice_count = everyone.get("voice_count", 0)
    row.campaign_count = len(everyone.get("campaigns", []))


def mark_failed(row: TextAnalysis, error: str) -> None:
    row.status, row.error, row.computed_at = "failed", error[:2000], utcnow()


def load_cache(keys: list[str], segmenter: str, chunk: int = 500) -> dict[str, str]:
    """Stored segmentations of ``keys`` made by ``segmenter`` (key -> encoded words)."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), chunk):
        rows = db.session.execute(
            select(TextSegmentCache.key, TextSegmentCache.words)
            .where(TextSegmentCache.key.in_(keys[start:start + chunk]),
                   TextSegmentCache.segmenter == segmenter)
        )
        found.update(dict(rows.all()))
    return found


def known_keys(keys: list[str], segmenter: str, chunk: int = 500) -> set[str]:
    """Those of ``keys`` whose segmentation by ``segmenter`` is stored (without reading it)."""
    found: set[str] = set()
    for start in range(0, len(keys), chunk):
        found.update(db.session.scalars(
            select(TextSegmentCache.key)
            .where(TextSegmentCache.key.in_(keys[start:start + chunk]),
                   TextSegmentCache.segmenter == segmenter)
        ))
    return found


def store_cache(entries: dict[str, str], segmenter: str, chunk: int = 500) -> int:
    """Add new segmentations, replacing an existing key (the segmenter may have changed).

    One ``INSERT ... ON CONFLICT DO UPDATE`` per chunk (PostgreSQL and SQLite), so workers
    storing the same text at the same time never fail on the primary key."""
    if not entries:
        return 0
    insert = _dialect_insert()
    now = utcnow()
    rows = [{"key": key, "segmenter": segmenter, "words": words, "created_at": now}
            for key, words in entries.items()]
    for start in range(0, len(rows), chunk):
        statement = insert(TextSegmentCache).values(rows[start:start + chunk])
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[TextSegmentCache.key],
            set_={"segmenter": statement.excluded.segmenter, "words": statement.excluded.words,
                  "created_at": statement.excluded.created_at}))
    return len(rows)


def load_text_cache(keys: list[str], version: str, chunk: int = 500) -> dict[str, dict]:
    """Stored ``TextEntry`` dicts of ``keys`` made by ``version`` (raw key -> dict)."""
    found: dict[str, dict] = {}
    for start in range(0, len(keys), chunk):
        rows = db.session.execute(
            select(TextStanceCache.key, TextStanceCache.entry)
            .where(TextStanceCache.key.in_(keys[start:start + chunk]),
                   TextStanceCache.version == version)
        )
        found.update(dict(rows.all()))
    return found


def normalised_keys(raw_keys: list[str], version: str, chunk: int = 500) -> dict[str, str]:
    """The normalised-text key (``PreparedText.key``) stored for each of ``raw_keys`` by
    ``version``, read from the JSON without loading the entries (raw key -> key)."""
    found: dict[str, str] = {}
    column = TextStanceCache.entry["key"].as_string()
    for start in range(0, len(raw_keys), chunk):
        rows = db.session.execute(
            select(TextStanceCache.key, column)
            .where(TextStanceCache.key.in_(raw_keys[start:start + chunk]),
                   TextStanceCache.version == version)
        )
        found.update({key: value or "" for key, value in rows})
    return found


def store_text_cache(entries: dict[str, dict], version: str, chunk: int = 500) -> int:
    """Add or replace normalisations and stances (``INSERT ... ON CONFLICT DO UPDATE``, keys
    in order so concurrent view jobs storing the same texts do not deadlock)."""
    if not entries:
        return 0
    insert = _dialect_insert()
    now = utcnow()
    rows = [{"key": key, "version": version, "entry": entries[key], "created_at": now}
            for key in sorted(entries)]
    for start in range(0, len(rows), chunk):
        statement = insert(TextStanceCache).values(rows[start:start + chunk])
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[TextStanceCache.key],
            set_={"version": statement.excluded.version, "entry": statement.excluded.entry,
                  "created_at": statement.excluded.created_at}))
    return len(rows)


def _dialect_insert():
    """The ``insert`` with ``on_conflict_do_update`` of the session's database."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
