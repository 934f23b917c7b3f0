"""Keyboard only: a citizen comments, a citizen answers the survey down a branch past an
error, an officer prepares and sends the formal letter, without touching a mouse. Every
control is reached with Tab and shows a visible focus ring when it is."""
from __future__ import annotations

import re

from consult.demo import DEMO_SLUG, load_demo
from consult.extensions import db
from consult.models import Organisation
from consult.submissions import officers
from consult.submissions.demo import sample_letter_pdf
from tests.browser.conftest import screenshot

PASSWORD = "mat-khau-dai-123"
_FOCUSED = "s => document.activeElement && document.activeElement.matches(s)"
_RING = """() => { const s = getComputedStyle(document.activeElement);
  return s.boxShadow !== 'none' || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2); }"""


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until ``selector`` has the focus; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(_FOCUSED, selector):
            assert page.evaluate(_RING), f"{selector} has focus but no visible ring"
            return
    raise AssertionError(f"{selector} is never reached with Tab")


def press_and_wait(page, key: str) -> None:
    """Press a key that sends a form and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def choose_with_arrows(page, selector: str, value: str, limit: int = 70) -> None:
    """With the focus on a select or a radio group, arrow down until ``value`` is chosen."""
    for _ in range(limit):
        if page.evaluate("s => document.querySelector(s + ':checked, ' + s + ' option:checked')"
                         " ?.value", selector) == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached with the arrow keys in {selector}")


def test_a_citizen_comments_with_the_keyboard_only(app, live_server, page_at):
    load_demo(admin_password=PASSWORD)
    page = page_at(360)
    page.goto(f"{live_server}/du-thao/{DEMO_SLUG}/dieu-5")
    tab_to(page, "#body")
    page.keyboard.type("Đề nghị quy định rõ điều kiện góp vốn tối thiểu.")
    tab_to(page, "#your-opinion button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("gop-y-cua-ban"))
    tab_to(page, "#respondent_type")
    choose_with_arrows(page, "#respondent_type", "coop_member")
    tab_to(page, "#province")
    choose_with_arrows(page, "#province", "01")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, ".profile-form button[type=submit]")
    press_and_wait(page, "Enter")
    assert page.locator(".receipt-code").count() == 1
    assert "#" not in page.url
    screenshot(page, "keyboard-comment-receipt-360")


def test_a_citizen_answers_the_survey_with_the_keyboard_past_an_error(app, live_server, page_at):
    load_demo(admin_password=PASSWORD)
    page = page_at(360)
    page.goto(f"{live_server}/khao-sat/y-kien-nguoi-dan-luat-htx")
    tab_to(page, "form.inline-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/trang/1"))
    tab_to(page, "input[name=q-respondent_type]")
    page.keyboard.press("Space")
    choose_with_arrows(page, "input[name=q-respondent_type]", "coop_member")
    tab_to(page, "#q-province")
    choose_with_arrows(page, "#q-province", "34")
    tab_to(page, "form button[type=submit][name=action][value=next], form button.button-next, "
                 "form button[type=submit]:not(.link-button)")
    press_and_wait(page, "Enter")
    # the cooperative branch; its required sector is left empty: the server says so
    assert page.locator("#q-coop_sector").count() == 1
    tab_to(page, "form button[type=submit]:not(.link-button)")
    press_and_wait(page, "Enter")
    assert page.locator(".error-summary").count() == 1
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    tab_to(page, "input[name=q-coop_sector]")
    page.keyboard.press("Space")
    assert page.evaluate("() => !!document.querySelector('input[name=q-coop_sector]:checked')")
    screenshot(page, "keyboard-survey-branch-360")


def test_an_officer_sends_the_letter_with_the_keyboard_only(app, live_server, page_at, tmp_path):
    load_demo(admin_password=PASSWORD)
    ministry = db.session.query(Organisation).filter_by(code="BNV").one()
    officers.create_officer("canbo@bnv.gov.vn", "Cán bộ Bộ Nội vụ", ministry, PASSWORD, None)
    db.session.commit()
    pdf = tmp_path / "cong-van.pdf"
    pdf.write_bytes(sample_letter_pdf("Bo Noi vu - 789/BNV-PC"))
    page = page_at(1280, 900)
    page.goto(f"{live_server}/dang-nhap?next=/co-quan/")
    tab_to(page, "#email")
    page.keyboard.type("canbo@bnv.gov.vn")
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_and_wait(page, "Enter")
    assert "/dang-nhap" not in page.url
    tab_to(page, "main a.button")
    press_and_wait(page, "Enter")
    for selector, text in (("#letter_number", "789/BNV-PC"), ("#signer_name", "Vũ Thị Lan"),
                           ("#signer_title", "Thứ trưởng")):
        tab_to(page, selector)
        page.keyboard.type(text)
    page.locator("#letter_date").fill("2022-09-05")  # the date picker's own keys vary by locale
    tab_to(page, "#letter button[type=submit]")
    press_and_wait(page, "Enter")
    tab_to(page, "#document")  # reached by keyboard; the file dialog itself is the system's
    page.locator("#document").set_input_files(str(pdf))
    tab_to(page, "#attachment button[type=submit]")
    press_and_wait(page, "Enter")
    tab_to(page, "#article")
    choose_with_arrows(page, "#article", "dieu-8")
    tab_to(page, "#body")
    page.keyboard.type("Đề nghị bổ sung điều kiện về năng lực hành vi dân sự.")
    tab_to(page, "#opinions form.comment-box button[type=submit]")
    press_and_wait(page, "Enter")
    assert page.locator("#opinions .comment").count() == 1
    tab_to(page, "#submit button[type=submit]")
    press_and_wait(page, "Enter")
    assert page.locator(".receipt-code").count() == 1
    screenshot(page, "keyboard-letter-receipt-1280")
