"""Citizens' comments: the unsent list, sending it with a profile, receipts."""
from __future__ import annotations

import secrets

from sqlalchemy import select, update

from consult import audit, codes, privacy
from consult.extensions import db
from consult.models import Comment, Consultation, Contribution, Provision, utcnow
from consult.textnorm import clean_control, normalize_text



class ConsultationClosed(Exception):
    """The consultation is not taking opinions now."""


class AlreadySubmitted(Exception):
    """The contribution was sent before: a replayed or double-clicked form."""

    def __init__(self, contribution: Contribution):
        super().__init__(contribution.receipt_code)
        self.contribution = contribution


class NothingToSend(Exception):
    """The citizen's list holds no comment."""


def new_receipt_code() -> str:
    return codes.receipt_code("GY")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def find_contribution(consultation: Consultation, token: str | None) -> Contribution | None:
    """The contribution of this consultation with this secret token, sent or not."""
    if not token:
        return None
    return db.session.scalar(
        select(Contribution).where(Contribution.token == token,
                                   Contribution.consultation_id == consultation.id)
    )


def start_contribution(consultation: Consultation) -> Contribution:
    contribution = Contribution(consultation=consultation, token=new_token())
    db.session.add(contribution)
    return contribution


def add_comment(contribution: Contribution, provision: Provision | None, body: str,
                form_key: str) -> tuple[Comment, bool]:
    """Store a comment in the citizen's unsent list at once, so nothing typed is lost.

    Returns ``(comment, created)``: a form sent twice carries the same ``form_key`` and
    finds the comment the first sending stored instead of adding a second one.
    """
    existing = db.session.scalar(select(Comment).where(Comment.form_key == form_key))
    if existing is not None:
        return existing, False
    if not contribution.consultation.is_open():
        raise ConsultationClosed()
    comment = Comment(
        contribution=contribution, consultation=contribution.consultation,
        provision=provision, body=clean_control(body), body_normalized=normalize_text(body),
        form_key=form_key, status="draft",
    )
    db.session.add(comment)
    return comment, True


def remove_comment(contribution: Contribution, comment_id: int) -> bool:
    """Take an unsent comment off the list; sent comments stay as they are."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.contribution_id != contribution.id or comment.status != "draft":
        return False
    db.session.delete(comment)
    return True


def submit_contribution(contribution: Contribution, *, respondent_type: str,
                        province_code: str, name: str = "", contact: str = "") -> Contribution:
    """Send the list: record the profile and consent, give a receipt, queue for moderation.

    The status changes with one conditional UPDATE, so two sendings racing each other
    (a double click, a replayed form) produce one submission and one receipt.
    """
    if contribution.status != "draft":
        raise AlreadySubmitted(contribution)
    if not contribution.consultation.is_open():
        raise ConsultationClosed()
    if not contribution.comments:
        raise NothingToSend()
    now = utcnow()
    changed = db.session.execute(
        update(Contribution)
        .where(Contribution.id == contribution.id, Contribution.status == "draft")
        .values(status="submitted", submitted_at=now, consent_at=now,
                receipt_code=new_receipt_code(), respondent_type=respondent_type,
                province_code=province_code, name=name.strip()[:255],
                contact=contact.strip()[:255])
    ).rowcount
    db.session.refresh(contribution)
    if not changed:
        raise AlreadySubmitted(contribution)
    db.session.execute(
        update(Comment).where(Comment.contribution_id == contribution.id,
                              Comment.status == "draft").values(status="pending")
    )
    return contribution


def contribution_by_receipt(code: str) -> Contribution | None:
    """Look a sent contribution up by its receipt code, forgiving case and spaces."""
    cleaned = "".join(code.split()).upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if not cleaned.startswith("GY-") and len(cleaned) == 8:
        cleaned = f"GY-{cleaned[:4]}-{cleaned[4:]}"
    return db.session.scalar(select(Contribution).where(Contribution.receipt_code == cleaned))


def published_comments(provision_ids: list[int]) -> list[Comment]:
    """Published comments on these provisions, oldest first."""
    if not provision_ids:
        return []
    return db.session.scalars(
        select(Comment).where(Comment.provision_id.in_(provision_ids),
                              Comment.status == "published").order_by(Comment.created_at)
    ).all()


def published_general_comments(consultation: Consultation) -> list[Comment]:
    return db.session.scalars(
        select(Comment).where(Comment.consultation_id == consultation.id,
                              Comment.provision_id.is_(None),
                              Comment.status == "published").order_by(Comment.created_at)
    ).all()


def personal_data(contribution: Contribution) -> dict:
    """Everything stored about one sending, for the citizen who holds its receipt code."""
    return {
        "receipt_code": contribution.receipt_code,
        "consultation": contribution.consultation.title,
        "submitted_at": contribution.submitted_at.isoformat() if contribution.submitted_at else None,
        "consent_at": contribution.consent_at.isoformat() if contribution.consent_at else None,
        "respondent_type": contribution.respondent_type,
        "province_code": contribution.province_code,
        "name": contribution.name,
        "contact": contribution.contact,
        "comments": [
            {"provision": comment.provision.anchor if comment.provision else None,
             "body": comment.body, "status": comment.status,
             "created_at": comment.created_at.isoformat()}
            for comment in contribution.comments
        ],
    }


def erase_personal_data(contribution: Contribution) -> bool:
    """Forget the name and contact of a sending; the opinions stay, anonymous.

    Returns False when there was nothing left to erase.
    """
    if not contribution.name and not contribution.contact:
        return False
    contribution.name = ""
    contribution.contact = ""
    audit.record(None, "contribution.erase_personal_data", contribution)
    privacy.receipt_erased(contribution)
    return True
