"""Error pages: Vietnamese, never a bare 500, and the typed text given back."""
from __future__ import annotations

import pytest

from tests.factories import make_consultation


@pytest.fixture()
def app_config():
    return {"WTF_CSRF_ENABLED": True, "MAX_CONTENT_LENGTH": 64 * 1024}


def test_a_form_without_its_csrf_token_gives_the_text_back(client):
    make_consultation()
    response = client.post("/du-thao/luat-htx/dieu-1", data={"body": "Văn bản quý giá của tôi"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.text
    assert "Văn bản quý giá của tôi" in response.text


def test_too_large_a_request_is_explained(client):
    make_consultation()
    response = client.post("/du-thao/luat-htx/dieu-1", data={"body": "x" * 100_000})
    assert response.status_code == 413
    assert "quá lớn" in response.text


def test_unknown_page_and_wrong_method(client):
    assert "Không tìm thấy trang" in client.get("/khong-ton-tai").text
    assert client.post("/").status_code == 405
