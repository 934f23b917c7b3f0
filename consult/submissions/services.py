"""Formal submissions: prepare a letter as a draft, attach the signed PDF, add opinions, submit.

Shared by the officers' pages and the API. Pure module (no Flask); the caller commits.
A submitted letter is never changed again: a later letter supersedes it and both are kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update

from consult import audit, codes, drafts, provision_tree, races
from consult.extensions import db
from consult.models import Consultation, DraftVersion, Organisation, Provision, User, utcnow
from consult.submissions import attachments, roster
from consult.submissions.attachments import StoredPdf
from consult.submissions.models import RosterEntry, Submission, SubmissionOpinion
from consult.textnorm import clean_control, normalize_text

#: Crockford's alphabet without I, L, O, U, as for citizens' receipts; "CV" for công văn.

#: Longest opinion, in characters, and most opinions in one letter.
OPINION_MAX_LENGTH = 10000
MAX_OPINIONS = 200

#: What ``missing_for_submit`` may report, in the order the letter's form shows them.
SUBMIT_REQUIREMENTS = ("letter_number", "letter_date", "signer_name", "signer_title",
                       "attachment", "opinions", "no_comment_with_opinions")


class NotOnRoster(Exception):
    """The organisation is not asked for its opinion on this consultation."""


class ConsultationArchived(Exception):
    """The consultation was archived: the letters it received stay on record, but no letter is
    started, changed or submitted any more (a body's later deadline does not reopen it)."""


def check_accepting(consultation: Consultation, now: datetime | None = None) -> None:
    """Raise ``ConsultationArchived`` when the consultation no longer takes letters."""
    if consultation.archived_at is not None and consultation.archived_at <= (now or utcnow()):
        raise ConsultationArchived()


class SubmissionLocked(Exception):
    """The letter was submitted: it can no longer be changed."""

    def __init__(self, submission: Submission):
        super().__init__(submission.id)
        self.submission = submission


class AlreadySubmitted(SubmissionLocked):
    """Submitting a letter that is already submitted: a double click or a replayed request."""


class IncompleteSubmission(Exception):
    """The letter lacks something it needs before submitting; ``missing`` lists codes."""

    def __init__(self, missing: list[str]):
        super().__init__(", ".join(missing))
        self.missing = missing


class UnknownProvision(Exception):
    """The article or clause is not in the draft version being consulted on."""


class TooManyOpinions(Exception):
    """A letter holds at most ``MAX_OPINIONS`` opinions."""


def _held_attachments(session, names: list[str]):
    """The stored PDF names some letter still holds, whatever its state."""
    return session.scalars(select(Submission.attachment_name)
                           .where(Submission.attachment_name.in_(names)))


#: Deletes a draft's PDF once it is replaced or the draft discarded, never one a letter holds.
_replaced_pdfs = attachments.OrphanSweeper("submissions.replaced_pdfs", _held_attachments)


def _let_go_of_pdf(name: str, root: Path | None) -> None:
    if root is not None and attachments.stored_name_ok(name):
        _replaced_pdfs.watch(db.session, name, root / name)


def new_receipt_code() -> str:
    return codes.receipt_code("CV")


def current_version(consultation: Consultation) -> DraftVersion | None:
    return consultation.draft.current_version if consultation.draft else None


def find_draft(consultation: Consultation, organisation_id: int) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.consultation_id == consultation.id,
        Submission.organisation_id == organisation_id, Submission.status == "draft"))


def current_submission(consultation: Consultation, organisation_id: int) -> Submission | None:
    """The letter in force: the latest one submitted."""
    return db.session.scalar(select(Submission).where(
        Submission.consultation_id == consultation.id,
        Submission.organisation_id == organisation_id, Submission.status == "submitted"))


def history(consultation: Consultation, organisation_id: int) -> list[Submission]:
    """Every letter the body submitted, newest first, the one in force at the top."""
    return db.session.scalars(select(Submission).where(
        Submission.consultation_id == consultation.id,
        Submission.organisation_id == organisation_id,
        Submission.status.in_(("submitted", "superseded")))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())).all()


def start_draft(consultation: Consultation, organisation: Organisation, actor: User | None,
                channel: str = "web") -> tuple[Submission, bool]:
    """The body's letter in preparation, made if there is none. Returns ``(draft, created)``.

    Two officers starting at once meet the one-draft constraint; the loser gets the
    winner's draft instead of an error. (The API makes its letter in one go: ``start_letter``.)
    """
    check_accepting(consultation)
    if roster.find_entry(consultation, organisation.id) is None:
        raise NotOnRoster()
    existing = find_draft(consultation, organisation.id)
    if existing is not None:
        return existing, False
    version = current_version(consultation)
    draft = Submission(consultation=consultation, organisation=organisation, status="draft",
                       draft_slot="draft", version_id=version.id if version else None,
                       created_by_id=actor.id if actor else None, channel=channel,
                       opinions=[])  # known empty: adding the first opinion reads nothing

    def add() -> Submission:
        db.session.add(draft)
        return draft

    return races.insert_or_find(add, lambda: find_draft(consultation, organisation.id))


_SUBMISSION, _OPINION, _ROSTER = Submission.__table__, SubmissionOpinion.__table__, RosterEntry.__table__
#: The columns a letter made in one go (``start_letter``) is given; the others take their defaults.
_LETTER_COLUMNS = ("consultation_id", "organisation_id", "status", "draft_slot", "version_id", "channel",
                   "letter_number", "letter_date", "signer_name", "signer_title", "no_comment",
                   "created_at", "updated_at")


def _letter_statements():
    """The statements ``start_letter`` runs, built once with bound parameters: building and
    coercing them on each request cost about as much CPU as running them.

    The letter's ``INSERT … SELECT … WHERE EXISTS`` checks the roster in the same round trip:
    a body not on it inserts no row. Its opinions go in one ``INSERT … RETURNING`` whatever
    their number, their ids in the order given."""
    s, r = _SUBMISSION, _ROSTER
    on_roster = (select(r.c.id).where(r.c.consultation_id == bindparam("p_consultation_id"),
                                      r.c.organisation_id == bindparam("p_organisation_id")).exists())
    values = select(*(bindparam(f"p_{name}", type_=s.c[name].type) for name in _LETTER_COLUMNS))
    letter = insert(s).from_select(_LETTER_COLUMNS, values.where(on_roster)).returning(s.c.id)
    opinions = insert(_OPINION).returning(_OPINION.c.id, sort_by_parameter_order=True)
    draft = select(s.c.id).where(s.c.consultation_id == bindparam("p_consultation_id"),
                                 s.c.organisation_id == bindparam("p_organisation_id"), s.c.status == "draft")
    return letter, opinions, draft


_INSERT_LETTER, _INSERT_OPINIONS, _DRAFT_ID = _letter_statements()


def draft_id(consultation_id: int, organisation_id: int) -> int | None:
    """The id of the body's letter in preparation (``find_draft`` without loading it)."""
    return db.session.scalar(_DRAFT_ID, {"p_consultation_id": consultation_id,
                                         "p_organisation_id": organisation_id})


@dataclass(frozen=True, slots=True)
class NewOpinion:
    id: int
    #: The provision (a node of the version's tree) or None for the whole draft.
    provision: provision_tree.Node | None
    body: str


@dataclass(frozen=True, slots=True)
class NewLetter:
    """A draft letter ``start_letter`` made, as stored, with the attributes the API's answer
    (``consult.api.serialize.submission``) reads of a ``Submission``."""

    id: int
    consultation: Consultation
    organisation: object  # its ``code`` and ``name``
    letter_number: str
    letter_date: date | None
    signer_name: str
    signer_title: str
    no_comment: bool
    opinions: tuple[NewOpinion, ...]
    created_at: datetime
    status: str = "draft"
    attachment_name: str = ""
    receipt_code: str | None = None
    submitted_at: datetime | None = None
    supersedes_id: int | None = None


def start_letter(consultation: Consultation, organisation, *, letter_number: str,
                 letter_date: date | None, signer_name: str, signer_title: str, no_comment: bool,
                 opinions: list[tuple[provision_tree.Node | None, str]],
                 channel: str = "api") -> tuple[NewLetter | int, bool]:
    """Make the body's draft letter with its details and opinions in one go (the API's create),
    as plain ``INSERT … RETURNING`` statements: no ORM object, no unit of work, no look-up first.

    ``organisation`` has the body's ``id``, ``code`` and ``name``; ``opinions`` are (provision
    node from ``resolve_node`` or None, body). Returns ``(letter, True)``, or ``(id, False)``
    with the id of the draft the body already has: made before, or by a twin request a moment
    ago (the one-draft constraint, ``races.insert_or_find`` as the first write of the
    transaction). Raises ``NotOnRoster`` when the body has no draft and is not on the roster.
    The same rules, the same stored values as ``start_draft`` with ``update_letter`` and
    ``add_opinion``; the caller commits."""
    check_accepting(consultation)
    version = current_version(consultation)
    fields = _letter_fields(letter_number, letter_date, signer_name, signer_title, no_comment)
    tree = provision_tree.tree_of(version) if version is not None and opinions else None
    now = utcnow()

    def add() -> NewLetter | None:
        letter_id = db.session.scalar(_INSERT_LETTER, {
            "p_consultation_id": consultation.id, "p_organisation_id": organisation.id,
            "p_status": "draft", "p_draft_slot": "draft", "p_version_id": version.id if version else None,
            "p_channel": channel, "p_created_at": now, "p_updated_at": now,
            **{f"p_{name}": value for name, value in fields.items()}})
        if letter_id is None:  # not on the roster: nothing was written
            return None
        rows = [{"submission_id": letter_id, "provision_id": node.id if node else None,
                 "article_id": tree.article_ids.get(node.id, node.id) if node else None,
                 "body": clean_control(body), "body_normalized": normalize_text(body), "created_at": now}
                for node, body in opinions]
        ids = db.session.scalars(_INSERT_OPINIONS, rows).all() if rows else []
        return NewLetter(letter_id, consultation, organisation, opinions=tuple(
            NewOpinion(opinion_id, node, row["body"]) for opinion_id, (node, _body), row in zip(ids, opinions, rows)),
            created_at=now, **fields)

    def find() -> int | None:
        return draft_id(consultation.id, organisation.id)

    letter, created = races.insert_or_find(add, find, first_write=True)
    if letter is None:  # either a draft made before (the common replay) or not on the roster
        existing = find()
        if existing is None:
            raise NotOnRoster()
        return existing, False
    return letter, created


def _require_draft(submission: Submission) -> None:
    if submission.status != "draft":
        raise SubmissionLocked(submission)
    check_accepting(submission.consultation)


def update_letter(submission: Submission, *, letter_number: str, letter_date: date | None,
                  signer_name: str, signer_title: str, no_comment: bool) -> None:
    """Record the letter's details (any may still be empty while it is a draft)."""
    _require_draft(submission)
    for name, value in _letter_fields(letter_number, letter_date, signer_name, signer_title,
                                      no_comment).items():
        setattr(submission, name, value)
    submission.updated_at = utcnow()


def _letter_fields(letter_number: str, letter_date: date | None, signer_name: str,
                   signer_title: str, no_comment: bool) -> dict:
    """The letter's details as stored: control characters removed, trimmed, cut to the columns."""
    return {"letter_number": clean_control(letter_number or "").strip()[:64], "letter_date": letter_date,
            "signer_name": clean_control(signer_name or "").strip()[:255],
            "signer_title": clean_control(signer_title or "").strip()[:255], "no_comment": bool(no_comment)}


def attach_pdf(submission: Submission, stored: StoredPdf, filename: str) -> None:
    """Attach the checked and stored signed letter; a new file replaces the previous one.

    The draft's previous file is deleted from disk once this change is committed (only a
    draft's file can be replaced: a submitted letter is locked). The letter's row is locked
    first, so of two uploads at once the second sees, and lets go of, the first one's file.
    """
    races.lock_row(submission, "updated_at")
    _require_draft(submission)
    replaced = submission.attachment_name
    if replaced and replaced != stored.name:
        _let_go_of_pdf(replaced, stored.root)
    submission.attachment_name = stored.name
    submission.attachment_filename = (filename or "").strip()[:255] or "cong-van.pdf"
    submission.attachment_size = stored.size
    submission.attachment_sha256 = stored.sha256
    submission.attachment_pages = stored.pages
    submission.updated_at = utcnow()


def _article_anchor(article: str | None, clause: str | None) -> tuple[str | None, str]:
    """The article's anchor ("dieu-12", None for the whole draft) and the clause's number ("2" or "")
    an opinion names; ``UnknownProvision`` for a clause without its article."""
    article = (article or "").strip()
    clause = (clause or "").strip().rstrip(".")
    if not article:
        if clause:
            raise UnknownProvision()
        return None, ""
    return (article if article.startswith("dieu-") else f"dieu-{article.lower()}"), clause


def resolve_provision(version: DraftVersion, article: str | None,
                      clause: str | None = None) -> Provision | None:
    """The provision an opinion is about: None for the whole draft, else an article or its clause.

    ``article`` is an article number ("12") or anchor ("dieu-12"); ``clause`` a clause
    number of that article ("2"). Raises ``UnknownProvision`` when either is not in the draft.
    """
    anchor, clause = _article_anchor(article, clause)
    if anchor is None:
        return None
    found = drafts.find_article(version, anchor)
    if found is None:
        raise UnknownProvision()
    if not clause:
        return found
    for child in provision_tree.tree_of(version).children.get(found.id, ()):
        if child.kind == "clause" and child.number == clause:
            return db.session.get(Provision, child.id)
    raise UnknownProvision()


def resolve_node(version: DraftVersion, article: str | None,
                 clause: str | None = None) -> provision_tree.Node | None:
    """``resolve_provision`` answered from the version's provision tree (kept by the process once
    published, ``provision_tree.tree_of``): the same provision, as a tree node, without a query."""
    anchor, clause = _article_anchor(article, clause)
    if anchor is None:
        return None
    tree = provision_tree.tree_of(version)
    found = tree.article(anchor)
    if found is None:
        raise UnknownProvision()
    if not clause:
        return found
    for child in tree.children.get(found.id, ()):
        if child.kind == "clause" and child.number == clause:
            return child
    raise UnknownProvision()


def add_opinion(submission: Submission, provision: Provision | None, body: str) -> SubmissionOpinion:
    """Add one opinion to a letter in preparation. The body must not be empty (callers check)."""
    _require_draft(submission)
    if len(submission.opinions) >= MAX_OPINIONS:
        raise TooManyOpinions()
    article = None
    if provision is not None:
        article_id = provision_tree.tree_of(provision.version).article_ids.get(provision.id, provision.id)
        article = db.session.get(Provision, article_id)
    opinion = SubmissionOpinion(provision=provision, article=article, body=clean_control(body),
                                body_normalized=normalize_text(body))
    submission.opinions.append(opinion)
    submission.updated_at = utcnow()
    return opinion


def has_opinion(submission: Submission, provision: Provision | None, body: str) -> bool:
    """Whether the letter already holds this very opinion (same provision, same text)."""
    text = clean_control(body)
    provision_id = provision.id if provision is not None else None
    return any(o.provision_id == provision_id and o.body == text for o in submission.opinions)


def add_opinion_once(submission: Submission, provision: Provision | None, body: str) -> bool:
    """Add the opinion unless the letter holds it already (a replayed or double-clicked form);
    False when it did. The letter's row is locked first, so twins racing each other add it once
    (the second waits, then sees the first one's opinion)."""
    races.lock_row(submission, "updated_at")
    _require_draft(submission)
    if has_opinion(submission, provision, body):
        return False
    add_opinion(submission, provision, body)
    return True


def remove_opinion(submission: Submission, opinion_id: int) -> bool:
    _require_draft(submission)
    for opinion in submission.opinions:
        if opinion.id == opinion_id:
            submission.opinions.remove(opinion)
            submission.updated_at = utcnow()
            return True
    return False


def missing_for_submit(submission: Submission) -> list[str]:
    """What the letter still needs before it can be submitted (codes of ``SUBMIT_REQUIREMENTS``)."""
    missing = [name for name in ("letter_number", "signer_name", "signer_title")
               if not getattr(submission, name)]
    if submission.letter_date is None:
        missing.insert(1, "letter_date")
    if not submission.attachment_name:
        missing.append("attachment")
    if submission.no_comment and submission.opinions:
        missing.append("no_comment_with_opinions")
    elif not submission.no_comment and not submission.opinions:
        missing.append("opinions")
    return missing


def submit(submission: Submission, actor: User | None, **audit_detail) -> Submission:
    """Lock the letter, give it a receipt and make it the body's answer in force.

    The draft → submitted change is one conditional UPDATE, so a double submit makes one
    letter and one receipt; the second raises ``AlreadySubmitted``. The letter in force
    before, if any, becomes ``superseded`` and keeps everything it had.
    """
    if submission.status != "draft":
        raise AlreadySubmitted(submission)
    check_accepting(submission.consultation)
    missing = missing_for_submit(submission)
    if missing:
        raise IncompleteSubmission(missing)
    now = utcnow()
    previous = current_submission(submission.consultation, submission.organisation_id)
    changed = db.session.execute(
        update(Submission).where(Submission.id == submission.id, Submission.status == "draft")
        .values(status="submitted", draft_slot=None, submitted_at=now, updated_at=now,
                receipt_code=new_receipt_code(),
                submitted_by_id=actor.id if actor else None)
    ).rowcount
    if not changed:
        db.session.refresh(submission)
        raise AlreadySubmitted(submission)
    if previous is not None:
        _supersede(previous, submission, actor, now, audit_detail)
    db.session.execute(update(Submission).where(Submission.id == submission.id)
                       .values(current_slot="current",
                               supersedes_id=previous.id if previous else None))
    db.session.refresh(submission)
    audit.record(actor, "submission.submit", submission, receipt=submission.receipt_code,
                 organisation=submission.organisation.code, no_comment=submission.no_comment,
                 opinions=len(submission.opinions), supersedes=previous.id if previous else None,
                 **audit_detail)
    return submission


def _supersede(previous: Submission, by: Submission, actor: User | None, now: datetime,
               audit_detail: dict) -> None:
    db.session.execute(update(Submission).where(
        Submission.consultation_id == by.consultation_id,
        Submission.organisation_id == by.organisation_id, Submission.current_slot == "current")
        .values(status="superseded", current_slot=None, superseded_at=now))
    db.session.refresh(previous)
    audit.record(actor, "submission.supersede", previous, by=by.id,
                 organisation=previous.organisation.code, **audit_detail)


def discard_draft(submission: Submission, actor: User | None, root: Path | None = None) -> None:
    """Delete a letter in preparation (never a submitted one); with ``root``, the upload
    folder, its PDF goes too once the deletion is committed."""
    _require_draft(submission)
    if submission.attachment_name:
        _let_go_of_pdf(submission.attachment_name, root)
    audit.record(actor, "submission.discard", submission,
                 organisation=submission.organisation.code)
    db.session.delete(submission)
