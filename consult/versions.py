"""Draft versions compared: article matches between consecutive versions, stored and confirmed.

When a version is imported, every article of the version before it is matched to its article in
the new one (``consult.matching``), and inside each one-to-one pair the clauses, and inside each
matched clause the points. The drafting team confirms or corrects the article matches before
publishing; ``consult.carry`` then follows them to put every opinion on the right article.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select

from consult import audit
from consult.extensions import db
from consult.matching import Item, Match, diff_html, diff_tokens, match_items, pair_kind
from consult.models import Consultation, Draft, DraftVersion, Provision, ProvisionMatch, User, utcnow

#: Pairs whose children (clauses, points) are matched too.
_ONE_TO_ONE = ("same", "changed", "moved")


class VersionTree:
    """A version's provisions with their children, read once."""

    def __init__(self, version: DraftVersion):
        self.version = version
        self.provisions: list[Provision] = list(version.provisions)
        self.by_id = {provision.id: provision for provision in self.provisions}
        self.children: dict[int | None, list[Provision]] = defaultdict(list)
        for provision in self.provisions:
            self.children[provision.parent_id].append(provision)

    @property
    def articles(self) -> list[Provision]:
        return [provision for provision in self.provisions if provision.kind == "article"]

    def lines(self, provision: Provision) -> list[str]:
        """The provision's text with its children's, one line each, numbered as printed."""
        lines = [line for line in provision.text.split("\n") if line] if provision.text else []
        for child in self.children.get(provision.id, []):
            marker = f"{child.number})" if child.kind == "point" else f"{child.number}."
            own = self.lines(child)
            lines.append(f"{marker} {own[0]}" if own else marker)
            lines.extend(own[1:])
        return lines

    def full_text(self, provision: Provision) -> str:
        return "\n".join(self.lines(provision))

    def item(self, provision: Provision) -> Item:
        return Item(provision.id, provision.number, provision.title, self.full_text(provision))


def previous_version(version: DraftVersion) -> DraftVersion | None:
    """The version imported just before ``version`` in the same draft."""
    earlier = [v for v in version.draft.versions if v.number < version.number]
    return max(earlier, key=lambda v: v.number) if earlier else None


# --- suggesting and storing matches ----------------------------------------------------------

def compute_matches(old: VersionTree, new: VersionTree) -> list[tuple[Match, str]]:
    """Article matches, then clause and point matches inside one-to-one pairs: (match, level)."""
    found = [(match, "article") for match in
             match_items([old.item(a) for a in old.articles], [new.item(a) for a in new.articles])]
    for match, _level in list(found):
        found.extend(_child_matches(old, new, match))
    return found


def _child_matches(old: VersionTree, new: VersionTree, match: Match) -> list[tuple[Match, str]]:
    if match.kind not in _ONE_TO_ONE:
        return []
    old_children = old.children.get(match.old, [])
    new_children = new.children.get(match.new, [])
    if not old_children or not new_children:
        return []
    level = old_children[0].kind
    pairs = match_items([old.item(c) for c in old_children], [new.item(c) for c in new_children])
    found = [(pair, level) for pair in pairs]
    for pair in pairs:
        found.extend(_child_matches(old, new, pair))
    return found


def suggest_matches(new_version: DraftVersion) -> int:
    """Store the matcher's suggestions between ``new_version`` and the version before it."""
    old_version = previous_version(new_version)
    if old_version is None:
        return 0
    db.session.flush()
    rows = [_row(old_version, new_version, match) for match, _level in
            compute_matches(VersionTree(old_version), VersionTree(new_version))]
    db.session.add_all(rows)
    return len(rows)


def _row(old_version: DraftVersion, new_version: DraftVersion, match: Match, origin: str = "auto") -> ProvisionMatch:
    return ProvisionMatch(old_version_id=old_version.id, new_version_id=new_version.id,
                          old_provision_id=match.old, new_provision_id=match.new, kind=match.kind,
                          score=match.score, origin=origin)


def ensure_matches(new_version: DraftVersion) -> bool:
    """Suggest matches for a version imported before matching existed; True when it did."""
    if stored_matches(new_version):
        return False
    return suggest_matches(new_version) > 0


def matches_or_suggestions(new_version: DraftVersion) -> tuple[list[ProvisionMatch], bool]:
    """The version's stored matches, read once (suggested first for a version imported before
    matching existed); and True when they were just suggested (to commit)."""
    rows = stored_matches(new_version)
    if rows or suggest_matches(new_version) == 0:
        return rows, False
    return stored_matches(new_version), True


def stored_matches(new_version: DraftVersion) -> list[ProvisionMatch]:
    return list(db.session.scalars(select(ProvisionMatch).where(ProvisionMatch.new_version_id == new_version.id)
                                   .order_by(ProvisionMatch.id)))


def article_targets(new_version: DraftVersion, rows: list[ProvisionMatch] | None = None,
                    old: VersionTree | None = None) -> dict[int, list[int]]:
    """old article id → the new article ids it went to (empty: removed), from stored rows
    (``rows`` and ``old``, the previous version's tree, when the caller has them already)."""
    old_version = previous_version(new_version)
    if old_version is None:
        return {}
    tree_old = old if old is not None else VersionTree(old_version)
    targets: dict[int, list[int]] = {article.id: [] for article in tree_old.articles}
    for row in stored_matches(new_version) if rows is None else rows:
        if row.old_provision_id in targets and row.new_provision_id is not None:
            targets[row.old_provision_id].append(row.new_provision_id)
    return targets


def is_confirmed(new_version: DraftVersion, rows: list[ProvisionMatch] | None = None) -> bool:
    rows = stored_matches(new_version) if rows is None else rows
    return bool(rows) and all(row.confirmed_at is not None for row in rows)


def confirm_matches(new_version: DraftVersion, targets: dict[int, list[int]], actor: User | None) -> int:
    """Store the team's article matches (old article id → new article ids), confirmed.

    Kinds follow from the shape: two old articles into one new is a merge, one into two a split,
    none a removal; a new article nobody went to is an addition. Clauses and points are matched
    again inside the one-to-one pairs. Returns how many article matches the team changed.
    """
    old_version = previous_version(new_version)
    suggested = article_targets(new_version)
    corrected = {old_id for old_id, new_ids in targets.items() if sorted(new_ids) != sorted(suggested.get(old_id, []))}
    old, new = VersionTree(old_version), VersionTree(new_version)
    db.session.execute(delete(ProvisionMatch).where(ProvisionMatch.new_version_id == new_version.id))
    now, actor_id = utcnow(), actor.id if actor else None
    for match in _matches_from_targets(old, new, targets):
        origin = "team" if match.old in corrected else "auto"
        rows = [_row(old_version, new_version, match, origin)]
        rows += [_row(old_version, new_version, child) for child, _level in _child_matches(old, new, match)]
        for row in rows:
            row.confirmed_at, row.confirmed_by_id = now, actor_id
        db.session.add_all(rows)
    audit.record(actor, "draft_version.matches_confirmed", new_version, changed=len(corrected))
    return len(corrected)


def _matches_from_targets(old: VersionTree, new: VersionTree, targets: dict[int, list[int]]) -> list[Match]:
    sources: dict[int, list[int]] = defaultdict(list)
    for old_id, new_ids in targets.items():
        for new_id in new_ids:
            sources[new_id].append(old_id)
    matches = []
    for old_id, new_ids in targets.items():
        if not new_ids:
            matches.append(Match(old_id, None, "removed", 0.0))
        for new_id in new_ids:
            kind, score = pair_kind(old.item(old.by_id[old_id]), new.item(new.by_id[new_id]))
            if len(new_ids) > 1 or len(sources[new_id]) > 1:
                kind = "split" if len(new_ids) > 1 else "merged"
            matches.append(Match(old_id, new_id, kind, score))
    matches += [Match(None, article.id, "added", 0.0) for article in new.articles if article.id not in sources]
    return matches


def confirm_publishing(new_version: DraftVersion, actor: User | None) -> None:
    """Publishing a version confirms the article matches still only suggested, as they stand."""
    rows = stored_matches(new_version)
    if rows and any(row.confirmed_at is None for row in rows):
        confirm_matches(new_version, article_targets(new_version), actor)


# --- the comparison --------------------------------------------------------------------------

@dataclass
class ComparisonRow:
    """One line of the comparison table: an old article, its new article, and how they differ."""

    old: Provision | None
    new: Provision | None
    kind: str
    score: float
    old_html: str = ""
    new_html: str = ""
    old_text: str = ""
    new_text: str = ""

    @property
    def changed(self) -> bool:
        return self.kind != "same"


def _article_pairs(old: VersionTree, new: VersionTree, matches: list[Match]) -> list[Match]:
    """Article matches in the new version's order, a removed article after its old neighbour."""
    articles_old = {a.id for a in old.articles}
    rows = [m for m in matches if (m.old in articles_old) or (m.old is None and m.new in new.by_id
                                                              and new.by_id[m.new].kind == "article")]
    new_place = {m.old: new.by_id[m.new].position for m in rows if m.old is not None and m.new is not None}
    order_old = [a.id for a in old.articles]

    def sort_key(match: Match):
        if match.new is not None:
            return (new.by_id[match.new].position, 0, old.by_id[match.old].position if match.old else 0)
        index = order_old.index(match.old)
        before = next((new_place[o] for o in reversed(order_old[:index]) if o in new_place), -1)
        return (before, 1, old.by_id[match.old].position)

    return sorted(rows, key=sort_key)


def comparison(old_version: DraftVersion, new_version: DraftVersion, matches: list[Match] | None = None,
               changed_only: bool = False, rows: list[ProvisionMatch] | None = None) -> list[ComparisonRow]:
    """The two versions side by side, article by article, with word-level changes marked.

    ``matches`` defaults to the stored ones (for a version and the one before it); a comparison
    with the law in force passes the matcher's result instead.
    """
    old, new = VersionTree(old_version), VersionTree(new_version)
    if matches is None:
        matches = [Match(r.old_provision_id, r.new_provision_id, r.kind, r.score)
                   for r in (stored_matches(new_version) if rows is None else rows)]
    result = []
    for match in _article_pairs(old, new, matches):
        row = _comparison_row(old, new, match)
        if row.changed or not changed_only:
            result.append(row)
    return result


def _comparison_row(old: VersionTree, new: VersionTree, match: Match) -> ComparisonRow:
    old_article = old.by_id.get(match.old) if match.old is not None else None
    new_article = new.by_id.get(match.new) if match.new is not None else None
    old_text = old.full_text(old_article) if old_article else ""
    new_text = new.full_text(new_article) if new_article else ""
    row = ComparisonRow(old_article, new_article, match.kind, match.score, old_text=old_text, new_text=new_text)
    runs = diff_tokens(old_text, new_text)
    row.old_html, row.new_html = diff_html(runs, "old"), diff_html(runs, "new")
    return row


def reference_matches(reference: DraftVersion, version: DraftVersion) -> list[Match]:
    """Articles of the law in force matched to the draft's (computed, not stored)."""
    old, new = VersionTree(reference), VersionTree(version)
    return [match for match, level in compute_matches(old, new) if level == "article"]


# --- the team's corrections, as typed ----------------------------------------------------------

_NUMBER_SEPARATORS = re.compile(r"[,;\s]+")
_ARTICLE_WORD = re.compile(r"^(?:điều|article)\s*", re.I)


def parse_targets(typed: dict[int, str], new: VersionTree) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Read "13", "13, 14", "Điều 13" or "" (removed) per old article id.

    Returns the targets and, per old article id, the first number that is no article of the new
    version (the caller says so and keeps what was typed).
    """
    numbers = {article.number.lower(): article.id for article in new.articles}
    targets: dict[int, list[int]] = {}
    unknown: dict[int, str] = {}
    for old_id, text in typed.items():
        cleaned = unicodedata.normalize("NFC", _ARTICLE_WORD.sub("", (text or "").strip())).lower()
        tokens = [token for token in _NUMBER_SEPARATORS.split(cleaned) if token and token not in {"điều", "article"}]
        missing = [token for token in tokens if token not in numbers]
        if missing:
            unknown[old_id] = missing[0][:20]
        targets[old_id] = list(dict.fromkeys(numbers[token] for token in tokens if token in numbers))
    return targets, unknown


def reference_draft(consultation: Consultation) -> Draft:
    """The consultation's reference text (the law in force), made on first use."""
    reference = consultation.law_in_force
    if reference is None:
        reference = Draft(consultation=consultation, title=consultation.title, kind="reference")
        db.session.add(reference)
        db.session.flush()
    return reference


def latest_version(draft: Draft | None) -> DraftVersion | None:
    return draft.versions[-1] if draft is not None and draft.versions else None
