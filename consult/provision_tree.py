"""A draft version's provision tree as plain immutable data, kept per process once published.

The article page and the comment form need the whole tree of the version (to list the clauses
and points, to find the commented provision, to collect an article's comments). Loading it as
ORM objects on every request costs ~300 objects for the 46-article demo and grows with the
draft. A published version never changes (a revised text is a new version), so its tree is
read with one plain SELECT the first time an application (one per worker process) needs it and
kept in ``app.extensions``: keyed by the version's id and its publication stamp, so a version
unpublished and republished is read again. Unpublished versions (the team's preview) are read
fresh every time.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from flask import current_app
from sqlalchemy import select

from consult.extensions import db
from consult.models import DraftVersion, Provision

#: How many published versions a process keeps (a few consultations, a few versions each).
CACHE_SIZE = 32

_COLUMNS = (Provision.id, Provision.parent_id, Provision.kind, Provision.number, Provision.title,
            Provision.text, Provision.position, Provision.depth, Provision.anchor)


@dataclass(frozen=True, slots=True)
class Node:
    """One provision, with the attributes templates read from a ``Provision`` (``parent`` too,
    so ``citation`` works on it)."""

    id: int
    parent_id: int | None
    kind: str
    number: str
    title: str
    text: str
    position: int
    depth: int
    anchor: str
    parent: "Node | None" = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ProvisionTree:
    """The nodes of one version in document order, and lookups over them."""

    version_id: int
    nodes: tuple[Node, ...]
    children: Mapping[int | None, tuple[Node, ...]]
    by_id: Mapping[int, Node]
    by_anchor: Mapping[str, Node]
    #: Every provision id inside an article, mapped to that article's id.
    article_ids: Mapping[int, int]

    def article(self, anchor: str) -> Node | None:
        node = self.by_anchor.get(anchor)
        return node if node is not None and node.kind == "article" else None

    def subtree_ids(self, node: Node) -> list[int]:
        """The node's id and those of everything below it."""
        ids, stack = [], [node]
        while stack:
            current = stack.pop()
            ids.append(current.id)
            stack.extend(self.children.get(current.id, ()))
        return ids


class LruCache:
    """Least recently used entries (trees, landings…), shared by the threads of one application."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.trees: OrderedDict[tuple, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple):
        with self.lock:
            tree = self.trees.get(key)
            if tree is not None:
                self.trees.move_to_end(key)
            return tree

    def put(self, key: tuple, tree) -> None:
        with self.lock:
            self.trees[key] = tree
            while len(self.trees) > self.size:
                self.trees.popitem(last=False)


def tree_of(version: DraftVersion) -> ProvisionTree:
    """The version's tree: from the application's cache when the version is published."""
    if version.published_at is None:
        return _read(version.id)
    cache = current_app.extensions.setdefault("provision_trees", LruCache())
    key = (version.id, version.published_at)
    tree = cache.get(key)
    if tree is None:
        tree = _read(version.id)
        cache.put(key, tree)
    return tree


def _read(version_id: int) -> ProvisionTree:
    rows = db.session.execute(
        select(*_COLUMNS).where(Provision.version_id == version_id).order_by(Provision.position)
    ).all()
    by_id: dict[int, Node] = {}
    children: dict[int | None, list[Node]] = {}
    for row in rows:  # document order: a parent always comes before its children
        node = Node(*row, parent=by_id.get(row.parent_id))
        by_id[node.id] = node
        children.setdefault(node.parent_id, []).append(node)
    return ProvisionTree(
        version_id=version_id, nodes=tuple(by_id.values()),
        children=MappingProxyType({key: tuple(value) for key, value in children.items()}),
        by_id=MappingProxyType(by_id),
        by_anchor=MappingProxyType({node.anchor: node for node in by_id.values()}),
        article_ids=MappingProxyType(_article_ids(by_id.values())),
    )


def _article_ids(nodes) -> dict[int, int]:
    result: dict[int, int] = {}
    for node in nodes:
        article = node
        while article is not None and article.kind != "article":
            article = article.parent
        if article is not None:
            result[node.id] = article.id
    return result
