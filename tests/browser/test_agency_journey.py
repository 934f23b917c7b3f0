"""Issue 11 in one real browser journey, with no command line: the platform administrator
gives a new drafting agency (Bộ Tư pháp) its team; the new drafter creates a consultation on a
decree, imports its text from a Word file numbered by Word, reads the parse report, publishes
the tờ trình in the dossier and schedules the consultation; citizens see it coming, then open
on its day with the time left; the drafter extends it at a ministry's request, a citizen
comments and gets a receipt, the drafter closes it early; the public page says so at each step.
Alongside, the demo's law consultation of another agency (BKHDT) stays out of the drafter's
reach: 404 on its team pages, absent from the team's lists."""
from __future__ import annotations

import re
from datetime import timedelta

import docx
from sqlalchemy import select

from consult import consultations as service
from consult.demo import DEMO_ADMIN_EMAIL, DEMO_SLUG, load_demo
from consult.extensions import db
from consult.models import AuditEvent, Consultation, utcnow
from tests.browser.conftest import ARTIFACTS, extend_closing, move_clock, screenshot
from tests.consult.word_builders import numbered_docx

PASSWORD = "mat-khau-quan-tri-123"
DRAFTER = "chuyenvien.vbpl@moj.example.vn"
TITLE = "Dự thảo Nghị định quy định chi tiết Luật Trợ giúp pháp lý"
SLUG = "du-thao-nghi-dinh-quy-dinh-chi-tiet-luat-tro-giup-phap-ly"
#: Typed as a drafter would; ``numbered_docx`` removes the typed "Chương I", "Điều 1." and "1."
#: and lets Word's automatic numbering draw them, so the import must compute them back.
DECREE = """CHÍNH PHỦ
NGHỊ ĐỊNH
Quy định chi tiết một số điều của Luật Trợ giúp pháp lý
Căn cứ Luật Tổ chức Chính phủ;
Căn cứ Luật Trợ giúp pháp lý;
Theo đề nghị của Bộ trưởng Bộ Tư pháp;
Chính phủ ban hành Nghị định quy định chi tiết một số điều của Luật Trợ giúp pháp lý.
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Nghị định này quy định chi tiết về người được trợ giúp pháp lý và tổ chức thực hiện trợ giúp pháp lý.
Điều 2. Đối tượng áp dụng
1. Người được trợ giúp pháp lý.
2. Trợ giúp viên pháp lý, luật sư thực hiện trợ giúp pháp lý.
3. Cơ quan, tổ chức, cá nhân có liên quan.
Chương II
NGƯỜI ĐƯỢC TRỢ GIÚP PHÁP LÝ
Điều 3. Người có khó khăn về tài chính
1. Người thuộc hộ cận nghèo.
2. Người đang hưởng trợ cấp xã hội hằng tháng.
Điều 4. Hiệu lực thi hành
Nghị định này có hiệu lực thi hành từ ngày ký ban hành.
"""


def submission_docx(path) -> None:
    """The tờ trình that goes with the draft, as a Word file."""
    document = docx.Document()
    for line in ("BỘ TƯ PHÁP", "TỜ TRÌNH",
                 "Về dự thảo Nghị định quy định chi tiết một số điều của Luật Trợ giúp pháp lý",
                 "Kính gửi: Chính phủ.",
                 "Thực hiện Chương trình công tác năm 2026, Bộ Tư pháp đã chủ trì xây dựng dự thảo Nghị định."):
        document.add_paragraph(line)
    document.save(path)


def screen(page, name: str) -> None:
    """The whole page, and what a phone shows first (the full page is too long to read)."""
    screenshot(page, name)
    page.screenshot(path=str(ARTIFACTS / f"{name}-top.png"))


def log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/dang-nhap")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()


def audited(action_prefix: str) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like(action_prefix + "%"))))


def test_a_new_agency_team_runs_its_own_decree_consultation(app, live_server, page_at, tmp_path, monkeypatch):
    load_demo(admin_password=PASSWORD)
    word = tmp_path / "Dự thảo Nghị định TGPL.docx"
    word.write_bytes(numbered_docx(DECREE))
    submission = tmp_path / "To trinh Nghi dinh TGPL.docx"
    submission_docx(submission)
    today = service.to_vietnam(utcnow()).date()
    opens, closes = today + timedelta(days=2), today + timedelta(days=2 + 60)
    base = live_server

    # 1. The platform administrator gives Bộ Tư pháp its first drafter.
    admin = page_at(1280, 900)
    log_in(admin, base, DEMO_ADMIN_EMAIL, PASSWORD)
    admin.goto(base + "/quan-tri/")
    admin.locator("nav.admin-nav").get_by_role("link", name="Tổ soạn thảo của các cơ quan").click()
    admin.get_by_label("Cơ quan chủ trì soạn thảo").select_option(label="Bộ Tư pháp (BTP)")
    admin.get_by_label("E-mail").fill(DRAFTER)
    admin.get_by_label("Họ và tên").fill("Nguyễn Thị Minh")
    admin.get_by_label("Vai trò").select_option("drafter")
    admin.get_by_role("button", name="Tạo tài khoản").click()
    one_time = admin.get_by_label("Mật khẩu dùng một lần").input_value()
    assert len(one_time) >= 12
    assert DRAFTER in admin.locator("#members").locator("xpath=following::table[1]").inner_text()
    screenshot(admin, "journey-01-admin-team-1280")

    # 2. The new drafter logs in with it and creates the consultation.
    desk = page_at(1280, 900)
    log_in(desk, base, DRAFTER, one_time)
    desk.goto(base + "/quan-tri/")
    assert desk.locator("#signed-in-as").inner_text() == \
        "Đã đăng nhập với tên Nguyễn Thị Minh (Thành viên Ban soạn thảo, Bộ Tư pháp)."
    desk.locator("nav.admin-nav").get_by_role("link", name="Các đợt lấy ý kiến").click()
    listing = desk.locator("#consultation-list").inner_text()
    assert "Luật Hợp tác xã (sửa đổi)" not in listing  # another agency's (BKHDT) is not listed
    desk.get_by_role("link", name="Tạo đợt lấy ý kiến mới").click()
    agency = desk.get_by_label("Cơ quan chủ trì soạn thảo")
    assert agency.locator("option").all_inner_texts() == ["— chọn —", "Bộ Tư pháp"] or \
        "Bộ Tư pháp" in agency.inner_text()
    desk.get_by_label("Tiêu đề").fill(TITLE)
    desk.get_by_label("Loại văn bản").select_option("decree")
    desk.get_by_label("Tóm tắt").fill("Bộ Tư pháp lấy ý kiến về dự thảo Nghị định hướng dẫn Luật Trợ giúp pháp lý.")
    desk.locator("#opens_on").fill(opens.isoformat())
    desk.locator("#opens_time").fill("08:00")
    desk.locator("#closes_on").fill(closes.isoformat())
    desk.locator("#closes_time").fill("17:00")
    desk.get_by_role("button", name="Tạo đợt lấy ý kiến").click()
    assert "Đã tạo đợt lấy ý kiến" in desk.content()
    assert desk.locator("#consultation-state").inner_text() == "Chưa công bố"
    team_url = desk.url

    # its text from Word, and the parse report
    desk.locator("#import-draft").click()
    desk.locator("main input[type=file]").set_input_files(str(word))
    desk.locator("main form button[type=submit]").click()
    counts = desk.locator("#parse-counts").inner_text()
    assert re.search(r"Điều\s+4\s+4", counts), counts  # 4 articles, all numbered by Word
    assert desk.locator("#word-notes").is_visible()
    screenshot(desk, "journey-02-parse-report-1280")
    if desk.locator("#acknowledge-warnings").count():
        desk.locator("#acknowledge-warnings button").click()
    desk.get_by_role("link", name="Quay lại đợt lấy ý kiến").click()

    # the dossier: the tờ trình
    desk.locator("#dossier-link").click()
    desk.locator("#kind").select_option("submission")
    desk.locator("#title").fill("Tờ trình số 45/TTr-BTP")
    desk.locator("#them ~ form input[type=file]").set_input_files(str(submission))
    desk.get_by_role("button", name="Đăng vào hồ sơ").click()
    assert "Tài liệu đã được đăng vào hồ sơ dự thảo." in desk.content()
    screenshot(desk, "journey-03-dossier-1280")
    desk.get_by_role("link", name="Quay lại đợt lấy ý kiến").click()
    assert "1 tài liệu" in desk.locator("main").inner_text()

    # published, scheduled to open in two days
    desk.get_by_label("Lý do (được công khai)").fill("Lấy ý kiến rộng rãi theo Luật Ban hành văn bản quy phạm pháp luật")
    desk.locator("#publish").click()
    assert desk.locator("#consultation-state").inner_text() == "Sắp mở"
    screenshot(desk, "journey-04-team-scheduled-1280")

    citizen = page_at(360)
    citizen.goto(base + "/")
    upcoming = citizen.locator("section[aria-labelledby=upcoming-title]")
    assert TITLE in upcoming.inner_text() and re.search(r"Mở sau [12] ngày", upcoming.inner_text())
    assert TITLE not in citizen.locator("section[aria-labelledby=open-title]").inner_text()
    screenshot(citizen, "journey-05-home-upcoming-360")
    citizen.goto(base + "/tham-van?loai=decree")
    card = citizen.locator(".consultation-card", has_text=TITLE)
    assert "Sắp mở" in card.inner_text() and "Bộ Tư pháp" in card.inner_text()
    card.get_by_role("link", name=TITLE).click()
    assert "Sắp mở" in citizen.locator(".deadline").inner_text()
    assert citizen.locator(".consultation-by").inner_text() == "Nghị định · Cơ quan chủ trì soạn thảo: Bộ Tư pháp"
    assert "hướng dẫn Luật Trợ giúp pháp lý" in citizen.locator(".consultation-summary").inner_text()
    # not open yet: the articles are there to read, not yet to comment on
    assert citizen.get_by_role("link", name="Xem Điều 1 và các góp ý").is_visible()
    assert citizen.get_by_role("link", name="Góp ý Điều 1").count() == 0
    dossier = citizen.locator("section.dossier")
    assert "Tờ trình số 45/TTr-BTP" in dossier.inner_text() and "Word" in dossier.inner_text()
    screen(citizen, "journey-06-public-scheduled-360")

    # 3. The opening day comes: nothing has to run, the state follows the clock.
    move_clock(monkeypatch, service.from_vietnam(opens, service.parse_clock("09:30")))
    citizen.goto(base + "/")
    open_now = citizen.locator("section[aria-labelledby=open-title]")
    assert TITLE in open_now.inner_text() and "Còn 60 ngày" in open_now.inner_text()
    citizen.goto(f"{base}/du-thao/{SLUG}")
    assert "Đang mở" in citizen.locator(".deadline").inner_text() or \
        "Đang lấy ý kiến" in citizen.locator(".deadline").inner_text()
    assert "Còn 60 ngày" in citizen.locator(".time-left").inner_text()
    desk.goto(team_url)
    assert desk.locator("#consultation-state").inner_text() == "Đang mở"

    # extended at the request of another ministry
    new_day = closes + timedelta(days=15)
    extend_closing(desk, new_day, "Để các bộ, ngành, địa phương có thêm thời gian góp ý", "Bộ Nội vụ")
    citizen.reload()
    history = citizen.locator("#consultation-history").inner_text()
    assert f"09:30 {opens:%d/%m/%Y} · Gia hạn đến 17:00 ngày {new_day:%d/%m/%Y} theo đề nghị của Bộ Nội vụ" in history
    assert "Còn 75 ngày" in citizen.locator(".time-left").inner_text()
    screen(citizen, "journey-07-public-extended-360")

    # a citizen comments on Article 3 and gets a receipt
    citizen.get_by_role("link", name="Góp ý Điều 3").click()
    citizen.get_by_role("textbox", name="Ý kiến của bạn").fill(
        "Đề nghị bổ sung người khuyết tật có khó khăn về tài chính vào khoản 2.")
    citizen.get_by_role("button", name="Thêm vào danh sách góp ý của tôi").click()
    citizen.get_by_label("Đối tượng").select_option("citizen")
    citizen.get_by_label("Tỉnh, thành phố").select_option("01")
    citizen.get_by_label("Tôi đồng ý").check()
    citizen.get_by_role("button", name=re.compile("Gửi 1 ý kiến")).click()
    receipt = citizen.locator(".receipt-code").inner_text()
    assert re.fullmatch(r"GY(?:-[0-9A-Z]{4}){4}", receipt)
    screenshot(citizen, "journey-08-receipt-360")

    # closed early, with a reason
    move_clock(monkeypatch, service.from_vietnam(opens + timedelta(days=20), service.parse_clock("10:00")))
    desk.goto(team_url)
    desk.get_by_label("Lý do (được công khai)").fill("Đã nhận đủ ý kiến của các đối tượng chịu tác động")
    desk.locator("#close").click()
    assert "Đợt lấy ý kiến đã kết thúc." in desk.content()
    assert desk.locator("#consultation-state").inner_text() == "Đã kết thúc"
    assert "Ngắn hơn thời gian tối thiểu" not in desk.locator("main").inner_text()  # 60 days were planned
    screenshot(desk, "journey-09-team-closed-1280")
    citizen.goto(f"{base}/du-thao/{SLUG}")
    assert "Đã kết thúc" in citizen.locator(".deadline").inner_text()
    history = citizen.locator("#consultation-history").inner_text()
    closed_on = opens + timedelta(days=20)
    assert f"10:00 {closed_on:%d/%m/%Y} · Kết thúc sớm. Lý do: Đã nhận đủ ý kiến của các đối tượng chịu tác động" in history
    assert f"Đã kết thúc ngày {closed_on:%d/%m/%Y}" in citizen.locator(".time-left").inner_text()
    assert citizen.get_by_role("link", name="Xem Điều 3 và các góp ý").is_visible()
    screen(citizen, "journey-10-public-closed-360")
    citizen.goto(base + "/")
    assert TITLE in citizen.locator("section[aria-labelledby=closed-title]").inner_text()

    # every state change is in the audit trail
    actions = audited("consultation.")
    for step in ("consultation.create", "consultation.published", "consultation.extended", "consultation.closed"):
        assert step in actions, actions

    # 4. The demo's law consultation (BKHDT) is out of this team's reach, even by its address.
    demo = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    for path in (f"/quan-tri/tham-van/{demo.id}", f"/quan-tri/tham-van/{demo.id}/sua",
                 f"/quan-tri/tham-van/{DEMO_SLUG}/ho-so", f"/quan-tri/xu-ly/{DEMO_SLUG}",
                 f"/quan-tri/du-thao/{demo.draft.id}/nhap", f"/quan-tri/so-lieu/tham-van/{demo.id}"):
        response = desk.goto(base + path)
        assert response.status == 404, path
    for path in ("/quan-tri/tham-van/", "/quan-tri/xu-ly/", "/quan-tri/so-lieu/", "/quan-tri/"):
        desk.goto(base + path)
        listed = desk.locator("main").inner_text()
        assert "Luật Hợp tác xã (sửa đổi)" not in listed and "kinh tế tập thể" not in listed, path  # BKHDT's, BTC's
        assert "Trợ giúp pháp lý" in listed, path
    screenshot(desk, "journey-11-team-overview-1280")
