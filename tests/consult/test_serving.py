"""Behind a proxy, and caching: forwarded headers count only when trusted; static files by content."""
from __future__ import annotations

import re

import pytest
from flask import request, url_for

from consult import serving
from tests.conftest import make_test_app

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "gopy.example.vn"}


def where_from(app):
    """What the app believes about a request that came through a proxy setting ``FORWARDED``."""
    @app.get("/_where")
    def where():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme, "host": request.host,
                "home": url_for("public.home", _external=True)}

    return app.test_client().get("/_where", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}).json


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(database, tmp_path):
    seen = where_from(make_test_app(database, tmp_path))
    assert seen["remote_addr"] == "10.0.0.2" and seen["scheme"] == "http"
    assert seen["home"].startswith("http://localhost/")


def test_one_trusted_proxy_gives_the_citizens_address_and_https(database, tmp_path):
    seen = where_from(make_test_app(database, tmp_path, PROXY_COUNT=1, SERVER_NAME=None))
    assert seen["remote_addr"] == "203.0.113.7" and seen["scheme"] == "https"
    assert seen["host"] == "gopy.example.vn" and seen["home"] == "https://gopy.example.vn/"


def test_with_one_proxy_only_the_last_forwarded_address_counts(database, tmp_path):
    app = make_test_app(database, tmp_path, PROXY_COUNT=1)

    @app.get("/_addr")
    def addr():
        return request.remote_addr

    spoofed = {"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}  # the citizen wrote the first, nginx the second
    assert app.test_client().get("/_addr", headers=spoofed).text == "203.0.113.7"


def test_static_urls_carry_the_files_hash(app):
    with app.test_request_context():
        urls = [url_for("static", filename="app.css"), url_for("surveys.static", filename="surveys/respond.js"),
                url_for("surveys.static", filename="surveys/expressions.js")]
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
    with app.test_request_context():
        assert "?v=" not in url_for("static", filename="no-such-file.css")


def test_a_versioned_static_file_is_cached_for_a_year_and_others_revalidate(app, client):
    with app.test_request_context():
        versioned = url_for("static", filename="app.css")
    cached = client.get(versioned)
    assert cached.status_code == 200
    assert cached.cache_control.public and cached.cache_control.immutable
    assert cached.cache_control.max_age == 365 * 24 * 3600 and not cached.cache_control.no_cache
    for url in ("/static/app.css", "/static/app.css?v=000000000000"):
        assert client.get(url).cache_control.no_cache, url


def test_a_changed_file_gets_a_new_version(tmp_path):
    asset = tmp_path / "site.css"
    asset.write_text("p { color: black; }")
    first = serving.file_version(str(asset))
    asset.write_text("p { color: navy; }   ")
    assert serving.file_version(str(asset)) != first
    assert serving.file_version(str(tmp_path / "missing.css")) is None


@pytest.mark.parametrize("filename", ["../__init__.py", "../../wsgi.py"])
def test_a_path_outside_the_static_folder_has_no_version(app, filename):
    assert serving.static_path(app, "static", filename) is None


def test_pages_are_not_kept_by_caches(client):
    assert client.get("/").headers["Cache-Control"] == "private, no-cache"
