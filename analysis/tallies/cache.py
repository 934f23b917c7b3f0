"""A small in-process cache of computed tallies, valid while the survey's data is unchanged.

A results page is read far more often than responses arrive. Each entry is stored with the
survey's *data version* (responses and their last change, the survey's last edit); a
lookup whose version differs recomputes. Each web worker keeps its own entries, so nothing
here needs Redis; a restart simply starts empty.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.models import Response, Survey


def data_version(session: Session, survey_id: int) -> tuple:
    """What a tally depends on: the responses (count, last change) and the survey's last edit."""
    count, changed = session.execute(select(func.count(), func.max(Response.updated_at))
                                     .where(Response.survey_id == survey_id)).one()
    edited = session.scalar(select(Survey.updated_at).where(Survey.id == survey_id))
    return count, changed, edited


class TallyCache:
    def __init__(self, size: int = 64):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, version, compute: Callable):
        """The cached value for ``key`` if computed at ``version``; else compute and keep it."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
