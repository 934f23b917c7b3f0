"""Light pages for slow phone links: the pages a citizen opens first weigh at most 100 KB
uncompressed, counting the HTML and every stylesheet, script, icon and font they load."""
from __future__ import annotations

import re

import pytest

from consult.demo import DEMO_SLUG, load_demo

LIMIT = 100 * 1024
_ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def page_weight(client, url: str) -> tuple[int, dict[str, int]]:
    """Bytes of the page and of each same-site asset it references (each counted once)."""
    page = client.get(url)
    assert page.status_code == 200, url
    sizes = {url: len(page.data)}
    for asset in set(_ASSET.findall(page.text)):
        asset = asset.replace("&amp;", "&")
        if asset.startswith("/") and not asset.startswith("//"):
            response = client.get(asset)
            assert response.status_code == 200, asset
            sizes[asset] = len(response.data)
    return sum(sizes.values()), sizes


@pytest.fixture()
def demo(app):
    load_demo(admin_password="mat-khau-dai-123")


@pytest.mark.parametrize("url", ["/", f"/du-thao/{DEMO_SLUG}/dieu-5", "/khao-sat/"])
def test_first_pages_weigh_under_100_kb(client, demo, url):
    total, sizes = page_weight(client, url)
    assert len(sizes) >= 2, "the stylesheet was counted"
    assert total <= LIMIT, sizes


def test_a_survey_page_weighs_under_100_kb(client, demo):
    start = client.get("/khao-sat/y-kien-nguoi-dan-luat-htx")
    key = re.search(r'name="form_key"[^>]*value="([^"]+)"', start.text)
    sent = client.post("/khao-sat/y-kien-nguoi-dan-luat-htx",
                       data={"form_key": key.group(1) if key else "weight-test"})
    assert sent.status_code == 302
    total, sizes = page_weight(client, sent.headers["Location"])
    assert any(name.endswith(".js") or ".js?" in name for name in sizes), sizes
    assert total <= LIMIT, sizes
