"""gunicorn settings for Góp ý dự thảo: ``gunicorn -c gunicorn.conf.py`` (the app is ``wsgi:app``).

Behind nginx (docs/deploy/nginx.conf), which buffers requests and responses, so a slow phone
never holds a worker thread. Settings come from the environment:

    GOPY_BIND              127.0.0.1:8000   where this instance listens (several: comma-separated)
    GOPY_WORKERS           number of CPUs   processes
    GOPY_THREADS           8                threads per process (gthread)
    GOPY_TIMEOUT           30               seconds a worker may stay silent before it is replaced
    GOPY_GRACEFUL_TIMEOUT  20               seconds to finish requests on restart or stop
    GOPY_MAX_REQUESTS      0 (never)        recycle a worker after this many requests

Why these choices:
- ``gthread``: a request waits on PostgreSQL, not the CPU; threads share one process's memory
  and its cached provision trees. Slow clients are nginx's to absorb (proxy buffering).
- ``preload_app``: the app is imported once in the master and the workers are forked from it, so a
  new worker starts in milliseconds and shares the master's pages. Database connections are never
  shared across the fork: ``post_fork`` disposes the pool the worker inherited.
- The master does, once, what every worker would do on its first request (``on_starting``, after
  the import and before the port is bound): SQLAlchemy's mapper configuration and the layout
  template's compilation. The cyclic garbage collector is off during the import (it would walk
  the growing heap again and again: about a tenth of the import) and the master's objects are
  then frozen (``gc.freeze``) so that no collection in a worker touches, and copies, the pages
  it shares with the master.
- A restart after ``kill -9`` of the master must not fail with ``EADDRINUSE`` while the orphaned
  workers still hold the port: every worker asks the kernel to send it SIGTERM when its master
  dies (``PR_SET_PDEATHSIG``; gunicorn's own check of the parent pid follows within a second),
  and the port is bound with ``SO_REUSEPORT`` so the new master binds even before they are gone.
- No access log: the application logs each request itself.
"""
from __future__ import annotations

import ctypes
import gc
import os
import signal

gc.disable()  # until on_starting: the app's import allocates much and frees little


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


wsgi_app = "wsgi:app"
bind = [address.strip() for address in os.environ.get("GOPY_BIND", "127.0.0.1:8000").split(",")]
worker_class = "gthread"
workers = _env_int("GOPY_WORKERS", os.cpu_count() or 1)
threads = _env_int("GOPY_THREADS", 8)
timeout = _env_int("GOPY_TIMEOUT", 30)
graceful_timeout = _env_int("GOPY_GRACEFUL_TIMEOUT", 20)
keepalive = 5
max_requests = _env_int("GOPY_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
preload_app = True
reuse_port = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GOPY_LOG_LEVEL", "info")
proc_name = os.environ.get("GOPY_PROC_NAME", "gopy")
# nginx on the same machine sets these; ProxyFix in the app trusts one hop.
forwarded_allow_ips = os.environ.get("GOPY_FORWARDED_ALLOW_IPS", "127.0.0.1")

_PR_SET_PDEATHSIG = 1


def on_starting(server):
    """After the app's import (preload), before the port is bound and the workers forked."""
    try:
        if not server.cfg.preload_app:  # --no-preload: the workers import the app, not the master
            return
        app = server.app.wsgi()
        if "sqlalchemy" in getattr(app, "extensions", {}):  # not another app (bench/load's bare one)
            from consult.serving import warm_up

            warm_up(app)
    finally:
        gc.freeze()
        gc.enable()


def on_reload(server):
    """SIGHUP read this file again, and with it ``gc.disable()``: the app is not imported again."""
    gc.enable()


def post_fork(server, worker):
    """Die with the master, and never use a database connection opened before the fork."""
    gc.enable()  # inherited on already; this says that a worker always collects
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: gunicorn's parent-pid check still applies
        pass
    _dispose_inherited_pool(server)


def _dispose_inherited_pool(server) -> None:
    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):  # another app (bench/load's bare one)
        return
    from consult.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)
