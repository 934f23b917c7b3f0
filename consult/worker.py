"""The RQ worker class of the platform: jobs run with their request's id and are timed.

``PlatformWorker`` is RQ's ``SimpleWorker`` (jobs run inside the worker's process and so
inside its Flask app context) with four additions:

- a job enqueued during a request carries that request's id in ``Job.meta`` (see
  ``consult.logging_setup.job_meta``); while the job runs, every log record carries it too;
- each job's duration is observed in the ``gopy_job_duration_seconds`` histogram
  (``consult.metrics``), by job function and outcome;
- each job ends its database session (``db.end_session``), so the next job checks a connection
  out of the pool, whose pre-ping replaces one a PostgreSQL restart closed meanwhile (the
  worker's one app context would otherwise keep a job's open transaction for the next);
- between jobs, RQ's periodic maintenance also runs the retention purge
  (``consult.privacy.purge_expired``) when it is due, once an hour across all workers, and the
  announcements of new consultations to subscribers (``consult.subscriptions.send_due``) once
  every ten minutes across all workers.
"""
from __future__ import annotations

import logging
import time

from rq import SimpleWorker

from consult import logging_setup, metrics

log = logging.getLogger(__name__)
#: Redis key that lets one worker in the hour run the retention purge.
PURGE_LOCK_KEY = "gopy:privacy:purge-lock"
PURGE_EVERY_SECONDS = 3600
#: Redis key that lets one worker in ten minutes announce new consultations to subscribers.
ANNOUNCE_LOCK_KEY = "gopy:subscriptions:send-due-lock"
ANNOUNCE_EVERY_SECONDS = 600


class PlatformWorker(SimpleWorker):
    """A ``SimpleWorker`` that binds the request id, times jobs and runs the retention purge."""

    def perform_job(self, job, queue) -> bool:
        request_id = (job.meta or {}).get("request_id")
        started = time.perf_counter()
        with logging_setup.bound_request_id(request_id):
            log.info("job started", extra={"job_id": job.id, "job": job.func_name, "queue": queue.name})
            try:
                succeeded = super().perform_job(job, queue)
            finally:
                _end_session()
            duration = time.perf_counter() - started
            metrics.observe_job(job.func_name, queue.name, succeeded, duration)
            log.info("job finished", extra={"job_id": job.id, "job": job.func_name, "queue": queue.name,
                                            "succeeded": succeeded, "duration_ms": round(duration * 1000, 1)})
        return succeeded

    def handle_job_success(self, job, queue, started_job_registry):
        """RQ's, with the job's execution kept for a retry of its transaction (below)."""
        self._succeeding = self.execution
        try:
            super().handle_job_success(job=job, queue=queue, started_job_registry=started_job_registry)
        finally:
            self._succeeding = None

    def cleanup_execution(self, job, pipeline):
        """RQ's, but a transaction retried after a ``WatchError`` still removes the execution.

        RQ 2.12 forgets the worker's execution while it queues its removal from the started
        registry; when the transaction then fails on a ``WatchError`` (two jobs a third one
        waits for ending at the same moment on two workers: the views of a split analysis,
        ``analysis.chunked``) the retry finds no execution to remove, and the finished job
        stays "started" until its timeout, when RQ moves it to the failed jobs as abandoned
        (rq/rq#2424, fixed upstream after 2.12.0)."""
        succeeding = getattr(self, "_succeeding", None)
        if self.execution is None and succeeding is not None and succeeding.job_id == job.id:
            self.execution = succeeding
        super().cleanup_execution(job, pipeline)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        run_retention_if_due(self.connection)
        run_announcements_if_due(self.connection)
        _end_session()


def _end_session() -> None:
    from consult.extensions import db

    db.end_session()


def run_retention_if_due(connection) -> int | None:
    """Run the retention purge if no worker ran it in the last hour; returns how many
    consultations were purged, or None when another worker holds the turn."""
    if not connection.set(PURGE_LOCK_KEY, "1", nx=True, ex=PURGE_EVERY_SECONDS):
        return None
    from consult import privacy
    from consult.extensions import db

    try:
        reports = privacy.purge_expired()
        db.session.commit()
    except Exception:  # the worker must keep serving jobs; the next turn tries again
        db.session.rollback()
        log.exception("retention purge failed")
        connection.delete(PURGE_LOCK_KEY)
        return None
    for report in reports:
        log.info("retention purge", extra=report.as_log())
    return len(reports)


def run_announcements_if_due(connection) -> int | None:
    """Announce visible consultations to their subscribers (``flask subscriptions send-due``)
    if no worker did in the last ten minutes; returns how many messages went, or None."""
    if not connection.set(ANNOUNCE_LOCK_KEY, "1", nx=True, ex=ANNOUNCE_EVERY_SECONDS):
        return None
    from consult.extensions import db
    from consult.subscriptions import services

    try:
        done = services.send_due()
    except Exception:  # the worker must keep serving jobs; the next turn tries again
        db.session.rollback()
        log.exception("subscription announcements failed")
        return None
    if done.sent or done.failed:  # a quiet turn leaves no line
        log.info("subscription announcements", extra={"sent": done.sent, "failed": done.failed})
    return done.sent
