"""Comparing draft versions: the matcher, stored matches the team confirms, the comparison table."""
from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import select

from consult import drafts, versions
from consult.demo import demo_draft_text
from consult.extensions import db
from consult.matching import Item, diff_html, diff_tokens, match_items
from consult.models import AuditEvent, DraftVersion, ProvisionMatch
from tests.consult.version_texts import demo_version_2
from tests.factories import login, make_consultation, make_user


# --- the matcher, on plain items ---------------------------------------------------------------

def items(*articles: tuple[str, str, str]) -> list[Item]:
    return [Item(f"{number}", number, title, text) for number, title, text in articles]


BODY_A = "Hợp tác xã được thành lập khi có ít nhất năm thành viên chính thức tự nguyện góp vốn và góp sức"
BODY_B = "Đại hội thành viên là cơ quan có quyền quyết định cao nhất của hợp tác xã và họp thường niên mỗi năm"
BODY_C = "Giám đốc điều hành công việc hằng ngày của hợp tác xã theo hợp đồng lao động với hội đồng quản trị"


def test_an_article_inserted_renumbers_the_rest_and_each_finds_its_own():
    old = items(("1", "Thành lập", BODY_A), ("2", "Đại hội thành viên", BODY_B), ("3", "Giám đốc", BODY_C))
    new = items(("1", "Thành lập", BODY_A), ("2", "Sổ đăng ký", "Hợp tác xã lập sổ đăng ký thành viên điện tử"),
                ("3", "Đại hội thành viên", BODY_B), ("4", "Giám đốc", BODY_C + " mới"))
    found = {(m.old, m.new): m.kind for m in match_items(old, new)}
    assert found == {("1", "1"): "same", ("2", "3"): "moved", ("3", "4"): "moved", (None, "2"): "added"}


def test_merged_split_and_removed_articles():
    old = items(("1", "Thành lập", BODY_A), ("2", "Đại hội", BODY_B), ("3", "Giám đốc", BODY_C),
                ("4", "Kiểm toán", "Hợp tác xã được kiểm toán độc lập khi có yêu cầu của thành viên"))
    new = items(("1", "Thành lập và đại hội", BODY_A + ". " + BODY_B), ("2", "Giám đốc", BODY_C[:60]),
                ("3", "Hợp đồng của giám đốc", BODY_C[55:]))
    kinds = {(m.old, m.new): m.kind for m in match_items(old, new)}
    assert kinds[("1", "1")] == kinds[("2", "1")] == "merged"
    assert kinds[("3", "2")] == kinds[("3", "3")] == "split"
    assert kinds[("4", None)] == "removed"


def test_title_carries_a_rewritten_article():
    old = items(("5", "Quyền của thành viên", BODY_A), ("6", "Nghĩa vụ của thành viên", BODY_B))
    new = items(("7", "Nghĩa vụ của thành viên", "Thành viên phải tuân thủ điều lệ và nghị quyết"),
                ("8", "Quyền của thành viên", "Thành viên được hưởng dịch vụ và chia lãi"))
    found = {m.old: m.new for m in match_items(old, new)}
    assert found == {"5": "8", "6": "7"}


def test_word_diff_works_on_vietnamese_words_and_escapes_html():
    runs = diff_tokens("Thành viên góp vốn <b>", "Thành viên góp thêm vốn <b>")
    assert runs == [("equal", "Thành viên góp"), ("insert", "thêm"), ("equal", "vốn <b>")]
    assert diff_html(runs, "new") == "Thành viên góp <ins>thêm</ins> vốn &lt;b&gt;"
    assert diff_html(runs, "old") == "Thành viên góp vốn &lt;b&gt;"
    changed = diff_tokens("mười hai tháng", "mười hai năm")
    assert ("delete", "tháng") in changed and ("insert", "năm") in changed  # a whole syllable, not "th"


# --- stored matches and the team's pages ---------------------------------------------------------

@pytest.fixture()
def two_versions(app):
    """The demo draft as version 1 (published) and version 2 imported (not published)."""
    consultation = make_consultation(text=demo_draft_text())
    version = drafts.create_version(consultation.draft, demo_version_2(), "v2.txt")
    db.session.commit()
    return consultation, version


def article(version: DraftVersion, number: str):
    return next(p for p in version.provisions if p.kind == "article" and p.number == number)


def test_import_stores_article_clause_and_point_matches(two_versions):
    consultation, version = two_versions
    first = consultation.draft.versions[0]
    targets = versions.article_targets(version)
    assert targets[article(first, "12").id] == [article(version, "13").id]
    assert targets[article(first, "29").id] == []
    assert targets[article(first, "36").id] == targets[article(first, "37").id] == [article(version, "36").id]
    rows = versions.stored_matches(version)
    old_clause = next(p for p in first.provisions if p.anchor == "dieu-12-khoan-3")
    clause_row = next(r for r in rows if r.old_provision_id == old_clause.id)
    assert clause_row.new_provision.anchor == "dieu-13-khoan-3" and clause_row.kind == "changed"
    assert not versions.is_confirmed(version)


@pytest.fixture()
def drafter(client):
    user = make_user("drafter")
    login(client, user)
    return user


def test_the_team_corrects_a_match_and_confirms(client, drafter, two_versions):
    consultation, version = two_versions
    first = consultation.draft.versions[0]
    page = client.get(f"/quan-tri/phien-ban/{version.id}/doi-chieu")
    assert page.status_code == 200
    old_29, old_12 = article(first, "29"), article(first, "12")
    assert f'name="dieu-{old_12.id}" value="13"' in page.text
    form = {f"dieu-{a.id}": value for a in first.provisions if a.kind == "article"
            for value in [", ".join(p.number for p in _targets(version, a.id))]}
    form["csrf_token"] = ""
    form[f"dieu-{old_29.id}"] = "Điều 99"
    refused = client.post(f"/quan-tri/phien-ban/{version.id}/doi-chieu", data=form)
    assert refused.status_code == 422
    assert "Phiên bản 2 không có Điều 99." in refused.text and 'value="Điều 99"' in refused.text
    form[f"dieu-{old_29.id}"] = "30"  # the team says Điều 29 became Điều 30, not removed
    done = client.post(f"/quan-tri/phien-ban/{version.id}/doi-chieu", data=form)
    assert done.status_code == 302
    assert versions.article_targets(version)[old_29.id] == [article(version, "30").id]
    assert versions.is_confirmed(version)
    row = db.session.scalar(select(ProvisionMatch).where(ProvisionMatch.old_provision_id == old_29.id))
    assert row.origin == "team" and row.confirmed_by_id == drafter.id
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "draft_version.matches_confirmed" and event.detail["changed"] == 1


def _targets(version, old_id):
    return [p for p in version.provisions if p.id in versions.article_targets(version)[old_id]]


def test_comparison_page_side_by_side_with_word_changes(client, drafter, two_versions):
    _consultation, version = two_versions
    page = client.get(f"/quan-tri/phien-ban/{version.id}/so-sanh").text
    assert "tiền <ins>đồng</ins> Việt Nam" in page
    assert page.count('class="match-same"') == 17
    changed = client.get(f"/quan-tri/phien-ban/{version.id}/so-sanh?thay-doi=1").text
    assert 'class="match-same"' not in changed and 'class="match-removed"' in changed
    assert "Điều 29. Kiểm toán" in changed and "Điều 12. Sổ đăng ký thành viên" in changed


def test_comparison_table_in_word(client, drafter, two_versions):
    _consultation, version = two_versions
    response = client.get(f"/quan-tri/phien-ban/{version.id}/bang-so-sanh.docx?thay-doi=1")
    assert response.status_code == 200 and "bang-so-sanh-v1-v2.docx" in response.headers["Content-Disposition"]
    table = Document(io.BytesIO(response.data)).tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["Phiên bản 1", "Phiên bản 2", "Ghi chú"]
    notes = [row.cells[2].text for row in table.rows[1:]]
    assert "Bãi bỏ" in notes and "Bổ sung mới" in notes and "Chuyển vị trí, đánh số lại (trước là Điều 12)" in notes
    struck = [run.text.strip() for row in table.rows[1:] for run in row.cells[0].paragraphs[-1].runs if run.font.strike]
    assert struck  # removed words are struck through in the old column


def test_publishing_confirms_the_suggestion(two_versions):
    _consultation, version = two_versions
    drafts.publish_version(version)
    db.session.commit()
    assert versions.is_confirmed(version)


def test_comparison_with_the_law_in_force(client, drafter):
    consultation = make_consultation(text=demo_version_2())
    law = demo_draft_text().encode("utf-8")
    page = client.get(f"/quan-tri/du-thao/{consultation.draft.id}/luat-hien-hanh")
    assert page.status_code == 200
    bad = client.post(f"/quan-tri/du-thao/{consultation.draft.id}/luat-hien-hanh",
                      data={"document": (io.BytesIO(b"khong co dieu nao"), "luat.txt")}, content_type="multipart/form-data")
    assert bad.status_code == 200 and "không đọc được" in bad.text
    sent = client.post(f"/quan-tri/du-thao/{consultation.draft.id}/luat-hien-hanh",
                       data={"document": (io.BytesIO(law), "luat-htx-hien-hanh.txt")}, content_type="multipart/form-data")
    assert sent.status_code == 302
    db.session.expire_all()
    assert consultation.draft.kind == "draft" and consultation.law_in_force.kind == "reference"
    compared = client.get(f"/quan-tri/du-thao/{consultation.draft.id}/so-sanh-luat-hien-hanh?thay-doi=1").text
    assert "Luật hiện hành" in compared and "tiền <ins>đồng</ins> Việt Nam" in compared
    word = client.get(f"/quan-tri/du-thao/{consultation.draft.id}/bang-so-sanh-luat-hien-hanh.docx")
    assert Document(io.BytesIO(word.data)).tables[0].rows[0].cells[0].text == "Luật hiện hành"
    # the reference text is no version of the draft: the public reads version 1 still
    assert consultation.draft.current_version.number == 1 and len(consultation.draft.versions) == 1


def test_pages_refuse_what_does_not_exist(client, drafter):
    consultation = make_consultation()
    only = consultation.draft.versions[0]
    assert client.get(f"/quan-tri/phien-ban/{only.id}/so-sanh").status_code == 404  # no version before it
    assert client.get("/quan-tri/phien-ban/999999/doi-chieu").status_code == 404
    assert client.get(f"/quan-tri/du-thao/{consultation.draft.id}/so-sanh-luat-hien-hanh").status_code == 404


def test_a_version_imported_before_matching_gets_suggestions_on_first_visit(client, drafter, two_versions):
    _consultation, version = two_versions
    db.session.query(ProvisionMatch).delete()
    db.session.commit()
    page = client.get(f"/quan-tri/phien-ban/{version.id}/so-sanh")
    assert page.status_code == 200 and 'class="match-removed"' in page.text
    assert versions.stored_matches(version) and not versions.is_confirmed(version)


@pytest.mark.parametrize("page", ["doi-chieu", "so-sanh"])
def test_the_matches_and_comparison_pages_read_the_stored_matches_once(client, drafter, two_versions, page):
    from sqlalchemy import event

    _consultation, version = two_versions
    reads: list[str] = []

    def seen(conn, cursor, statement, *rest):
        if statement.lstrip().upper().startswith("SELECT") and "FROM provision_match" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.get(f"/quan-tri/phien-ban/{version.id}/{page}")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 200 and 'class="match-' in response.text
    assert len(reads) == 1, reads
