"""Earlier decisions on similar opinions, shown while deciding so that the team answers alike.

Two opinions are similar when the open-text analysis put them in the same campaign (its latest
finished run over the whole consultation, when there is one) or when their normalised texts are
near-identical (rapidfuzz's ratio at least ``MIN_SCORE``). Identical texts on the same article
are already one group on the decisions page; this finds them on other articles and pages, and
near copies anywhere in the consultation.

Cost: every decided text is a candidate, but two bounds rule most out before rapidfuzz compares
them, without losing any text that would pass (rapidfuzz's ratio is 200·LCS / (a + b), and the
longest common subsequence is at most the shorter length and at most the characters the two
texts have in common): the lengths (texts sorted by length, a window found by bisection) and
the character counts (one count matrix of the decided texts, numpy, compared with an open text
in one vector operation). The decisions and their sample texts are read only for what is
offered. bench/similar measures it (5,000 decided opinions, a page of 100 open groups).

The index of decided texts (``_Index``) is kept per process and per database, one per
consultation, and built again only when its stamp changes: one small query for the count,
highest id and latest ``updated_at`` of the consultation's decisions and its latest finished
text analysis (for campaigns). Every change of what a decision answers shows in the stamp: a
new decision has a new id, an edit or an opinion taken off touches ``updated_at``
(``consult.decisions``), an emptied decision is deleted, and a decided comment hidden or shown
again by moderation touches its decision's ``updated_at`` too (``consult.moderation``). The
stamp is in the database, so a change made by any process is seen by all.

Pure module (no Flask); rapidfuzz and numpy are imported on first use.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

from sqlalchemy import func, select

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
#: Consultations whose index a process keeps (per database), the least recently built dropped.
KEPT_INDEXES = 16


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
    normalized: str
    comment_id: int | None


def _comments(consultation_id: int, *columns):
    return (select(*columns).where(Comment.consultation_id == consultation_id, Comment.status == PUBLISHED,
                                   Comment.decision_id.is_not(None)))


def _letters(consultation_id: int, *columns):
    return (select(*columns).join(Submission, Submission.id == SubmissionOpinion.submission_id)
            .where(Submission.consultation_id == consultation_id, Submission.status == IN_FORCE,
                   SubmissionOpinion.decision_id.is_not(None)))


def _answers(consultation_id: int, *columns):
    from surveys.models import Answer

    return survey_query(consultation_id).where(Answer.decision_id.is_not(None)).with_only_columns(*columns)


def _decided(consultation_id: int) -> list[_Decided]:
    """Every decided opinion of the consultation: its decision, normalised text, comment id."""
    from surveys.models import Answer

    comments = db.session.execute(_comments(consultation_id, Comment.decision_id, Comment.body_normalized,
                                            Comment.id))
    letters = db.session.execute(_letters(consultation_id, SubmissionOpinion.decision_id,
                                          SubmissionOpinion.body_normalized))
    answers = db.session.execute(_answers(consultation_id, Answer.decision_id, Answer.value_normalized))
    found = [_Decided(d, n or "", c) for d, n, c in comments]
    found += [_Decided(d, n or "", None) for d, n in letters]
    return found + [_Decided(d, n or "", None) for d, n in answers]


def _samples(consultation_id: int, decision_ids: set[int]) -> dict[int, str]:
    """decision id → one text it answered, as written (a comment's first, else a letter's, else
    a survey answer's), for the decisions offered only."""
    from surveys.models import Answer

    found: dict[int, str] = {}
    wanted = list(decision_ids)
    for query in (_comments(consultation_id, Comment.decision_id, Comment.body)
                  .where(Comment.decision_id.in_(wanted)).order_by(Comment.id),
                  _letters(consultation_id, SubmissionOpinion.decision_id, SubmissionOpinion.body)
                  .where(SubmissionOpinion.decision_id.in_(wanted)).order_by(SubmissionOpinion.id),
                  _answers(consultation_id, Answer.decision_id, Answer.value_text)
                  .where(Answer.decision_id.in_(wanted)).order_by(Answer.id)):
        if len(found) == len(decision_ids):
            break
        for decision_id, body in db.session.execute(query):
            found.setdefault(decision_id, body or "")
    return found


def length_window(length: int, score: int = MIN_SCORE) -> tuple[int, int]:
    """The lengths a text may have to reach ``score`` (rapidfuzz's ratio, 0–100) against a text
    of ``length`` characters: ratio = 200·LCS / (a + b) ≤ 200·min(a, b) / (a + b). One character
    of slack either side."""
    low = -(-score * length // (200 - score)) - 1  # ceil
    high = (200 - score) * length // score + 1 if score else 10**12
    return max(low, 0), high


class Candidates:
    """Decided texts that may reach ``MIN_SCORE`` against an open text, found by length and by
    the characters they share (``candidates``), before rapidfuzz compares them."""

    def __init__(self, texts: list[str]):
        import numpy as np

        self.texts = sorted(texts, key=len)
        self.lengths = np.array([len(text) for text in self.texts], dtype=np.int64)
        codes = np.frombuffer("".join(self.texts).encode("utf-32-le"), dtype=np.uint32)
        self.alphabet, inverse = np.unique(codes, return_inverse=True)
        rows = np.repeat(np.arange(len(self.texts)), self.lengths)
        width = len(self.alphabet)
        counts = np.bincount(rows * width + inverse.ravel(), minlength=len(self.texts) * width)
        self.counts = counts.reshape(len(self.texts), width).astype(np.int32)

    def candidates(self, query: str, score: int = MIN_SCORE) -> list[str]:
        import numpy as np

        low, high = length_window(len(query), score)
        start = int(np.searchsorted(self.lengths, low, side="left"))
        end = int(np.searchsorted(self.lengths, high, side="right"))
        if start >= end or not len(self.alphabet):
            return []
        codes = np.frombuffer(query.encode("utf-32-le"), dtype=np.uint32)
        where = np.searchsorted(self.alphabet, codes).clip(0, len(self.alphabet) - 1)
        known = where[self.alphabet[where] == codes]
        wanted = np.bincount(known, minlength=len(self.alphabet)).astype(np.int32)
        shared = np.minimum(self.counts[start:end], wanted).sum(axis=1)
        # 200·shared ≥ score·(a + b), one unit of slack for rounding.
        keep = np.nonzero(200 * shared + 1 >= score * (self.lengths[start:end] + len(query)))[0]
        return [self.texts[start + int(i)] for i in keep]


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


@dataclass
class _Index:
    """What the check needs of a consultation's decided opinions, built once per stamp."""
    #: decision id → opinions it answers.
    covers: dict[int, int] = field(default_factory=dict)
    #: normalised text → decisions answering an opinion with that text.
    by_text: dict[str, set[int]] = field(default_factory=dict)
    #: comment id → campaign number; campaign number → decisions of its comments.
    campaigns: dict[int, int] = field(default_factory=dict)
    by_campaign: dict[int, set[int]] = field(default_factory=dict)
    candidates: Candidates | None = None


def _build(consultation_id: int) -> _Index:
    index = _Index()
    decided = _decided(consultation_id)
    if not decided:
        return index
    for row in decided:
        index.covers[row.decision_id] = index.covers.get(row.decision_id, 0) + 1
        index.by_text.setdefault(row.normalized, set()).add(row.decision_id)
    index.campaigns = _campaign_of(consultation_id)
    for row in decided:
        if row.comment_id in index.campaigns:
            index.by_campaign.setdefault(index.campaigns[row.comment_id], set()).add(row.decision_id)
    index.candidates = Candidates(list(index.by_text))
    return index


def stamp(consultation_id: int) -> tuple:
    """What changes whenever the index would: one small query (see the module's docstring)."""
    from analysis.results import TextAnalysis

    latest_run = (select(func.max(TextAnalysis.id))
                  .where(TextAnalysis.scope == "consultation", TextAnalysis.scope_id == consultation_id,
                         TextAnalysis.status == "done").scalar_subquery())
    return tuple(db.session.execute(
        select(func.count(Decision.id), func.max(Decision.id), func.max(Decision.updated_at), latest_run)
        .where(Decision.consultation_id == consultation_id)).one())


#: engine → {consultation id: (stamp, index)}: per database, so that two apps of one process
#: (tests, a CLI beside the web app) never share an index.
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def index_for(consultation_id: int) -> _Index:
    """The consultation's index, built again only when its stamp changed. The stamp is read
    before building, so a decision made meanwhile makes the next call build once more."""
    current = stamp(consultation_id)
    with _LOCK:
        kept = _KEPT.setdefault(db.engine, {})
        found = kept.get(consultation_id)
    if found is not None and found[0] == current:
        return found[1]
    index = _build(consultation_id)
    with _LOCK:
        kept.pop(consultation_id, None)
        kept[consultation_id] = (current, index)
        while len(kept) > KEPT_INDEXES:
            kept.pop(next(iter(kept)))
    return index


def similar_decisions(consultation: Consultation, groups: list[OpinionGroup],
                      limit: int = LIMIT) -> dict[str, list[SimilarDecision]]:
    """For each group with an undecided opinion (keyed by ``group.tokens``): up to ``limit``
    earlier decisions on similar opinions, campaign first, then by similarity. A decision that
    already answers an opinion of the group is not offered."""
    open_groups = [group for group in groups if any(o.decision is None for o in group.opinions)]
    if not open_groups:
        return {}
    index = index_for(consultation.id)
    if index.candidates is None:
        return {}
    chosen = {group.tokens: offers for group in open_groups
              if (offers := _offers(index, group, limit))}
    if not chosen:
        return {}
    offered = {decision_id for offers in chosen.values() for decision_id in offers}
    wanted = {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(list(offered))))}
    sample = _samples(consultation.id, offered)
    return {tokens: [SimilarDecision(wanted[d], sample.get(d, ""), index.covers[d], why, score)
                     for d, (why, score) in offers.items() if d in wanted]
            for tokens, offers in chosen.items()}


def _offers(index: _Index, group: OpinionGroup, limit: int) -> dict[int, tuple[str, int]]:
    """decision id → (why, score) of the ``limit`` best earlier decisions for ``group``."""
    from rapidfuzz import fuzz, process

    own = {o.decision.id for o in group.opinions if o.decision is not None}
    offers: dict[int, tuple[str, int]] = {}
    for opinion in group.opinions:
        number = index.campaigns.get(opinion.ref.id) if opinion.ref.kind == "comment" else None
        for decision_id in index.by_campaign.get(number, ()) if number is not None else ():
            if decision_id not in own:
                offers.setdefault(decision_id, (CAMPAIGN, 100))
    query = group.first.body_normalized or ""
    if query:
        for text, score, _ in process.extract(query, index.candidates.candidates(query), scorer=fuzz.ratio,
                                              score_cutoff=MIN_SCORE, limit=limit * 3):
            for decision_id in sorted(index.by_text[text]):
                if decision_id not in own:
                    offers.setdefault(decision_id, (TEXT, round(score)))
    ranked = sorted(offers.items(), key=lambda item: (item[1][0] != CAMPAIGN, -item[1][1], -item[0]))
    return dict(ranked[:limit])
