"""Whole public pages kept for a few seconds per process (a microcache), with each visitor's own
values put back in on every request.

An article page or a draft page looks the same to every visitor who is not logged in, has no
unsent list for the consultation and no message waiting (flash), in one language: only the
hidden values of its comment form differ (the CSRF token, the form's one-time key, the signed
time the form was shown). Rendering the page again for each of them was most of its cost. So a
view decorated with ``kept_page`` keeps the HTML of such a page with those values cut out
(``SLOTS``), and answers the next such visitor by filling in new values made for them, exactly
as a render would have (``flask_wtf.csrf.generate_csrf``, ``races.usable_form_key``,
``antibot.stamp``). Headers and cookies are made per request as always.

What is kept, and for how long:

- the key is (endpoint, path, query string, language); only pages whose query names nothing
  but ``trang`` (the page of comments) are kept, so ``?lang=…`` and odd queries render as usual;
- a page is kept ``PAGE_CACHE_SECONDS`` (5 by default; 0 turns the cache off) and never past
  the consultation's next change of state read from its dates (opening, closing, archiving):
  a page seen a second before closing time is not served after it;
- every commit that changes what a kept page may show (a consultation, its drafts, versions
  and provisions, a comment published or withdrawn, an author's name erased, a survey…) empties
  the cache of the process that made it at once (``_changes_public_pages``); other processes and
  instances see the change within ``PAGE_CACHE_SECONDS``. A citizen adding an opinion to their
  list or sending it changes no kept page and empties nothing;
- staff and officers (anyone logged in), a visitor with a message to show or with an unsent
  list for the consultation neither get a kept page nor leave one (the view says so with
  ``note``); a POST never does either.

At most ``PAGE_CACHE_SIZE`` pages (256 by default) are kept per process, least recently used
first out.
"""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Callable

from flask import current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from consult import antibot, models, races

DEFAULT_SECONDS = 5
DEFAULT_SIZE = 256
#: Query parameters a kept page may carry (the article page's page of comments).
KEPT_QUERY_ARGS = frozenset({"trang"})
#: The session key of the citizen's unsent lists (consult.views.public._SESSION_KEY).
LISTS_KEY = "contributions"


def _csrf_token() -> str:
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


#: The values each visitor gets anew, by name: how a render makes them.
SLOTS: dict[str, Callable[[], str]] = {
    "csrf_token": _csrf_token,
    "form_key": lambda: races.usable_form_key(None),
    "form_started": antibot.stamp,
}


@dataclass(frozen=True)
class Note:
    """What a view tells the cache about the page it just rendered."""

    consultation_id: int
    #: The consultation's next change of state (naive UTC), or None.
    state_until: datetime | None
    #: The page shows something of this visitor's (their unsent list): not to be kept.
    personal: bool
    #: The per-visitor values in the page, by slot name (None: not on this page).
    values: dict


@dataclass(frozen=True)
class Entry:
    """A kept page: literal pieces of HTML with the names of slots between them."""

    pieces: tuple[str, ...]  # literal, slot name, literal, slot name, …, literal
    slots: frozenset
    consultation_id: int
    expires: float  # time.monotonic()
    state_until: datetime | None

    def fresh(self) -> bool:
        return time.monotonic() < self.expires and (
            self.state_until is None or models.utcnow() < self.state_until)

    def html(self) -> str:
        values = {name: SLOTS[name]() for name in self.slots}
        return "".join(piece if index % 2 == 0 else values[piece] for index, piece in enumerate(self.pieces))


class PageCache:
    """Kept pages of one application (one worker process), shared by its threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[tuple, Entry] = OrderedDict()
        self.lock = threading.Lock()
        #: Bumped by every invalidation: a render that began before one is not kept after it.
        self.generation = 0
        #: Kept consultations by slug (``kept_consultation``): (expires, detached object).
        self.consultations: dict[str, tuple[float, object]] = {}

    def get(self, key: tuple) -> Entry | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is not None:
                self.pages.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry, generation: int) -> None:
        with self.lock:
            if generation != self.generation:
                return
            self.pages[key] = entry
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.consultations.clear()
            self.generation += 1

    def put_consultation(self, slug: str, expires: float, consultation, generation: int) -> None:
        with self.lock:
            if generation != self.generation:
                return
            if len(self.consultations) >= self.size:
                self.consultations.clear()
            self.consultations[slug] = (expires, consultation)


def _cache() -> PageCache:
    extensions = current_app.extensions
    cache = extensions.get("page_cache")
    if cache is None:
        cache = extensions.setdefault(
            "page_cache", PageCache(int(current_app.config.get("PAGE_CACHE_SIZE", DEFAULT_SIZE))))
    return cache


def kept_consultation(slug: str, load: Callable[[Session, str], object]):
    """The consultation with this slug, its drafts and their versions, as objects of the
    request's session, without a query while a copy read less than ``PAGE_CACHE_SECONDS`` ago
    is kept by this process (or None when no consultation has the slug).

    The copy is read by ``load`` in a session of its own and kept detached; each request gets
    it merged into its own session without loading (``Session.merge(load=False)``: about
    0.06 ms against ~1 ms for the query with its joined drafts and versions). It is forgotten
    with the kept pages: at once by every commit of this process that changes a consultation,
    draft or version, within ``PAGE_CACHE_SECONDS`` for other processes, as the pages they
    show. What depends on the clock (open, closed, late) is computed from its dates on each
    request, as before; what a citizen or an organisation writes is read fresh."""
    from sqlalchemy import inspect

    from consult.extensions import db

    session = db.session
    if _seconds() <= 0 or races.has_written(session()):  # read what this transaction changed
        return load(session, slug)
    cache = _cache()
    kept = cache.consultations.get(slug)
    if kept is None or time.monotonic() >= kept[0]:
        generation = cache.generation
        with Session(db.engine, expire_on_commit=False) as own:  # closing detaches, unexpired
            consultation = load(own, slug)
        if consultation is None:
            return load(session, slug)
        kept = (time.monotonic() + _seconds(), consultation)
        cache.put_consultation(slug, kept[0], consultation, generation)
    present = session.identity_map.get(inspect(kept[1]).key)
    if present is not None:  # already read in this session: as a query would, give that one
        return present
    return session.merge(kept[1], load=False)


def invalidate(app=None) -> None:
    """Forget every kept page of ``app`` (the current one by default)."""
    cache = (app or current_app).extensions.get("page_cache")
    if cache is not None:
        cache.clear()


def _seconds() -> int:
    return int(current_app.config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def _anonymous_visitor() -> bool:
    """A GET by someone not logged in, with no message waiting and a query the cache keeps."""
    return (request.method == "GET" and _seconds() > 0 and KEPT_QUERY_ARGS.issuperset(request.args)
            and "_flashes" not in session and not current_user.is_authenticated)


def _has_list(consultation_id: int) -> bool:
    return str(consultation_id) in session.get(LISTS_KEY, {})


def kept_page(view):
    """Decorate a public GET view that calls ``note``: answer anonymous visitors from the cache."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _anonymous_visitor():
            return view(*args, **kwargs)
        cache = _cache()
        key = (request.endpoint, request.path, request.query_string, str(get_locale()))
        entry = cache.get(key)
        if entry is not None and entry.fresh() and not _has_list(entry.consultation_id):
            return entry.html()
        generation = cache.generation
        g.page_cache_note = None
        response = view(*args, **kwargs)
        note = g.pop("page_cache_note", None)
        if note is not None and not note.personal and isinstance(response, str) and "_flashes" not in session:
            cache.put(key, _entry(response, note), generation)
        return response

    return wrapper


def note(consultation, personal: bool, form=None) -> None:
    """Called by a ``kept_page`` view once it knows what it shows: the consultation, whether
    the page shows something of this visitor's, and the comment form whose hidden values are
    the visitor's own."""
    values = {}
    if form is not None:
        for name in SLOTS:
            field = getattr(form, name, None)
            values[name] = field._value() if field is not None else None
    g.page_cache_note = Note(consultation.id, next_change(consultation), personal, values)


def next_change(consultation, now: datetime | None = None) -> datetime | None:
    """The first of the consultation's dates still to come: its state may change then."""
    now = now or models.utcnow()
    coming = [moment for moment in (consultation.opens_at, consultation.closes_at, consultation.archived_at)
              if moment is not None and moment > now]
    return min(coming, default=None)


def _entry(html: str, note: Note) -> Entry:
    """The page with each visitor's values cut out. Values are long random tokens: one found
    in the page is that value, nothing else."""
    found = {value: name for name, value in note.values.items() if value and len(value) >= 16 and value in html}
    if found:
        pieces = tuple(re.split("(" + "|".join(re.escape(value) for value in found) + ")", html))
        pieces = tuple(found[piece] if index % 2 else piece for index, piece in enumerate(pieces))
    else:
        pieces = (html,)
    return Entry(pieces, frozenset(found.values()), note.consultation_id,
                 time.monotonic() + _seconds(), note.state_until)


# --- emptying the cache when a commit changes what the kept pages show --------------------------

#: Tables written by citizens, organisations and jobs that no kept page shows: a commit that
#: writes only these keeps the cache. Every other table empties it (a new table is safe).
_UNSEEN_TABLES = frozenset({
    "user", "audit_event", "reminder_log", "assignment", "submission", "submission_opinion",
    "roster_entry", "officer_invitation", "api_token", "idempotency_key", "subscription",
    "subscription_delivery", "invitation", "response", "answer", "text_analysis",
    "text_segment_cache", "text_stance_cache", "stance_label", "export_file",
})
#: What a published comment's card shows of its author.
_AUTHOR_FIELDS = frozenset({"name", "respondent_type", "province_code"})
_STALE = "page_cache_stale"


def _changes_public_pages(obj) -> bool:
    """Whether flushing this new, changed or deleted object may change a kept page."""
    from sqlalchemy import inspect

    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table in _UNSEEN_TABLES:
        return False
    state = inspect(obj)
    if table == "comment":  # a citizen's own draft or pending opinion is on no public page
        status = state.attrs.status.history
        return "published" in (*status.added, *status.deleted, *status.unchanged)
    if table == "contribution":  # an author's name erased from a sent list's published cards
        if obj.status == "draft" or state.attrs.status.history.has_changes():
            return False
        return any(state.attrs[name].history.has_changes() for name in _AUTHOR_FIELDS)
    return True


def _statement_changes_public_pages(statement) -> bool:
    """The same for an ``UPDATE``/``DELETE`` statement (bulk moderation, erasure, sending)."""
    table = getattr(getattr(statement, "table", None), "name", None)
    if table in _UNSEEN_TABLES:
        return False
    values = {getattr(column, "key", column): value
              for column, value in (getattr(statement, "_values", None) or {}).items()}
    if not values:  # a DELETE, or values this code cannot read: assume the worst
        return True
    status = getattr(values.get("status"), "value", None)
    if table == "comment" and "status" in values:
        return status == "published"
    if table == "contribution":
        return "status" not in values and bool(_AUTHOR_FIELDS & set(values))
    return True


def _after_flush(session, _flush_context) -> None:
    if not session.info.get(_STALE) and any(
            _changes_public_pages(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_STALE] = True


def _on_execute(state) -> None:
    if (state.is_update or state.is_delete) and not state.session.info.get(_STALE) \
            and _statement_changes_public_pages(state.statement):
        state.session.info[_STALE] = True


def _after_commit(session) -> None:
    """A flag left by a rolled-back change only costs one needless emptying: kept simple."""
    if session.info.pop(_STALE, False) and has_app_context():
        invalidate()


_listening = False


def listen() -> None:
    """Watch every session's commits (once per process)."""
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "after_commit", _after_commit)
    _listening = True


listen()
