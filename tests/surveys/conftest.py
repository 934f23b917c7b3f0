"""Survey tests: services that translate messages run inside a request (English, so that
assertions do not depend on catalogs being complete)."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _request_context(request):
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.test_request_context("/?lang=en"):
        yield
