"""In a real browser: a drafter publishes the tờ trình in the dossier, replaces it with a new
version, and a citizen downloads both versions from the public draft page."""
from __future__ import annotations

from consult.dossier.demo import minimal_docx
from consult.submissions.demo import sample_letter_pdf
from tests.browser.conftest import screenshot
from tests.factories import make_consultation, make_user


def test_a_drafter_uploads_the_dossier_and_a_citizen_downloads_it(app, live_server, page_at, tmp_path):
    make_consultation()
    make_user("drafter", email="bansoanthao@example.vn")
    first = tmp_path / "Tờ trình dự án Luật.pdf"
    first.write_bytes(sample_letter_pdf("To trinh"))
    second = tmp_path / "Tờ trình (sửa).docx"
    second.write_bytes(minimal_docx(["TỜ TRÌNH", "Bản đã sửa"]))

    desk = page_at(1280, 900)
    desk.goto(live_server + "/dang-nhap")
    desk.locator("#email").fill("bansoanthao@example.vn")
    desk.locator("#password").fill("mat-khau-dai-123")
    desk.locator("form button[type=submit]").click()
    desk.goto(live_server + "/quan-tri/tham-van/luat-htx/ho-so")
    desk.locator("#kind").select_option("submission")
    desk.locator("#title").fill("Tờ trình số 12/TTr-BKHĐT")
    desk.locator("#them ~ form input[type=file]").set_input_files(str(first))
    desk.get_by_role("button", name="Đăng vào hồ sơ").click()
    assert "Tài liệu đã được đăng vào hồ sơ dự thảo." in desk.content()
    desk.get_by_text("Thay bằng phiên bản mới").click()
    desk.locator(".dossier-team-item input[type=file]").set_input_files(str(second))
    desk.get_by_role("button", name="Đăng phiên bản mới").click()
    assert "Phiên bản mới đã được đăng" in desk.content()
    screenshot(desk, "dossier-team")

    citizen = page_at(360, 780)
    citizen.goto(live_server + "/du-thao/luat-htx")
    dossier = citizen.locator("section.dossier")
    assert "Tờ trình số 12/TTr-BKHĐT" in dossier.inner_text() and "Word · 1 KB" in dossier.inner_text()
    with citizen.expect_download() as current:
        dossier.get_by_role("link", name="Tờ trình số 12/TTr-BKHĐT").click()
    assert current.value.suggested_filename == "Tờ trình (sửa).docx"
    assert open(current.value.path(), "rb").read() == second.read_bytes()
    dossier.get_by_text("1 phiên bản trước").click()
    screenshot(citizen, "dossier-public")
    with citizen.expect_download() as earlier:
        dossier.get_by_role("link", name="Tờ trình dự án Luật.pdf").click()
    assert earlier.value.suggested_filename == "Tờ trình dự án Luật.pdf"
    assert open(earlier.value.path(), "rb").read() == first.read_bytes()
