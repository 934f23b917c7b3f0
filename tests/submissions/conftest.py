"""Each test request starts with a clean ``g``.

The ``app`` fixture keeps one app context open for the whole test, and the test client's
requests reuse it, so Flask-Babel's cached locale and Flask-Login's cached user on ``g``
would leak from one request to the next (``?lang=en`` would then have no effect).
"""
from __future__ import annotations

import pytest
from flask import g


@pytest.fixture(autouse=True)
def _fresh_g_per_request(app):
    @app.before_request
    def _forget_cached_request_state():
        g.pop("_flask_babel", None)
        g.pop("_login_user", None)
    yield
