"""Decisions on opinions: tiếp thu, tiếp thu một phần, giải trình, không tiếp thu.

The drafting ministry must report how it handled every opinion, so every opinion that
counts gets a ``Decision``: the published comments of citizens and the opinions of the
formal letters in force (a superseded or unsent letter, a draft, pending, rejected or hidden
comment has nothing to decide). One decision may answer many opinions, such as a campaign of
identical comments, which the pages group by their normalised text.

Opinions live in three tables (``Comment``, ``SubmissionOpinion``, and the surveys'
``Answer`` to an open-text question pinned to a provision of the draft); ``Opinion`` wraps any
of them so pages and the synthesis report treat them alike, and ``OpinionRef`` names one in a
form ("c12" for comment 12, "l7" for letter opinion 7, "s5" for survey answer 5).

Pure module (no Flask): the pages, the demo, the report and tests share it.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import case, false, func, select
from sqlalchemy.orm import Session

from consult import audit
from consult.domain import DECISION_OUTCOMES, DECISION_REASON_MAX, NEW_WORDING_MAX, REASON_OPTIONAL_OUTCOMES
from consult.extensions import db
from consult.models import (Comment, Consultation, Contribution, Decision, Organisation, Provision,
                            User, utcnow)
from consult.outline import Outline, outline
from consult.submissions.models import Submission, SubmissionOpinion
from consult.textnorm import clean_control, has_visible_text, normalize_text

if TYPE_CHECKING:
    from surveys.models import Answer, Question, Response, Survey


def _survey_models():
    """``surveys.models`` (Answer, Question, Response, Survey), imported on first use: importing
    the surveys package here would import ``consult.demo`` while it imports this module."""
    from surveys.models import Answer, Question, Response, Survey

    return Answer, Question, Response, Survey

#: The comment status whose comments are decided: only what the public can read.
PUBLISHED = "published"
#: The letter status whose opinions are decided: the body's answer in force.
IN_FORCE = "submitted"
#: The survey response status whose open-text answers are decided: sent, not in progress.
ANSWERED = "submitted"
#: Question kinds whose answers are opinions in the respondent's words.
OPEN_TEXT_KINDS = ("short_text", "long_text")
_PREFIXES = {"comment": "c", "letter": "l", "survey": "s"}
_KINDS = {prefix: kind for kind, prefix in _PREFIXES.items()}
#: The key counting opinions without a decision, next to the outcomes.
UNDECIDED = "undecided"
#: Groups of identical opinions on one page of an article's decisions: 5,000 opinions on one
#: page took 1.5 s and 2.3 MB to serve.
GROUPS_PER_PAGE = 100


class InvalidDecision(ValueError):
    """A decision that cannot be recorded; ``code`` says why, for a message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class OpinionRef:
    """Which row an opinion is: ``kind`` is "comment", "letter" or "survey", ``id`` its primary key."""

    kind: str
    id: int

    @property
    def token(self) -> str:
        return _PREFIXES[self.kind] + str(self.id)

    @classmethod
    def parse(cls, token: str) -> OpinionRef | None:
        token = (token or "").strip()
        kind = _KINDS.get(token[:1])
        digits = token[1:]
        if kind is None or not digits.isascii() or not digits.isdigit() or len(digits) > 15:
            return None
        return cls(kind, int(digits))


@dataclass
class Opinion:
    """One opinion to decide, from a citizen's comment or an organisation's letter."""

    ref: OpinionRef
    row: Comment | SubmissionOpinion | Answer
    #: The provision it is about in the version shown: where its article's matches led.
    provision: Provision | None
    #: The key of the article it counts for (``Outline.article_anchor``); None: the whole draft.
    anchor: str | None
    body: str
    body_normalized: str
    decision: Decision | None
    #: Document order inside its article: provision, letters before comments, then age.
    order: tuple
    respondent_type: str | None = None
    province_code: str | None = None
    organisation: Organisation | None = None
    submission: Submission | None = None
    #: The provision it was written on (of an older version when ``carried`` is set).
    written_on: Provision | None = None
    #: How it came to the version shown: "moved", "changed", "merged", "split", "removed"; None
    #: when written on the version shown or on an unchanged provision.
    carried: str | None = None
    #: A survey answer's survey and question.
    survey: Survey | None = None
    question: Question | None = None

    @property
    def is_letter(self) -> bool:
        return self.ref.kind == "letter"

    @property
    def is_survey(self) -> bool:
        return self.ref.kind == "survey"


@dataclass
class OpinionGroup:
    """Opinions with the same normalised text, shown and answered once ("× N")."""

    opinions: list[Opinion]

    @property
    def first(self) -> Opinion:
        return self.opinions[0]

    @property
    def tokens(self) -> str:
        return " ".join(opinion.ref.token for opinion in self.opinions)

    @property
    def decisions(self) -> list[tuple[Decision | None, int]]:
        """Each distinct decision of the group (None: undecided) with how many it covers."""
        counts: dict[int | None, list] = {}
        for opinion in self.opinions:
            key = opinion.decision.id if opinion.decision else None
            counts.setdefault(key, [opinion.decision, 0])[1] += 1
        return [(decision, count) for decision, count in counts.values()]


def group_identical(opinions: list[Opinion]) -> list[OpinionGroup]:
    """Group opinions by ``body_normalized``, each group where its first member stands."""
    groups: dict[str, OpinionGroup] = {}
    for opinion in opinions:
        groups.setdefault(opinion.body_normalized, OpinionGroup([])).opinions.append(opinion)
    return list(groups.values())


@dataclass
class ArticleOpinions:
    """The opinions on one article (all its clauses and points), or on the draft as a whole."""

    anchor: str | None
    article: Provision | None
    opinions: list[Opinion] = field(default_factory=list)
    #: For an article removed from the version shown: the version from which it is gone.
    removed_in: int | None = None
    consultation_id: int | None = None

    @property
    def decided(self) -> int:
        return sum(1 for opinion in self.opinions if opinion.decision is not None)

    @property
    def undecided(self) -> int:
        return len(self.opinions) - self.decided

    def groups(self, undecided_only: bool = False, keep=None) -> list[OpinionGroup]:
        """Identical opinions grouped; ``keep`` (a test on an opinion) narrows them first."""
        opinions = [o for o in self.opinions if o.decision is None] if undecided_only else self.opinions
        if keep is not None:
            opinions = [o for o in opinions if keep(o)]
        return group_identical(opinions)

    def page(self, number: int, undecided_only: bool = False, per_page: int = GROUPS_PER_PAGE,
             keep=None) -> GroupPage:
        """Page ``number`` of the groups. Identical opinions are grouped over the whole article
        first, so a group never straddles two pages; a number out of range gives the nearest page."""
        groups = self.groups(undecided_only, keep)
        pages = max(1, math.ceil(len(groups) / per_page))
        number = min(max(number, 1), pages)
        start = (number - 1) * per_page
        return GroupPage(groups[start:start + per_page], number, pages, len(groups), start)


@dataclass
class GroupPage:
    """One page of an article's groups of opinions; the article's counts stay on ``ArticleOpinions``."""

    groups: list[OpinionGroup]
    #: 1-based, always between 1 and ``pages`` (no opinion: one empty page).
    number: int
    pages: int
    #: Groups on all pages.
    total: int
    #: Groups before this page.
    offset: int

    @property
    def opinions(self) -> list[Opinion]:
        """The opinions shown on this page: the only ones a decision made on it may touch."""
        return [opinion for group in self.groups for opinion in group.opinions]

    @property
    def first(self) -> int:
        return self.offset + 1 if self.groups else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.groups)

    def nearby(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` each side of this one;
        None marks a gap."""
        wanted = sorted(n for n in {1, self.pages, *range(self.number - around, self.number + around + 1)}
                        if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for number in wanted:
            if shown and number - shown[-1] > 1:
                shown.append(None)
            shown.append(number)
        return shown


@dataclass
class ArticleProgress:
    """One line of the per-consultation page: an article and how far its opinions are decided."""

    anchor: str | None
    article: Provision | None
    opinions: int = 0
    decided: int = 0
    #: For an article removed from the version shown: the version from which it is gone.
    removed_in: int | None = None

    @property
    def undecided(self) -> int:
        return self.opinions - self.decided


# --- reading opinions -------------------------------------------------------------------------

def _comment_query(consultation_id: int):
    return (select(Comment, Contribution).join(Contribution, Contribution.id == Comment.contribution_id)
            .where(Comment.consultation_id == consultation_id, Comment.status == PUBLISHED))


def _letter_query(consultation_id: int):
    return (select(SubmissionOpinion, Submission, Organisation)
            .join(Submission, Submission.id == SubmissionOpinion.submission_id)
            .join(Organisation, Organisation.id == Submission.organisation_id)
            .where(Submission.consultation_id == consultation_id, Submission.status == IN_FORCE))


def survey_query(consultation_id: int):
    """Submitted answers to open-text questions pinned to a provision of the consultation's draft."""
    Answer, Question, Response, Survey = _survey_models()
    return (select(Answer, Response, Question, Survey)
            .join(Response, Response.id == Answer.response_id)
            .join(Question, Question.id == Answer.question_id)
            .join(Survey, Survey.id == Question.survey_id)
            .where(Survey.consultation_id == consultation_id, Response.status == ANSWERED,
                   Question.kind.in_(OPEN_TEXT_KINDS), Question.provision_id.is_not(None),
                   Answer.value_text.is_not(None)))


def _where_article(query, column, ids: list[int] | None, general: bool):
    """Restrict to provisions ``ids``; ``general`` also takes opinions on no provision."""
    if ids is None:
        return query
    condition = column.in_(ids) if ids else None
    if general:
        condition = column.is_(None) if condition is None else (column.is_(None) | condition)
    return query.where(condition) if condition is not None else query.where(false())


def load_opinions(consultation: Consultation, anchors: set | None = None,
                  shape: Outline | None = None) -> list[Opinion]:
    """The consultation's decidable opinions, optionally only those on articles ``anchors``
    (None inside ``anchors`` stands for the draft as a whole), in document order."""
    shape = shape or outline(consultation)
    ids, general = None, False
    if anchors is not None:
        general = None in anchors
        ids = [pid for pid in shape.by_id if shape.article_anchor.get(pid, None) in anchors]
    comments = db.session.execute(_where_article(_comment_query(consultation.id), Comment.provision_id,
                                                 ids, general)).all()
    letters = db.session.execute(_where_article(_letter_query(consultation.id),
                                                SubmissionOpinion.provision_id, ids, general)).all()
    question_provision = _survey_models()[1].provision_id
    answers = [] if general and not ids else db.session.execute(
        _where_article(survey_query(consultation.id), question_provision, ids, False)).all()
    decisions = decisions_by_id([c.decision_id for c, _ in comments] + [o.decision_id for o, _, _ in letters]
                           + [a.decision_id for a, _, _, _ in answers])
    opinions = [_from_letter(opinion, submission, organisation, shape, decisions)
                for opinion, submission, organisation in letters]
    opinions += [_from_comment(comment, contribution, shape, decisions) for comment, contribution in comments]
    opinions += [_from_answer(*row, shape, decisions) for row in answers]
    return sorted(opinions, key=lambda opinion: opinion.order)


def decisions_by_id(ids: list[int | None]) -> dict[int, Decision]:
    """id → decision for the ids given (None skipped), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {d.id: d for d in db.session.scalars(select(Decision).where(Decision.id.in_(wanted)))}


def _from_comment(comment: Comment, contribution: Contribution, shape: Outline,
                  decisions: dict[int, Decision]) -> Opinion:
    return Opinion(
        ref=OpinionRef("comment", comment.id), row=comment,
        provision=shape.shown(comment.provision_id), anchor=shape.article_anchor.get(comment.provision_id),
        body=comment.body, body_normalized=comment.body_normalized,
        decision=decisions.get(comment.decision_id),
        order=(shape.position(comment.provision_id), 1, comment.id),
        respondent_type=contribution.respondent_type, province_code=contribution.province_code,
        written_on=shape.by_id.get(comment.provision_id), carried=shape.carried(comment.provision_id))


def _from_letter(opinion: SubmissionOpinion, submission: Submission, organisation: Organisation,
                 shape: Outline, decisions: dict[int, Decision]) -> Opinion:
    return Opinion(
        ref=OpinionRef("letter", opinion.id), row=opinion,
        provision=shape.shown(opinion.provision_id), anchor=shape.article_anchor.get(opinion.provision_id),
        body=opinion.body, body_normalized=opinion.body_normalized,
        decision=decisions.get(opinion.decision_id),
        order=(shape.position(opinion.provision_id), 0, opinion.id),
        organisation=organisation, submission=submission,
        written_on=shape.by_id.get(opinion.provision_id), carried=shape.carried(opinion.provision_id))


def _from_answer(answer: Answer, response: Response, question: Question, survey: Survey, shape: Outline,
                 decisions: dict[int, Decision]) -> Opinion:
    body = answer.value_text or ""
    invitation = response.invitation
    return Opinion(
        ref=OpinionRef("survey", answer.id), row=answer,
        provision=shape.shown(question.provision_id), anchor=shape.article_anchor.get(question.provision_id),
        body=body, body_normalized=answer.value_normalized or normalize_text(body),
        decision=decisions.get(answer.decision_id),
        order=(shape.position(question.provision_id), 2, answer.id),
        respondent_type=response.respondent_type, province_code=response.province_code,
        organisation=invitation.organisation if invitation is not None else None,
        written_on=shape.by_id.get(question.provision_id), carried=shape.carried(question.provision_id),
        survey=survey, question=question)


def opinions_by_article(consultation: Consultation) -> list[ArticleOpinions]:
    """Every decidable opinion: general opinions first, then articles in draft order.

    Only groups holding an opinion are returned.
    """
    shape = outline(consultation)
    groups = {None: ArticleOpinions(None, None)}
    for anchor in shape.articles:
        groups[anchor] = ArticleOpinions(anchor, shape.articles[anchor], removed_in=shape.removed.get(anchor))
    for opinion in load_opinions(consultation, shape=shape):
        groups[opinion.anchor].opinions.append(opinion)
    return [group for group in groups.values() if group.opinions]


def article_opinions(consultation: Consultation, anchor: str | None) -> ArticleOpinions | None:
    """The opinions on one article (None: on the draft as a whole); None for an unknown anchor."""
    shape = outline(consultation)
    if anchor is not None and anchor not in shape.articles:
        return None
    article = shape.articles.get(anchor) if anchor else None
    return ArticleOpinions(anchor, article, load_opinions(consultation, {anchor}, shape),
                           removed_in=shape.removed.get(anchor), consultation_id=consultation.id)


def article_progress(consultation: Consultation) -> list[ArticleProgress]:
    """General opinions, then every article in draft order, with opinions and decided counts.

    Counted in SQL per provision; only the outline is read into Python.
    """
    shape = outline(consultation)
    rows = {None: ArticleProgress(None, None)}
    for anchor in shape.articles:
        rows[anchor] = ArticleProgress(anchor, shape.articles[anchor], removed_in=shape.removed.get(anchor))
    for provision_id, total, decided in _counts_by_provision(db.session, consultation.id):
        row = rows[shape.article_anchor.get(provision_id)]
        row.opinions += total
        row.decided += decided
    return [row for row in rows.values() if row.removed_in is None or row.opinions]


def _counted(consultation_id: int):
    """Each source of opinions: (its query, its row's table, the column of its provision)."""
    Answer, Question, _, _ = _survey_models()
    return ((_comment_query(consultation_id), Comment, Comment.provision_id),
            (_letter_query(consultation_id), SubmissionOpinion, SubmissionOpinion.provision_id),
            (survey_query(consultation_id), Answer, Question.provision_id))


def _counts_by_provision(session: Session, consultation_id: int):
    for query, table, provision in _counted(consultation_id):
        decided = func.sum(case((table.decision_id.is_(None), 0), else_=1))
        counted = query.with_only_columns(provision, func.count(table.id), decided)
        yield from session.execute(counted.group_by(provision)).all()


def outcome_counts(session: Session, consultation_id: int) -> dict[str, int]:
    """Decidable opinions per outcome, in ``DECISION_OUTCOMES`` order, then ``undecided``."""
    counts = dict.fromkeys([*DECISION_OUTCOMES, UNDECIDED], 0)
    for query, table, _provision in _counted(consultation_id):
        grouped = (query.outerjoin(Decision, Decision.id == table.decision_id)
                   .with_only_columns(Decision.outcome, func.count(table.id)).group_by(Decision.outcome))
        for outcome, count in session.execute(grouped):
            key = outcome if outcome in counts else UNDECIDED
            counts[key] += count
    return counts


@dataclass
class Progress:
    """How far the drafting team has got: opinions per outcome and still undecided."""

    counts: dict[str, int]

    @property
    def undecided(self) -> int:
        return self.counts[UNDECIDED]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def decided(self) -> int:
        return self.total - self.undecided


def progress(consultation: Consultation) -> Progress:
    return Progress(outcome_counts(db.session, consultation.id))


# --- deciding ---------------------------------------------------------------------------------

def clean_reason(outcome: str, reason: str | None) -> str:
    """The reason as stored, or ``InvalidDecision`` for an unknown outcome or a bad reason."""
    if outcome not in DECISION_OUTCOMES:
        raise InvalidDecision("unknown_outcome")
    reason = unicodedata.normalize("NFC", clean_control(reason or "")).strip()
    if not has_visible_text(reason):  # blank fillers alone are no reason
        reason = ""
    if not reason and outcome not in REASON_OPTIONAL_OUTCOMES:
        raise InvalidDecision("reason_required")
    if len(reason) > DECISION_REASON_MAX:
        raise InvalidDecision("reason_too_long")
    return reason


def clean_new_wording(text: str | None) -> str | None:
    """The new wording as stored (None when blank), or ``InvalidDecision`` when too long.
    Line breaks are kept: the wording quotes clauses and points."""
    text = unicodedata.normalize("NFC", clean_control(text or "")).strip()
    if not has_visible_text(text):
        return None
    if len(text) > NEW_WORDING_MAX:
        raise InvalidDecision("new_wording_too_long")
    return text


def _rows(opinions) -> list[Comment | SubmissionOpinion | Answer]:
    rows = list({id(row): row for row in (getattr(o, "row", o) for o in opinions)}.values())
    if not rows:
        raise InvalidDecision("nothing_selected")
    for row in rows:
        if not _decidable(row):
            raise InvalidDecision("not_decidable")
    return rows


def _decidable(row) -> bool:
    Answer = _survey_models()[0]
    if isinstance(row, Comment):
        return row.status == PUBLISHED
    if isinstance(row, Answer):
        question = row.question
        return (row.response.status == ANSWERED and question.kind in OPEN_TEXT_KINDS
                and question.provision_id is not None and row.value_text is not None
                and question.survey.consultation_id is not None)
    return isinstance(row, SubmissionOpinion) and row.submission.status == IN_FORCE


def _row_consultation_id(row) -> int:
    if isinstance(row, Comment):
        return row.consultation_id
    if isinstance(row, _survey_models()[0]):
        return row.question.survey.consultation_id
    return row.submission.consultation_id


def _consultation_id(rows) -> int:
    ids = {_row_consultation_id(row) for row in rows}
    if len(ids) != 1:
        raise InvalidDecision("mixed_consultations")
    return ids.pop()


def _ref(row) -> OpinionRef:
    kind = "comment" if isinstance(row, Comment) else "survey" if isinstance(row, _survey_models()[0]) else "letter"
    return OpinionRef(kind, row.id)


def _covered(decision_id: int) -> set[OpinionRef]:
    comments = db.session.scalars(select(Comment.id).where(Comment.decision_id == decision_id))
    letters = db.session.scalars(select(SubmissionOpinion.id).where(SubmissionOpinion.decision_id == decision_id))
    Answer = _survey_models()[0]
    answers = db.session.scalars(select(Answer.id).where(Answer.decision_id == decision_id))
    return ({OpinionRef("comment", i) for i in comments} | {OpinionRef("letter", i) for i in letters}
            | {OpinionRef("survey", i) for i in answers})


def _assign(row, decision: Decision | None) -> None:
    if isinstance(row, Comment):
        row.decision = decision
    row.decision_id = decision.id if decision is not None else None


def delete_orphans(decision_ids) -> list[int]:
    """Delete the decisions among ``decision_ids`` that no opinion points at any more; the
    others answer fewer opinions now, a change their ``updated_at`` records (the similar-
    decisions index is rebuilt on it, ``consult.similar``)."""
    db.session.flush()
    deleted = []
    now = utcnow()
    for decision_id in sorted(i for i in decision_ids if i is not None):
        decision = db.session.get(Decision, decision_id)
        if not _covered(decision_id):
            db.session.delete(decision)
            deleted.append(decision_id)
        elif decision is not None:
            decision.updated_at = now
    return deleted


def decide(opinions, outcome: str, reason: str | None, actor: User | None,
           new_wording: str | None = None) -> tuple[Decision, bool]:
    """Answer ``opinions`` (``Opinion`` objects or rows) with one decision, optionally quoting
    the provision's ``new_wording``.

    Replaces their earlier decisions; a decision left with no opinion is deleted. Returns
    ``(decision, changed)``: repeating the same answer (a replayed form) changes nothing and
    writes no audit row; answering exactly the opinions of one decision again edits it in place.
    Raises ``InvalidDecision`` for bad input.
    """
    rows = _rows(opinions)
    reason = clean_reason(outcome, reason)
    new_wording = clean_new_wording(new_wording)
    consultation_id = _consultation_id(rows)
    previous = {row.decision_id for row in rows}
    if len(previous) == 1 and None not in previous:
        current = db.session.get(Decision, next(iter(previous)))
        if (current.outcome, current.reason, current.new_wording) == (outcome, reason, new_wording):
            return current, False
        if _covered(current.id) == {_ref(row) for row in rows}:
            return _edit(current, outcome, reason, new_wording, actor), True
    now = utcnow()
    decision = Decision(consultation_id=consultation_id, outcome=outcome, reason=reason,
                        new_wording=new_wording,
                        decided_by_id=actor.id if actor else None, decided_at=now, updated_at=now)
    db.session.add(decision)
    db.session.flush()
    for row in rows:
        _assign(row, decision)
    replaced = delete_orphans(previous - {None})
    audit.record(actor, "decision.decide", decision, outcome=outcome, reason=reason, new_wording=new_wording,
                 opinions=[_ref(row).token for row in rows], replaced=sorted(previous - {None}),
                 deleted=replaced)
    return decision, True


def _edit(decision: Decision, outcome: str, reason: str, new_wording: str | None,
          actor: User | None) -> Decision:
    audit.record(actor, "decision.edit", decision, outcome=outcome, reason=reason, new_wording=new_wording,
                 previous_outcome=decision.outcome, previous_reason=decision.reason,
                 previous_new_wording=decision.new_wording)
    decision.outcome, decision.reason, decision.new_wording = outcome, reason, new_wording
    decision.decided_by_id = actor.id if actor else decision.decided_by_id
    decision.updated_at = utcnow()
    return decision


def undecide(opinions, actor: User | None) -> int:
    """Take the decision off ``opinions``; returns how many had one. Orphans are deleted."""
    rows = [row for row in _rows(opinions) if row.decision_id is not None]
    previous: dict[int, list[str]] = {}
    decisions = {row.decision_id: db.session.get(Decision, row.decision_id) for row in rows}
    for row in rows:
        previous.setdefault(row.decision_id, []).append(_ref(row).token)
        _assign(row, None)
    deleted = set(delete_orphans(previous))
    for decision_id, tokens in previous.items():
        audit.record(actor, "decision.undecide", decisions[decision_id], opinions=tokens,
                     deleted=decision_id in deleted)
    return len(rows)


def well_formed(tokens: list[str]) -> bool:
    """Every token names an opinion the way the page writes them (``c12``, ``l7``, ``s5``)."""
    return all(OpinionRef.parse(part) is not None for value in tokens for part in (value or "").split())


def find_opinions(shown: list[Opinion], tokens: list[str]) -> list[Opinion] | None:
    """The opinions among ``shown`` (the page the team decided on) named by ``tokens`` (a token
    may hold several, space-separated); None when any token is malformed or names an opinion
    not shown, so a decision never reaches an opinion its author did not see."""
    known = {opinion.ref: opinion for opinion in shown}
    found: dict[OpinionRef, Opinion] = {}
    for token in (part for value in tokens for part in (value or "").split()):
        ref = OpinionRef.parse(token)
        if ref is None or ref not in known:
            return None
        found[ref] = known[ref]
    return list(found.values())
