"""In a real browser: citizens answer the demo survey down two branches; an organisation
opens its invitation, saves, leaves, comes back, uploads a PDF and submits."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from consult.demo import load_demo
from consult.extensions import db
from surveys import invitations
from surveys.demo import CITIZEN_SLUG, ORGANISATION_SLUG
from surveys.models import Invitation, Survey
from tests.browser.conftest import screenshot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def start_citizen(page, live_server):
    page.goto(live_server + "/khao-sat/?lang=en")
    page.get_by_role("link", name=re.compile("Citizens' views")).click()
    page.get_by_role("button", name="Start the survey").click()


def test_a_cooperative_member_answers_the_demo_survey(app, live_server, page_at):
    load_demo(admin_password="mat-khau-demo-123")
    page = page_at(360)
    start_citizen(page, live_server)
    expect(page.get_by_text("Page 1 of 4")).to_be_visible()
    page.get_by_label("Cooperative member").check()
    page.get_by_label(re.compile("Which province")).select_option(label="Thái Bình")
    screenshot(page, "survey-page1-360")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Your cooperative")).to_be_visible()
    page.get_by_label("Fishery").check()
    members = page.get_by_label(re.compile("How many members"))
    members.fill("3")
    members.blur()
    expect(page.get_by_text("A cooperative needs at least 5 members.").first).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#error-summary")).to_be_visible()  # the server agrees and says so
    screenshot(page, "survey-error-360")
    page.get_by_label(re.compile("How many members")).fill("1.200")
    page.get_by_label(re.compile("Very satisfied")).check()
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Page 3 of 4")).to_be_visible()
    page.locator("#box-policy_support").get_by_label(re.compile("Strongly agree")).check()
    page.locator("#box-policy_membership").get_by_label("3", exact=True).check()
    for rank, item in enumerate(["Access to credit", "Training", "Markets and trade promotion",
                                 "Technology, digital transformation"], start=1):
        page.get_by_label(item).select_option(str(rank))
    screenshot(page, "survey-policies-360")
    page.get_by_role("button", name="Next").click()

    expect(page.locator("#box-why_disagree")).to_be_hidden()  # support was rated 5
    page.get_by_label(re.compile("Any other comment")).fill("Đề nghị hỗ trợ hợp tác xã thủy sản.")
    page.get_by_role("button", name="Review my answers").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    review = page.locator("main").inner_text()
    assert "Fishery" in review and "1,200" in review and "Thái Bình" in review
    screenshot(page, "survey-review-360")
    page.get_by_role("button", name="Submit my answers").click()
    code = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"KS(?:-[0-9A-Z]{4}){4}", code)
    # the whole code is readable on a phone: it never runs out of its box (it did at 1.4rem)
    assert page.locator("#receipt-code").evaluate("el => el.scrollWidth <= el.clientWidth")
    screenshot(page, "survey-receipt-360")


def test_a_citizen_outside_cooperatives_takes_the_other_branch(app, live_server, page_at):
    load_demo(admin_password="mat-khau-demo-123")
    page = page_at(1280, 900)
    start_citizen(page, live_server)
    page.get_by_label("Citizen", exact=True).check()
    page.get_by_label(re.compile("Which province")).select_option(label="Cần Thơ")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Joining a cooperative")).to_be_visible()
    barriers = page.locator("#box-barriers")
    expect(barriers).to_be_hidden()
    page.get_by_label("No", exact=True).check()
    expect(barriers).to_be_visible()  # shown at once, in the browser
    page.get_by_label("Lack of information").check()
    page.get_by_label("Another reason").check()
    page.get_by_label("Please specify").fill("Ở xa trụ sở hợp tác xã")
    screenshot(page, "survey-joining-1280")
    page.get_by_role("button", name="Next").click()

    page.locator("#box-policy_support").get_by_label(re.compile("Strongly disagree")).check()
    page.get_by_role("button", name="Next").click()
    why = page.get_by_label(re.compile("Why do you not agree"))
    expect(why).to_be_visible()
    why.fill("Thủ tục nhận hỗ trợ quá phức tạp.")
    page.get_by_role("button", name="Save and continue later").click()
    code = page.locator("#resume-code").inner_text()
    screenshot(page, "survey-saved-1280")

    other = page_at(360)
    other.goto(live_server + f"/khao-sat/{CITIZEN_SLUG}/tiep-tuc?lang=en")
    other.get_by_label("Resume code").fill(code.lower())
    other.get_by_role("button", name="Continue").click()
    assert other.get_by_label(re.compile("Why do you not agree")).input_value() == "Thủ tục nhận hỗ trợ quá phức tạp."
    other.get_by_role("button", name="Review my answers").click()
    expect(other.get_by_role("heading", name="Review your answers")).to_be_visible()
    review = other.locator("main").inner_text()
    assert "Ở xa trụ sở hợp tác xã" in review and "Your cooperative" not in review
    other.get_by_role("button", name="Submit my answers").click()
    expect(other.locator("#receipt-code")).to_be_visible()


def _fresh_invitation(app):
    survey = db.session.query(Survey).filter_by(slug=ORGANISATION_SLUG).one()
    invitation = db.session.query(Invitation).filter_by(survey_id=survey.id, status="sent").first()
    token = invitations.demo_link_token(app.config["SECRET_KEY"], invitation)
    return invitation, token


def test_an_organisation_saves_leaves_resumes_and_submits(app, live_server, page_at):
    load_demo(admin_password="mat-khau-demo-123")
    invitation, token = _fresh_invitation(app)
    name = invitation.organisation.name
    link = f"{live_server}/khao-sat/{ORGANISATION_SLUG}/moi/{token}"

    desk = page_at(1280, 900)
    desk.goto(link + "?lang=en")
    expect(desk.get_by_text(name).first).to_be_visible()
    screenshot(desk, "invitation-1280")
    desk.get_by_role("link", name="Start the survey").click()
    desk.get_by_label(re.compile("Unit answering")).fill("Vụ Hợp tác xã")
    desk.get_by_label(re.compile("Number of active cooperatives")).fill("120")
    desk.get_by_label(re.compile("rated good or fair")).fill("150")
    desk.get_by_label(re.compile("Budget for supporting")).fill("12,5")
    desk.get_by_role("button", name="Save and continue later").click()
    expect(desk.locator("#error-summary")).to_contain_text("Cannot exceed the number of active cooperatives.")
    screenshot(desk, "invitation-error-1280")
    desk.get_by_label(re.compile("rated good or fair")).fill("80")
    desk.get_by_role("button", name="Save and continue later").click()
    expect(desk.get_by_role("heading", name="Your answers are saved")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "started"

    phone = page_at(360)  # later, elsewhere, from the same link
    phone.goto(link + "?lang=en")
    phone.get_by_role("link", name="Continue our answers").click()
    assert phone.get_by_label(re.compile("Budget for supporting")).input_value() == "12.5"
    phone.get_by_role("button", name="Next").click()
    for row in ("Support policies", "Cap on legal-entity", "Indivisible assets", "Income distribution"):
        phone.get_by_role("group", name=re.compile(row)).get_by_label("Agree", exact=True).check()
    screenshot(phone, "invitation-matrix-360")
    phone.get_by_role("button", name="Next").click()
    report_date = phone.locator("#box-report_date")
    expect(report_date).to_be_hidden()
    phone.get_by_label(re.compile("Report on the implementation")).set_input_files(
        {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": PDF})
    expect(report_date).to_be_visible()
    phone.get_by_label("Date of the report").fill("2022-03-15")
    phone.get_by_role("button", name="Review my answers").click()
    expect(phone.get_by_role("heading", name="Review your answers")).to_be_visible()
    review = phone.locator("main").inner_text()
    assert "bao-cao.pdf" in review and "15/03/2022" in review
    phone.get_by_role("button", name="Submit my answers").click()
    expect(phone.locator("#receipt-code")).to_be_visible()
    screenshot(phone, "invitation-receipt-360")
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "submitted"
