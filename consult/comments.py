"""Citizens' comments: the unsent list, sending it with a profile, receipts."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from typing import NamedTuple

from sqlalchemy import bindparam, func, insert, literal, select, update
from sqlalchemy.orm import joinedload, selectinload

from consult import audit, codes, privacy, races
from consult.extensions import db
from consult.models import Comment, Consultation, Contribution, Draft, Provision, utcnow
from consult.textnorm import clean_control, normalize_text



class ConsultationClosed(Exception):
    """The consultation is not taking opinions now."""


class CitizensNotAsked(ConsultationClosed):
    """The consultation asks only the bodies on its roster, not the public."""


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


def find_contribution(consultation: Consultation, token: str | None,
                      with_comments: bool = True) -> Contribution | None:
    """The contribution of this consultation with this secret token, sent or not, with its
    comments (every page showing the list shows their number, and sending checks them).
    ``with_comments=False``: the row alone, for adding to the list (a long list is not read
    on every addition)."""
    if not token:
        return None
    query = select(Contribution).where(Contribution.token == token,
                                       Contribution.consultation_id == consultation.id)
    if with_comments:
        query = query.options(joinedload(Contribution.comments))
    return db.session.scalars(query).unique().first()


def start_contribution(consultation: Consultation) -> Contribution:
    contribution = Contribution(consultation=consultation, token=new_token())
    db.session.add(contribution)
    return contribution


def comment_by_form_key(form_key: str) -> Comment | None:
    return db.session.scalar(select(Comment).where(Comment.form_key == form_key))


def add_comment(consultation: Consultation, contribution: Contribution | None,
                provision: Provision | int | None, body: str, form_key: str,
                late_ok: bool = False, first_write: bool = False) -> tuple[Comment, bool]:
    """Store a comment in the citizen's unsent list at once, so nothing typed is lost.

    ``provision`` is the Provision commented on, or only its id (the article page knows the id
    from the cached provision tree and need not load the row), or None for the whole draft.
    Returns ``(comment, created)``. ``contribution`` is the list the session knows, or None:
    a list is then started with the comment, never before it. A form sent twice carries the
    same ``form_key`` and finds the comment the first sending stored, in the list it went to
    (the session of a resent request may not know that list yet), instead of adding a second
    one; twins racing each other meet the ``form_key`` unique constraint and the losers get
    the winner's comment, with no empty list left behind. (While the consultation is open
    the insert itself finds a resend, in its savepoint: no look-up first.)

    ``late_ok``: the consultation has just closed but the page was shown before it did
    (``consultations.accepts_late``); the comment is kept and marked late.

    ``first_write``: the caller's transaction has written nothing yet (the article page's
    POST), so a twin's conflict may roll it all back instead of a savepoint
    (``races.insert_or_find``).
    """
    late, existing = _late_or_resent(consultation, form_key, late_ok)
    if existing is not None:
        return existing, False

    def add() -> Comment:
        comment = Comment(
            contribution=contribution or start_contribution(consultation),
            consultation=consultation, **_provision_reference(provision), body=clean_control(body),
            body_normalized=normalize_text(body), form_key=form_key, status="draft", late=late,
        )
        db.session.add(comment)
        return comment

    return races.insert_or_find(add, lambda: comment_by_form_key(form_key), first_write=first_write)


def _late_or_resent(consultation: Consultation, form_key: str,
                    late_ok: bool) -> tuple[bool, Comment | None]:
    """The checks before adding an opinion: whether it is late, and after the closing a
    resend of a form stored before it closed (the earlier opinion, given back as it is).
    Refuses when citizens are not asked, or when it is late and ``late_ok`` is not given."""
    if not consultation.asks_citizens:
        raise CitizensNotAsked()
    late = not consultation.is_open()
    if late:
        existing = comment_by_form_key(form_key)
        if existing is not None:
            return late, existing
        if not late_ok:
            raise ConsultationClosed()
    return late, None


_CONTRIBUTION, _COMMENT = Contribution.__table__, Comment.__table__


class ListRow(NamedTuple):
    """The list an opinion went into, as a plain row (no ORM object)."""

    id: int
    status: str
    token: str
    receipt_code: str | None


def _opinion_insert(list_id, *where):
    """``INSERT INTO comment … SELECT <list_id>, :p_consultation, … [WHERE …] RETURNING
    contribution_id``: a new unsent opinion in the list ``list_id`` names, every column given
    (no default to work out on each request)."""
    c = _COMMENT.c
    bound = {"p_consultation": c.consultation_id, "p_provision": c.provision_id, "p_body": c.body,
             "p_normalized": c.body_normalized, "p_form_key": c.form_key, "p_late": c.late,
             "p_now": c.created_at}
    columns = [c.contribution_id, *bound.values(), c.status, c.moderation_reason]
    values = [list_id, *(bindparam(name, type_=column.type) for name, column in bound.items()),
              literal("draft", c.status.type), literal("", c.moderation_reason.type)]
    return insert(_COMMENT).from_select(columns, select(*values).where(*where)).returning(c.contribution_id)


def _add_statements():
    """The statements adding to a list runs, built once with bound parameters (as
    ``_send_statements``): an opinion added to the session's list if it is
    still unsent (the list read and the opinion written in one statement); a new list; an
    opinion in a new list; and, where the database can (PostgreSQL: an ``INSERT`` in a
    ``WITH``), a new list with its first opinion in one statement."""
    mine = (_CONTRIBUTION.c.token == bindparam("p_token"),
            _CONTRIBUTION.c.consultation_id == bindparam("p_consultation"))
    to_draft = _opinion_insert(_CONTRIBUTION.c.id, *mine, _CONTRIBUTION.c.status == "draft")
    start = (insert(_CONTRIBUTION)
             .values(consultation_id=bindparam("p_consultation"), token=bindparam("p_token"), status="draft",
                     name="", contact="", created_at=bindparam("p_now"))
             .returning(_CONTRIBUTION.c.id))
    opinion = _opinion_insert(bindparam("p_list", type_=_COMMENT.c.contribution_id.type))
    started = _opinion_insert(start.cte("new_list").c.id)
    return to_draft, start, opinion, started


_ADD_TO_DRAFT, _START_LIST, _ADD_OPINION, _START_WITH_OPINION = _add_statements()


class Added(NamedTuple):
    """What ``add_to_list`` did: the list the opinion is in (the twin's when ``created`` is
    False) and whether the opinion was marked late."""

    created: bool
    late: bool
    list: ListRow


def add_to_list(consultation: Consultation, token: str | None, provision_id: int | None,
                body: str, form_key: str, late_ok: bool = False, first_write: bool = False) -> Added:
    """``add_comment`` for the article page's POST, written as plain ``INSERT`` statements
    (no ORM object, no unit of work: about a third of that request's CPU went there).
    ``token`` is the list the session knows of, or None.

    The same rules, the same errors and the same guarantees: the opinion goes into the
    session's list while it is unsent (one statement reads and writes it), otherwise a list is
    started with its first opinion, never before it (on PostgreSQL in the same statement); a
    form sent twice, or twins racing each other, meet the ``form_key`` unique constraint
    (``races.insert_or_find``) and get the first sending's opinion and list, with no empty
    list left behind; ``late_ok`` and ``first_write`` as in ``add_comment``."""
    late, existing = _late_or_resent(consultation, form_key, late_ok)
    if existing is not None:
        return _added_by(existing, created=False)
    opinion = {"p_consultation": consultation.id, "p_provision": provision_id, "p_body": clean_control(body),
               "p_normalized": normalize_text(body), "p_form_key": form_key, "p_late": late, "p_now": utcnow()}

    def add() -> Added:
        if token:
            added = db.session.execute(_ADD_TO_DRAFT, {**opinion, "p_token": token}).first()
            if added is not None:
                return Added(True, late, ListRow(added[0], "draft", token, None))
        started = new_token()
        if _dml_in_with():
            list_id = db.session.execute(_START_WITH_OPINION, {**opinion, "p_token": started}).scalar_one()
        else:
            list_id = db.session.execute(_START_LIST, {**opinion, "p_token": started}).scalar_one()
            db.session.execute(_ADD_OPINION, {**opinion, "p_list": list_id})
        return Added(True, late, ListRow(list_id, "draft", started, None))

    def find() -> Added | None:
        winner = comment_by_form_key(form_key)
        return _added_by(winner, created=False) if winner is not None else None

    added, _created = races.insert_or_find(add, find, first_write=first_write)
    return added


def _dml_in_with() -> bool:
    """Whether the database runs an ``INSERT`` inside a ``WITH`` (PostgreSQL; SQLite does not)."""
    return db.engine.dialect.name == "postgresql"


def _added_by(comment: Comment, created: bool) -> Added:
    contribution = comment.contribution
    return Added(created, comment.late, ListRow(contribution.id, contribution.status, contribution.token,
                                                 contribution.receipt_code))


def _provision_reference(provision: Provision | int | None) -> dict:
    if provision is None or isinstance(provision, Provision):
        return {"provision": provision}
    return {"provision_id": provision}


def remove_comment(contribution: Contribution, comment_id: int) -> bool:
    """Take an unsent comment off the list; sent comments stay as they are."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.contribution_id != contribution.id or comment.status != "draft":
        return False
    db.session.delete(comment)
    return True


def submit_contribution(contribution: Contribution, *, respondent_type: str,
                        province_code: str, name: str = "", contact: str = "",
                        late_ok: bool = False) -> Contribution:
    """``send_list`` for a caller holding the list as an ORM object (backups'
    tests): the same rules, the list read back once sent. A list sent before raises
    ``AlreadySubmitted`` with the first sending's receipt."""
    db.session.flush()
    row = send_row(contribution.consultation_id, contribution.token)
    try:
        send_list(contribution.consultation, row, respondent_type=respondent_type,
                  province_code=province_code, name=name, contact=contact, late_ok=late_ok)
    except ListSent:
        db.session.refresh(contribution)
        raise AlreadySubmitted(contribution) from None
    db.session.refresh(contribution)
    return contribution


class SendRow(NamedTuple):
    """What sending a list needs of it, read with one plain ``SELECT``: the row, whether it
    holds an unsent opinion, and whether one is already kept as late
    (``consultations.accepts_late_list``)."""

    id: int
    status: str
    token: str
    receipt_code: str | None
    has_opinions: bool
    holds_late: bool


def _send_statements():
    """The statements sending a list runs, built once with bound parameters: building and
    coercing them on each request cost about as much CPU as running them."""
    mine = _COMMENT.c.contribution_id == _CONTRIBUTION.c.id
    read = (select(_CONTRIBUTION.c.id, _CONTRIBUTION.c.status, _CONTRIBUTION.c.token,
                   _CONTRIBUTION.c.receipt_code,
                   select(_COMMENT.c.id).where(mine).exists().label("has_opinions"),
                   select(_COMMENT.c.id).where(mine, _COMMENT.c.late.is_(True)).exists().label("holds_late"))
            .where(_CONTRIBUTION.c.token == bindparam("p_token"),
                   _CONTRIBUTION.c.consultation_id == bindparam("p_consultation")))
    send = (update(_CONTRIBUTION)
            .where(_CONTRIBUTION.c.id == bindparam("p_list"), _CONTRIBUTION.c.status == "draft")
            .values(status="submitted", submitted_at=bindparam("p_now"), consent_at=bindparam("p_now"),
                    receipt_code=bindparam("p_code"), respondent_type=bindparam("p_type"),
                    province_code=bindparam("p_province"), name=bindparam("p_name"),
                    contact=bindparam("p_contact")))
    receipt = select(_CONTRIBUTION.c.receipt_code).where(_CONTRIBUTION.c.id == bindparam("p_list"))
    opinions = update(_COMMENT).where(_COMMENT.c.contribution_id == bindparam("p_list"),
                                      _COMMENT.c.status == "draft")
    return read, send, receipt, opinions.values(status="pending"), opinions.values(status="pending", late=True)


_READ_LIST, _SEND_LIST, _RECEIPT_OF_LIST, _OPINIONS_PENDING, _OPINIONS_PENDING_LATE = _send_statements()


def _send_in_one(late: bool):
    """Where the database can (PostgreSQL), both ``UPDATE``s of a sending in one statement:
    the list's conditional ``UPDATE`` in a ``WITH``, its opinions' ``UPDATE`` joined to what it
    changed (none when a twin sent the list first). The outer statement stays an ``UPDATE`` of
    ``comment``, so the page cache's statement hook still sees what it changes."""
    sent = _SEND_LIST.returning(_CONTRIBUTION.c.id).cte("sent")
    values = {"status": "pending", "late": True} if late else {"status": "pending"}
    return (update(_COMMENT).where(_COMMENT.c.contribution_id == sent.c.id, _COMMENT.c.status == "draft")
            .values(**values).returning(_COMMENT.c.id))


_SEND_IN_ONE, _SEND_LATE_IN_ONE = _send_in_one(late=False), _send_in_one(late=True)


def send_row(consultation_id: int, token: str | None) -> SendRow | None:
    """The list of this consultation with this secret token, sent or not, for sending it:
    its row and two ``EXISTS`` on its opinions, in one statement, no ORM object."""
    if not token:
        return None
    row = db.session.execute(_READ_LIST, {"p_token": token, "p_consultation": consultation_id}).first()
    return SendRow(row[0], row[1], row[2], row[3], bool(row[4]), bool(row[5])) if row is not None else None


class ListSent(Exception):
    """``send_list``: the list was sent before (a replayed, double-clicked or resent form);
    ``receipt_code`` is the first sending's."""

    def __init__(self, receipt_code: str):
        super().__init__(receipt_code)
        self.receipt_code = receipt_code


def send_list(consultation: Consultation, row: SendRow, *, respondent_type: str,
              province_code: str, name: str = "", contact: str = "", late_ok: bool = False) -> str:
    """Send the list (the list page's POST), written as plain table ``UPDATE``
    statements on the row ``send_row`` read (no ORM object, no unit of work). The same rules
    and errors, except that a list sent before raises ``ListSent`` with its receipt code.
    Returns the new receipt code.

    The status changes with one conditional UPDATE, so two sendings racing each other
    (a double click, a replayed form) produce one submission and one receipt; on PostgreSQL
    the opinions' UPDATE runs in the same statement (``_send_in_one``). Neither
    UPDATE publishes anything (the opinions become ``pending``): the page cache's
    statement hook sees them and keeps its pages."""
    if row.status != "draft":
        raise ListSent(row.receipt_code)
    if not consultation.asks_citizens:
        raise CitizensNotAsked()
    late = not consultation.is_open()
    if late and not late_ok:
        raise ConsultationClosed()
    if not row.has_opinions:
        raise NothingToSend()
    code = new_receipt_code()
    sending = {"p_list": row.id, "p_now": utcnow(), "p_code": code, "p_type": respondent_type,
               "p_province": province_code, "p_name": name.strip()[:255], "p_contact": contact.strip()[:255]}
    if _dml_in_with():
        if db.session.execute(_SEND_LATE_IN_ONE if late else _SEND_IN_ONE, sending).first() is not None:
            return code
    elif db.session.execute(_SEND_LIST, sending).rowcount:
        db.session.execute(_OPINIONS_PENDING_LATE if late else _OPINIONS_PENDING, {"p_list": row.id})
        return code
    # Nothing changed: a twin sent the list first (its receipt), unless every opinion was taken
    # off the list while this sending ran (then the list was sent, by this sending, empty).
    receipt = db.session.scalar(_RECEIPT_OF_LIST, {"p_list": row.id})
    if receipt == code:
        return code
    raise ListSent(receipt)


def contribution_by_receipt(code: str, with_comments: bool = False) -> Contribution | None:
    """Look a sent contribution up by its receipt code, forgiving case and spaces.
    ``with_comments``: its comments come too, each with its decision and provision (the receipt
    page shows them all), in a few queries instead of one lazy load per comment."""
    cleaned = codes.normalise_receipt(code, "GY")
    query = select(Contribution).where(Contribution.receipt_code == cleaned)
    if with_comments:
        query = query.options(
            joinedload(Contribution.consultation).joinedload(Consultation.drafts).joinedload(Draft.versions),
            selectinload(Contribution.comments).options(
                selectinload(Comment.decision),
                selectinload(Comment.provision).selectinload(Provision.parent).selectinload(Provision.parent)))
    return db.session.scalars(query).unique().first()


def published_comments(provision_ids: list[int]) -> list[Comment]:
    """Published comments on these provisions, oldest first."""
    if not provision_ids:
        return []
    return db.session.scalars(
        select(Comment).where(Comment.provision_id.in_(provision_ids),
                              Comment.status == "published").order_by(Comment.created_at)
    ).all()


#: Published comments shown per page under an article.
COMMENTS_PER_PAGE = 20


@dataclass
class CommentPage:
    """One page of an article's published comments, oldest first."""

    comments: list[Comment]
    total: int
    number: int
    pages: int


def published_comments_page(provision_ids: list[int], number: int | None,
                            per_page: int = COMMENTS_PER_PAGE) -> CommentPage:
    """Page ``number`` (clamped to the pages there are) of the published comments on these
    provisions, with their authors' profiles loaded in the same query. A count and a LIMIT on
    the (provision, status) index: an article with thousands of comments costs what one with
    twenty does."""
    if not provision_ids:
        return CommentPage([], 0, 1, 1)
    published = (Comment.provision_id.in_(provision_ids), Comment.status == "published")
    first = _comments_slice(published, 0, per_page) if (number or 1) <= 1 else None
    if first is not None and len(first) < per_page:  # the usual visit: a short first page is the count
        return CommentPage(first, len(first), 1, 1)
    total = db.session.scalar(select(func.count()).select_from(Comment).where(*published))
    pages = max(1, -(-total // per_page))
    number = min(max(number or 1, 1), pages)
    if first is not None:
        return CommentPage(first, total, 1, pages)
    comments = _comments_slice(published, (number - 1) * per_page, per_page) if total else []
    return CommentPage(comments, total, number, pages)


def _comments_slice(published: tuple, offset: int, limit: int) -> list[Comment]:
    return list(db.session.scalars(
        select(Comment).where(*published).options(joinedload(Comment.contribution))
        .order_by(Comment.created_at, Comment.id).offset(offset).limit(limit)
    ).all())


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
