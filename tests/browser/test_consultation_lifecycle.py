"""In a real browser: a new drafting team creates a consultation on a decree, imports its text
from a Word file, schedules it, sees it open on its day, extends it, and a citizen comments."""
from __future__ import annotations

import re
from datetime import timedelta

import docx

from consult import consultations as service
from consult.extensions import db
from consult.models import utcnow
from tests.browser.conftest import extend_closing, screenshot
from tests.consult.decision_factories import organisation
from tests.factories import make_consultation, make_user

DECREE = """CHÍNH PHỦ
NGHỊ ĐỊNH
Quy định chi tiết một số điều của Luật Hợp tác xã
Căn cứ Luật Tổ chức Chính phủ;
Chính phủ ban hành Nghị định quy định chi tiết một số điều của Luật Hợp tác xã.
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Nghị định này quy định chi tiết về đăng ký hợp tác xã.
Điều 2. Đối tượng áp dụng
1. Hợp tác xã, liên hiệp hợp tác xã.
2. Cơ quan đăng ký kinh doanh.
Điều 3. Hiệu lực thi hành
Nghị định này có hiệu lực từ ngày ký.
"""


def decree_docx(path) -> None:
    document = docx.Document()
    for line in DECREE.strip().split("\n"):
        document.add_paragraph(line)
    document.save(path)


def test_new_team_runs_a_decree_consultation_and_a_citizen_comments(app, live_server, page_at, tmp_path,
                                                                      monkeypatch):
    agency = organisation("BTP", name="Bộ Tư pháp")
    make_consultation("nghi-dinh-cua-bo-khac")  # another agency's consultation stays as it is
    team = make_user("drafter", email="bansoanthao@btp.example.vn")
    team.organisation_id = agency.id
    db.session.commit()
    word = tmp_path / "du-thao-nghi-dinh.docx"
    decree_docx(word)
    opens = service.to_vietnam(utcnow()).date() + timedelta(days=1)
    closes = opens + timedelta(days=45)

    desk = page_at(1280, 900)
    desk.goto(live_server + "/dang-nhap")
    desk.get_by_label("E-mail").fill(team.email)
    desk.get_by_label("Mật khẩu").fill("mat-khau-dai-123")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.goto(live_server + "/quan-tri/tham-van/")
    desk.get_by_role("link", name="Tạo đợt lấy ý kiến mới").click()
    desk.get_by_label("Tiêu đề").fill("Dự thảo Nghị định quy định chi tiết Luật Hợp tác xã")
    desk.get_by_label("Loại văn bản").select_option("decree")
    desk.locator("#opens_on").fill(opens.isoformat())
    desk.locator("#opens_time").fill("08:00")
    desk.locator("#closes_on").fill(closes.isoformat())
    desk.locator("#closes_time").fill("17:00")
    desk.get_by_role("button", name="Tạo đợt lấy ý kiến").click()
    assert "Đã tạo đợt lấy ý kiến" in desk.content()
    assert desk.locator("#consultation-state").inner_text() == "Chưa công bố"

    desk.locator("#import-draft").click()
    desk.locator("input[type=file]").set_input_files(str(word))
    desk.locator("main form button[type=submit]").click()
    assert "Báo cáo" in desk.content() or desk.locator("#parse-counts").is_visible()
    if desk.locator("#acknowledge-warnings").count():
        desk.locator("#acknowledge-warnings button").click()
    desk.get_by_role("link", name="Quay lại đợt lấy ý kiến").click()
    desk.locator("#publish").click()
    assert desk.locator("#consultation-state").inner_text() == "Sắp mở"
    slug = "du-thao-nghi-dinh-quy-dinh-chi-tiet-luat-hop-tac-xa"
    citizen = page_at(360)
    citizen.goto(f"{live_server}/du-thao/{slug}")
    assert "Sắp mở" in citizen.locator(".deadline").inner_text()

    # the opening day comes: the state follows the clock, nothing has to run
    later = service.from_vietnam(opens, service.parse_clock("09:00"))
    monkeypatch.setattr("consult.models.utcnow", lambda: later)
    monkeypatch.setattr("consult.consultations.utcnow", lambda: later)
    desk.reload()
    assert desk.locator("#consultation-state").inner_text() == "Đang mở"

    new_day = closes + timedelta(days=15)
    extend_closing(desk, new_day, "Để các bộ, ngành có thêm thời gian góp ý", "Bộ Tư pháp")
    screenshot(desk, "consultation-team-1280")

    citizen.reload()
    history = citizen.locator("#consultation-history").inner_text()
    assert f"Gia hạn đến 17:00 ngày {new_day:%d/%m/%Y} theo đề nghị của Bộ Tư pháp" in history
    citizen.locator("a[href$='/dieu-2']").first.click()
    citizen.get_by_role("textbox", name="Ý kiến của bạn").fill("Đề nghị bổ sung quỹ tín dụng nhân dân.")
    citizen.get_by_role("button", name="Thêm vào danh sách góp ý của tôi").click()
    citizen.get_by_label("Đối tượng").select_option("citizen")
    citizen.get_by_label("Tỉnh, thành phố").select_option("01")
    citizen.get_by_label("Tôi đồng ý").check()
    citizen.get_by_role("button", name=re.compile("Gửi 1 ý kiến")).click()
    assert re.fullmatch(r"GY(?:-[0-9A-Z]{4}){4}", citizen.locator(".receipt-code").inner_text())
    citizen.goto(f"{live_server}/du-thao/{slug}")
    screenshot(citizen, "consultation-public-360")
