"""Factories for the open-text analysis tests (issue 6): comments on a small draft."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from analysis.text.synthetic import generate
from consult import comments
from consult.extensions import db
from consult.models import Comment, Consultation, Contribution, Provision, utcnow
from consult.textnorm import clean_control, normalize_text

_keys = itertools.count(1)


def provision(consultation: Consultation, anchor: str) -> Provision:
    version = consultation.draft.current_version
    return db.session.scalar(select(Provision).where(Provision.version_id == version.id,
                                                     Provision.anchor == anchor))


def add_comment(consultation: Consultation, anchor: str | None, body: str, *,
                status: str = "published", respondent_type: str = "citizen") -> Comment:
    """A sent comment on the provision ``anchor`` (None: on the draft as a whole)."""
    contribution = Contribution(consultation=consultation, token=comments.new_token(),
                                status="submitted", respondent_type=respondent_type,
                                receipt_code=comments.new_receipt_code(), submitted_at=utcnow(),
                                consent_at=utcnow())
    db.session.add(contribution)
    target = provision(consultation, anchor) if anchor else None
    body = clean_control(body)  # as the platform stores it: no lone surrogate, no control
    comment = Comment(contribution=contribution, consultation=consultation, provision=target,
                      body=body, body_normalized=normalize_text(body), form_key=f"text-{next(_keys)}", status=status)
    db.session.add(comment)
    db.session.flush()
    return comment


#: Where ``generated_consultation`` puts its opinions, in turn (None: the draft as a whole).
GENERATED_ANCHORS = ("dieu-3", "dieu-3-khoan-1", "dieu-4", None)


def generated_consultation(count: int = 40, campaign_count: int = 2, seed: int = 7) -> Consultation:
    """A consultation of ``count`` generated opinions (``analysis.text.synthetic``, 30 % in
    ``campaign_count`` planted campaigns) spread over three provisions and the whole draft."""
    from tests.factories import make_consultation

    consultation = make_consultation()
    opinions, _ = generate(count, campaign_share=0.3, campaign_count=campaign_count, seed=seed)
    for index, opinion in enumerate(opinions):
        add_comment(consultation, GENERATED_ANCHORS[index % len(GENERATED_ANCHORS)], opinion.text,
                    respondent_type=opinion.respondent_type)
    db.session.commit()
    return consultation


CAMPAIGN = ("Đề nghị bỏ yêu cầu mọi thành viên phải từ đủ 18 tuổi trở lên, vì ở nông thôn nhiều "
            "thanh niên 16, 17 tuổi đã lao động chính trong gia đình và muốn tham gia hợp tác xã.")

VARIED = [
    "Tổ chức muốn làm thành viên phải có tư cách pháp nhân là quá chặt với tổ hợp tác nhỏ.",
    "Nên cho phép hộ gia đình cùng đứng tên làm thành viên, không chỉ cá nhân.",
    "Tôi đồng ý với điều kiện góp vốn theo điều lệ, như vậy là công bằng.",
    "Cần quy định rõ người nước ngoài cư trú hợp pháp có được làm thành viên không?",
]
