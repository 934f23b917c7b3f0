"""JSON log lines; a request id in every record of a request, in its response and in its jobs."""
from __future__ import annotations

import io
import json
import logging
import uuid

import pytest

from consult import logging_setup
from tests.analysis.redis_support import REDIS_URL, drop_queue, live_redis


@pytest.fixture()
def chatty_route(app):
    """A page that logs twice, from two loggers, as a service function would."""
    def chatty(code):
        logging.getLogger("consult.somewhere").warning("first line")
        logging.getLogger("analysis.elsewhere").info("second line")
        return "ok"

    app.add_url_rule("/_test/chatty/<code>", "chatty", chatty)
    return "/_test/chatty/GY-SECRET-CODE"


def records_of(caplog, request_id):
    return [r for r in caplog.records if getattr(r, "request_id", None) == request_id]


def test_every_record_of_a_request_carries_its_generated_id(client, chatty_route, caplog):
    caplog.set_level(logging.INFO)
    response = client.get(chatty_route)
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    messages = [r.getMessage() for r in records_of(caplog, request_id)]
    assert messages == ["first line", "second line", "request"]
    other = client.get(chatty_route).headers["X-Request-ID"]
    assert other != request_id
    assert logging_setup.current_request_id() is None  # nothing leaks out of the request


def test_a_well_formed_proxy_id_is_kept(client, chatty_route, caplog):
    caplog.set_level(logging.INFO)
    response = client.get(chatty_route, headers={"X-Request-ID": "nginx-0f3a9c2b7d"})
    assert response.headers["X-Request-ID"] == "nginx-0f3a9c2b7d"
    assert len(records_of(caplog, "nginx-0f3a9c2b7d")) == 3


@pytest.mark.parametrize("bad", ["short", "has space in it", "x" * 129, "abc;injected=1 x", "ä" * 10, "<script>1</script>"])
def test_a_malformed_proxy_id_is_replaced(client, bad):
    response = client.get("/healthz", headers={"X-Request-ID": bad})
    assert response.headers["X-Request-ID"] != bad
    assert len(response.headers["X-Request-ID"]) == 32


@pytest.mark.parametrize("app_config", [{"LOG_TRUST_REQUEST_ID": False}])
def test_an_untrusted_proxy_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-0f3a9c2b7d"})
    assert response.headers["X-Request-ID"] != "nginx-0f3a9c2b7d"


def test_the_access_line_names_the_rule_never_the_path_or_query(client, chatty_route, caplog):
    caplog.set_level(logging.INFO)
    response = client.get(chatty_route + "?code=GY-OTHER-SECRET&email=a@b.vn")
    access = [r for r in caplog.records if r.name == logging_setup.ACCESS_LOGGER]
    assert len(access) == 1
    record = access[0]
    assert (record.method, record.route, record.status) == ("GET", "/_test/chatty/<code>", 200)
    assert record.request_id == response.headers["X-Request-ID"]
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    line = json.dumps(record.__dict__, default=str)
    assert "SECRET" not in line and "a@b.vn" not in line


def test_an_unknown_path_is_logged_as_unmatched(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/khong-co/GY-ABCD-EFGH")
    access = [r for r in caplog.records if r.name == logging_setup.ACCESS_LOGGER]
    assert access[-1].route == "unmatched" and access[-1].status == 404


def test_lines_are_json_with_the_request_id(app, client, chatty_route):
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_gopy_json", False))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = client.get(chatty_route)
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ours = [line for line in lines if line.get("request_id") == response.headers["X-Request-ID"]]
    assert [line["message"] for line in ours] == ["first line", "second line", "request"]
    assert ours[0]["level"] == "WARNING" and ours[0]["logger"] == "consult.somewhere"
    assert ours[-1]["route"] == "/_test/chatty/<code>" and "time" in ours[-1]


@pytest.mark.parametrize("app_config", [{"REDIS_URL": REDIS_URL}])
def test_a_job_enqueued_by_a_request_logs_under_its_id(app, client, caplog):
    from rq import Queue

    from analysis import export_jobs
    from consult.worker import PlatformWorker

    connection = live_redis()
    queue_name = f"test-logging-{uuid.uuid4().hex[:8]}"

    def enqueue_export():
        return export_jobs.enqueue(987654, queue_name)

    app.add_url_rule("/_test/enqueue", "enqueue", enqueue_export)
    queue = Queue(queue_name, connection=connection)
    try:
        response = client.get("/_test/enqueue", headers={"X-Request-ID": "req-for-a-job-42"})
        job = queue.fetch_job(response.get_data(as_text=True))
        assert job.meta["request_id"] == "req-for-a-job-42"
        caplog.set_level(logging.INFO)
        caplog.clear()
        worker = PlatformWorker([queue], connection=connection)
        worker.work(burst=True)
        connection.delete(worker.key)
    finally:
        drop_queue(queue)
    job_lines = [r for r in caplog.records if r.name == "consult.worker"]
    assert [r.getMessage() for r in job_lines] == ["job started", "job finished"]
    assert all(r.request_id == "req-for-a-job-42" for r in job_lines)
    assert job_lines[-1].succeeded is True
    assert logging_setup.current_request_id() is None


def test_a_job_enqueued_outside_a_request_carries_no_id(app):
    assert logging_setup.job_meta() == {}
    with logging_setup.bound_request_id("cli-run-0001"):
        assert logging_setup.job_meta() == {"request_id": "cli-run-0001"}


def test_health_probes_log_only_at_debug(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/healthz")
    client.get("/readyz")
    assert not [r for r in caplog.records if r.name == logging_setup.ACCESS_LOGGER]
    caplog.set_level(logging.DEBUG)
    client.get("/healthz")
    assert [r.route for r in caplog.records if r.name == logging_setup.ACCESS_LOGGER] == ["/healthz"]
