"""In a real browser: the administrator gives an article to a drafter; the drafter finds it in
"my queue", reuses an earlier decision on a near-identical opinion (outcome, reason and new
wording pre-filled) and records it; once the answers are published the public page quotes the
new wording; the Word report is prepared in the background and downloaded."""
from __future__ import annotations

import io

from docx import Document

from consult import decisions
from consult.extensions import db
from tests.browser.conftest import screenshot
from tests.browser.test_decisions import log_in
from tests.consult.decision_factories import comment
from tests.consult.test_workload import threading_event_block
from tests.factories import make_consultation, make_user

EARLIER = "Đề nghị bỏ quy định về mức góp vốn tối thiểu của thành viên hợp tác xã."
NEAR = "Đề nghị bỏ quy định về mức góp vốn tối thiểu của thành viên hợp tác xã!!"
REASON = "Mức góp tối thiểu bảo đảm trách nhiệm của thành viên."
WORDING = "Khoản 2. Mức góp vốn tối thiểu do điều lệ hợp tác xã quy định."


def test_assign_queue_reuse_publish_and_report(app, live_server, page_at, monkeypatch, tmp_path):
    from analysis import export_jobs

    app.config.update(EXPORT_DIR=str(tmp_path / "exports"), REDIS_URL=None)
    monkeypatch.setattr(export_jobs, "SYNTHESIS_INPROCESS_LIMIT", 0)  # always in the background
    consultation = make_consultation()
    admin = make_user("admin", email="quantri@example.vn")
    drafter = make_user("drafter", email="chuyenvien@example.vn")
    drafter.name = "Chuyên viên Lan"
    earlier = comment(consultation, "dieu-4", EARLIER)
    decisions.decide([earlier], "explained", REASON, admin, new_wording=WORDING)
    near = comment(consultation, "dieu-3", NEAR)
    other = comment(consultation, "dieu-3", "Điều 3 cần định nghĩa rõ thành viên liên kết.")
    db.session.commit()
    base = f"{live_server}/quan-tri/xu-ly/{consultation.slug}"

    # The administrator gives Điều 3 to the drafter.
    desk = page_at(1280, 900)
    log_in(desk, live_server, admin.email)
    desk.goto(f"{base}/dieu-3")
    desk.locator("#article-assignee").select_option(label="Chuyên viên Lan")
    desk.locator("#assign-article-button").click()
    assert desk.locator(".flash-success").is_visible()
    assert desk.locator("#article-owner").get_attribute("data-user") == str(drafter.id)
    assert "Chuyên viên Lan" in desk.locator("#article-owner").inner_text()
    screenshot(desk, "workload-assigned-1280")

    # The drafter opens "my queue", then the article's undecided opinions.
    work = page_at(1280, 900)
    log_in(work, live_server, drafter.email)
    work.goto(f"{live_server}/quan-tri/xu-ly/cua-toi")
    line = work.locator(f".queue-line[data-slug='{consultation.slug}'][data-anchor='dieu-3']")
    assert line.get_attribute("data-undecided") == "2"
    assert work.locator("#queue-total").get_attribute("data-total") == "2"
    screenshot(work, "workload-queue-1280")
    line.locator("a").click()
    offer = work.locator(f"#similar-c{near.id} .similar-decision")
    assert offer.count() == 1 and offer.get_attribute("data-why") == "text"
    assert REASON in offer.inner_text()
    assert work.locator(f"#similar-c{other.id}").count() == 0
    meta = " ".join(work.locator(f"#group-c{near.id} .comment-meta").inner_text().split())
    assert meta.endswith("Hà Nội · Giao cho Chuyên viên Lan"), meta  # separated, nothing dangling
    screenshot(work, "workload-similar-1280")

    # Reusing fills the form; the drafter records it as it is.
    offer.locator("a.reuse").click()
    assert work.locator("#outcome-explained").is_checked()
    assert work.locator("#reason").input_value() == REASON
    assert work.locator("#new_wording").input_value() == WORDING
    assert work.locator(f"#select-c{near.id}").is_checked()
    assert not work.locator(f"#select-c{other.id}").is_checked()
    assert work.locator("#decide").is_visible()
    screenshot(work, "workload-reuse-filled-1280")
    work.locator("#record").click()
    assert work.locator(".flash-success").is_visible()
    assert work.locator("#counts").get_attribute("data-decided") == "1"
    screenshot(work, "workload-recorded-1280")
    # The queue's link shows undecided opinions only: the decided one leaves the list.
    assert work.locator(f"#group-c{near.id}").count() == 0 and work.locator(f"#group-c{other.id}").count() == 1
    work.locator("nav.tabs a").first.click()
    assert WORDING in work.locator(f"#group-c{near.id} .current").inner_text()
    db.session.expire_all()
    db.session.refresh(near)
    assert near.decision_id is not None and near.decision_id != earlier.decision_id
    work.goto(f"{live_server}/quan-tri/xu-ly/cua-toi")
    assert work.locator(".queue-line[data-anchor='dieu-3']").get_attribute("data-undecided") == "1"

    # The answers are published: the public page quotes the new wording.
    work.goto(base)
    work.locator("#publish-answers").click()
    assert work.locator(".flash-success").is_visible()
    public = page_at(360)
    public.goto(f"{live_server}/du-thao/{consultation.slug}/tiep-thu-giai-trinh")
    wordings = public.locator(".new-wording")
    assert wordings.count() == 2 and all(WORDING in text for text in wordings.all_inner_texts())
    assert public.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    screenshot(public, "workload-public-answers-360")

    # The Word report: prepared in the background, the page reloads until it is ready.
    gate = threading_event_block(monkeypatch)  # the build waits until the page was seen preparing
    work.goto(f"{base}/bao-cao")
    work.locator("#prepare-report").click()
    assert work.url.endswith("#export-1") and work.locator("#report-progress").is_visible()
    screenshot(work, "workload-report-preparing-1280")
    gate.set()
    # The page reloads by itself: its <meta> refresh names the URL without "#export-1" (a
    # refresh to the URL with the fragment only scrolled, and the page said "waiting" forever).
    work.locator("#reports tr[data-export-status='done']").wait_for(timeout=30_000)
    assert work.locator("#report-progress").count() == 0
    screenshot(work, "workload-report-ready-1280")
    with work.expect_download() as waiting:
        work.locator(".report-download").first.click()
    download = waiting.value
    assert download.suggested_filename.endswith(".docx")
    word = Document(io.BytesIO(open(download.path(), "rb").read()))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert sum(1 for cell in cells if WORDING in cell) == 2
    assert any(NEAR in cell for cell in cells)
