"""The limits on the machine's real Redis: counted in Redis, so two app instances (two gunicorn
processes, two machines) share them; memory storage, for contrast, does not."""
from __future__ import annotations

import random
import uuid

import pytest

from tests.analysis.redis_support import REDIS_URL, live_redis
from tests.conftest import make_test_app
from tests.factories import make_user


def _config(storage: str) -> dict:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_LOOKUP": "3 per minute",
            "RATELIMIT_LOGIN": "1000 per minute", "RATELIMIT_LOCKOUT_AFTER": 2}


@pytest.fixture()
def app_config():
    live_redis()
    return _config(REDIS_URL)


@pytest.fixture()
def ip() -> str:
    """An address no other run uses, so runs sharing the Redis never meet."""
    return "10.{}.{}.{}".format(*random.sample(range(1, 255), 3))


def _lookups(app, ip: str, count: int) -> list[int]:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return [client.get("/bien-nhan", query_string={"code": "GY-0000-0000"}).status_code for _ in range(count)]


def test_the_limit_is_counted_in_redis(app, ip):
    assert _lookups(app, ip, 4) == [200, 200, 200, 429]


def test_two_instances_on_the_same_redis_share_the_limit(app, database, tmp_path, ip):
    assert _lookups(app, ip, 2) == [200, 200]
    other = make_test_app(database, tmp_path, **_config(REDIS_URL))  # its own limiter and connection
    assert _lookups(other, ip, 2) == [200, 429]
    assert _lookups(app, ip, 1) == [429]


def test_instances_on_memory_storage_do_not_share(app, database, tmp_path, ip):
    """The contrast that shows the previous test measures Redis, not the process."""
    first = make_test_app(database, tmp_path, **_config("memory://"))
    assert _lookups(first, ip, 4) == [200, 200, 200, 429]
    second = make_test_app(database, tmp_path, **_config("memory://"))
    assert _lookups(second, ip, 1) == [200]


def test_an_account_locked_on_one_instance_is_locked_on_the_other(app, database, tmp_path):
    user = make_user("moderator", email=f"khoa-{uuid.uuid4().hex[:8]}@example.vn")
    client = app.test_client()
    for attempt in range(2):
        client.post("/dang-nhap", data={"email": user.email, "password": f"sai-{attempt}"})
    other = make_test_app(database, tmp_path, **_config(REDIS_URL)).test_client()
    refused = other.post("/dang-nhap", data={"email": user.email, "password": "mat-khau-dai-123"})
    assert refused.status_code == 429 and "kể cả khi bạn nhập đúng mật khẩu" in refused.text
