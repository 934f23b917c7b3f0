"""Prometheus metrics with ``prometheus_client``: requests, latency, queue depth, job durations.

- ``gopy_http_requests_total{method, route, status}`` and
  ``gopy_http_request_duration_seconds{method, route}``: ``route`` is the URL rule
  (``/du-thao/<slug>/<anchor>``), never the raw path, so the number of series stays bounded
  and no receipt code or token reaches the metrics;
- ``gopy_rq_queue_jobs{queue, state}``: jobs waiting and failed per RQ queue, read from Redis
  when ``/metrics`` is scraped;
- ``gopy_job_duration_seconds{job, queue, outcome}``: observed by ``consult.worker``.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by the
workers (and the RQ worker on the same machine) before the processes start;
``prometheus_client`` then writes each process's values there and ``/metrics`` adds them
up (gunicorn's ``child_exit`` hook must call ``prometheus_client.multiprocess.mark_process_dead``).

``/metrics`` is not public: it answers only to an address in ``METRICS_ALLOWED_NETWORKS``
(comma-separated networks, none by default) or to ``Authorization: Bearer <METRICS_TOKEN>``;
anyone else gets a 404, as if there were nothing there.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from consult.logging_setup import route_of_request

log = logging.getLogger(__name__)

REQUESTS = Counter("gopy_http_requests_total", "HTTP requests answered, by URL rule and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("gopy_http_request_duration_seconds", "Time to answer a request, by URL rule.",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
JOB_DURATION = Histogram("gopy_job_duration_seconds", "Time an RQ job ran, by job function and outcome.",
                         ["job", "queue", "outcome"],
                         buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600))

bp = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    app.after_request(_count_request)
    app.register_blueprint(bp)


def _count_request(response):
    started = g.get("request_started")  # set first thing by consult.logging_setup
    route = route_of_request()
    if route == "/metrics":
        return response
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
    return response


def mark_worker_dead(pid: int) -> None:
    """For gunicorn's ``child_exit`` hook: drop a dead worker's live gauges (its counters and
    histograms stay counted). Does nothing outside multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def observe_job(function: str | None, queue: str, succeeded: bool, seconds: float) -> None:
    JOB_DURATION.labels(function or "unknown", queue, "succeeded" if succeeded else "failed").observe(seconds)


@bp.get("/metrics")
def metrics_page():
    if not scrape_allowed(current_app.config, request.remote_addr, request.headers.get("Authorization")):
        abort(404)
    return Response(generate_latest(scrape_registry(current_app.config)), mimetype=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def scrape_allowed(config, remote_addr: str | None, authorization: str | None) -> bool:
    """Whether the scraper may read the metrics: a configured network, or the bearer token."""
    token = str(config.get("METRICS_TOKEN") or "")
    if token and authorization and authorization.startswith("Bearer "):
        if hmac.compare_digest(authorization[len("Bearer "):].encode(), token.encode()):
            return True
    return address_in(remote_addr, allowed_networks(config))


def allowed_networks(config) -> list:
    """``METRICS_ALLOWED_NETWORKS`` as networks (a string "10.0.0.0/8, 127.0.0.1" or a list)."""
    value = config.get("METRICS_ALLOWED_NETWORKS") or ()
    items = value.split(",") if isinstance(value, str) else value
    networks = []
    for item in (str(i).strip() for i in items):
        if item:
            networks.append(ipaddress.ip_network(item, strict=False))
    return networks


def address_in(remote_addr: str | None, networks: list) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def scrape_registry(config) -> CollectorRegistry:
    """This process's metrics, or all processes' (multiprocess mode), plus queue depth."""
    from prometheus_client import REGISTRY, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    if config.get("REDIS_URL"):
        registry.register(QueueDepthCollector(config))
    return registry


class _Forward:
    """Exposes the process's default registry inside a scrape registry of its own."""

    def __init__(self, source):
        self.source = source

    def collect(self):
        return self.source.collect()


def queue_names(config) -> list[str]:
    """The platform's RQ queues: exports and analysis (their configured names)."""
    return [config.get("EXPORT_QUEUE") or "exports", config.get("ANALYSIS_QUEUE") or "analysis"]


class QueueDepthCollector:
    """Reads each queue's waiting and failed jobs from Redis at scrape time."""

    def __init__(self, config):
        self.url, self.names = config["REDIS_URL"], queue_names(config)

    def collect(self):
        from redis import Redis
        from rq import Queue

        family = GaugeMetricFamily("gopy_rq_queue_jobs", "Jobs per RQ queue and state.", labels=["queue", "state"])
        try:
            connection = Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
            for name in self.names:
                queue = Queue(name, connection=connection)
                family.add_metric([name, "queued"], queue.count)
                family.add_metric([name, "started"], queue.started_job_registry.count)
                family.add_metric([name, "failed"], queue.failed_job_registry.count)
        except Exception as error:  # a scrape must answer even when Redis does not
            log.warning("queue depth not read: %s", type(error).__name__)
        yield family
