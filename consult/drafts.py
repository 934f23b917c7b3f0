"""Draft versions: importing a legal text into a provision tree, publishing, reading it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from consult import audit, carry, versions
from consult.extensions import db
from consult.legal_text import DraftSource, ParseResult, parse_legal_text
from consult.models import Comment, Consultation, Draft, DraftVersion, Provision, User, utcnow
from consult.provision_tree import Node, ProvisionTree


def parse_report(result: ParseResult, source: DraftSource | None = None) -> dict:
    """The JSON-safe report stored with a version and shown before publishing.

    For a Word file it also says how many numbers per level came from Word's automatic
    numbering (``numbering``) and what else was met (``word``: tracked changes, footnotes, tables).
    """
    report = {
        "title": result.title,
        "counts": dict(result.counts),
        "warnings": [
            {"code": w.code, "line": w.line, "params": dict(w.params)} for w in result.warnings
        ],
    }
    if source is not None and source.notes:
        numbered = Counter(node.kind for node, _parent, _depth in result.walk()
                           if node.line in source.numbered_lines)
        report["numbering"] = dict(numbered)
        report["word"] = dict(source.notes)
    return report


def create_version(draft: Draft, text: str | DraftSource, source_filename: str = "",
                   actor: User | None = None) -> DraftVersion:
    """Parse ``text`` (or a read upload) and store it as the draft's next, unpublished version.

    Raises ``DraftParseError`` when the text has no article at all.
    """
    source = text if isinstance(text, DraftSource) else DraftSource(text)
    result = parse_legal_text(source.text)
    number = (max((v.number for v in draft.versions), default=0)) + 1
    version = DraftVersion(
        draft=draft, number=number, title=result.title or draft.title,
        preamble=result.preamble, closing=result.closing,
        source_filename=source_filename[:255], parse_report=parse_report(result, source),
    )
    db.session.add(version)
    _store_provisions(version, result)
    db.session.flush()
    versions.suggest_matches(version)
    audit.record(actor, "draft_version.import", version, filename=source_filename,
                 counts=dict(result.counts))
    return version


def _store_provisions(version: DraftVersion, result: ParseResult) -> None:
    rows: dict[int, Provision] = {}
    for position, (node, parent, depth) in enumerate(result.walk()):
        row = Provision(
            version=version, kind=node.kind, number=node.number, title=node.title,
            text=node.text, position=position, depth=depth, anchor=node.anchor,
            parent=rows[id(parent)] if parent is not None else None,
        )
        rows[id(node)] = row
        db.session.add(row)


def publish_version(version: DraftVersion, actor: User | None = None) -> None:
    """Make ``version`` the one citizens read and comment on."""
    versions.confirm_publishing(version, actor)
    version.published_at = utcnow()
    audit.record(actor, "draft_version.publish", version, number=version.number)


@dataclass
class ArticleEntry:
    """An article in the table of contents, with its count of published comments."""

    provision: Provision | Node
    comment_count: int


@dataclass
class TocChapter:
    heading: Provision | Node | None
    sections: list[tuple[Provision | Node | None, list[ArticleEntry]]]


def published_comment_counts(version: DraftVersion, tree: ProvisionTree | None = None) -> Counter:
    """Published comments per article (comments on clauses count for their article), in one
    grouped query. ``tree`` (``provision_tree.tree_of``) spares loading the provisions."""
    rows = db.session.execute(
        select(Comment.provision_id, func.count())
        .join(Provision, Provision.id == Comment.provision_id)
        .where(Provision.version_id == version.id, Comment.status == "published")
        .group_by(Comment.provision_id)
    ).all()
    article_of = tree.article_ids if tree is not None else article_lookup(version)
    counts: Counter = Counter()
    for provision_id, count in rows:
        counts[article_of.get(provision_id, provision_id)] += count
    counts.update(carry.carried_comment_counts(version, article_of))  # written on earlier versions
    return counts


def article_lookup(version: DraftVersion) -> dict[int, int]:
    """Map every provision id to the id of the article that holds it."""
    result: dict[int, int] = {}
    current_article = None
    for provision in version.provisions:
        if provision.kind == "article":
            current_article = provision.id
        elif provision.kind in ("part", "chapter", "section"):
            current_article = None
        if current_article is not None:
            result[provision.id] = current_article
    return result


def table_of_contents(version: DraftVersion, tree: ProvisionTree | None = None) -> list[TocChapter]:
    """Chapters → (sections →) articles, each article with its comment count; from ``tree``
    when given (its nodes stand for the provisions), else from the version's ORM rows."""
    counts = published_comment_counts(version, tree)
    chapters: list[TocChapter] = []

    def current_chapter() -> TocChapter:
        if not chapters:
            chapters.append(TocChapter(None, []))
        return chapters[-1]

    for provision in (tree.nodes if tree is not None else version.provisions):
        if provision.kind == "chapter":
            chapters.append(TocChapter(provision, []))
        elif provision.kind == "section":
            current_chapter().sections.append((provision, []))
        elif provision.kind == "article":
            chapter = current_chapter()
            if not chapter.sections:
                chapter.sections.append((None, []))
            chapter.sections[-1][1].append(ArticleEntry(provision, counts[provision.id]))
    return chapters


def children_of(version: DraftVersion) -> dict[int | None, list[Provision]]:
    """Provisions grouped by parent id, in document order, for rendering the tree."""
    grouped: dict[int | None, list[Provision]] = {}
    for provision in version.provisions:
        grouped.setdefault(provision.parent_id, []).append(provision)
    return grouped


def find_article(version: DraftVersion, anchor: str) -> Provision | None:
    return db.session.scalar(
        select(Provision).where(Provision.version_id == version.id,
                                Provision.anchor == anchor, Provision.kind == "article")
    )


def open_consultations() -> list[Consultation]:
    """Published consultations, open ones first, by closing date."""
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.published.is_(True))
        .order_by(Consultation.closes_at)
    ).all()
    now = utcnow()
    return sorted(consultations, key=lambda c: (not c.is_open(now), c.closes_at))
