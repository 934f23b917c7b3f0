"""Answering the public: the drafting team publishes how it handled the opinions.

The law asks the drafting agency to make public how it took in the opinions it received. Once
the team publishes its answers (``publish``), anyone can read, article by article in draft
order, how many opinions came, how many were accepted, partly accepted, explained or not
accepted, and why; identical opinions are shown once with "× N". Organisations are named with
their letter; citizens are only counted by respondent type, never named (no name, contact or
receipt code leaves this module). Whoever holds a receipt code sees the answer to each of their
own opinions, on the article it landed on in the version in force.

Pure module (no Flask request): the pages, the CLI and tests share it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from consult import audit, carry, decisions, synthesis
from consult.decisions import Opinion
from consult.domain import DECISION_OUTCOMES
from consult.extensions import db
from consult.models import Consultation, Contribution, Decision, Provision, User, utcnow
from consult.outline import HEADINGS, outline


def is_published(consultation: Consultation) -> bool:
    return consultation.answers_published_at is not None


def publish(consultation: Consultation, actor: User | None) -> bool:
    """Publish the consultation's answers; False (and nothing recorded) when already published.

    One conditional ``UPDATE … WHERE answers_published_at IS NULL``: of two publishings at once
    (a double click, two team members) only the one whose row changed records the audit event
    and starts the messages."""
    if is_published(consultation):
        return False
    now = utcnow()
    changed = db.session.execute(
        update(Consultation).where(Consultation.id == consultation.id,
                                   Consultation.answers_published_at.is_(None))
        .values(answers_published_at=now).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.refresh(consultation, ["answers_published_at"])
        return False
    set_committed_value(consultation, "answers_published_at", now)
    progress = decisions.progress(consultation)
    audit.record(actor, "answers.publish", consultation, decided=progress.decided,
                 undecided=progress.undecided)
    return True


# --- the public page ---------------------------------------------------------------------------

@dataclass
class AnswerText:
    """One distinct opinion text, as first written, and how many sent it."""

    body: str
    copies: int


@dataclass
class AnswerRow:
    """Opinions answered by one decision (or identical ones still undecided)."""

    #: An outcome of ``DECISION_OUTCOMES``; None while undecided.
    outcome: str | None
    reason: str
    texts: list[AnswerText]
    #: Who sent them: organisations by name and letter, citizens counted by respondent type.
    sources: str
    opinions: int
    #: The provision's wording in the new version, as the decision quotes it ("" for none).
    new_wording: str = ""


@dataclass
class ArticleAnswers:
    """The answers on one article (or on the draft as a whole when ``article`` is None)."""

    anchor: str | None
    article: Provision | None
    removed_in: int | None
    opinions: int
    #: outcome → opinions, in ``DECISION_OUTCOMES`` order, then ``decisions.UNDECIDED``
    counts: dict[str, int]
    rows: list[AnswerRow] = field(default_factory=list)


def public_answers(consultation: Consultation) -> list[ArticleAnswers]:
    """Every article holding an opinion, general opinions first, then in draft order."""
    return [_article_answers(group) for group in decisions.opinions_by_article(consultation)]


def _article_answers(group: decisions.ArticleOpinions) -> ArticleAnswers:
    counts = dict.fromkeys([*DECISION_OUTCOMES, decisions.UNDECIDED], 0)
    for opinion in group.opinions:
        counts[opinion.decision.outcome if opinion.decision else decisions.UNDECIDED] += 1
    return ArticleAnswers(anchor=group.anchor, article=group.article, removed_in=group.removed_in,
                          opinions=len(group.opinions), counts=counts,
                          rows=[_row(members) for members in _row_members(group.opinions)])


def _row_members(opinions: list[Opinion]) -> list[list[Opinion]]:
    """One row per decision, where its first opinion stands; undecided identical texts together."""
    rows: dict[tuple, list[Opinion]] = {}
    for opinion in opinions:
        key = ("decided", opinion.decision.id) if opinion.decision else ("open", opinion.body_normalized)
        rows.setdefault(key, []).append(opinion)
    return list(rows.values())


def _row(opinions: list[Opinion]) -> AnswerRow:
    decision = opinions[0].decision
    return AnswerRow(outcome=decision.outcome if decision else None,
                     reason=decision.reason if decision else "", texts=distinct_texts(opinions),
                     sources=synthesis.sources_text(opinions), opinions=len(opinions),
                     new_wording=(decision.new_wording or "") if decision else "")


def distinct_texts(opinions: list[Opinion]) -> list[AnswerText]:
    """Each distinct text once (by its normalised form), with how many sent it."""
    texts: dict[str, AnswerText] = {}
    for opinion in opinions:
        body = unicodedata.normalize("NFC", opinion.body)
        texts.setdefault(opinion.body_normalized, AnswerText(body, 0)).copies += 1
    return list(texts.values())


# --- one citizen's receipt --------------------------------------------------------------------

@dataclass
class OwnAnswer:
    """What became of one of the citizen's opinions."""

    comment_id: int
    #: The provision it stands on in the version in force (None: the whole draft, or removed).
    provision: Provision | None
    #: How it came there ("moved", "merged", "removed" …); None when unchanged.
    carried: str | None
    decision: Decision | None


def own_answers(contribution: Contribution) -> dict[int, OwnAnswer]:
    """comment id → its answer, for the published comments of ``contribution``; empty until the
    answers of its consultation are published.

    Where an opinion stands in the version in force comes from ``carry.landings``, kept per
    process for a published version: the receipt no longer rebuilds the whole outline (every
    provision of every version) on each view; only the few provisions shown are read."""
    consultation = contribution.consultation
    if not is_published(consultation):
        return {}
    draft = consultation.draft
    target = draft.current_version if draft is not None else None
    published = [comment for comment in contribution.comments if comment.status == decisions.PUBLISHED]
    if target is None:  # no version in force: the outline decides on the newest version
        shape = outline(consultation)
        return {comment.id: OwnAnswer(comment.id, shape.shown(comment.provision_id),
                                      shape.carried(comment.provision_id), comment.decision)
                for comment in published}
    landed = carry.landings(target)
    found = {comment.id: landed.get(comment.provision_id) for comment in published
             if comment.provision is not None and comment.provision.kind not in HEADINGS}
    wanted = {landing.provision_id for landing in found.values() if landing and landing.provision_id}
    shown = {provision.id: provision for provision in db.session.scalars(
        select(Provision).where(Provision.id.in_(wanted))
        .options(joinedload(Provision.version), selectinload(Provision.parent).selectinload(Provision.parent)))
    } if wanted else {}
    result = {}
    for comment in published:
        landing = found.get(comment.id)
        if landing is None:  # on the version in force, on the whole draft, or on a heading
            result[comment.id] = OwnAnswer(comment.id, comment.provision, None, comment.decision)
            continue
        provision = shown[landing.provision_id] if landing.provision_id is not None else comment.provision
        carried = landing.kind if landing.kind not in ("same", "anchor") else None
        result[comment.id] = OwnAnswer(comment.id, provision, carried, comment.decision)
    return result


# --- one survey respondent's receipt ----------------------------------------------------------

@dataclass
class OwnSurveyAnswer:
    """What became of one open-text survey answer that counts as an opinion on an article."""

    answer_id: int
    #: The question's label in the page's language.
    question: str
    body: str
    provision: Provision | None
    carried: str | None
    decision: Decision | None


def own_survey_answers(response, locale: str = "vi") -> list[OwnSurveyAnswer]:
    """The answers of a submitted survey ``response`` that are opinions on the draft (open text,
    pinned to a provision) with what became of them; empty until the answers of the survey's
    consultation are published, or when the survey belongs to none."""
    consultation = response.survey.consultation
    if consultation is None or not is_published(consultation) or response.status != decisions.ANSWERED:
        return []
    opinions = [answer for answer in response.answers
                if answer.question.kind in decisions.OPEN_TEXT_KINDS and answer.question.provision_id is not None
                and answer.value_text is not None]
    if not opinions:
        return []
    shape = outline(consultation)
    decided = decisions.decisions_by_id([answer.decision_id for answer in opinions])
    opinions.sort(key=lambda a: (a.question.page.position, a.question.position, a.id))
    return [OwnSurveyAnswer(answer.id, answer.question.label_in(locale), answer.value_text,
                            shape.shown(answer.question.provision_id), shape.carried(answer.question.provision_id),
                            decided.get(answer.decision_id))
            for answer in opinions]
