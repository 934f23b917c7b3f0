"""Stance the drafting team gave an opinion by hand, and the suggestions learnt from them.

A ``StanceLabel`` is the team's correction of the rules' reading of one comment (one row
per comment, the latest word wins). ``suggestions_for`` trains the per-consultation model
(``analysis.text.stance_model``) when enough labels exist; the analysis job stores its
suggestions with the consultation's run, so pages only read them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from analysis.text.stance import STANCES
from consult import races
from consult.extensions import db
from consult.models import Comment, utcnow


class StanceLabel(db.Model):
    __tablename__ = "stance_label"
    __table_args__ = (UniqueConstraint("comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    #: One of ``analysis.text.stance.STANCES``, as the team reads the opinion.
    stance: Mapped[str] = mapped_column(String(20))
    labelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    labelled_at: Mapped[datetime] = mapped_column(default=utcnow)


def set_label(comment: Comment, stance: str, user_id: int | None) -> StanceLabel:
    """Record (or replace) the team's stance for ``comment``; raises ValueError on an unknown stance."""
    if stance not in STANCES:
        raise ValueError(stance)
    def find() -> StanceLabel | None:
        return db.session.scalar(select(StanceLabel).where(StanceLabel.comment_id == comment.id))

    def add() -> StanceLabel:
        added = StanceLabel(comment_id=comment.id, consultation_id=comment.consultation_id,
                            stance=stance)
        db.session.add(added)
        return added

    row = find()
    if row is None:  # two team members labelling at once: the second updates the first's row
        row, _ = races.insert_or_find(add, find)
    row.stance, row.labelled_by_id, row.labelled_at = stance, user_id, utcnow()
    return row


def labels_of(consultation_id: int, comment_ids: list[int] | None = None) -> dict[int, str]:
    query = select(StanceLabel.comment_id, StanceLabel.stance) \
        .where(StanceLabel.consultation_id == consultation_id)
    if comment_ids is not None:
        query = query.where(StanceLabel.comment_id.in_(comment_ids))
    return dict(db.session.execute(query).all())


def label_count(consultation_id: int) -> int:
    return db.session.scalar(select(func.count(StanceLabel.id))
                             .where(StanceLabel.consultation_id == consultation_id)) or 0


def suggestions_for(consultation_id: int, opinions) -> dict | None:
    """``{"labels": n, "by_id": {comment id: [stance, confidence]}}`` for the unlabelled
    ``opinions`` (``analysis.text.Opinion``), or None while too few labels exist."""
    from analysis.text import stance_model

    labels = labels_of(consultation_id)
    texts = dict(db.session.execute(select(Comment.id, Comment.body)
                                    .where(Comment.id.in_(list(labels)))).all()) if labels else {}
    known = [(texts[i], stance) for i, stance in labels.items() if i in texts]
    if not stance_model.can_train([stance for _, stance in known]):
        return None
    model = stance_model.train([t for t, _ in known], [s for _, s in known])
    rest = [o for o in opinions if o.id not in labels]
    found = stance_model.suggest(model, [o.text for o in rest])
    return {"labels": len(known),
            "by_id": {str(o.id): [s.stance, s.confidence] for o, s in zip(rest, found)}}


#: Opinions per page of the stance page.
PAGE_SIZE = 50


def opinions_page(consultation_id: int, page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[Comment], int]:
    """Published comments of a consultation, oldest first, and the number of pages."""
    condition = (Comment.consultation_id == consultation_id) & (Comment.status == "published")
    total = db.session.scalar(select(func.count(Comment.id)).where(condition)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    comments = db.session.scalars(select(Comment).where(condition).order_by(Comment.id)
                                  .offset((page - 1) * per_page).limit(per_page)).all()
    return list(comments), pages


def rule_readings(comments: list[Comment]) -> dict[int, object]:
    """The rules' ``StanceDecision`` of each comment (cheap: computed when shown)."""
    from analysis.text.normalise import prepare
    from analysis.text.stance import classify

    return {c.id: classify(prepare(c.body).text) for c in comments}
