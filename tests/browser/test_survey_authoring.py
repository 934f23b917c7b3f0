"""In a real browser: the drafting team imports an XLSForm, reads the report, edits a question
with a bad expression, publishes the survey; a citizen then answers it on a phone."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import make_user
from tests.surveys.fixtures.xlsform.build_fixtures import HERE

ADMIN = "/khao-sat/quan-tri"


def log_in(page, live_server, user):
    page.goto(live_server + "/dang-nhap?lang=en")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("mat-khau-dai-123")
    page.get_by_role("button", name="Log in").click()


def test_import_publish_and_answer_an_xlsform(app, live_server, page_at):
    drafter = make_user("drafter", email="bansoanthao@example.vn")
    desk = page_at(1280, 900)
    log_in(desk, live_server, drafter)
    desk.goto(live_server + ADMIN + "/")
    desk.get_by_role("link", name="Import an XLSForm").click()

    desk.get_by_label(re.compile("Questionnaire file")).set_input_files(str(HERE / "errors.xlsx"))
    desk.get_by_role("button", name="Import").click()
    # one bad item no longer refuses the form: each is dropped with its own line in the report
    report = desk.locator("table.import-report")
    expect(report).to_contain_text("tuoi_cua_ban")
    expect(report).to_contain_text("tuoi_2")
    screenshot(desk, "xlsform-import-errors-1280")
    desk.goto(live_server + ADMIN + "/")
    desk.get_by_role("link", name="Import an XLSForm").click()

    desk.get_by_label(re.compile("Questionnaire file")).set_input_files(str(HERE / "short.xlsx"))
    desk.get_by_role("button", name="Import").click()
    expect(desk.get_by_role("heading", name="Import report")).to_be_visible()
    expect(desk.locator("table.import-report")).to_contain_text("Imported as a page.")
    screenshot(desk, "xlsform-import-report-1280")

    desk.get_by_role("link", name="Check the questions").click()
    expect(desk.get_by_role("heading", name="Ý kiến nhanh về dự thảo")).to_be_visible()
    screenshot(desk, "survey-author-1280")
    desk.get_by_role("link", name="How far do you agree with the draft?").click()
    desk.get_by_label("Show only if (optional)").fill("${doi_tuong = 'thanh_vien'")
    desk.get_by_role("button", name="Save the question").click()
    expect(desk.locator(".error-summary")).to_be_visible()
    expect(desk.get_by_label("Show only if (optional)")).to_have_value("${doi_tuong = 'thanh_vien'")
    screenshot(desk, "survey-question-error-1280")
    desk.get_by_label("Show only if (optional)").fill("")
    desk.get_by_role("button", name="Save the question").click()
    expect(desk.get_by_text("The question was saved.")).to_be_visible()

    desk.get_by_role("link", name="Questions", exact=True).click()
    desk.get_by_role("button", name="Publish").click()
    expect(desk.get_by_text("The survey is now: Published.")).to_be_visible()
    link = desk.locator("a[href^='/khao-sat/y-kien-nhanh']").first.get_attribute("href")

    phone = page_at(360)
    log_in(phone, live_server, drafter)
    phone.goto(live_server + ADMIN + "/")
    phone.get_by_role("link", name="Ý kiến nhanh về dự thảo").click()
    screenshot(phone, "survey-author-360")
    phone.get_by_role("link", name="Preview").click()
    expect(phone.locator("#box-doi_tuong")).to_be_visible()
    screenshot(phone, "survey-preview-360")

    citizen = page_at(360)
    citizen.goto(live_server + link + "?lang=en")
    citizen.get_by_role("button", name="Start the survey").click()
    citizen.get_by_label("Cooperative member").check()
    years = citizen.get_by_label(re.compile("Years in a cooperative"))
    expect(years).to_be_visible()
    years.fill("12")
    citizen.get_by_role("button", name="Next").click()
    citizen.locator("#box-dong_y").get_by_label(re.compile("Strongly agree")).check()
    citizen.get_by_label(re.compile("Your proposal")).fill("Đề nghị làm rõ quyền của thành viên.")
    screenshot(citizen, "xlsform-survey-answer-360")
    citizen.get_by_role("button", name="Review my answers").click()
    citizen.get_by_role("button", name="Submit my answers").click()
    assert re.fullmatch(r"KS(?:-[0-9A-Z]{4}){4}", citizen.locator("#receipt-code").inner_text())
    screenshot(citizen, "xlsform-survey-receipt-360")


def test_follow_and_remind_the_invited_organisations(app, live_server, page_at):
    from consult.demo import load_demo
    from surveys.demo import ORGANISATION_SLUG

    from consult.extensions import db
    from surveys.models import Survey

    load_demo(admin_password="mat-khau-demo-123")
    survey_id = db.session.query(Survey.id).filter_by(slug=ORGANISATION_SLUG).scalar()
    drafter = make_user("drafter", email="bansoanthao@example.vn")
    for width in (1280, 360):
        desk = page_at(width, 900)
        log_in(desk, live_server, drafter)
        desk.goto(live_server + f"{ADMIN}/{survey_id}")
        desk.get_by_role("link", name="Invitations").first.click()
        expect(desk.get_by_role("heading", name="Invitations", exact=True)).to_be_visible()
        screenshot(desk, f"survey-invitations-{width}")
        desk.screenshot(path=str(screenshot(desk, f"survey-invitations-{width}").with_name(
            f"survey-invitations-{width}-top.png")))  # the first screen only
    desk.get_by_role("button", name=re.compile("^New link for")).first.click()
    expect(desk.locator("#replaced-link")).to_be_visible()
    assert ORGANISATION_SLUG in desk.locator("#replaced-link + p code").inner_text()
