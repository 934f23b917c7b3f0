"""Each job of the worker ends its database session, so a PostgreSQL restart between two jobs
costs the next one nothing: it checks a connection out of the pool, whose pre-ping replaces the
one the restart closed. The worker runs every job in one app context, which lasts its life."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from consult.extensions import db
from tests.analysis.redis_support import drop_queue, live_redis

ON_POSTGRES = (os.environ.get("DATABASE_URL") or "").startswith("postgres")
BACKENDS: list[int] = []


def reads_and_leaves_its_transaction_open() -> int:
    """A job that reads and neither commits nor rolls back (as read-only jobs do)."""
    if ON_POSTGRES:
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    else:
        pid = db.session.execute(text("SELECT 1")).scalar()
    BACKENDS.append(pid)
    return pid


def _run(queue) -> None:
    from consult.worker import PlatformWorker

    worker = PlatformWorker([queue], connection=queue.connection)
    worker.work(burst=True)
    queue.connection.delete(worker.key)


@pytest.fixture()
def queue(app):
    from rq import Queue

    found = Queue(f"test-session-{uuid.uuid4().hex[:8]}", connection=live_redis())
    yield found
    drop_queue(found)


def test_a_job_leaves_no_transaction_open_for_the_next(app, queue):
    queue.enqueue(reads_and_leaves_its_transaction_open)
    _run(queue)
    assert BACKENDS and not db.session().in_transaction()


if ON_POSTGRES:  # a backend to terminate: only PostgreSQL has one
    def test_a_job_after_postgresql_closed_the_connection_succeeds(app, queue):
        BACKENDS.clear()
        first = queue.enqueue(reads_and_leaves_its_transaction_open)
        _run(queue)
        admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:  # what a restart does to every connection
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": BACKENDS[0]})
        admin.dispose()
        second = queue.enqueue(reads_and_leaves_its_transaction_open)
        _run(queue)
        assert first.get_status() == "finished"
        assert second.get_status() == "finished", second.latest_result().exc_string
