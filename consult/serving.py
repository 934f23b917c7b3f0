"""Serving behind a proxy, and what browsers and proxies may cache.

``PROXY_COUNT`` proxies in front (nginx: 1) are trusted for ``X-Forwarded-For``, ``-Proto`` and
``-Host``, so ``request.remote_addr`` is the citizen's address and ``url_for(..., _external=True)``
says https; with 0 (the bare development server) those headers are ignored, since anyone can
send them.

Static files are addressed by content: every ``url_for('static', ...)`` (the app's and each
blueprint's) gets ``?v=<hash of the file>``; a request whose ``v`` matches the file is cached for
a year (``immutable``), so a changed file has a new URL and is fetched at once. Anything else
static is revalidated. Pages are ``private, no-cache``: they depend on the session (language,
the citizen's list, the team's role) and must never be kept by a shared cache.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

VERSION_ARG = "v"
_hashes: dict[str, tuple[int, int, str]] = {}


def trust_proxies(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when ``PROXY_COUNT`` proxies stand in front."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def file_version(path: str) -> str | None:
    """A short hash of the file's content (recomputed when the file changes), or None if absent."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _hashes.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    _hashes[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def static_path(app: Flask, endpoint: str | None, filename: str | None) -> str | None:
    """The file a static endpoint (``static`` or ``<blueprint>.static``) serves, if any."""
    if not endpoint or not filename or not (endpoint == "static" or endpoint.endswith(".static")):
        return None
    owner = app if endpoint == "static" else app.blueprints.get(endpoint.rsplit(".", 1)[0])
    folder = owner.static_folder if owner is not None else None
    if not folder:
        return None
    path = os.path.normpath(os.path.join(folder, filename))
    return path if path.startswith(os.path.normpath(folder) + os.sep) else None


def add_static_version(endpoint: str, values: dict) -> None:
    """``url_defaults`` hook: a static URL carries its file's content hash."""
    if VERSION_ARG in values:
        return
    path = static_path(current_app, endpoint, values.get("filename"))
    version = file_version(path) if path else None
    if version:
        values[VERSION_ARG] = version


def set_cache_headers(response: Response) -> Response:
    """A year for versioned static files, revalidation for the rest; never over a view's choice."""
    path = static_path(current_app, request.endpoint, (request.view_args or {}).get("filename"))
    if path is not None:
        if response.status_code in (200, 304) and request.args.get(VERSION_ARG) == file_version(path):
            response.cache_control.public = True
            response.cache_control.max_age = int(current_app.config["STATIC_MAX_AGE"])
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.url_defaults(add_static_version)
    app.after_request(set_cache_headers)


def warm_up(app: Flask) -> None:
    """What every worker would otherwise do on its first request, done once before the fork
    (gunicorn.conf.py's ``on_starting``): configure SQLAlchemy's mappers (the relationships
    between all models) and compile the layout every page extends. Nothing here reads the
    database, which may not be up yet."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    app.jinja_env.get_template("base.html")
