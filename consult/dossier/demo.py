"""The dossier part of the demo: a tờ trình (Word, made here, with an earlier version in its
history) and an impact assessment report (PDF). Built in memory in milliseconds: no
third-party file in the repository, no python-docx import at start."""
from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta
from xml.sax.saxutils import escape

from flask import current_app
from sqlalchemy import inspect

from consult import uploads
from consult.dossier import services
from consult.dossier.models import DossierDocument
from consult.extensions import db
from consult.models import Consultation

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def minimal_docx(paragraphs: list[str]) -> bytes:
    """A valid Word document of plain paragraphs (the three parts Word needs)."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
                   for text in paragraphs)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _RELATIONSHIPS)
        package.writestr("word/document.xml", document)
    return buffer.getvalue()


def _submission_text(version: str) -> list[str]:
    return [
        "BỘ KẾ HOẠCH VÀ ĐẦU TƯ",
        "TỜ TRÌNH",
        "Dự án Luật Hợp tác xã (sửa đổi)",
        f"({version})",
        "Kính gửi: Chính phủ.",
        "Thực hiện Chương trình xây dựng luật, pháp lệnh năm 2022, Bộ Kế hoạch và Đầu tư "
        "được giao chủ trì soạn thảo dự án Luật Hợp tác xã (sửa đổi). Bộ Kế hoạch và Đầu tư "
        "kính trình Chính phủ dự án Luật như sau:",
        "I. SỰ CẦN THIẾT BAN HÀNH LUẬT",
        "II. MỤC ĐÍCH, QUAN ĐIỂM XÂY DỰNG LUẬT",
        "III. BỐ CỤC VÀ NỘI DUNG CƠ BẢN CỦA DỰ THẢO LUẬT",
        "(Tài liệu mẫu của bản trình diễn.)",
    ]


def _add(consultation, kind, title, filename, data, uploaded_at, replaces=None):
    # made here, so known good: no need to load pypdf for the demo (tests check them)
    content_type = uploads.PDF if uploads.is_pdf(data) else uploads.DOCX
    checked = uploads.CheckedDocument(content_type=content_type, size=len(data),
                                      sha256=hashlib.sha256(data).hexdigest())
    stored = services.store(services.upload_root(current_app), data, checked)
    fields = dict(title=title, filename=filename, original_filename=filename, checked=checked,
                  stored_name=stored, actor=None)
    if replaces is None:
        document, _created = services.add_document(consultation, kind=kind, **fields)
    else:
        document, _created = services.replace_document(replaces, **fields)
    document.uploaded_at = uploaded_at
    if replaces is not None:
        replaces.superseded_at = uploaded_at
    return document


def load_demo_dossier(consultation: Consultation) -> None:
    """Registered with ``add_demo_loader``: runs inside ``consult.demo.load_demo``."""
    if not inspect(db.engine).has_table(DossierDocument.__tablename__):
        current_app.logger.warning("No dossier table yet (migration missing): demo dossier skipped")
        return
    from consult.submissions.demo import sample_letter_pdf

    opened = consultation.opens_at
    first = _add(consultation, "submission", "Tờ trình dự án Luật Hợp tác xã (sửa đổi)",
                 "To-trinh-du-an-Luat-HTX.docx", minimal_docx(_submission_text("bản ngày mở lấy ý kiến")),
                 opened - timedelta(hours=2))
    _add(consultation, "submission", "Tờ trình dự án Luật Hợp tác xã (sửa đổi)",
         "To-trinh-du-an-Luat-HTX-chinh-sua.docx",
         minimal_docx(_submission_text("bản đã chỉnh sửa lỗi chính tả")),
         opened + timedelta(days=2), replaces=first)
    _add(consultation, "impact_assessment", "Báo cáo đánh giá tác động chính sách",
         "Bao-cao-danh-gia-tac-dong.pdf",
         sample_letter_pdf("Bao cao danh gia tac dong chinh sach - Luat Hop tac xa (sua doi)"),
         opened - timedelta(hours=1))
    db.session.flush()
