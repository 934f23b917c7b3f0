"""Sending e-mail outside the request, shared by every kind of message the platform sends.

A *round* is a function that sends whatever is owed and returns a ``Round`` (sent, failed,
skipped); it must itself make sure nothing goes twice (a claim before each message). This
module runs rounds in the background: on RQ (queue ``MAIL_QUEUE``, default "mail", retried
``ATTEMPTS - 1`` times) when ``REDIS_URL`` is set, otherwise in a thread of the web process
retrying the same way. RQ jobs take ids and plain strings, and name their function by path.

Used by ``consult.answer_mail`` (answers published) and ``consult.reminders`` (reminders).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

from consult.extensions import db
from consult.logging_setup import job_meta

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "mail"
#: Attempts of a whole round, and the pause before each new one (seconds).
ATTEMPTS = 4
RETRY_WAITS = (60, 300, 900)


class NotAllSent(Exception):
    """Some messages could not be handed to the mail server; a retry sends those."""


@dataclass
class Round:
    """One pass over the owed messages."""

    sent: int = 0
    failed: int = 0
    #: Claimed by another process meanwhile: neither sent nor failed here.
    skipped: int = 0


def finish(done: Round) -> dict:
    """An RQ job's result; raises ``NotAllSent`` so that RQ retries the failed messages."""
    if done.failed:
        raise NotAllSent(f"{done.failed} message(s) not sent")
    return {"sent": done.sent, "skipped": done.skipped}


def queue_name_of(config) -> str:
    return config.get("MAIL_QUEUE") or DEFAULT_QUEUE


def enqueue(job: str, args: tuple, queue_name: str | None = None) -> str:
    """Queue ``job`` (a function's dotted path) with ``args`` on RQ, retried; returns its id."""
    from redis import Redis
    from rq import Queue, Retry

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    queue = Queue(queue_name or queue_name_of(current_app.config), connection=connection)
    queued = queue.enqueue(job, *args, retry=Retry(max=ATTEMPTS - 1, interval=list(RETRY_WAITS)),
                           result_ttl=86400, failure_ttl=7 * 86400, meta=job_meta())
    return queued.id


def start(job: str, args: tuple, round_: Callable[[], Round], name: str, waits=RETRY_WAITS) -> str:
    """Run in the background: ``job`` on RQ when ``REDIS_URL`` is set, else ``round_`` in a
    thread with ``waits`` between retries. Returns "queued" or "thread"."""
    if current_app.config.get("REDIS_URL"):
        try:
            enqueue(job, args)
            return "queued"
        except Exception:  # Redis down: the thread still sends them
            log.exception("%s could not be queued; sending from this process", name)
    start_thread(round_, name, waits)
    return "thread"


_threads: list[threading.Thread] = []


def start_thread(round_: Callable[[], Round], name: str, waits=RETRY_WAITS) -> threading.Thread:
    """Run ``round_`` from a thread of this process, with its own app context, retrying."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                with_retries(round_, waits)
            except Exception:  # a thread has nobody to tell: log it; the CLI recovers
                log.exception("%s failed", name)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=name, daemon=True)
    _threads.append(thread)
    thread.start()
    return thread


def with_retries(round_: Callable[[], Round], waits=RETRY_WAITS) -> Round:
    """Rounds until nothing fails, pausing ``waits[i]`` seconds before retry i+1."""
    total = Round()
    for attempt in range(len(waits) + 1):
        if attempt:
            time.sleep(waits[attempt - 1])
        done = round_()
        total.sent, total.skipped, total.failed = total.sent + done.sent, total.skipped + done.skipped, done.failed
        if not done.failed:
            break
    return total


def wait_for_background(timeout: float | None = None) -> None:
    """Wait for the threads this process started (tests, orderly shutdown)."""
    for thread in list(_threads):
        thread.join(timeout)
        if not thread.is_alive():
            _threads.remove(thread)
