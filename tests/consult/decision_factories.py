"""Factories for decision and synthesis-report tests: citizens' comments and letters in force."""
from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy import select

from consult.extensions import db
from consult.models import Comment, Organisation, Provision, User, utcnow
from consult.submissions.models import Submission, SubmissionOpinion
from consult.textnorm import normalize_text
from tests.analysis.tally_factories import make_opinion
from tests.factories import make_user

_numbers = count(1)


def comment(consultation, anchor: str | None, body: str = "Đề nghị làm rõ quy định này.", **kwargs) -> Comment:
    """A citizen's comment (published unless ``status`` says otherwise), normalised as the app does."""
    made = make_opinion(consultation, anchor, body=body, **kwargs)
    made.body_normalized = normalize_text(body)
    db.session.commit()
    return made


def comments(consultation, anchor: str | None, body: str, count: int) -> list[Comment]:
    """``count`` published citizens' comments with the same text, inserted in one commit: a
    campaign of a thousand copies built one commit at a time took a minute."""
    return comments_saying(consultation, anchor, [body] * count)


def comments_saying(consultation, anchor: str | None, bodies: list[str]) -> list[Comment]:
    """One published citizen's comment per text of ``bodies``, inserted in one commit."""
    from consult.models import Contribution

    version = consultation.draft.current_version
    provision = _provision(version.id, anchor)
    normalised = {body: normalize_text(body) for body in bodies}
    made = []
    for body in bodies:
        number = next(_bulk_numbers)
        contribution = Contribution(consultation=consultation, status="submitted", token=f"bulk-{number}",
                                    respondent_type="citizen", province_code="01",
                                    receipt_code=f"GY-B{number:07d}", submitted_at=utcnow())
        made.append(Comment(contribution=contribution, consultation=consultation, provision=provision,
                            body=body, body_normalized=normalised[body], status="published",
                            form_key=f"bulk-{number}"))
    db.session.add_all(made)
    db.session.commit()
    return made


_bulk_numbers = count(1)


def organisation(code: str, kind: str = "ministry", name: str | None = None) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if found is None:
        found = Organisation(code=code, kind=kind, name=name or f"Cơ quan {code}", short_name=code)
        db.session.add(found)
        db.session.commit()
    return found


def letter(consultation, body: Organisation, opinions: list[tuple[str | None, str]] = (), *,
           number: str | None = None, status: str = "submitted", no_comment: bool = False) -> Submission:
    """A letter of ``body`` with ``opinions`` [(provision anchor or None, text)], in force by default."""
    serial = next(_numbers)
    version = consultation.draft.current_version
    submission = Submission(
        consultation=consultation, organisation=body, status=status,
        draft_slot="draft" if status == "draft" else None,
        current_slot="current" if status == "submitted" else None, version_id=version.id,
        letter_number=number or f"{serial}/{body.code}-PC", letter_date=date(2024, 5, 2),
        signer_name="Nguyễn Văn A", signer_title="Thứ trưởng", no_comment=no_comment,
        receipt_code=None if status == "draft" else f"CV-T{serial:03d}-TEST",
        submitted_at=None if status == "draft" else utcnow())
    for anchor, text in opinions:
        provision = _provision(version.id, anchor)
        article = provision
        while article is not None and article.kind != "article":
            article = article.parent
        submission.opinions.append(SubmissionOpinion(provision=provision, article=article, body=text,
                                                     body_normalized=normalize_text(text)))
    db.session.add(submission)
    db.session.commit()
    return submission


def _provision(version_id: int, anchor: str | None) -> Provision | None:
    if anchor is None:
        return None
    return db.session.scalar(select(Provision).where(Provision.version_id == version_id,
                                                     Provision.anchor == anchor))


def drafter(email: str = "drafter@example.vn") -> User:
    return make_user("drafter", email=email)
