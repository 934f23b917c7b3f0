"""Large exports as stored files built outside the request.

An ``ExportFile`` row is one requested workbook: a survey's responses (with the results page's
filters) or a consultation's opinions. ``request_export`` is what the page's button calls:

- with ``REDIS_URL`` set, the row is queued on RQ (queue ``EXPORT_QUEUE``, default "exports",
  served by ``flask analysis worker``);
- without Redis there is no other worker, so the web process builds the file itself: in the
  request when it is small (``EXPORT_INPROCESS_LIMIT`` rows), otherwise in a background thread
  of the web process, so the request still answers at once.

``perform(export_id)`` is the job. It never leaves a row "running": any error marks it failed
with the message. Files are kept under ``instance/exports/`` (``EXPORT_DIR``) and served from
disk; when a file is finished, the older exports of the same scope and format beyond
``EXPORT_KEEP`` are deleted, file and row. Web and worker must share that folder.

The headers and labels of the export files (``words``, ``profile_labels``) live here because the
job, without a request, builds them in the language stored with the row.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import force_locale, lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from analysis import exports
from analysis.tallies import ResponseFilters
from analysis.tallies.responses import ResponseTable
from consult.domain import COMMENT_STATUSES, ORGANISATION_KINDS, RESPONDENT_TYPES
from consult.extensions import db
from consult.logging_setup import job_meta
from consult.models import User, utcnow

log = logging.getLogger(__name__)

#: What can be exported, and the scope each belongs to: "synthesis" is a consultation's synthesis
#: report in Word (``consult.synthesis_docx``), 8–11 s for 5,000 opinions.
KINDS = {"responses": "survey", "comments": "consultation", "synthesis": "consultation"}
FORMATS = ("xlsx", "docx")
#: Opinions of a synthesis report built inside the request when no Redis queue is configured
#: (about 2 ms each); a larger one is built in a thread.
SYNTHESIS_INPROCESS_LIMIT = 500
STATUSES = ("queued", "running", "done", "failed")
#: Rows built inside the request when no Redis queue is configured.
INPROCESS_LIMIT = 5000
#: Finished exports kept per scope and format; older ones are deleted with their files.
KEEP = 5
DEFAULT_QUEUE = "exports"
#: Seconds an RQ job may run before RQ stops it (and it is marked failed).
JOB_TIMEOUT = 2 * 3600
#: A row still running after this long was cut off (server or worker restarted).
RUNNING_LIMIT = timedelta(hours=3)
#: A row still queued after this long will not be built (the queue was lost).
QUEUED_LIMIT = timedelta(hours=24)


class ExportFile(db.Model):
    __tablename__ = "export_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of ``KINDS``: "responses" (of a survey) or "comments" (of a consultation).
    kind: Mapped[str] = mapped_column(String(16))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: ``ResponseFilters.to_args()`` of the results page the export was started from.
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: One of ``FORMATS``.
    format: Mapped[str] = mapped_column(String(8), default="xlsx")
    #: The language of the headers and labels ("vi", "en").
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    #: One of ``STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str] = mapped_column(Text, default="")
    row_count: Mapped[int] = mapped_column(default=0)
    byte_count: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The file's name inside the exports folder (``EXPORT_DIR``); empty until built.
    file_name: Mapped[str] = mapped_column(String(120), default="")
    #: The name the browser saves it under: "phieu-khao-sat-htx-20240501.xlsx".
    download_name: Mapped[str] = mapped_column(String(200), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: The RQ job id when built through Redis.
    job_id: Mapped[str | None] = mapped_column(String(64))

    requested_by: Mapped[User | None] = relationship()

    @property
    def is_stale(self) -> bool:
        """Queued or running for so long that it will not finish any more."""
        now = utcnow()
        if self.status == "running":
            return now - (self.started_at or self.created_at) > RUNNING_LIMIT
        return self.status == "queued" and now - self.created_at > QUEUED_LIMIT

    @property
    def is_active(self) -> bool:
        """Still expected to finish: worth refreshing the page for."""
        return self.status in ("queued", "running") and not self.is_stale

    @property
    def scope_id(self) -> int | None:
        return self.survey_id if self.kind == "responses" else self.consultation_id


# --- asking for an export ---------------------------------------------------------------------


def request_export(kind: str, scope_id: int, *, filters: dict | None = None, locale: str = "vi",
                   download_name: str = "", requested_by_id: int | None = None,
                   export_format: str = "xlsx") -> tuple[ExportFile, str]:
    """Store a request and start it: ``(row, "queued" | "background" | "done" | "failed")``."""
    row = new_request(kind, scope_id, filters=filters, locale=locale, download_name=download_name,
                      requested_by_id=requested_by_id, export_format=export_format)
    db.session.commit()
    if current_app.config.get("REDIS_URL"):
        return row, _queue(row)
    try:
        limit = (SYNTHESIS_INPROCESS_LIMIT if kind == "synthesis"
                 else current_app.config.get("EXPORT_INPROCESS_LIMIT", INPROCESS_LIMIT))
        if count_rows(row) > limit:
            start_background(row.id)
            return row, "background"
        perform(row.id)
    except Exception as error:  # the stored request must end failed, never stay "queued"
        db.session.rollback()
        log.exception("export %s could not start", row.id)
        mark_failed(db.session.get(ExportFile, row.id), str(error))
        db.session.commit()
    db.session.refresh(row)
    return row, row.status


def new_request(kind: str, scope_id: int, *, filters: dict | None = None, locale: str = "vi",
                download_name: str = "", requested_by_id: int | None = None,
                export_format: str = "xlsx") -> ExportFile:
    if kind not in KINDS or export_format not in FORMATS:
        raise ValueError(f"cannot export {kind!r} as {export_format!r}")
    scope = {"survey_id": scope_id} if KINDS[kind] == "survey" else {"consultation_id": scope_id}
    row = ExportFile(kind=kind, filters=dict(filters or {}), format=export_format, locale=locale,
                     download_name=download_name[:200], requested_by_id=requested_by_id, status="queued",
                     **scope)
    db.session.add(row)
    db.session.flush()
    return row


def count_rows(row: ExportFile) -> int:
    """How many responses or opinions the export will hold."""
    if row.kind == "responses":
        return _response_table(row).count()
    if row.kind == "synthesis":
        from consult.decisions import outcome_counts

        return sum(outcome_counts(db.session, row.consultation_id).values())
    return exports.count_comments(db.session, row.consultation_id)


def _queue(row: ExportFile) -> str:
    """Put the row on RQ; a queue that cannot be reached marks it failed with the reason.

    Only the job id is written afterwards: a quick worker may already have moved the row on."""
    try:
        row.job_id = enqueue(row.id)
    except Exception as error:  # Redis down or misconfigured: say so, do not leave it queued
        log.exception("export %s could not be queued", row.id)
        mark_failed(row, f"{type(error).__name__}: {error}")
        db.session.commit()
        return "failed"
    db.session.commit()
    return "queued"


def enqueue(export_id: int, queue_name: str | None = None) -> str:
    """Put ``perform(export_id)`` on the exports queue; returns the job id."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    queue = Queue(queue_name or queue_name_of(current_app.config), connection=connection)
    job = queue.enqueue("analysis.export_jobs.perform", export_id, job_timeout=JOB_TIMEOUT,
                        result_ttl=86400, failure_ttl=7 * 86400,
                        meta=job_meta())
    return job.id


def queue_name_of(config) -> str:
    return config.get("EXPORT_QUEUE") or DEFAULT_QUEUE


#: Exports being built by threads of this process (no Redis), by id.
_threads: dict[int, threading.Thread] = {}
#: One background export at a time per process, so a few large requests cannot starve the pages.
_one_at_a_time = threading.Lock()


def start_background(export_id: int) -> threading.Thread:
    """Build an export in a thread of this process, with its own app context and session."""
    app = current_app._get_current_object()

    def run() -> None:
        with _one_at_a_time, app.app_context():
            try:
                perform(export_id)
            except Exception as error:  # e.g. the database busy before the build began
                db.session.rollback()
                log.exception("export %s failed in its thread", export_id)
                row = db.session.get(ExportFile, export_id)
                if row is not None and row.status not in ("done", "failed"):
                    mark_failed(row, str(error))
                    db.session.commit()
            finally:
                db.session.remove()
                _threads.pop(export_id, None)

    thread = threading.Thread(target=run, name=f"export-{export_id}", daemon=True)
    _threads[export_id] = thread
    thread.start()
    return thread


def wait_for_background(timeout: float | None = None) -> None:
    """Wait for the exports this process builds in threads (tests, orderly shutdown)."""
    for export_id, thread in list(_threads.items()):
        thread.join(timeout)
        if not thread.is_alive():
            _threads.pop(export_id, None)


# --- the job ----------------------------------------------------------------------------------


def perform(export_id: int) -> int:
    """Build a requested export (the RQ job). Uses the current app, or creates one."""
    if has_app_context():
        return _perform(export_id)
    from consult import create_app

    with create_app().app_context():
        return _perform(export_id)


def _perform(export_id: int) -> int:
    row = db.session.get(ExportFile, export_id)
    if row is None or row.status in ("done", "failed"):
        return export_id
    row.status, row.started_at, row.error = "running", utcnow(), ""
    row.file_name = f"{row.kind}-{row.id}-{secrets.token_hex(6)}.{row.format}"
    db.session.commit()
    try:
        build(row)
        db.session.commit()
    except Exception as error:  # an export must end failed, never stuck "running"
        db.session.rollback()
        log.exception("export %s failed", export_id)
        row = db.session.get(ExportFile, export_id)
        if row is not None:
            _remove(row.file_name)
            mark_failed(row, f"{type(error).__name__}: {error}")
            db.session.commit()
        return export_id
    try:
        prune(row)
    except Exception:  # the new file is done; old ones go next time
        db.session.rollback()
        log.exception("old exports of export %s not pruned", export_id)
    return export_id


def build(row: ExportFile) -> None:
    """Write the file (under a temporary name, renamed when complete) and mark the row done."""
    target = stored_path(row)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with force_locale(row.locale or "vi"):
            count = write_file(row, partial)
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
    row.status, row.row_count, row.byte_count = "done", count, target.stat().st_size
    row.finished_at = utcnow()


def write_file(row: ExportFile, path: Path) -> int:
    """Write the workbook of ``row`` at ``path``; returns the number of rows."""
    if row.kind == "responses":
        return exports.write_responses_xlsx(_response_table(row), words("responses_sheet"), path)
    if row.kind == "synthesis":
        return _write_synthesis(row, path)
    return exports.write_comments_xlsx(db.session, row.consultation_id, words, path, labels=profile_labels())


def _write_synthesis(row: ExportFile, path: Path) -> int:
    """The synthesis report in Word, in Vietnamese like the one served directly; returns its rows."""
    from consult import synthesis, synthesis_docx
    from consult.models import Consultation

    with force_locale(synthesis.REPORT_LOCALE):
        report = synthesis.build_report(db.session.get(Consultation, row.consultation_id))
        path.write_bytes(synthesis_docx.to_docx(report))
    return len(report.rows)


def _response_table(row: ExportFile) -> ResponseTable:
    filters, _invalid = ResponseFilters.from_args(row.filters or {})
    return ResponseTable(db.session, row.survey_id, filters, words=words, labels=profile_labels(),
                         locale=row.locale or "vi")


def mark_failed(row: ExportFile, error: str) -> None:
    row.status, row.error, row.finished_at = "failed", error[:2000], utcnow()


# --- files ------------------------------------------------------------------------------------


def export_dir() -> Path:
    return Path(current_app.config.get("EXPORT_DIR") or Path(current_app.instance_path) / "exports")


def stored_path(row: ExportFile) -> Path:
    """Where the row's file lives; only a plain file name is ever joined to the folder."""
    name = os.path.basename(row.file_name or "")
    if not name or name != row.file_name:
        raise FileNotFoundError(row.file_name)
    return export_dir() / name


def _remove(file_name: str) -> None:
    if not file_name:
        return
    try:
        (export_dir() / os.path.basename(file_name)).unlink()
    except FileNotFoundError:
        pass


def prune(row: ExportFile) -> int:
    """Delete the exports of ``row``'s scope and format beyond the newest ``EXPORT_KEEP``
    finished ones (stale ones count as finished); returns how many went."""
    keep = max(1, int(current_app.config.get("EXPORT_KEEP", KEEP)))
    rows = [r for r in scope_query(row.kind, row.scope_id, row.format) if not r.is_active]
    old = rows[keep:]
    for export in old:
        _remove(export.file_name)
        db.session.delete(export)
    db.session.commit()
    return len(old)


def scope_query(kind: str, scope_id: int, export_format: str | None = None, limit: int | None = None):
    """The exports of one survey's responses or one consultation's opinions, newest first."""
    column = ExportFile.survey_id if KINDS[kind] == "survey" else ExportFile.consultation_id
    query = select(ExportFile).options(selectinload(ExportFile.requested_by)) \
        .where(ExportFile.kind == kind, column == scope_id)
    if export_format:
        query = query.where(ExportFile.format == export_format)
    return list(db.session.scalars(query.order_by(ExportFile.id.desc()).limit(limit)))


def recent(kind: str, scope_id: int, limit: int = 20) -> list[ExportFile]:
    return scope_query(kind, scope_id, limit=limit)


# --- headers and labels of the export files ----------------------------------------------------

EXPORT_WORDS = {
    "receipt_code": _l("Receipt code"), "submitted_at": _l("Submitted at"), "respondent_type": _l("Respondent type"),
    "province": _l("Province"), "organisation": _l("Organisation"), "audience": _l("Answered through"),
    "open": _l("Open link"), "invited": _l("Invitation"), "deleted_option": _l("%(name)s (deleted option)"),
    "other_text": _l("other (specified)"), "comment_id": _l("No."), "sent_at": _l("Sent at"),
    "status": _l("Status"), "article_number": _l("Article"), "article_title": _l("Article title"),
    "provision": _l("Provision"), "body": _l("Opinion"), "comments_sheet": _l("Opinions"),
    "responses_sheet": _l("Responses"), "tally_sheet": _l("Tallies"), "respondents": _l("Respondents"),
    "answered": _l("Answered"), "skipped": _l("Skipped"), "not_shown": _l("Not shown"), "mean": _l("Mean"),
    "median": _l("Median"), "min": _l("Minimum"), "max": _l("Maximum"), "n": _l("Answers"),
    "option": _l("Option"), "count": _l("Count"), "share": _l("Share"), "mean_rank": _l("Average rank"),
    "group": _l("Group"), "counts": _l("Counts"), "shares": _l("Shares"), "statistics": _l("Statistics"),
}


def words(key: str) -> str:
    """The header or phrase for ``key`` in the current language."""
    return str(EXPORT_WORDS.get(key, key))


def profile_labels() -> dict:
    """Stored keys → labels. An invited organisation's response stores its organisation kind
    as the respondent type, so both lists label that column."""
    respondent_types = {k: str(v) for k, v in ORGANISATION_KINDS.items()}
    respondent_types.update({k: str(v) for k, v in RESPONDENT_TYPES.items()})
    return {"respondent_type": respondent_types,
            "organisation_kind": {k: str(v) for k, v in ORGANISATION_KINDS.items()},
            "status": {k: str(v) for k, v in COMMENT_STATUSES.items()}}
