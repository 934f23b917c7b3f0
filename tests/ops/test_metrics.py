"""/metrics: per URL rule, queue depth, job durations, several processes; never public."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.analysis.redis_support import REDIS_URL, drop_queue, live_redis

TOKEN = "scrape-token-7f3a9c"
ROOT = Path(__file__).resolve().parents[2]


def samples(text: str) -> dict:
    """``{(name, frozenset(labels)): value}`` of an exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def scrape(client) -> dict:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return samples(response.get_data(as_text=True))


@pytest.fixture()
def app_config():
    return {"METRICS_TOKEN": TOKEN}


def test_metrics_are_not_public(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("app_config", [{"METRICS_ALLOWED_NETWORKS": "10.1.0.0/16, 192.0.2.7"}])
def test_configured_networks_may_scrape_without_token(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.44.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.0.1"}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_no_network_is_allowed_by_default(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_requests_are_counted_by_url_rule_never_by_path(client):
    before = scrape(client)
    for code in ("GY-AAAA-BBBB", "GY-CCCC-DDDD", "GY-EEEE-FFFF"):
        client.get(f"/bien-nhan/{code}")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    after = samples(text)
    labels = {"method": "GET", "route": "/bien-nhan/<code>", "status": "404"}
    assert value(after, "gopy_http_requests_total", **labels) - value(before, "gopy_http_requests_total", **labels) == 3
    latency = {"method": "GET", "route": "/bien-nhan/<code>"}
    assert value(after, "gopy_http_request_duration_seconds_count", **latency) \
        - value(before, "gopy_http_request_duration_seconds_count", **latency) == 3
    assert "GY-AAAA" not in text


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": TOKEN, "REDIS_URL": REDIS_URL,
                                         "EXPORT_QUEUE": f"test-depth-{uuid.uuid4().hex[:8]}"}])
def test_queue_depth_and_job_durations(app, client):
    from rq import Queue

    from analysis import export_jobs
    from consult.worker import PlatformWorker

    connection = live_redis()
    name = app.config["EXPORT_QUEUE"]
    queue = Queue(name, connection=connection)
    try:
        export_jobs.enqueue(987001)
        export_jobs.enqueue(987002)
        found = scrape(client)
        assert value(found, "gopy_rq_queue_jobs", queue=name, state="queued") == 2
        assert value(found, "gopy_rq_queue_jobs", queue="analysis", state="failed") >= 0
        job = {"job": "analysis.export_jobs.perform", "queue": name, "outcome": "succeeded"}
        before = value(found, "gopy_job_duration_seconds_count", **job)
        worker = PlatformWorker([queue], connection=connection)
        worker.work(burst=True)
        connection.delete(worker.key)
        found = scrape(client)
        assert value(found, "gopy_rq_queue_jobs", queue=name, state="queued") == 0
        assert value(found, "gopy_job_duration_seconds_count", **job) - before == 2
    finally:
        drop_queue(queue)


@pytest.mark.parametrize("app_config", [{"METRICS_TOKEN": TOKEN, "REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_a_scrape_answers_when_redis_does_not(client):
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


WORKER_SCRIPT = """
import json, os, sys
from consult import create_app
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
                  "METRICS_TOKEN": "t", "SECRET_KEY": "x"})
app.instance_path = os.path.dirname(sys.argv[1])
client = app.test_client()
for _ in range(int(sys.argv[2])):
    client.get("/healthz")
if sys.argv[3] == "scrape":
    print(client.get("/metrics", headers={"Authorization": "Bearer t"}).get_data(as_text=True))
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """Like gunicorn's workers: each process writes its values into PROMETHEUS_MULTIPROC_DIR,
    and a scrape answered by any one of them counts the requests of all."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    environment.pop("DATABASE_URL", None)

    def run(count: int, mode: str) -> str:
        return subprocess.run([sys.executable, "-c", WORKER_SCRIPT, str(tmp_path / "m.sqlite3"), str(count), mode],
                              cwd=ROOT, env=environment, capture_output=True, text=True, check=True).stdout

    run(3, "quiet")
    run(4, "quiet")
    found = samples(run(5, "scrape"))
    assert value(found, "gopy_http_requests_total", method="GET", route="/healthz", status="200") == 12
    counter_files = [p.name for p in folder.iterdir() if p.name.startswith("counter_")]
    assert len(counter_files) == 3  # one per process: the sum above is across processes
