"""Browser fixtures: the app served on a free localhost port, Debian's Chromium via Playwright."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from consult.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture()
def live_server(app):
    """Serve ``app`` from a thread; the test talks to it through the real network stack."""
    app.config.update(SERVER_NAME=None, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        db.session.remove()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def is_csp_violation(text: str) -> bool:
    """Chromium reports what the Content-Security-Policy blocked as a console error."""
    return "Content Security Policy" in text


@pytest.fixture()
def page_at(browser):
    """Open pages at a given width; close them after the test, which fails if the
    Content-Security-Policy blocked anything (an inline script or style left in a template)."""
    contexts = []
    violations: list[str] = []

    def open_page(width: int = 360, height: int = 780):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if is_csp_violation(message.text) else None)
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not violations, "blocked by the Content-Security-Policy:\n" + "\n".join(violations)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def extend_closing(desk, new_day, reason: str, requested_by: str, time: str = "17:00") -> None:
    """On the team's page of an open consultation, extend its closing to ``time`` on
    ``new_day`` with the public ``reason``, at the request of ``requested_by``; the page says it
    was done."""
    from playwright.sync_api import expect

    desk.get_by_label("Lý do (được công khai)").fill(reason)
    desk.get_by_label("Theo đề nghị của (không bắt buộc)").fill(requested_by)
    desk.locator("#closes_on").fill(new_day.isoformat())
    desk.locator("#closes_time").fill(time)
    desk.locator("#extend").click()
    # waits for the answer's page: read at once, the content is empty while it loads
    expect(desk.locator("body")).to_contain_text("Đã gia hạn")


def move_clock(monkeypatch, moment) -> None:
    """Make every module of the platform read ``moment`` (naive UTC) as now. Modules bind
    ``utcnow`` at import (``from consult.models import utcnow``), so each binding is replaced,
    not only the original: the home page, the lists and the team's pages all see the new day."""
    import sys

    from consult import models

    original = getattr(models.utcnow, "__wrapped_utcnow__", models.utcnow)

    def now():
        return moment

    now.__wrapped_utcnow__ = original
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in ("consult", "surveys", "analysis") or module is None:
            continue
        bound = getattr(module, "utcnow", None)
        if bound is original or getattr(bound, "__wrapped_utcnow__", None) is original:
            monkeypatch.setattr(module, "utcnow", now)
