"""In a real browser: the drafting team imports version 2 as a Word file numbered by Word,
corrects and confirms the article matches, reads the comparison and downloads the table."""
from __future__ import annotations

import io
import socket
import threading

import pytest
from docx import Document
from werkzeug.serving import make_server

from consult.demo import demo_draft_text
from consult.extensions import db
from tests.browser.conftest import screenshot
from tests.consult.decision_factories import comment
from tests.consult.version_texts import demo_version_2
from tests.consult.word_builders import numbered_docx
from tests.factories import make_consultation, make_user

#: This feature's helper ports (8700-8799), so parallel runs of other areas never collide.
PORTS = range(8700, 8800)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8700-8799")


@pytest.fixture()
def server(app):
    app.config.update(SERVER_NAME=None, WTF_CSRF_ENABLED=True)
    served = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{served.server_port}"
    finally:
        served.shutdown()
        thread.join(timeout=5)
        db.session.remove()


def test_team_imports_version_2_confirms_matches_and_compares(app, server, page_at, tmp_path):
    consultation = make_consultation(text=demo_draft_text())
    comment(consultation, "dieu-12", "Đề nghị giữ mức trần 20% vốn điều lệ.")
    make_user("drafter", email="bansoanthao@example.vn")
    word = tmp_path / "du-thao-lan-2.docx"
    word.write_bytes(numbered_docx(demo_version_2(), "restarted"))

    desk = page_at(1280, 900)
    desk.goto(server + "/dang-nhap")
    desk.locator("#email").fill("bansoanthao@example.vn")
    desk.locator("#password").fill("mat-khau-dai-123")
    desk.locator("form button[type=submit]").click()
    desk.goto(f"{server}/quan-tri/du-thao/{consultation.draft.id}/nhap")
    desk.locator("input[type=file]").set_input_files(str(word))
    desk.locator("main form button[type=submit]").click()
    assert "Đánh số tự động của Word" in desk.locator("#parse-counts").inner_text()

    desk.locator("#version-links a").first.click()
    desk.wait_for_url("**/doi-chieu")
    first = consultation.draft.versions[0]
    old_12 = next(p for p in first.provisions if p.anchor == "dieu-12")
    old_29 = next(p for p in first.provisions if p.anchor == "dieu-29")
    assert desk.locator(f"#dieu-{old_12.id}").input_value() == "13"
    assert desk.locator(f"#dieu-{old_29.id}").input_value() == ""  # suggested: removed
    desk.locator(f"#dieu-{old_29.id}").fill("99")
    desk.get_by_role("button", name="Xác nhận đối chiếu").click()
    assert "Phiên bản 2 không có Điều 99." in desk.locator(f"#khop-{old_29.id}").inner_text()
    assert desk.locator(f"#dieu-{old_29.id}").input_value() == "99"  # what was typed is kept
    desk.locator(f"#dieu-{old_29.id}").fill("")
    desk.get_by_role("button", name="Xác nhận đối chiếu").click()
    desk.wait_for_url("**/so-sanh")

    assert "Đã xác nhận đối chiếu" in desk.content()
    desk.get_by_role("link", name="Chỉ hiện các điều có thay đổi").click()
    table = desk.locator("#comparison")
    assert table.locator("tr.match-same").count() == 0
    assert "đồng" in table.locator("ins").all_inner_texts()
    screenshot(desk, "versions-comparison")
    with desk.expect_download() as download:
        desk.locator("#comparison-docx").click()
    saved = tmp_path / "bang-so-sanh.docx"
    download.value.save_as(saved)
    rows = Document(io.BytesIO(saved.read_bytes())).tables[0].rows
    assert rows[0].cells[2].text == "Ghi chú" and len(rows) > 20
