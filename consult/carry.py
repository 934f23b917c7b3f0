"""Opinions follow their article: from the version they were written on to the version shown.

An opinion keeps the provision (and so the version) it was written on. To count and show it on
a later version, its provision is followed through the stored matches of each pair of
consecutive versions (``ProvisionMatch``): a clause to its clause when the clauses were matched,
else to the article holding it; a split article to the first of its parts; a removed article
nowhere. Between versions imported before matches existed, the same anchor stands in.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from flask import current_app
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Comment, DraftVersion, Provision, ProvisionMatch

#: How much a change says, weakest first: a path's kind is the strongest met on the way.
_STRENGTH = ("same", "anchor", "changed", "moved", "merged", "split", "removed")


@dataclass
class Landing:
    """Where an opinion written on an older version stands in the version shown."""

    #: The provision in the version shown (None when the article was removed on the way).
    provision: Provision | None
    #: The strongest change met on the way: one of ``_STRENGTH``.
    kind: str
    #: The version where the article was removed (or split), for "removed in version 3".
    at_version: int | None = None


def _stronger(first: str, second: str) -> str:
    return max(first, second, key=_STRENGTH.index)


class Carrier:
    """Follows provisions of a draft's versions to ``target``, reading the matches once."""

    def __init__(self, versions: list[DraftVersion], target: DraftVersion):
        self.target = target
        self.versions = {version.id: version for version in versions}
        self.by_id: dict[int, Provision] = {p.id: p for version in versions for p in version.provisions}
        self.by_anchor = {(p.version_id, p.anchor): p for p in self.by_id.values()}
        self.next_version = self._chain(versions)
        self.forward: dict[int, list[tuple[int, str]]] = {}
        self.matched_versions: set[int] = set()
        ids = list(self.versions)
        rows = db.session.execute(select(ProvisionMatch.old_version_id, ProvisionMatch.old_provision_id,
                                         ProvisionMatch.new_provision_id, ProvisionMatch.kind)
                                  .where(ProvisionMatch.new_version_id.in_(ids))).all() if ids else []
        for old_version_id, old_id, new_id, kind in rows:
            self.matched_versions.add(old_version_id)
            if old_id is not None:
                self.forward.setdefault(old_id, [])
                if new_id is not None:
                    self.forward[old_id].append((new_id, kind))

    @staticmethod
    def _chain(versions: list[DraftVersion]) -> dict[int, int]:
        ordered = sorted(versions, key=lambda version: version.number)
        return {older.id: newer.id for older, newer in zip(ordered, ordered[1:])}

    def land(self, provision_id: int) -> Landing | None:
        """Where ``provision_id`` stands in the target; None for a version after the target."""
        current = self.by_id.get(provision_id)
        if current is None or self.versions[current.version_id].number > self.target.number:
            return None
        kind = "same"
        while current.version_id != self.target.id:
            step = self._step(current)
            if step is None:
                return Landing(None, "removed", self.versions[self.next_version[current.version_id]].number)
            current, step_kind = step
            kind = _stronger(kind, step_kind)
        return Landing(current, kind)

    def _step(self, provision: Provision) -> tuple[Provision, str] | None:
        """The provision's counterpart in the next version, climbing to its article if need be."""
        node = provision
        while node is not None:
            found = self._counterpart(node)
            if found is not None:
                return found
            if node.kind == "article":
                return None
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return None

    def _counterpart(self, node: Provision) -> tuple[Provision, str] | None:
        following = self.next_version[node.version_id]
        if node.version_id not in self.matched_versions:
            same = self.by_anchor.get((following, node.anchor))
            return (same, "anchor") if same is not None else None
        targets = self.forward.get(node.id) or []
        if not targets:
            return None
        parts = sorted((self.by_id[new_id] for new_id, _kind in targets), key=lambda p: p.position)
        kind = "split" if len(targets) > 1 else targets[0][1]
        return parts[0], kind


# --- the public side: counts and comments on the version citizens read -----------------------

@dataclass(frozen=True, slots=True)
class Landed:
    """A ``Landing`` as plain data (ids, not ORM objects), kept across requests."""

    #: The provision's id in the version shown (None when the article was removed on the way).
    provision_id: int | None
    kind: str
    at_version: int | None = None


def landings(version: DraftVersion) -> Mapping[int, Landed]:
    """Provision id of every earlier version → where it lands on ``version`` (versions after it
    are left out). A published version's map is built once per process and kept: its key is the
    version's id, its publication stamp and a stamp of the stored matches (how many, the last id,
    the last confirmation), so a republished version or matches confirmed again are read anew
    with one small query instead of every provision of every version."""
    earlier = [v for v in version.draft.versions if v.number < version.number]
    if not earlier:
        return MappingProxyType({})
    if version.published_at is None:
        return _landings(earlier, version)
    ids = [v.id for v in earlier] + [version.id]
    stamp = tuple(db.session.execute(
        select(func.count(), func.max(ProvisionMatch.id), func.max(ProvisionMatch.confirmed_at))
        .where(ProvisionMatch.new_version_id.in_(ids))).one())
    from consult.provision_tree import LruCache  # provision_tree imports models only; no cycle

    cache = current_app.extensions.setdefault("carry_landings", LruCache())
    key = (version.id, version.published_at, tuple(ids), stamp)
    found = cache.get(key)
    if found is None:
        found = _landings(earlier, version)
        cache.put(key, found)
    return found


def _landings(earlier: list[DraftVersion], version: DraftVersion) -> Mapping[int, Landed]:
    carrier = Carrier(earlier + [version], version)
    result = {}
    for older in earlier:
        for provision in older.provisions:
            landing = carrier.land(provision.id)
            if landing is not None:
                result[provision.id] = Landed(landing.provision.id if landing.provision is not None else None,
                                              landing.kind, landing.at_version)
    return MappingProxyType(result)


def landed_on(version: DraftVersion) -> dict[int, int]:
    """Provision id of every earlier version → the provision of ``version`` it lands on
    (from the kept ``landings`` when ``version`` is published)."""
    return {old: landed.provision_id for old, landed in landings(version).items()
            if landed.provision_id is not None}


def with_earlier_versions(version: DraftVersion, provision_ids: list[int]) -> list[int]:
    """``provision_ids`` of ``version`` and the provisions of earlier versions landing on them."""
    wanted = set(provision_ids)
    return list(provision_ids) + [old for old, new in landed_on(version).items() if new in wanted]


def carried_comment_counts(version: DraftVersion, article_of: dict[int, int] | None = None) -> Counter:
    """Published comments written on earlier versions, per article of ``version`` they land on.
    ``article_of`` (provision id → article id, e.g. a cached tree's) spares reading the version."""
    landed = landed_on(version)
    if not landed:
        return Counter()
    rows = db.session.execute(select(Comment.provision_id, func.count())
                              .where(Comment.provision_id.in_(list(landed)), Comment.status == "published")
                              .group_by(Comment.provision_id)).all()
    article_of = article_of if article_of is not None else _article_of(version)
    counts: Counter = Counter()
    for provision_id, count in rows:
        article_id = article_of.get(landed[provision_id])
        if article_id is not None:
            counts[article_id] += count
    return counts


def _article_of(version: DraftVersion) -> dict[int, int]:
    from consult.drafts import article_lookup  # drafts imports this module

    return article_lookup(version)
