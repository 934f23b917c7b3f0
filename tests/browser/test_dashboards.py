"""In a real browser: the drafting team reads a survey's results and the consultation overview."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from consult.demo import DEMO_SLUG, load_demo
from consult.extensions import db
from consult.models import Consultation
from tests.analysis.tally_factories import QUESTIONS, make_survey, respond, vn_time
from tests.browser.conftest import screenshot
from tests.factories import make_user

TYPES = ["citizen", "coop_member", "cooperative", "enterprise", "organisation"]
PROVINCES = ["01", "79", "31", "48", "92", "26"]


def fill_survey(consultation) -> int:
    survey = make_survey(QUESTIONS, slug="ket-qua-thu", consultation=consultation)
    rng = random.Random(5)
    for index in range(40):
        view = rng.choice(["tot", "binh_thuong", "chua_tot", "chua_tot"])
        answers = {"q_view": view, "q_multi": rng.sample(["a", "b", "c", "d"], rng.randint(1, 3)),
                   "q_rating": rng.randint(1, 5), "q_int": rng.randint(5, 300),
                   "q_matrix": {"r1": rng.choice(["dong_y", "trung_lap", "khong"]),
                                "r2": rng.choice(["dong_y", "khong"])},
                   "q_rank": rng.sample(["x", "y", "z"], 3), "q_province": rng.choice(PROVINCES),
                   "q_date": date(2020, 1, 1) + timedelta(days=rng.randrange(900))}
        if view == "chua_tot":
            answers["q_cond"] = rng.choice(["yes", "no"])
        respond(survey, answers, respondent_type=rng.choice(TYPES), province_code=rng.choice(PROVINCES),
                submitted_at=vn_time(date(2024, 5, 1) + timedelta(days=index % 9), hour=8 + index % 12))
    return survey.id


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/dang-nhap")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill("mat-khau-dai-123")
    page.get_by_role("button", name="Đăng nhập").click()


def test_results_page_and_overview(app, live_server, page_at):
    load_demo(admin_password="mat-khau-demo-123")
    consultation = db.session.query(Consultation).filter_by(slug=DEMO_SLUG).one()
    survey_id = fill_survey(consultation)
    drafter = make_user("drafter", email="bansoanthao@example.vn")

    desk = page_at(1280, 900)
    log_in(desk, live_server, drafter.email)
    desk.goto(f"{live_server}/quan-tri/so-lieu/khao-sat/{survey_id}")
    assert desk.locator("svg.chart[role=img]").count() >= 8
    assert desk.locator("#h-q_view").is_visible()
    desk.locator("#f-province_code").select_option("79")
    desk.locator(".filters button[type=submit]").click()
    assert "province_code=79" in desk.url  # the filter is in the address, ready to share
    desk.locator("#x-q").select_option("q_view")
    desk.locator("#x-by").select_option("respondent_type")
    desk.locator(".crosstab button[type=submit]").click()
    assert "q=q_view" in desk.url and desk.locator(".crosstab-table").is_visible()
    screenshot(desk, "dashboard-results-1280")

    # The Excel workbook is prepared off the request: the button lands on the Exports page,
    # which lists the file, with the filter kept, ready to download.
    desk.get_by_role("button", name="Phiếu trả lời (Excel)").click()
    assert "/xuat" in desk.url
    row = desk.locator("tr[data-export-status]").first
    assert row.get_attribute("data-export-status") == "done"
    assert "79" in row.inner_text() or "Hồ Chí Minh" in row.inner_text()  # the province filter
    with desk.expect_download() as download:
        row.get_by_role("link", name="Tải về (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    screenshot(desk, "dashboard-exports-1280")

    desk.goto(f"{live_server}/quan-tri/so-lieu/tham-van/{consultation.id}")
    assert desk.locator("ol.ranked li").count() > 3
    screenshot(desk, "dashboard-overview-1280")

    phone = page_at(360)
    log_in(phone, live_server, drafter.email)
    phone.goto(f"{live_server}/quan-tri/so-lieu/khao-sat/{survey_id}?q=q_multi&by=province")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # wide tables scroll inside their box, not the page
    screenshot(phone, "dashboard-results-360")
    phone.goto(f"{live_server}/quan-tri/so-lieu/tham-van/{consultation.id}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "dashboard-overview-360")
