"""In a real browser: a ministry's officer prepares the formal letter over two visits and submits it;
the drafting team sees the roster change."""
from __future__ import annotations

import re

from consult.demo import DEMO_ADMIN_EMAIL, DEMO_SLUG, load_demo
from consult.extensions import db
from consult.models import Organisation
from consult.submissions import officers
from consult.submissions.demo import sample_letter_pdf
from tests.browser.conftest import screenshot

PASSWORD = "mat-khau-dai-123"


def log_in(page, base: str, email: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/dang-nhap?next={next_path}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").click()


def roster_status(page, base: str, code: str) -> str:
    page.goto(f"{base}/co-quan/quan-tri/{DEMO_SLUG}")
    return page.locator(f"#body-{code}").get_attribute("data-status")


def test_officer_drafts_returns_submits_and_the_team_sees_it(app, live_server, page_at, tmp_path):
    load_demo(admin_password="mat-khau-demo-123")
    ministry = db.session.query(Organisation).filter_by(code="BNV").one()
    officers.create_officer("canbo@bnv.gov.vn", "Cán bộ Bộ Nội vụ", ministry, PASSWORD, None)
    db.session.commit()
    pdf = tmp_path / "cong-van-bnv.pdf"
    pdf.write_bytes(sample_letter_pdf("Bo Noi vu - 456/BNV-PC"))

    desk = page_at(1280, 900)
    log_in(desk, live_server, DEMO_ADMIN_EMAIL, "mat-khau-demo-123", "/co-quan/quan-tri/")
    assert roster_status(desk, live_server, "BNV") == "not_started"

    phone = page_at(360)
    log_in(phone, live_server, "canbo@bnv.gov.vn", PASSWORD, "/co-quan/")
    phone.locator("a.button", has_text=re.compile(".")).first.click()
    phone.locator("#letter_number").fill("456/BNV-PC")
    phone.locator("#letter_date").fill("2022-09-05")
    phone.locator("#signer_name").fill("Vũ Thị Lan")
    phone.locator("#signer_title").fill("Thứ trưởng")
    phone.locator("#letter button[type=submit]").click()
    phone.locator("#document").set_input_files(str(pdf))
    phone.locator("#attachment button[type=submit]").click()
    phone.locator("#article").select_option("dieu-8")
    phone.locator("#clause").fill("1")
    phone.locator("#body").fill("Đề nghị bổ sung điều kiện về năng lực hành vi dân sự của thành viên.")
    phone.locator("#opinions form.comment-box button[type=submit]").click()
    phone.locator("#article").select_option("dieu-12")
    phone.locator("#body").fill("Đề nghị quy định thời hạn góp vốn không quá 6 tháng.")
    phone.locator("#opinions form.comment-box button[type=submit]").click()
    assert phone.locator("#opinions .comment").count() == 2
    screenshot(phone, "submission-draft-360")
    assert roster_status(desk, live_server, "BNV") == "draft"

    # The officer leaves, then comes back later: everything is still there.
    phone.goto(live_server + "/")
    phone.goto(live_server + "/co-quan/")
    phone.locator("a.button").first.click()
    assert phone.locator("#letter_number").input_value() == "456/BNV-PC"
    assert phone.locator("#attachment a", has_text="cong-van-bnv.pdf").is_visible()
    assert phone.get_by_text("thời hạn góp vốn không quá 6 tháng").is_visible()
    phone.locator("#submit button[type=submit]").click()
    code = phone.locator(".receipt-code").inner_text()
    assert re.fullmatch(r"CV(?:-[0-9A-Z]{4}){4}", code)
    screenshot(phone, "submission-receipt-360")
    phone.goto(f"{live_server}/co-quan/{DEMO_SLUG}/lich-su")
    assert phone.get_by_role("link", name=code).is_visible()
    screenshot(phone, "submission-history-360")

    assert roster_status(desk, live_server, "BNV") == "submitted"
    desk.locator("#body-BNV").scroll_into_view_if_needed()
    screenshot(desk, "roster-1280")
    desk.locator("#body-BNV a").first.click()
    assert desk.get_by_role("link", name=code).is_visible()
    desk.goto(f"{live_server}/co-quan/quan-tri/{DEMO_SLUG}/theo-dieu")
    assert desk.get_by_text("thời hạn góp vốn không quá 6 tháng").is_visible()
    screenshot(desk, "opinions-by-article-1280")
    wide = page_at(1280, 900)
    log_in(wide, live_server, "canbo@bnv.gov.vn", PASSWORD, f"/co-quan/{DEMO_SLUG}/van-ban")
    screenshot(wide, "submission-form-1280")
    narrow = page_at(360)
    log_in(narrow, live_server, DEMO_ADMIN_EMAIL, "mat-khau-demo-123", f"/co-quan/quan-tri/{DEMO_SLUG}")
    screenshot(narrow, "roster-360")
