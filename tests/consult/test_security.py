"""Security headers on every page of the demo, and no inline script or style for the CSP to block.

The crawl walks every link as a citizen, as the drafting team and as a ministry's officer
(``tests/consult/test_crawl.py``); each response must carry the headers, and each HTML page must
be free of what ``script-src 'self'; style-src 'self'`` refuses: inline ``<script>`` (a JSON data
block is not run, so it is allowed), ``<style>``, ``style="…"``, ``on…=`` handlers, ``javascript:``.
"""
from __future__ import annotations

import re

import pytest

from consult.auth import find_user
from consult.demo import DEMO_ADMIN_EMAIL, load_demo
from consult.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from consult.submissions.demo import DEMO_OFFICER_EMAIL
from tests.consult.test_crawl import crawl
from tests.factories import login

PASSWORD = "mat-khau-dai-123"
#: What a strict CSP blocks in a page, each with the reason it is named.
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "on… handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"=\s*\"\s*javascript:", re.I),
}


def inline_code(html: str) -> list[str]:
    """The kinds of inline code found in ``html`` (empty when the page is CSP-clean)."""
    return [kind for kind, pattern in INLINE.items() if pattern.search(html)]


class PageChecker:
    """Collects, per URL, a missing header or inline code; ``problems`` stays empty when all is well."""

    def __init__(self):
        self.problems: dict[str, list[str]] = {}
        self.pages = 0

    def __call__(self, url, response):
        found = [f"missing {name}" for name, value in SECURITY_HEADERS.items()
                 if response.headers.get(name) != value]
        if response.content_type.startswith("text/html"):
            self.pages += 1
            found += inline_code(response.text)
            if response.status_code == 200 and "no-cache" not in response.headers.get("Cache-Control", ""):
                found.append("page cacheable")
        if found:
            self.problems[url] = found


@pytest.fixture()
def app_config():
    return {"DEMO_OFFICER_PASSWORD": PASSWORD}


@pytest.fixture()
def demo(app):
    load_demo(admin_password=PASSWORD)


def test_the_checker_finds_each_kind_of_inline_code():
    assert inline_code('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []
    assert inline_code('<p>&lt;script&gt;alert(1)&lt;/script&gt; style="x" onclick=</p>') == []
    assert inline_code("<script>alert(1)</script>") == ["inline <script>"]
    assert inline_code("<style>p{}</style>") == ["<style> block"]
    assert inline_code('<p class="a" style="color:red">') == ["style attribute"]
    assert inline_code('<button type="button" onclick="go()">') == ["on… handler"]
    assert inline_code('<a href="javascript:go()">') == ["javascript: URL"]


def test_the_policy_allows_no_inline_code_and_no_framing():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "style-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_citizen_pages_carry_the_headers_and_no_inline_code(client, demo):
    checker = PageChecker()
    crawl(client, ["/", "/khao-sat/", "/bien-nhan", "/trang-khong-co"], limit=150, on_page=checker)
    assert not checker.problems, checker.problems
    assert checker.pages > 40


def test_drafting_team_pages_carry_the_headers_and_no_inline_code(client, demo):
    login(client, find_user(DEMO_ADMIN_EMAIL), PASSWORD)
    checker = PageChecker()
    crawl(client, ["/quan-tri/", "/quan-tri/phan-tich/", "/quan-tri/xu-ly/"], limit=500, on_page=checker)
    assert not checker.problems, checker.problems
    assert checker.pages > 60


def test_officer_pages_carry_the_headers_and_no_inline_code(client, demo):
    login(client, find_user(DEMO_OFFICER_EMAIL), PASSWORD)
    checker = PageChecker()
    crawl(client, ["/co-quan/"], limit=100, on_page=checker)
    assert not checker.problems, checker.problems
    assert checker.pages > 3


def test_hsts_only_when_configured_and_over_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers
    app.config.update(HSTS_SECONDS=31536000, HSTS_INCLUDE_SUBDOMAINS=True)
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_view_may_set_its_own_header(app, client):
    @app.get("/_own-policy")
    def own_policy():
        return "ok", 200, {"Referrer-Policy": "no-referrer"}

    response = client.get("/_own-policy")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
