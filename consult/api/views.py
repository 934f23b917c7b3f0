"""Open data, no token needed: consultations, the draft's structure, published comments, counts."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from consult import drafts
from consult.api import bp, serialize
from consult.api.access import page_body, page_params, paginate
from consult.api.openapi import openapi_document as build_document
from consult.api.problems import ApiProblem
from consult.extensions import db
from consult.models import Comment, Consultation, Contribution, utcnow
from consult.submissions import services


def _published(slug: str) -> Consultation:
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None or not consultation.published:
        raise ApiProblem(404, "not-found", _("Not found"), _("No published consultation has this slug."))
    return consultation


def _version(consultation: Consultation):
    version = services.current_version(consultation)
    if version is None:
        raise ApiProblem(404, "not-found", _("Not found"), _("This consultation has no published draft yet."))
    return version


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_document())


@bp.get("/v1/consultations")
def consultations():
    page, per_page = page_params()
    items, total = paginate(select(Consultation).where(Consultation.published.is_(True))
                            .order_by(Consultation.id), page, per_page)
    now = utcnow()
    body, headers = page_body([serialize.consultation(c, now) for c in items], total, page,
                              per_page, "api.consultations")
    return jsonify(body), 200, headers


@bp.get("/v1/consultations/<slug>")
def consultation(slug: str):
    return jsonify(serialize.consultation(_published(slug), utcnow()))


@bp.get("/v1/consultations/<slug>/provisions")
def provisions(slug: str):
    consultation = _published(slug)
    version = _version(consultation)
    return jsonify({"consultation": consultation.slug, "version": version.number,
                    "title": version.title,
                    "provisions": serialize.provision_tree(version, drafts.children_of(version))})


@bp.get("/v1/consultations/<slug>/comments")
def comments(slug: str):
    consultation = _published(slug)
    page, per_page = page_params()
    statement = (select(Comment).where(Comment.consultation_id == consultation.id,
                                       Comment.status == "published")
                 .order_by(Comment.created_at, Comment.id))
    article = request.args.get("article")
    if article is not None and len(article) > 16:
        raise ApiProblem(400, "invalid-parameter", _("Invalid query parameter"),
                         _("Some query parameters are not valid."),
                         errors=[{"pointer": "?article", "detail": _("At most %(max)s characters.", max=16)}])
    if article is not None:
        version = _version(consultation)
        found = drafts.find_article(version, f"dieu-{article.strip().lower()}")
        ids = [pid for pid, aid in drafts.article_lookup(version).items()
               if found is not None and aid == found.id]
        statement = statement.where(Comment.provision_id.in_(ids))
    items, total = paginate(statement, page, per_page)
    body, headers = page_body([serialize.comment(c) for c in items], total, page, per_page,
                              "api.comments", slug=slug)
    return jsonify(body), 200, headers


@bp.get("/v1/consultations/<slug>/stats")
def stats(slug: str):
    consultation = _published(slug)
    version = _version(consultation)
    by_article = drafts.published_comment_counts(version)
    articles = [p for p in version.provisions if p.kind == "article"]
    by_type = db.session.execute(
        select(Contribution.respondent_type, func.count(Comment.id))
        .join(Comment, Comment.contribution_id == Contribution.id)
        .where(Comment.consultation_id == consultation.id, Comment.status == "published")
        .group_by(Contribution.respondent_type).order_by(Contribution.respondent_type)
    ).all()
    general = db.session.scalar(
        select(func.count(Comment.id)).where(Comment.consultation_id == consultation.id,
                                             Comment.status == "published",
                                             Comment.provision_id.is_(None)))
    return jsonify({
        "consultation": consultation.slug, "version": version.number,
        "published_comments": sum(count for _type, count in by_type),
        "general_comments": general,
        "by_article": [{"article": p.number, "anchor": p.anchor, "title": p.title,
                        "comments": by_article.get(p.id, 0)} for p in articles],
        "by_respondent_type": [{"respondent_type": kind or "unknown", "comments": count}
                               for kind, count in by_type],
    })

