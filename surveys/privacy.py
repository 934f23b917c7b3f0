"""Retention for surveys: answers to questions marked personal are erased with the rest.

A question whose ``parameters["personal"]`` is true asks who the respondent is (a name, a
telephone number, an e-mail, an identity document as a file). When ``consult.privacy``
purges a consultation, the answers to such questions in the consultation's surveys lose
their value (the row stays as "shown, left empty", so response counts do not move) and an
uploaded file is deleted from disk once the change is committed. Every other answer stays.

An open-text personal question pinned to an article is an opinion the drafting team may have
decided (``Answer.decision_id``). Its text goes with the rest, so it is no longer an opinion:
the answer leaves its decision, and a decision that then answers no opinion at all is deleted
(audited), as when the team removes one, so that no decision is left answering nothing.
"""
from __future__ import annotations

from sqlalchemy import func, select, update

from consult import privacy
from consult.extensions import db
from surveys.kinds import upload
from surveys.models import Answer, Question, Survey


def register() -> None:
    privacy.register_eraser(erase_personal_answers)


def personal_question_ids(consultation_id: int) -> list[int]:
    """Questions of the consultation's surveys marked personal."""
    questions = db.session.scalars(select(Question).join(Survey, Survey.id == Question.survey_id)
                                   .where(Survey.consultation_id == consultation_id))
    return [question.id for question in questions if question.param("personal")]


def erase_personal_answers(consultation_id: int, dry_run: bool = False) -> dict[str, int]:
    """Erase (or count) the answers to personal questions; ``{"survey_answers": n}``."""
    question_ids = personal_question_ids(consultation_id)
    if not question_ids:
        return {"survey_answers": 0}
    holding = (Answer.question_id.in_(question_ids), Answer.has_value())
    if dry_run:
        count = db.session.scalar(select(func.count()).select_from(Answer).where(*holding)) or 0
        return {"survey_answers": count}
    for answer in db.session.scalars(select(Answer).where(*holding, Answer.file_path.is_not(None))):
        upload.release(answer)
    decided = set(db.session.scalars(select(Answer.decision_id).where(*holding, Answer.decision_id.is_not(None))))
    result = db.session.execute(update(Answer).where(*holding)
                                .values({**{column: None for column in Answer.VALUE_COLUMNS}, "decision_id": None})
                                .execution_options(synchronize_session="fetch"))
    counts = {"survey_answers": result.rowcount or 0}
    if decided:
        counts["survey_decisions_deleted"] = _drop_empty_decisions(decided)
    return counts


def _drop_empty_decisions(decision_ids: set[int]) -> int:
    """Delete (audited) the decisions among ``decision_ids`` that answer no opinion any more."""
    from consult import audit, decisions
    from consult.models import Decision

    found = {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(decision_ids)))}
    deleted = decisions.delete_orphans(decision_ids)
    for decision_id in deleted:
        audit.record(None, "decision.erased_with_answer", found[decision_id], outcome=found[decision_id].outcome,
                     consultation=found[decision_id].consultation_id)
    return len(deleted)
