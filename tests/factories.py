"""Small factories that build test data through the same services the app uses."""
from __future__ import annotations

from datetime import timedelta

from consult import auth, drafts
from consult.extensions import db
from consult.models import Consultation, Draft, User, utcnow

SMALL_LAW = """QUỐC HỘI
LUẬT HỢP TÁC XÃ (SỬA ĐỔI)
Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;
Quốc hội ban hành Luật Hợp tác xã (sửa đổi).

Chương I
NHỮNG QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Luật này quy định về việc thành lập, tổ chức và hoạt động của hợp tác xã.

Điều 2. Đối tượng áp dụng
1. Hợp tác xã, liên hiệp hợp tác xã.
2. Cơ quan, tổ chức, cá nhân có liên quan.

Chương II. THÀNH VIÊN
Điều 3. Điều kiện trở thành thành viên
1. Cá nhân là công dân Việt Nam từ đủ 18 tuổi trở lên.
2. Tổ chức có đủ các điều kiện sau:
a) Có tư cách pháp nhân;
b) Có nhu cầu hợp tác;
đ) Góp vốn theo điều lệ.

Điều 4. Quyền của thành viên
Thành viên được hưởng lợi từ hoạt động của hợp tác xã.

Luật này được Quốc hội khóa XV thông qua ngày 01 tháng 01 năm 2023.
CHỦ TỊCH QUỐC HỘI
"""


def make_consultation(slug: str = "luat-htx", *, is_open: bool = True, published: bool = True,
                      text: str = SMALL_LAW, title: str = "Dự thảo Luật Hợp tác xã (sửa đổi)") -> Consultation:
    """A consultation whose draft has one published version parsed from ``text``."""
    now = utcnow()
    closes = now + timedelta(days=30) if is_open else now - timedelta(days=1)
    consultation = Consultation(slug=slug, title=title, opens_at=now - timedelta(days=10),
                                closes_at=closes, published=published)
    draft = Draft(consultation=consultation, title=title)
    db.session.add_all([consultation, draft])
    version = drafts.create_version(draft, text, "test.txt")
    drafts.publish_version(version)
    db.session.commit()
    return consultation


def make_user(role: str = "moderator", email: str | None = None, password: str = "mat-khau-dai-123") -> User:
    user = auth.create_user(email or f"{role}@example.vn", password, role, name=f"Test {role}")
    db.session.commit()
    return user


def login(client, user: User, password: str = "mat-khau-dai-123"):
    return client.post("/dang-nhap", data={"email": user.email, "password": password},
                       follow_redirects=True)
