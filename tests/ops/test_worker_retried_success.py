"""A job's success stored in a transaction RQ retries after a ``WatchError`` (two jobs a third
waits for ending at once on two workers) leaves nothing in the started registry."""
from __future__ import annotations

import uuid

from tests.analysis.redis_support import drop_queue, live_redis


def noop() -> int:
    return 1


def test_a_retried_success_transaction_still_clears_the_started_registry(app, monkeypatch):
    from redis import Redis
    from rq import Queue
    from rq.job import Dependency

    from consult.worker import PlatformWorker
    from tests.analysis.redis_support import REDIS_URL

    connection = live_redis()
    other = Redis.from_url(REDIS_URL)  # another worker, touching a key the transaction watches
    queue = Queue(f"test-retried-{uuid.uuid4().hex[:8]}", connection=connection)
    first = queue.enqueue(noop)
    then = queue.enqueue(noop, depends_on=Dependency(jobs=[first]))
    touched = []
    real = Queue.enqueue_dependents

    def enqueue_dependents(self, job, pipeline=None, **kwargs):
        result = real(self, job, pipeline=pipeline, **kwargs)
        if not touched:
            touched.append(job.id)
            other.expire(job.dependents_key, 3600)  # the transaction now fails: WatchError
        return result

    monkeypatch.setattr(Queue, "enqueue_dependents", enqueue_dependents)
    worker = PlatformWorker([queue], connection=connection)
    try:
        worker.work(burst=True)
        assert touched == [first.id]
        assert first.get_status(refresh=True) == "finished" and then.get_status(refresh=True) == "finished"
        assert connection.zcard(queue.started_job_registry.key) == 0
        assert queue.failed_job_registry.count == 0
    finally:
        connection.delete(worker.key)
        for job in (first, then):
            connection.delete(job.dependents_key, job.dependencies_key)
        drop_queue(queue)
        other.close()
