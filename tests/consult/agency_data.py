"""The demo with two agencies' teams, and the URL parameters that name agency B's objects.

Agency A is the Ministry of Finance (BTC, the demo decree); agency B the Ministry of Planning
and Investment (BKHDT, the demo law, which holds the drafts, comments, surveys and letters).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from analysis.export_jobs import ExportFile
from consult.dossier.models import DossierDocument
from consult import auth
from consult.demo import DECREE_SLUG, DEMO_ADMIN_EMAIL, DEMO_SLUG, load_demo
from consult.extensions import db
from consult.models import Comment, Consultation, Organisation, Provision
from consult.submissions.demo import DEMO_OFFICER_EMAIL
from consult.submissions.models import ApiToken, OfficerInvitation, RosterEntry, Submission
from surveys.models import Answer, Choice, Invitation, Question, Response, Survey, SurveyPage

PASSWORD = "mat-khau-dai-123"
#: E-mail of each signed-in role the tests use.
EMAILS = {
    "officer": DEMO_OFFICER_EMAIL,
    "moderator_a": "bientap@btc.example.vn",
    "drafter_a": "soanthao@btc.example.vn",
    "drafter_b": "soanthao@bkhdt.example.vn",
    "admin": DEMO_ADMIN_EMAIL,
}


@dataclass
class Agencies:
    a: Consultation
    b: Consultation


def _organisation(code: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.code == code))


def load_agencies() -> Agencies:
    """The demo, a drafter and a moderator of BTC (A), a drafter of BKHDT (B), an export of B."""
    load_demo(admin_password=PASSWORD)
    btc, bkhdt = _organisation("BTC"), _organisation("BKHDT")
    auth.create_user(EMAILS["moderator_a"], PASSWORD, "moderator", organisation_id=btc.id)
    auth.create_user(EMAILS["drafter_a"], PASSWORD, "drafter", organisation_id=btc.id)
    auth.create_user(EMAILS["drafter_b"], PASSWORD, "drafter", organisation_id=bkhdt.id)
    b = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    db.session.add(ExportFile(kind="comments", consultation_id=b.id, status="done"))
    db.session.commit()
    return Agencies(a=db.session.scalar(select(Consultation).where(Consultation.slug == DECREE_SLUG)), b=b)


def _first(query):
    return db.session.scalar(query.limit(1))


def values_of(consultation: Consultation) -> dict:
    """A value for each URL parameter of the team pages, naming ``consultation``'s objects."""
    draft = consultation.draft
    version = draft.versions[-1] if draft and draft.versions else None
    survey = _first(select(Survey).where(Survey.consultation_id == consultation.id).order_by(Survey.id))
    question = _first(select(Question).where(Question.survey_id == survey.id)) if survey else None
    choice = _first(select(Choice).join(Question).where(Question.survey_id == survey.id)) if survey else None
    article = _first(select(Provision).where(Provision.version_id == version.id, Provision.kind == "article")) \
        if version else None
    entry = _first(select(RosterEntry).where(RosterEntry.consultation_id == consultation.id))
    return {
        "slug": consultation.slug, "consultation_id": consultation.id,
        "draft_id": draft.id if draft else None, "version_id": version.id if version else None,
        "comment_id": _first(select(Comment.id).where(Comment.consultation_id == consultation.id,
                                                      Comment.status != "draft")),
        "survey_id": survey.id if survey else None,
        "page_id": _first(select(SurveyPage.id).where(SurveyPage.survey_id == survey.id)) if survey else None,
        "question_id": question.id if question else None, "choice_id": choice.id if choice else None,
        "invitation_id": _first(select(Invitation.id).join(Survey).where(Survey.consultation_id == consultation.id)),
        "answer_id": _first(select(Answer.id).join(Response).join(Survey)
                            .where(Survey.consultation_id == consultation.id)),
        "export_id": _first(select(ExportFile.id).where(ExportFile.consultation_id == consultation.id)),
        "document_id": _first(select(DossierDocument.id).where(DossierDocument.consultation_id == consultation.id)),
        "submission_id": _first(select(Submission.id).where(Submission.consultation_id == consultation.id,
                                                            Submission.status == "submitted")),
        "anchor": article.anchor if article else "chung",
        "code": entry.organisation.code if entry else "BTC",
        "scope_id": consultation.id,
        "user_id": _first(select(auth.User.id).where(auth.User.role == "officer")),
        "token_id": _first(select(ApiToken.id)) or 1,
        "status": "published", "direction": "up", "form": "csv", "extension": "docx",
    }


def officer_invitation_id() -> int:
    return _first(select(OfficerInvitation.id)) or 1
