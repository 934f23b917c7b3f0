"""The demo consultation: the draft revised Law on Cooperatives, organisations, opinions."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from consult import auth, comments, decisions, drafts
from consult.data import demo_draft_text, load_demo_comments, load_organisations, load_provinces
from consult.extensions import db
from consult.navigation import DEMO_LOADERS
from consult.models import Consultation, Contribution, Draft, Organisation, User, utcnow

DEMO_SLUG = "luat-hop-tac-xa-sua-doi"
DEMO_ADMIN_EMAIL = "admin@gopy.example.vn"


def is_empty() -> bool:
    return db.session.scalar(select(Consultation.id).limit(1)) is None


def load_demo(admin_password: str | None = None) -> str | None:
    """Load everything; returns the admin's password when one was generated here."""
    load_organisations_and_provinces()
    consultation = _demo_consultation()
    _demo_comments(consultation)
    for loader in DEMO_LOADERS:
        loader(consultation)
    _demo_decisions(consultation)
    password = admin_password or secrets.token_urlsafe(12)
    if db.session.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL)) is None:
        auth.create_user(DEMO_ADMIN_EMAIL, password, "admin", name="Ban soạn thảo")
    else:
        password = None
    db.session.commit()
    return None if admin_password else password


def load_organisations_and_provinces() -> None:
    """Ministries, agencies, associations and the 63 provinces' People's Committees."""
    known = set(db.session.scalars(select(Organisation.code)))
    for row in load_organisations():
        if row["code"] not in known:
            db.session.add(Organisation(code=row["code"], kind=row["kind"], name=row["name"],
                                        short_name=row.get("short_name", "")))
    for row in load_provinces():
        code = f"UBND-{row['code']}"
        if code not in known:
            prefix = "Ủy ban nhân dân thành phố" if row["kind"] == "city" else "Ủy ban nhân dân tỉnh"
            db.session.add(Organisation(code=code, kind="province", name=f"{prefix} {row['name']}",
                                        short_name=row["name"], province_code=row["code"]))


def _demo_consultation() -> Consultation:
    now = utcnow()
    consultation = Consultation(
        slug=DEMO_SLUG, title="Dự thảo Luật Hợp tác xã (sửa đổi)",
        summary=("Bộ Kế hoạch và Đầu tư lấy ý kiến rộng rãi của người dân, thành viên hợp tác xã, "
                 "doanh nghiệp, các bộ, ngành và địa phương về dự thảo Luật Hợp tác xã (sửa đổi)."),
        agency="Bộ Kế hoạch và Đầu tư", opens_at=now - timedelta(days=7),
        closes_at=now + timedelta(days=60), published=True,
    )
    draft = Draft(consultation=consultation, title="Luật Hợp tác xã (sửa đổi)")
    db.session.add_all([consultation, draft])
    version = drafts.create_version(draft, demo_draft_text(), "demo_draft.txt")
    drafts.publish_version(version)
    db.session.flush()
    return consultation


def _demo_comments(consultation: Consultation) -> None:
    version = consultation.draft.current_version
    by_anchor = {p.anchor: p for p in version.provisions}
    for index, row in enumerate(load_demo_comments()):
        anchor = f"dieu-{row['article']}"
        if row.get("clause"):
            anchor += f"-khoan-{row['clause']}"
        provision = by_anchor.get(anchor) or by_anchor.get(f"dieu-{row['article']}")
        contribution = Contribution(
            consultation=consultation, token=comments.new_token(), status="submitted",
            respondent_type=row["respondent_type"], province_code=row["province_code"],
            name=row.get("name") or "", receipt_code=comments.new_receipt_code(),
            submitted_at=utcnow(), consent_at=utcnow(),
        )
        comment, _ = comments.add_comment(consultation, contribution, provision, row["body"],
                                          f"demo-{index}")
        comment.status = row.get("status") or "pending"
        db.session.add(contribution)


#: A handful of answers so the decisions pages and the synthesis report are not empty: (text
#: found in the opinions answered together, outcome, reason). Most opinions stay undecided.
DEMO_DECISIONS = (
    ("mức trần 30%", "explained",
     "Giữ mức trần 30% để bảo đảm thu nhập của hợp tác xã được chia chủ yếu theo mức độ sử dụng "
     "sản phẩm, dịch vụ của thành viên; hợp tác xã huy động thêm vốn theo Điều 12."),
    ("Tỷ lệ 75%", "partly_accepted",
     "Tiếp thu một phần: khoản 1 Điều 18 được sửa để Đại hội triệu tập lần thứ hai chỉ cần trên "
     "50% tổng số thành viên tham dự; lần thứ nhất giữ tỷ lệ 75%."),
    ("Hội đồng quản trị tới 15 người", "not_accepted",
     "Giữ số lượng tối đa 15 người để phù hợp với liên hiệp hợp tác xã có nhiều thành viên; "
     "điều lệ có thể quy định số lượng ít hơn."),
    ("Cấp giấy chứng nhận trong 03 ngày", "accepted",
     "Đã bổ sung khoản 3 Điều 34: quá thời hạn mà không cấp thì cơ quan đăng ký phải trả lời bằng văn bản."),
    ("độ tuổi tối thiểu của thành viên", "accepted", "Đã chỉnh sửa tại khoản 1 Điều 8."),
    ("thống nhất thuật ngữ", "accepted", ""),
    ("Chuyển lỗ tối đa 05 năm", "explained",
     "Quy định này thống nhất với pháp luật về thuế thu nhập doanh nghiệp hiện hành."),
)


def _demo_decisions(consultation: Consultation) -> None:
    """Record ``DEMO_DECISIONS``; the planted campaign's comments get one answer together."""
    db.session.flush()
    opinions = decisions.load_opinions(consultation)
    for needle, outcome, reason in DEMO_DECISIONS:
        matching = [o for o in opinions if needle.casefold() in o.body.casefold()]
        if matching:
            decisions.decide(matching, outcome, reason, None)
