"""Sending e-mail outside the request, shared by every kind of message the platform sends.

A kind of message provides a *round*: a function that takes ids and plain strings, sends what
is owed (each message claimed first, so two processes never send one twice) and returns a
``Round``. This module runs rounds in the background: on RQ (queue ``MAIL_QUEUE``, default
"mail", retried three times) when ``REDIS_URL`` is set, otherwise in a thread of the web process
retrying the same way. ``consult.answer_mail`` (answers published) and ``consult.subscriptions``
(new consultations) use it.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from flask import current_app, has_app_context, url_for

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


def link(base_url: str, endpoint: str, **values) -> str:
    """An absolute link outside any request: ``base_url`` (the site's root, proxy prefix
    included) followed by the endpoint's path."""
    with current_app.test_request_context("/"):
        return base_url.rstrip("/") + url_for(endpoint, **values)


def queue_name_of(config) -> str:
    return config.get("MAIL_QUEUE") or DEFAULT_QUEUE


def _resolve(path: str) -> Callable:
    module, _dot, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def perform(round_path: str, *args) -> dict:
    """The RQ job: one round of ``round_path`` (dotted path of the round function); raises
    ``NotAllSent`` so that RQ retries the failed ones."""
    if not has_app_context():
        from consult import create_app

        with create_app().app_context():
            return perform(round_path, *args)
    done = _resolve(round_path)(*args)
    if done.failed:
        raise NotAllSent(f"{done.failed} message(s) not sent")
    return {"sent": done.sent, "skipped": done.skipped}


def start(round_path: str, *args, waits=RETRY_WAITS) -> str:
    """Run the round in the background: on RQ when ``REDIS_URL`` is set, else in a thread.
    Returns "queued" or "thread"."""
    if current_app.config.get("REDIS_URL"):
        try:
            enqueue("consult.mail_jobs.perform", round_path, *args)
            return "queued"
        except Exception:  # Redis down: the thread still sends them
            log.exception("mail could not be queued; sending from this process")
    start_thread(round_path, *args, waits=waits)
    return "thread"


def enqueue(job_path: str, *args, queue_name: str | None = None) -> str:
    """Put the job ``job_path(*args)`` on the mail queue, retried ``ATTEMPTS - 1`` times."""
    from redis import Redis
    from rq import Queue, Retry

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    queue = Queue(queue_name or queue_name_of(current_app.config), connection=connection)
    job = queue.enqueue(job_path, *args, retry=Retry(max=ATTEMPTS - 1, interval=list(RETRY_WAITS)),
                        result_ttl=86400, failure_ttl=7 * 86400, meta=job_meta())
    return job.id


_threads: list[threading.Thread] = []


def start_thread(round_path: str, *args, waits=RETRY_WAITS) -> threading.Thread:
    """Run the round from a thread of this process, with its own app context, retrying."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                with_retries(round_path, *args, waits=waits)
            except Exception:  # a thread has nobody to tell: log it; the CLI command recovers
                log.exception("mail round %s%r failed", round_path, args)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"mail-{round_path.rpartition('.')[2]}", daemon=True)
    _threads.append(thread)
    thread.start()
    return thread


def with_retries(round_path: str, *args, waits=RETRY_WAITS) -> Round:
    """Rounds until nothing fails, pausing ``waits[i]`` seconds before retry i+1."""
    round_function = _resolve(round_path)
    total = Round()
    for attempt in range(len(waits) + 1):
        if attempt:
            time.sleep(waits[attempt - 1])
        done = round_function(*args)
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
