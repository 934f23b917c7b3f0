"""Walk every link of the demo as a citizen and as the drafting team: no page answers 500.

A user-level net under the feature tests: whatever page a link leads to must render.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from consult.demo import DEMO_ADMIN_EMAIL, load_demo
from tests.factories import login

_HREF = re.compile(r'href="([^"]+)"')
#: Links that change state or end the session are never followed by a crawler.
_SKIP = ("/dang-xuat", "/static/", "/khao-sat/static/", "/co-quan/static/")


def crawl(client, start: list[str], limit: int, on_page=None) -> dict[str, int]:
    """Breadth-first over same-site links; returns the status of every page visited.

    ``on_page(url, response)``, when given, sees every response (tests/consult/test_security.py).
    """
    seen: dict[str, int] = {}
    queue = deque(start)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if on_page is not None:
            on_page(url, response)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        for href in _HREF.findall(response.text):
            target = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if not target.startswith(_SKIP) and target not in seen:
                queue.append(target)
    return seen


@pytest.fixture()
def demo(app):
    load_demo(admin_password="mat-khau-dai-123")


def test_citizen_pages_never_fail(client, demo):
    statuses = crawl(client, ["/", "/khao-sat/", "/bien-nhan"], limit=150)
    failures = {url: code for url, code in statuses.items() if code >= 500}
    assert not failures, failures
    assert len(statuses) > 40


def test_drafting_team_pages_never_fail(client, demo):
    from consult.auth import find_user

    login(client, find_user(DEMO_ADMIN_EMAIL))
    statuses = crawl(client, ["/quan-tri/"], limit=500)
    failures = {url: code for url, code in statuses.items() if code >= 500}
    assert not failures, failures
    assert len(statuses) > 60
