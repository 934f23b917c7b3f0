"""The formal-submission part of the demo: the roster, three letters and an officer account."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from consult import auth
from consult.models import Consultation, Organisation, utcnow
from consult.extensions import db
from consult.submissions import attachments, roster, services
from consult.submissions.models import RosterEntry
from sqlalchemy import inspect, select

#: The drafting ministry is not asked for its own opinion.
DRAFTING_BODY = "BKHDT"
DEMO_ASSOCIATIONS = ("LMHTX", "VCCI", "MTTQ", "HND", "HHDNNVV")
#: The demo officer's body and e-mail; the password comes from ``DEMO_OFFICER_PASSWORD``.
DEMO_OFFICER_BODY = "BTC"
DEMO_OFFICER_EMAIL = "canbo.btc@gopy.example.vn"


def sample_letter_pdf(title: str = "Cong van gop y du thao") -> bytes:
    """A small valid one-page PDF with an ASCII line of text, standing in for a scanned letter."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def load_demo_submissions(consultation: Consultation) -> None:
    """Registered with ``add_demo_loader``: runs inside ``consult.demo.load_demo``."""
    if not inspect(db.engine).has_table(RosterEntry.__tablename__):
        current_app.logger.warning("No roster tables yet (migration missing): demo letters skipped")
        return
    deadline = roster.end_of_vn_day(roster.vn_date(utcnow()) + timedelta(days=30))
    for kind in ("ministry", "ministerial_agency", "province"):
        roster.add_group(consultation, kind, deadline, exclude_codes=frozenset({DRAFTING_BODY}))
    for code in DEMO_ASSOCIATIONS:
        organisation = _organisation(code)
        if organisation is not None:
            roster.add_to_roster(consultation, organisation, deadline)
    db.session.flush()
    _submitted_with_opinions(consultation)
    _submitted_no_comment(consultation)
    _draft_in_preparation(consultation)
    _demo_officer()


def _organisation(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code))


def _attach_sample(submission, title: str) -> None:
    data = sample_letter_pdf(title)
    stored = attachments.store_pdf(attachments.upload_root(current_app), data, 1)
    services.attach_pdf(submission, stored, f"{submission.organisation.code}-cong-van.pdf")


def _submitted_with_opinions(consultation: Consultation) -> None:
    draft, _ = services.start_draft(consultation, _organisation("BTP"), None)
    services.update_letter(draft, letter_number="2157/BTP-PLDSKT", letter_date=_days_ago(3),
                           signer_name="Nguyễn Văn An", signer_title="Thứ trưởng", no_comment=False)
    _attach_sample(draft, "Bo Tu phap - 2157/BTP-PLDSKT")
    version = services.current_version(consultation)
    services.add_opinion(draft, services.resolve_provision(version, "8", "1"),
                         "Đề nghị quy định rõ độ tuổi tối thiểu của thành viên là cá nhân, "
                         "thống nhất với Bộ luật Dân sự.")
    services.add_opinion(draft, services.resolve_provision(version, "12"),
                         "Đề nghị bổ sung thời hạn góp vốn tối đa và hậu quả pháp lý khi "
                         "thành viên không góp đủ vốn đúng hạn.")
    services.add_opinion(draft, None, "Đề nghị rà soát thống nhất thuật ngữ trong toàn bộ dự thảo.")
    db.session.flush()
    services.submit(draft, None, channel="demo")


def _submitted_no_comment(consultation: Consultation) -> None:
    draft, _ = services.start_draft(consultation, _organisation("UBND-31"), None)
    services.update_letter(draft, letter_number="815/UBND-KT", letter_date=_days_ago(1),
                           signer_name="Trần Thị Bình", signer_title="Phó Chủ tịch",
                           no_comment=True)
    _attach_sample(draft, "UBND thanh pho Hai Phong - 815/UBND-KT")
    db.session.flush()
    services.submit(draft, None, channel="demo")


def _draft_in_preparation(consultation: Consultation) -> None:
    draft, _ = services.start_draft(consultation, _organisation(DEMO_OFFICER_BODY), None)
    services.update_letter(draft, letter_number="", letter_date=None, signer_name="",
                           signer_title="Thứ trưởng", no_comment=False)
    services.add_opinion(draft, services.resolve_provision(services.current_version(consultation), "5"),
                         "Đề nghị làm rõ nguồn kinh phí hỗ trợ hợp tác xã từ ngân sách nhà nước.")


def _demo_officer() -> None:
    password = current_app.config.get("DEMO_OFFICER_PASSWORD")
    if not password or auth.find_user(DEMO_OFFICER_EMAIL) is not None:
        return
    auth.create_user(DEMO_OFFICER_EMAIL, password, "officer", name="Cán bộ Bộ Tài chính",
                     organisation_id=_organisation(DEMO_OFFICER_BODY).id)


def _days_ago(days: int) -> date:
    return roster.vn_date(utcnow()) - timedelta(days=days)
