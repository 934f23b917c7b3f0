"""Helpers for tests that run RQ jobs on the machine's real Redis, each on queues of its own."""
from __future__ import annotations


def work(queue) -> None:
    """Run every job waiting on ``queue`` in this process, then forget the worker."""
    from rq import SimpleWorker

    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=True)
    queue.connection.delete(worker.key)


def drop_queue(queue) -> None:
    """Delete a test queue with its jobs, its finished and failed registries and their results."""
    connection = queue.connection
    for registry in (queue.failed_job_registry, queue.finished_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
            connection.delete(f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
