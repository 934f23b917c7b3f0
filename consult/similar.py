"""Earlier decisions on similar opinions, shown while deciding so that the team answers alike.

Two opinions are similar when the open-text analysis put them in the same campaign (its latest
finished run over the whole consultation, when there is one) or when their normalised texts are
near-identical (rapidfuzz's ratio at least ``MIN_SCORE``). Identical texts on the same article
are already one group on the decisions page; this finds them on other articles and pages, and
near copies anywhere in the consultation.

Pure module (no Flask); rapidfuzz is imported on first use.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from consult.decisions import IN_FORCE, PUBLISHED, OpinionGroup, survey_query
from consult.extensions import db
from consult.models import Comment, Consultation, Decision
from consult.submissions.models import Submission, SubmissionOpinion

#: Least rapidfuzz ratio (0–100) of two normalised texts counted as near-identical.
MIN_SCORE = 90
#: Earlier decisions shown per group of opinions.
LIMIT = 3
#: Why a decision is offered.
CAMPAIGN, TEXT = "campaign", "text"


@dataclass
class SimilarDecision:
    decision: Decision
    #: One text the decision answered, as written.
    text: str
    #: Opinions it answers in all.
    opinions: int
    #: ``CAMPAIGN`` or ``TEXT``.
    why: str
    #: Similarity of the texts, 0–100 (100 for a campaign found by the analysis).
    score: int


@dataclass
class _Decided:
    decision_id: int
    body: str
    normalized: str
    comment_id: int | None


def _decided(consultation_id: int) -> list[_Decided]:
    comments = db.session.execute(
        select(Comment.decision_id, Comment.body, Comment.body_normalized, Comment.id)
        .where(Comment.consultation_id == consultation_id, Comment.status == PUBLISHED,
               Comment.decision_id.is_not(None)))
    letters = db.session.execute(
        select(SubmissionOpinion.decision_id, SubmissionOpinion.body, SubmissionOpinion.body_normalized)
        .join(Submission, Submission.id == SubmissionOpinion.submission_id)
        .where(Submission.consultation_id == consultation_id, Submission.status == IN_FORCE,
               SubmissionOpinion.decision_id.is_not(None)))
    from surveys.models import Answer

    answers = db.session.execute(
        survey_query(consultation_id).where(Answer.decision_id.is_not(None))
        .with_only_columns(Answer.decision_id, Answer.value_text, Answer.value_normalized))
    found = [_Decided(d, b, n or "", c) for d, b, n, c in comments]
    found += [_Decided(d, b, n or "", None) for d, b, n in letters]
    return found + [_Decided(d, b or "", n or "", None) for d, b, n in answers]


def _campaign_of(consultation_id: int) -> dict[int, int]:
    """comment id → campaign number, from the latest finished analysis of the consultation."""
    from analysis import results

    run = results.latest("consultation", consultation_id)
    if run is None:
        return {}
    view = run.view() or {}
    found: dict[int, int] = {}
    for number, campaign in enumerate(view.get("campaigns") or []):
        for comment_id in campaign.get("member_ids") or []:
            found[int(comment_id)] = number
    return found


def similar_decisions(consultation: Consultation, groups: list[OpinionGroup],
                      limit: int = LIMIT) -> dict[str, list[SimilarDecision]]:
    """For each group with an undecided opinion (keyed by ``group.tokens``): up to ``limit``
    earlier decisions on similar opinions, campaign first, then by similarity. A decision that
    already answers an opinion of the group is not offered."""
    open_groups = [group for group in groups if any(o.decision is None for o in group.opinions)]
    if not open_groups:
        return {}
    decided = _decided(consultation.id)
    if not decided:
        return {}
    from rapidfuzz import fuzz, process

    covers: dict[int, int] = {}
    sample: dict[int, str] = {}
    by_text: dict[str, set[int]] = {}
    for row in decided:
        covers[row.decision_id] = covers.get(row.decision_id, 0) + 1
        sample.setdefault(row.decision_id, row.body)
        by_text.setdefault(row.normalized, set()).add(row.decision_id)
    campaigns = _campaign_of(consultation.id)
    by_campaign: dict[int, set[int]] = {}
    for row in decided:
        if row.comment_id in campaigns:
            by_campaign.setdefault(campaigns[row.comment_id], set()).add(row.decision_id)
    texts = list(by_text)
    wanted = {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(list(covers))))}
    found: dict[str, list[SimilarDecision]] = {}
    for group in open_groups:
        own = {o.decision.id for o in group.opinions if o.decision is not None}
        offers: dict[int, SimilarDecision] = {}
        for opinion in group.opinions:
            number = campaigns.get(opinion.ref.id) if opinion.ref.kind == "comment" else None
            for decision_id in by_campaign.get(number, ()) if number is not None else ():
                if decision_id not in own and decision_id not in offers:
                    offers[decision_id] = SimilarDecision(wanted[decision_id], sample[decision_id],
                                                          covers[decision_id], CAMPAIGN, 100)
        query = group.first.body_normalized or ""
        if query:
            for text, score, _ in process.extract(query, texts, scorer=fuzz.ratio, score_cutoff=MIN_SCORE,
                                                  limit=limit * 3):
                for decision_id in sorted(by_text[text]):
                    if decision_id not in own and decision_id not in offers:
                        offers[decision_id] = SimilarDecision(wanted[decision_id], sample[decision_id],
                                                              covers[decision_id], TEXT, round(score))
        if offers:
            ranked = sorted(offers.values(), key=lambda s: (s.why != CAMPAIGN, -s.score, -s.decision.id))
            found[group.tokens] = ranked[:limit]
    return found
