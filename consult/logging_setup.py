"""Structured logs: one JSON object per line, a request id in every record.

``init_app`` is the one place logging is configured (called from ``create_app``). Every
request gets an id: the proxy's ``X-Request-ID`` when it is well-formed and trusted
(``LOG_TRUST_REQUEST_ID``, on by default because nginx sets it), otherwise a new one. The id
is echoed in the response's ``X-Request-ID`` header, added to every log record written while
the request runs (a log-record factory, so it reaches records of every logger and handler),
and handed to the RQ jobs the request enqueues (``job_meta``); ``consult.worker`` binds it
again while the job runs, so a job's lines can be found from the request that asked for it.

Each request also writes one access line on the ``gopy.access`` logger (health probes at
DEBUG, the rest at INFO): method, the URL
rule (``/bien-nhan/<code>``, never the path itself, which may hold a receipt code), status,
duration in milliseconds and the request id. No query string, no address, no user.
"""
from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from contextlib import contextmanager

from flask import Flask, current_app, g, request
from pythonjsonlogger.json import JsonFormatter

#: The request (or job's request) being served; None outside one.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("gopy_request_id", default=None)
#: An id we accept from the proxy: letters, digits, ``-``, ``_``, ``.``; 8 to 128 characters.
_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
HEADER = "X-Request-ID"
ACCESS_LOGGER = "gopy.access"
_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"


def init_app(app: Flask) -> None:
    """Log JSON lines to stderr at ``LOG_LEVEL``; give every request an id and an access line."""
    configure_logging(app.config.get("LOG_LEVEL", "INFO"))
    app.extensions["gopy_logging"] = True
    app.before_request(_begin_request)
    app.after_request(_end_request)
    app.teardown_request(_forget_request)


def configure_logging(level: str | int = "INFO") -> None:
    """Install the JSON handler on the root logger once per process (idempotent)."""
    _install_record_factory()
    root = logging.getLogger()
    if not any(getattr(handler, "_gopy_json", False) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter(_FIELDS, timestamp="time",
                                           rename_fields={"levelname": "level", "name": "logger"}))
        handler._gopy_json = True
        root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else str(level).upper())


def _install_record_factory() -> None:
    """Every record gets ``request_id`` (None outside a request or job)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_gopy_request_id", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return record

    factory._gopy_request_id = True
    logging.setLogRecordFactory(factory)


def incoming_request_id(header_value: str | None, trusted: bool = True) -> str:
    """The proxy's id when trusted and well-formed, else a new random one."""
    if trusted and header_value and _WELL_FORMED_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()


def job_meta() -> dict:
    """What an enqueued RQ job carries from the request that asked for it (``Job.meta``)."""
    request_id = request_id_var.get()
    return {"request_id": request_id} if request_id else {}


@contextmanager
def bound_request_id(request_id: str | None):
    """Bind ``request_id`` to the log records written inside the block (jobs, CLI)."""
    token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(token)


def _begin_request() -> None:
    trusted = current_app.config.get("LOG_TRUST_REQUEST_ID", True)
    request_id = incoming_request_id(request.headers.get(HEADER), trusted)
    g.request_id = request_id
    g.request_id_token = request_id_var.set(request_id)
    g.request_started = time.perf_counter()


def _end_request(response):
    request_id = g.get("request_id")
    if request_id:
        response.headers[HEADER] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    # Probes come every few seconds: their lines only at DEBUG.
    level = logging.DEBUG if request.blueprint == "health" else logging.INFO
    logging.getLogger(ACCESS_LOGGER).log(
        level, "request", extra={"method": request.method, "route": route_of_request(),
                          "status": response.status_code, "duration_ms": duration_ms})
    return response


def _forget_request(_error=None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (streamed response): just clear it
            request_id_var.set(None)


def route_of_request() -> str:
    """The URL rule that matched (``/du-thao/<slug>``), never the path; "unmatched" for a 404."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"
