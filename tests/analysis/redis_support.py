"""Helpers for tests that run RQ jobs on the machine's real Redis, each on queues of its own."""
from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def live_redis():
    """A connection to the test Redis; the test is skipped when none answers (CI has one)."""
    redis = pytest.importorskip("redis")
    pytest.importorskip("rq")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return connection


def work(queue, max_jobs: int | None = None) -> None:
    """Run every job waiting on ``queue`` (or the first ``max_jobs``) in this process, as
    one new worker, then forget the worker."""
    from rq import SimpleWorker

    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=True, max_jobs=max_jobs)
    queue.connection.delete(worker.key)


def drop_queue(queue) -> None:
    """Delete a test queue with its jobs, its finished and failed registries and their results."""
    connection = queue.connection
    for registry in (queue.failed_job_registry, queue.finished_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
            connection.delete(f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
