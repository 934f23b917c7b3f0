"""In a real browser: the drafting team answers a campaign of identical comments at once, sees the
counts change and downloads the synthesis report."""
from __future__ import annotations

import io

from docx import Document

from tests.browser.conftest import screenshot
from tests.consult.decision_factories import comment, letter, organisation
from tests.factories import make_consultation, make_user

CAMPAIGN = ("Đề nghị bỏ điều kiện tổ chức phải có tư cách pháp nhân mới được làm thành viên, "
            "vì nhiều tổ hợp tác ở nông thôn chưa có tư cách pháp nhân.")
REASON = "Đã chỉnh sửa tại điểm a khoản 2 Điều 3."


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/dang-nhap")
    page.locator("#email").fill(email)
    page.locator("#password").fill("mat-khau-dai-123")
    page.locator("form button[type=submit]").click()


def make_opinions():
    consultation = make_consultation()
    for province in ("01", "79", "31", "48", "92"):
        comment(consultation, "dieu-3-khoan-2", CAMPAIGN, province_code=province)
    comment(consultation, "dieu-3-khoan-1", "Nên hạ độ tuổi tối thiểu xuống 16 tuổi đối với thành viên "
                                             "hợp tác xã nông nghiệp.", respondent_type="coop_member")
    comment(consultation, "dieu-3", "Đề nghị giải thích rõ thế nào là \"có nhu cầu hợp tác\".",
            respondent_type="enterprise", province_code="79")
    letter(consultation, organisation("BTC", name="Bộ Tài chính"),
           [("dieu-3-khoan-2", "Đề nghị quy định rõ hồ sơ chứng minh tư cách pháp nhân.")], number="123/BTC-PC")
    return consultation


def test_team_answers_a_campaign_and_downloads_the_report(app, live_server, page_at, tmp_path):
    app.config.update(EXPORT_DIR=str(tmp_path / "exports"), REDIS_URL=None)  # no RQ worker here: built in the request
    consultation = make_opinions()
    make_user("drafter", email="bansoanthao@example.vn")
    base = f"{live_server}/quan-tri/xu-ly/{consultation.slug}"

    desk = page_at(1280, 900)
    log_in(desk, live_server, "bansoanthao@example.vn")
    desk.goto(base)
    assert desk.locator("#row-dieu-3").get_attribute("data-undecided") == "8"
    desk.locator("#row-dieu-3 a").first.click()
    assert desk.locator("#counts").get_attribute("data-decided") == "0"
    campaign = desk.locator(".decision-item[data-count='5']")
    assert campaign.locator(".times").inner_text().strip() == "× 5"
    screenshot(desk, "decisions-article-1280")

    campaign.locator("input[type=checkbox]").check()
    desk.locator("#outcome-accepted").check()
    desk.locator("#reason").fill(REASON)
    desk.locator("#record").click()
    assert desk.locator(".flash-success").is_visible()
    assert desk.locator("#counts").get_attribute("data-decided") == "5"
    assert desk.locator("#counts").get_attribute("data-undecided") == "3"
    assert REASON in campaign.locator(".current").inner_text()
    screenshot(desk, "decisions-article-decided-1280")

    desk.goto(base)
    assert desk.locator("#row-dieu-3").get_attribute("data-decided") == "5"
    assert desk.locator("#progress").get_attribute("data-undecided") == "3"
    screenshot(desk, "decisions-consultation-1280")
    desk.locator("#report-docx").click()  # the report's page: prepared there (a small one at once)
    desk.locator("#prepare-report").click()
    with desk.expect_download() as waiting:
        desk.locator(".report-download").first.click()
    download = waiting.value
    assert download.suggested_filename.startswith("bao-cao-tong-hop-luat-htx-")
    table = Document(io.BytesIO(open(download.path(), "rb").read())).tables[1]  # between the letterhead and the sign-off
    answered = [row for row in table.rows if REASON in row.cells[4].text]
    assert len(answered) == 1 and CAMPAIGN in answered[0].cells[3].text and "(× 5)" in answered[0].cells[3].text

    phone = page_at(360)
    log_in(phone, live_server, "bansoanthao@example.vn")
    phone.goto(base)
    table = phone.locator("#articles")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), "the article table is cut off"
    screenshot(phone, "decisions-consultation-360")
    phone.goto(f"{base}/dieu-3?undecided=1")
    assert phone.locator(".decision-item").count() == 3
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    phone.locator("#record").click()  # nothing selected: a message, not an error page
    assert phone.locator("#errors").is_visible()
    screenshot(phone, "decisions-article-360")
