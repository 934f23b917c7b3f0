"""axe-core over every kind of public and team page, in Vietnamese and English, at 360 and
1280 px, empty, filled and with errors shown: any WCAG 2.1 A/AA violation fails.

The pages are found the way a person finds them, by following links from the home page and
the team's overview (one page per address shape, so 46 articles count as one); the error
states are reached by sending the forms empty.
"""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from consult.demo import DEMO_ADMIN_EMAIL, DEMO_SLUG, load_demo
from tests.browser.conftest import screenshot

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
_HREF = re.compile(r'href="([^"]+)"')
_SKIP = ("/dang-xuat", "/static/", "/khao-sat/static/", "/co-quan/static/", "/api/",
         "/favicon.ico")
_DOWNLOAD = re.compile(r"\.(csv|xlsx|docx|pdf|json|xml)$|/tai-xuong|/xuat|[?&]form=(csv|xlsx)|/export")


def _shape(url: str) -> str:
    """One address per page kind: ids, article anchors and codes become placeholders."""
    path, _, query = url.partition("?")
    path = re.sub(r"/\d+", "/N", path)
    path = re.sub(r"/dieu-[0-9a-z-]+", "/dieu-N", path)
    path = re.sub(r"/[A-Z]{2,3}-[A-Z0-9-]+", "/CODE", path)
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return path + ("?" + "&".join(keys) if keys else "")


def sample_pages(client, start: list[str], limit: int) -> list[str]:
    """Breadth-first over same-site HTML links, one URL per shape."""
    shapes: dict[str, str] = {}
    seen: set[str] = set()
    queue = deque(start)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        shapes.setdefault(_shape(url), url)
        for href in _HREF.findall(response.text):
            target = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/") or target in seen:
                continue
            if not target.startswith(_SKIP) and not _DOWNLOAD.search(target):
                queue.append(target)
    return sorted(shapes.values())


def violations_on(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    found = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def check(page, url: str, problems: dict) -> None:
    for found in violations_on(page):
        problems.setdefault(url, []).append(found)


def _log_in(page, base: str) -> None:
    page.goto(base + "/dang-nhap")
    page.locator("#email").fill(DEMO_ADMIN_EMAIL)
    page.locator("#password").fill("mat-khau-dai-123")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.fixture()
def demo(app):
    load_demo(admin_password="mat-khau-dai-123")
    return app


def _sweep(page, base: str, urls: list[str], widths=(360, 1280)) -> dict:
    problems: dict = {}
    for url in urls:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(base + url)
            check(page, f"{url} @{width}", problems)
    return problems


def _citizen_states(page, base: str, problems: dict) -> None:
    """The pages only a form leads to: the list, the receipt, a survey page with an error."""
    page.goto(f"{base}/du-thao/{DEMO_SLUG}/dieu-5")
    page.locator("#your-opinion textarea").fill("Đề nghị làm rõ điều kiện góp vốn.")
    page.locator("#your-opinion button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "my list", problems)
    page.locator(".profile-form button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "my list with errors", problems)
    page.locator("#respondent_type").select_option("coop_member")
    page.locator("#province").select_option("31")
    page.locator("#consent").check()
    page.locator(".profile-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".receipt-code").count() == 1, page.url
    check(page, "receipt", problems)
    page.goto(f"{base}/khao-sat/y-kien-nguoi-dan-luat-htx")
    page.locator("form.inline-form button[type=submit]").first.click()
    page.wait_for_load_state()
    check(page, "survey page", problems)
    for _ in range(6):
        if page.locator(".error-summary").count():
            break
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
    check(page, "survey page after next", problems)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_public_pages_pass_axe(demo, client, live_server, page_at, language):
    urls = sample_pages(client, ["/", "/khao-sat/", "/bien-nhan"], limit=120)
    assert len(urls) >= 8, urls
    page = page_at(360)
    page.goto(f"{live_server}/?lang={language}")
    problems = _sweep(page, live_server, urls)
    # error states: an empty comment, an empty receipt code, a wrong password
    page.goto(f"{live_server}/du-thao/{DEMO_SLUG}/dieu-5")
    page.locator("#your-opinion button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    check(page, "comment error", problems)
    page.goto(f"{live_server}/dang-nhap")
    page.locator("#email").fill("nobody@example.vn")
    page.locator("#password").fill("sai-mat-khau")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    check(page, "login error", problems)
    _citizen_states(page, live_server, problems)
    screenshot(page, f"axe-public-{language}")
    assert not problems, "\n".join(f"{url}: {p}" for url, found in problems.items() for p in found)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_team_pages_pass_axe(demo, client, live_server, page_at, language):
    from consult.auth import find_user
    from tests.factories import login

    demo.config["WTF_CSRF_ENABLED"] = False  # the test client logs in without a form token
    login(client, find_user(DEMO_ADMIN_EMAIL))
    urls = sample_pages(client, ["/quan-tri/"], limit=250)
    demo.config["WTF_CSRF_ENABLED"] = True
    assert len(urls) >= 15, urls
    page = page_at(1280)
    _log_in(page, live_server)
    page.goto(f"{live_server}/quan-tri/?lang={language}")
    problems = _sweep(page, live_server, urls)
    screenshot(page, f"axe-team-{language}")
    assert not problems, "\n".join(f"{url}: {p}" for url, found in problems.items() for p in found)
