"""The Content-Security-Policy holds in a real browser, and its refusals reach the console,
which is what ``page_at`` watches in every other browser test."""
from __future__ import annotations

from tests.browser.conftest import is_csp_violation

INLINE_PAGE = ('<!doctype html><html><head><title>before</title></head><body>'
               '<script>document.title = "inline script ran"</script>'
               '<p id="styled" style="color: rgb(255, 0, 0)">text</p>'
               '<button id="handler" onclick="document.title = \'handler ran\'">go</button></body></html>')


def test_inline_code_is_refused_and_reported(app, live_server, browser):
    @app.get("/_inline")
    def inline():
        return INLINE_PAGE

    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{live_server}/_inline")
    page.click("#handler")
    assert page.title() == "before"
    assert page.eval_on_selector("#styled", "node => getComputedStyle(node).color") != "rgb(255, 0, 0)"
    violations = [text for text in messages if is_csp_violation(text)]
    context.close()
    assert len(violations) >= 3, messages  # the script, the style attribute, the handler
