"""Finding consultations: the home page's sections, the list with filters and title search, the
time left, and the entries of the Atom feed. Every query here keeps hidden consultations out
(``Consultation.state_is`` computes the state in SQL, the same rules as ``Consultation.state``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import format_date, gettext as _, ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from consult.clock import VIETNAM_OFFSET
from consult.domain import CONSULTATION_STATES, DOCUMENT_KINDS
from consult.extensions import db
from consult.i18n import counted
from consult.models import Consultation, Organisation, utcnow
from consult.textnorm import search_key

#: Recently closed consultations stay on the home page this long.
RECENTLY_CLOSED_DAYS = 90
#: At most this many consultations per section of the home page (the list has them all).
HOME_SECTION_LIMIT = 20
#: Consultations per page of the list.
PAGE_SIZE = 20
#: A query longer than this is cut; more words than this are ignored.
QUERY_MAX_LENGTH = 200
QUERY_MAX_WORDS = 8
#: An open consultation closing within this many days gets a "closing soon" entry in the feed.
CLOSING_SOON_DAYS = 7
#: States a visitor can filter by: every one but "hidden".
LISTED_STATES = tuple(state for state in CONSULTATION_STATES if state != "hidden")


def visible():
    """The SQL condition "the public can see it": published (scheduled, open, closed, answered,
    archived)."""
    return Consultation.published.is_(True)


def _select():
    return select(Consultation).options(joinedload(Consultation.agency_organisation)).where(visible())


@dataclass
class HomeSections:
    open: list[Consultation]
    upcoming: list[Consultation]
    recently_closed: list[Consultation]


def home_sections(now: datetime | None = None) -> HomeSections:
    """Open ones closing soonest first, scheduled ones opening soonest first, and those closed in
    the last ``RECENTLY_CLOSED_DAYS`` days, latest first."""
    now = now or utcnow()
    is_state = Consultation.state_is
    open_ = _select().where(is_state("open", now)).order_by(Consultation.closes_at, Consultation.id)
    upcoming = _select().where(is_state("scheduled", now)).order_by(Consultation.opens_at, Consultation.id)
    closed = (_select().where(or_(is_state("closed", now), is_state("answered", now)),
                              Consultation.closes_at >= now - timedelta(days=RECENTLY_CLOSED_DAYS))
              .order_by(Consultation.closes_at.desc(), Consultation.id))
    return HomeSections(*(list(db.session.scalars(query.limit(HOME_SECTION_LIMIT)).unique())
                          for query in (open_, upcoming, closed)))


@dataclass
class Filters:
    """What a visitor asked the list for; values not understood are dropped, never an error."""

    query: str = ""
    agency: str = ""
    kind: str = ""
    state: str = ""
    year: int | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        year, page = _number(args.get("nam", ""), 4), _number(args.get("trang", ""), 6)
        return cls(
            query=" ".join(str(args.get("q", ""))[:QUERY_MAX_LENGTH].split()),
            agency=_short(args.get("co-quan", ""), 32),
            kind=_allowed(args.get("loai", ""), DOCUMENT_KINDS),
            state=_allowed(args.get("trang-thai", ""), LISTED_STATES),
            year=year if year and 1990 <= year <= 2100 else None,
            page=page or 1,
        )

    @property
    def words(self) -> list[str]:
        return search_key(self.query).split()[:QUERY_MAX_WORDS]

    def as_args(self, **changes) -> dict:
        """The filters as query parameters (for the pager's links), empty ones left out."""
        values = {"q": self.query, "co-quan": self.agency, "loai": self.kind, "trang-thai": self.state,
                  "nam": self.year or "", "trang": self.page}
        values.update(changes)
        return {key: value for key, value in values.items()
                if value not in ("", None) and not (key == "trang" and value == 1)}


def _number(value: str, digits: int) -> int | None:
    """A whole number of at most ``digits`` ASCII digits ("²" and "٣" are not), else None."""
    return int(value) if isinstance(value, str) and re.fullmatch(rf"[0-9]{{1,{digits}}}", value) else None


def _short(value: str, length: int) -> str:
    return value.strip()[:length] if isinstance(value, str) else ""


def _allowed(value: str, allowed) -> str:
    return value if value in allowed else ""


@dataclass
class ListPage:
    consultations: list[Consultation]
    total: int
    page: int
    pages: int
    filters: Filters
    agencies: list[Organisation] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(filters: Filters, now: datetime | None = None):
    """The select of the consultations matching ``filters`` (visible ones only), newest first."""
    now = now or utcnow()
    query = _select()
    if filters.agency:
        query = query.join(Organisation, Organisation.id == Consultation.agency_id) \
            .where(Organisation.code == filters.agency)
    if filters.kind:
        query = query.where(Consultation.document_kind == filters.kind)
    if filters.state:
        query = query.where(Consultation.state_is(filters.state, now))
    if filters.year:  # the year it opens, in Vietnam time
        start = datetime(filters.year, 1, 1) - VIETNAM_OFFSET
        query = query.where(Consultation.opens_at >= start,
                            Consultation.opens_at < datetime(filters.year + 1, 1, 1) - VIETNAM_OFFSET)
    for word in filters.words:
        query = query.where(Consultation.title_key.like(f"%{_escape_like(word)}%", escape="\\"))
    return query.order_by(Consultation.opens_at.desc(), Consultation.id.desc())


def list_page(filters: Filters, now: datetime | None = None) -> ListPage:
    """One page of the list, with the choices of the filter form."""
    query = filtered(filters, now)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    rows = list(db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique())
    return ListPage(rows, total, page, pages, filters, agencies(), years())


def agencies() -> list[Organisation]:
    """Organisations that run at least one visible consultation, by name."""
    has_one = select(Consultation.agency_id).where(visible(), Consultation.agency_id.is_not(None))
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(has_one))
                                   .order_by(Organisation.name)))


def years() -> list[int]:
    """Years (Vietnam time) in which visible consultations opened, latest first."""
    first, last = db.session.execute(select(func.min(Consultation.opens_at), func.max(Consultation.opens_at))
                                     .where(visible())).one()
    if first is None:
        return []
    return list(range((last + VIETNAM_OFFSET).year, (first + VIETNAM_OFFSET).year - 1, -1))


def time_left(consultation: Consultation, now: datetime | None = None) -> str:
    """How long is left, in words: "Còn 12 ngày", "Còn 5 giờ", "Mở sau 3 ngày",
    "Đã kết thúc ngày 05/12/2026"."""
    now = now or utcnow()
    state = consultation.state(now)
    if state == "scheduled":
        return _("Opens in %(span)s", span=span(consultation.opens_at - now))
    if state == "open":
        return _("%(span)s left", span=span(consultation.closes_at - now))
    if state == "hidden":
        return ""
    return _("Ended on %(date)s", date=format_date(consultation.closes_at, "dd/MM/yyyy"))


def span(delta: timedelta) -> str:
    """A duration as people say it: whole days from a day up, else hours, else minutes."""
    seconds = max(delta.total_seconds(), 0)
    if seconds >= 86400:
        return ngettext("%(num)s day", "%(num)s days", counted(int(seconds // 86400)))
    if seconds >= 3600:
        return ngettext("%(num)s hour", "%(num)s hours", counted(int(seconds // 3600)))
    return ngettext("%(num)s minute", "%(num)s minutes", counted(max(1, math.ceil(seconds / 60))))


@dataclass(frozen=True)
class FeedEntry:
    """One entry of the Atom feed: a new consultation, or an open one closing soon."""

    consultation: Consultation
    kind: str  # "new" or "closing"
    published: datetime
    updated: datetime


def feed_entries(agency_code: str = "", now: datetime | None = None, limit: int = 50) -> list[FeedEntry]:
    """Visible consultations not archived that are scheduled, open or closed in the last 30
    days (an entry each, dated when created), plus a "closing soon" entry for each open one
    closing within ``CLOSING_SOON_DAYS`` days (dated that many days before it closes); newest
    first."""
    now = now or utcnow()
    query = _select().where(or_(*(Consultation.state_is(s, now) for s in ("scheduled", "open", "closed",
                                                                          "answered"))),
                            Consultation.closes_at >= now - timedelta(days=30))
    if agency_code:
        query = query.join(Organisation, Organisation.id == Consultation.agency_id) \
            .where(Organisation.code == agency_code[:32])
    entries = []
    for consultation in db.session.scalars(query.order_by(Consultation.created_at.desc()).limit(limit)).unique():
        entries.append(FeedEntry(consultation, "new", consultation.created_at, consultation.created_at))
        warned_at = consultation.closes_at - timedelta(days=CLOSING_SOON_DAYS)
        if consultation.state(now) == "open" and warned_at <= now:
            entries.append(FeedEntry(consultation, "closing", max(warned_at, consultation.opens_at),
                                     max(warned_at, consultation.opens_at)))
    return sorted(entries, key=lambda entry: entry.updated, reverse=True)[:limit]
