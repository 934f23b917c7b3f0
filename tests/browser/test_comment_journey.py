"""In a real browser: a citizen comments on an article, a moderator publishes it."""
from __future__ import annotations

import re

from consult.demo import load_demo
from tests.browser.conftest import screenshot
from tests.factories import make_user


def test_citizen_comments_and_moderator_publishes(app, live_server, page_at):
    load_demo(admin_password="mat-khau-demo-123")
    moderator = make_user("moderator", email="kiemduyet@example.vn")

    page = page_at(360)
    page.goto(live_server + "/")
    screenshot(page, "home-360")
    # two consultations are open (the 2022 law and the 2026 decree): the citizen picks the law
    page.locator(".card", has_text="Luật Hợp tác xã (sửa đổi)").get_by_role(
        "link", name="Dự thảo Luật Hợp tác xã (sửa đổi)").click()
    assert page.get_by_role("heading", name="Mục lục").is_visible()
    screenshot(page, "draft-360")
    page.locator("a[href$='/dieu-5']").first.click()
    page.get_by_label("Khoản hoặc điểm (không bắt buộc)").select_option(index=1)
    page.get_by_role("textbox", name="Ý kiến của bạn").fill("Đề nghị bổ sung mục tiêu hỗ trợ hợp tác xã ở vùng khó khăn.")
    page.get_by_role("button", name="Thêm vào danh sách góp ý của tôi").click()
    page.get_by_label("Đối tượng").select_option("coop_member")
    page.get_by_label("Tỉnh, thành phố").select_option("31")
    page.get_by_label("Tôi đồng ý").check()
    screenshot(page, "my-list-360")
    page.get_by_role("button", name=re.compile("Gửi 1 ý kiến")).click()
    code = page.locator(".receipt-code").inner_text()
    assert re.fullmatch(r"GY(?:-[0-9A-Z]{4}){4}", code)
    screenshot(page, "receipt-360")

    desk = page_at(1280, 900)
    desk.goto(live_server + "/dang-nhap")
    desk.get_by_label("E-mail").fill(moderator.email)
    desk.get_by_label("Mật khẩu").fill("mat-khau-dai-123")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.goto(live_server + "/quan-tri/kiem-duyet")
    item = desk.locator(".moderation-item", has_text="vùng khó khăn")
    screenshot(desk, "moderation-1280")
    item.get_by_role("button", name="Công bố").click()
    assert desk.get_by_text("Đã công bố").first.is_visible()

    page.goto(live_server + "/du-thao/luat-hop-tac-xa-sua-doi/dieu-5")
    assert page.get_by_text("Đề nghị bổ sung mục tiêu hỗ trợ hợp tác xã ở vùng khó khăn.").is_visible()
    screenshot(page, "article-published-360")
    desk.goto(live_server + "/du-thao/luat-hop-tac-xa-sua-doi")
    screenshot(desk, "draft-1280")
