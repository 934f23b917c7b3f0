"""The draft's outline for deciding and counting opinions: which article each provision counts for.

Articles are those of the version shown (the one in force, else the newest). A provision of an
older version counts for the article its stored matches lead to (``consult.carry``), so an
opinion on old Điều 12 lands on new Điều 13 when an article was inserted before it. An article
removed since keeps its opinions under a key of its own ("v1-dieu-29"), listed after the
articles in force, so none is lost and the page can say it was removed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from consult.carry import Carrier, Landing
from consult.models import Consultation, DraftVersion, Provision

HEADINGS = ("part", "chapter", "section")
#: Positions of removed articles' provisions sort after every provision in force.
_AFTER_IN_FORCE = 10 ** 7


@dataclass
class Outline:
    """Every provision of a consultation's draft versions, and the article each counts for."""

    by_id: dict[int, Provision] = field(default_factory=dict)
    #: provision id → key of the article it counts for: the anchor of an article of the version
    #: shown, or "v<N>-<anchor>" for an article of version N removed since (headings: none)
    article_anchor: dict[int, str] = field(default_factory=dict)
    #: key → the article shown, in draft order: the version shown's, then removed ones
    articles: dict[str, Provision] = field(default_factory=dict)
    #: provision id → where it sorts: the place of the provision it landed on
    positions: dict[int, int] = field(default_factory=dict)
    #: provision id → how a provision of an older version came to the version shown
    landings: dict[int, Landing] = field(default_factory=dict)
    #: key of a removed article → the version number from which it is gone
    removed: dict[str, int] = field(default_factory=dict)

    def position(self, provision_id: int | None) -> int:
        return self.positions.get(provision_id, -1) if provision_id is not None else -1

    def shown(self, provision_id: int | None) -> Provision | None:
        """The provision an opinion is shown on: where it landed, else where it was written."""
        landing = self.landings.get(provision_id)
        if landing is not None and landing.provision is not None:
            return landing.provision
        return self.by_id.get(provision_id) if provision_id is not None else None

    def carried(self, provision_id: int | None) -> str | None:
        """The change that carried an opinion here ("moved", "split", "removed" …), else None."""
        landing = self.landings.get(provision_id)
        return landing.kind if landing is not None and landing.kind not in ("same", "anchor") else None


def outline(consultation: Consultation) -> Outline:
    draft = consultation.draft
    shape = Outline()
    if draft is None or not draft.versions:
        return shape
    target = draft.current_version or draft.versions[-1]
    _add_shown_version(shape, target)
    carrier = Carrier(list(draft.versions), target)
    for version in sorted(draft.versions, key=lambda v: v.number):
        if version.id != target.id:
            _add_older_version(shape, version, carrier)
    return shape


def _add_shown_version(shape: Outline, version: DraftVersion) -> None:
    article = None
    for provision in version.provisions:
        shape.by_id[provision.id] = provision
        shape.positions[provision.id] = provision.position
        if provision.kind == "article":
            article = provision
            shape.articles[provision.anchor] = provision
        elif provision.kind in HEADINGS:
            article = None
        if article is not None:
            shape.article_anchor[provision.id] = article.anchor


def _add_older_version(shape: Outline, version: DraftVersion, carrier: Carrier) -> None:
    for provision in version.provisions:
        shape.by_id[provision.id] = provision
        if provision.kind in HEADINGS:
            continue
        landing = carrier.land(provision.id)
        if landing is None:  # a version after the one shown: nobody comments there
            continue
        shape.landings[provision.id] = landing
        if landing.provision is not None:
            key = shape.article_anchor.get(landing.provision.id)
            if key is not None:
                shape.article_anchor[provision.id] = key
                shape.positions[provision.id] = landing.provision.position
            continue
        _add_removed(shape, version, provision, landing)


def _add_removed(shape: Outline, version: DraftVersion, provision: Provision, landing: Landing) -> None:
    article = provision
    while article is not None and article.kind != "article":
        article = shape.by_id.get(article.parent_id) if article.parent_id else None
    if article is None:
        return
    key = f"v{version.number}-{article.anchor}"
    shape.articles.setdefault(key, article)
    shape.removed.setdefault(key, landing.at_version)
    shape.article_anchor[provision.id] = key
    shape.positions[provision.id] = _AFTER_IN_FORCE + version.number * 10 ** 5 + provision.position
