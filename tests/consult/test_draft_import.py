"""The drafting team imports a draft version (upload and CLI), checks the report, publishes."""
from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, DraftVersion, Provision
from tests.factories import SMALL_LAW, login, make_consultation, make_user


@pytest.fixture()
def drafter(client):
    user = make_user("drafter")
    login(client, user)
    return user


def upload(client, draft_id: int, data: bytes, filename: str):
    return client.post(f"/quan-tri/du-thao/{draft_id}/nhap",
                       data={"document": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_upload_text_shows_the_report_then_publish(client, drafter):
    consultation = make_consultation()
    text = SMALL_LAW.replace("Điều 4.", "Điều 6.")
    response = upload(client, consultation.draft.id, text.encode("utf-8"), "du-thao-v2.txt")
    assert response.status_code == 302
    report = client.get(response.headers["Location"])
    assert "Phiên bản 2" in report.text
    assert "Chưa công bố" in report.text
    assert "cách quãng" in report.text  # the gap from Điều 3 to Điều 6
    version = db.session.scalar(select(DraftVersion).where(DraftVersion.number == 2))
    client.post(f"/quan-tri/phien-ban/{version.id}/cong-bo")
    db.session.refresh(version)
    assert version.published_at is not None
    assert "Điều 6." in client.get("/du-thao/luat-htx").text
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    # publishing confirms the suggested article matches with version 1 as they stand
    assert actions[-3:] == ["draft_version.import", "draft_version.matches_confirmed", "draft_version.publish"]


def test_upload_docx(client, drafter, tmp_path):
    consultation = make_consultation()
    document = Document()
    for line in SMALL_LAW.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    response = upload(client, consultation.draft.id, buffer.getvalue(), "du-thao.docx")
    assert response.status_code == 302
    version = db.session.scalar(select(DraftVersion).where(DraftVersion.number == 2))
    anchors = [p.anchor for p in version.provisions]
    assert "dieu-3-khoan-2-diem-dd" in anchors


@pytest.mark.parametrize("data,filename,message", [
    (b"", "trong.txt", "Tệp trống"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "du-thao.pdf", "không phải văn bản thuần"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "anh.txt", "không phải văn bản thuần"),
    ("Chỉ là một đoạn văn, không có điều nào.".encode("utf-8"), "van-ban.txt", "Không tìm thấy điều nào"),
    (b"PK\x03\x04broken", "hong.docx", "bị hỏng"),
])
def test_bad_uploads_get_a_vietnamese_message(client, drafter, data, filename, message):
    consultation = make_consultation()
    response = upload(client, consultation.draft.id, data, filename)
    assert response.status_code == 200
    assert message in response.text
    assert db.session.scalar(select(DraftVersion).where(DraftVersion.number == 2)) is None


def test_missing_file_and_wrong_role(client):
    consultation = make_consultation()
    login(client, make_user("moderator"))
    assert client.get(f"/quan-tri/du-thao/{consultation.draft.id}/nhap").status_code == 403


def test_cli_import_and_check(runner, tmp_path):
    make_consultation()
    path = tmp_path / "v2.txt"
    path.write_text(SMALL_LAW, encoding="utf-8")
    checked = runner.invoke(args=["draft", "import", str(path), "--consultation", "luat-htx", "--check"])
    assert checked.exit_code == 0 and "article: 4" in checked.output
    result = runner.invoke(args=["draft", "import", str(path), "--consultation", "luat-htx", "--publish"])
    assert result.exit_code == 0, result.output
    version = db.session.scalar(select(DraftVersion).where(DraftVersion.number == 2))
    assert version.published_at is not None
    assert db.session.scalar(select(Provision).where(Provision.version_id == version.id,
                                                     Provision.anchor == "dieu-4")) is not None
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    failed = runner.invoke(args=["draft", "import", str(bad), "--consultation", "luat-htx"])
    assert failed.exit_code != 0 and "empty" in failed.output


def test_upload_word_numbered_draft_reports_numbers_from_numbering(client, drafter):
    from consult.demo import demo_draft_text
    from tests.consult.word_builders import numbered_docx

    consultation = make_consultation()
    response = upload(client, consultation.draft.id, numbered_docx(demo_draft_text(), "restarted"), "du-thao.docx")
    assert response.status_code == 302
    report = client.get(response.headers["Location"]).text
    assert "Đánh số tự động của Word" in report
    version = db.session.scalar(select(DraftVersion).where(DraftVersion.number == 2))
    assert version.parse_report["numbering"]["article"] == version.parse_report["counts"]["article"] == 46
    assert "dieu-5-khoan-2-diem-dd" in [p.anchor for p in version.provisions]


def test_a_table_inside_an_article_is_shown_as_a_table(client, drafter):
    text = SMALL_LAW.replace("Thành viên được hưởng lợi từ hoạt động của hợp tác xã.",
                             "Mức hưởng:\n| Loại | Mức |\n| Thành viên <b> | 20% |")
    make_consultation(text=text)
    page = client.get("/du-thao/luat-htx/dieu-4").text
    assert '<table class="table provision-table" lang="vi"><tr><td>Loại</td><td>Mức</td></tr>' in page
    assert "<td>Thành viên &lt;b&gt;</td><td>20%</td>" in page
