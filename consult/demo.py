"""The demo consultation: the draft revised Law on Cooperatives, organisations, opinions."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select

from consult import auth, comments, decisions, drafts
from consult.data import demo_decree_text, demo_draft_text, load_demo_comments
from consult.extensions import db
from consult.navigation import DEMO_LOADERS
from consult.models import Consultation, Contribution, Draft, Organisation, User, utcnow

DEMO_SLUG = "luat-hop-tac-xa-sua-doi"
#: The Ministry of Planning and Investment consulted on the draft in 2022: the demo keeps that
#: day's map (63 provinces, 22 ministries and agencies) whatever day it is loaded.
DEMO_REFERENCE_DATE = date(2022, 9, 1)
#: A second consultation, dated today: a draft decree of the Ministry of Finance (which took
#: over the Ministry of Planning and Investment on 1 March 2025), on the map of 34 units.
DECREE_SLUG = "nghi-dinh-ho-tro-kinh-te-tap-the"
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
    _decree_consultation()
    _announce_all()
    password = admin_password or secrets.token_urlsafe(12)
    if db.session.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL)) is None:
        auth.create_user(DEMO_ADMIN_EMAIL, password, "admin", name="Ban soạn thảo")
    else:
        password = None
    db.session.commit()
    return None if admin_password else password


def _announce_all() -> None:
    """The demo's consultations are published as they are loaded: announce them, so that only
    consultations published after a citizen subscribes are mailed to them."""
    from consult.subscriptions import services as subscriptions

    db.session.flush()
    for consultation_id in db.session.scalars(select(Consultation.id)):
        subscriptions.announce(consultation_id)


def load_organisations_and_provinces() -> None:
    """Ministries, agencies, associations and the provinces' People's Committees of both
    reference maps (``consult.data``): the bodies of 2008–2025 and those of 2025, each with the
    days it exists and, for the merged ones, the body that took over."""
    from consult import organisations

    organisations.load_reference_bodies()


def _organisation(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code))


def _demo_consultation() -> Consultation:
    now = utcnow()
    consultation = Consultation(
        slug=DEMO_SLUG, title="Dự thảo Luật Hợp tác xã (sửa đổi)",
        summary=("Bộ Kế hoạch và Đầu tư lấy ý kiến rộng rãi của người dân, thành viên hợp tác xã, "
                 "doanh nghiệp, các bộ, ngành và địa phương về dự thảo Luật Hợp tác xã (sửa đổi)."),
        agency="Bộ Kế hoạch và Đầu tư", agency_organisation=_organisation("BKHDT"),
        document_kind="law", opens_at=now - timedelta(days=7),
        closes_at=now + timedelta(days=60), published=True, reference_date=DEMO_REFERENCE_DATE,
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


#: Opinions on the draft decree: (article, respondent type, province code on the map of 34
#: units, text). Written for this project.
DECREE_COMMENTS = (
    (4, "coop_member", "15", "Đề nghị hỗ trợ cả chi phí đi lại, ăn ở cho học viên ở vùng cao khi tham gia đào tạo."),
    (4, "cooperative", "66", "Nên mở rộng hỗ trợ học phí cho thành viên học trung cấp nghề nông nghiệp."),
    (5, "cooperative", "79", "Mức 100 triệu đồng trong 03 năm là thấp so với chi phí chuyển đổi số thực tế."),
    (5, "enterprise", "48", "Đề nghị quy định rõ danh mục phần mềm được hỗ trợ để tránh trục lợi chính sách."),
    (6, "cooperative", "92", "Đề nghị cho phép dùng quyền sử dụng đất thuê của hợp tác xã làm tài sản bảo đảm."),
    (6, "coop_member", "37", "Thủ tục vay vốn tại Quỹ còn phức tạp, đề nghị rút ngắn thời gian thẩm định xuống 10 ngày."),
    (8, "citizen", "25", "Địa phương nên công khai danh sách hợp tác xã được hỗ trợ hằng năm trên cổng thông tin."),
    (3, "citizen", "86", "Tôi đồng ý với nguyên tắc ưu tiên hợp tác xã có nhiều thành viên là phụ nữ."),
)


def _decree_consultation() -> None:
    """The 2026 consultation on the map of 34 units, with a few opinions and its roster."""
    if db.session.scalar(select(Consultation.id).where(Consultation.slug == DECREE_SLUG)):
        return
    now = utcnow()
    consultation = Consultation(
        slug=DECREE_SLUG,
        title="Dự thảo Nghị định quy định chi tiết một số điều của Luật Hợp tác xã về hỗ trợ tổ chức kinh tế tập thể",
        summary=("Bộ Tài chính lấy ý kiến về dự thảo Nghị định hỗ trợ hợp tác xã, liên hiệp hợp tác xã "
                 "và tổ hợp tác."),
        agency="Bộ Tài chính", agency_organisation=_organisation("BTC"), document_kind="decree",
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=45),
        published=True)
    draft = Draft(consultation=consultation, title="Nghị định hỗ trợ tổ chức kinh tế tập thể")
    db.session.add_all([consultation, draft])
    version = drafts.create_version(draft, demo_decree_text(), "demo_decree_2026.txt")
    drafts.publish_version(version)
    db.session.flush()
    by_anchor = {p.anchor: p for p in version.provisions}
    for index, (article, respondent_type, province, body) in enumerate(DECREE_COMMENTS):
        contribution = Contribution(
            consultation=consultation, token=comments.new_token(), status="submitted",
            respondent_type=respondent_type, province_code=province,
            receipt_code=comments.new_receipt_code(), submitted_at=now, consent_at=now)
        comment, _ = comments.add_comment(consultation, contribution, by_anchor[f"dieu-{article}"],
                                          body, f"demo-decree-{index}")
        comment.status = "published"
        db.session.add(contribution)
    _decree_roster(consultation)


def _decree_roster(consultation: Consultation) -> None:
    from consult.submissions import roster

    deadline = roster.end_of_vn_day(roster.vn_date(utcnow()) + timedelta(days=30))
    for kind in ("ministry", "ministerial_agency", "province"):
        roster.add_group(consultation, kind, deadline, exclude_codes=frozenset({"BTC"}))
