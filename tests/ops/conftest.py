"""Operations tests: a worker started by a test takes its retention and announcement turns under
keys of its own, so the tests never hold the real workers' turns in the shared Redis."""
from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_purge_lock(monkeypatch):
    from consult import worker

    key = f"test:gopy:purge-lock:{uuid.uuid4().hex}"
    announce_key = f"test:gopy:send-due-lock:{uuid.uuid4().hex}"
    monkeypatch.setattr(worker, "PURGE_LOCK_KEY", key)
    monkeypatch.setattr(worker, "ANNOUNCE_LOCK_KEY", announce_key)
    yield key
    try:
        from redis import Redis

        from tests.analysis.redis_support import REDIS_URL

        Redis.from_url(REDIS_URL, socket_connect_timeout=1).delete(key, announce_key)
    except Exception:  # no Redis in this run: nothing was locked
        pass
