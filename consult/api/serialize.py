"""Domain objects as the API's JSON (the shapes ``consult.api.openapi`` documents)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import url_for

from consult.models import Comment, Consultation, DraftVersion, Provision
from consult.submissions import services
from consult.submissions.models import Submission, SubmissionOpinion


def timestamp(moment: datetime | None) -> str | None:
    """Stored naive UTC as RFC 3339 with ``Z``."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc, microsecond=0).isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def consultation(item: Consultation, now: datetime) -> dict:
    version = services.current_version(item)
    return {
        "slug": item.slug, "title": item.title, "summary": item.summary, "agency": item.agency,
        "opens_at": timestamp(item.opens_at), "closes_at": timestamp(item.closes_at),
        "is_open": item.is_open(now), "current_version": version.number if version else None,
        "links": {
            "provisions": url_for("api.provisions", slug=item.slug, _external=True),
            "comments": url_for("api.comments", slug=item.slug, _external=True),
            "stats": url_for("api.stats", slug=item.slug, _external=True),
        },
    }


def provision_tree(version: DraftVersion, children: dict[int | None, list[Provision]]) -> list[dict]:
    def node(p: Provision) -> dict:
        return {"anchor": p.anchor, "kind": p.kind, "number": p.number, "title": p.title,
                "text": p.text, "children": [node(c) for c in children.get(p.id, [])]}

    return [node(p) for p in children.get(None, [])]


def _article_and_clause(provision: Provision | None) -> tuple[str | None, str | None]:
    if provision is None:
        return None, None
    node, clause = provision, None
    while node is not None and node.kind != "article":
        if node.kind == "clause":
            clause = node.number
        node = node.parent
    return (node.number if node is not None else None), clause


def comment(item: Comment) -> dict:
    article, clause = _article_and_clause(item.provision)
    return {
        "id": item.id, "article": article, "clause": clause,
        "provision_anchor": item.provision.anchor if item.provision else None,
        "body": item.body, "respondent_type": item.contribution.respondent_type,
        "province_code": item.contribution.province_code, "created_at": timestamp(item.created_at),
    }


def opinion(item: SubmissionOpinion) -> dict:
    article, clause = _article_and_clause(item.provision)
    return {"id": item.id, "article": article, "clause": clause,
            "provision_anchor": item.provision.anchor if item.provision else None, "body": item.body}


def submission(item: Submission) -> dict:
    attachment = None
    if item.attachment_name:
        attachment = {"filename": item.attachment_filename, "size": item.attachment_size,
                      "pages": item.attachment_pages, "sha256": item.attachment_sha256}
    return {
        "id": item.id, "consultation": item.consultation.slug,
        "organisation": {"code": item.organisation.code, "name": item.organisation.name},
        "status": item.status, "letter_number": item.letter_number,
        "letter_date": day(item.letter_date), "signer_name": item.signer_name,
        "signer_title": item.signer_title, "no_comment": item.no_comment,
        "attachment": attachment, "opinions": [opinion(o) for o in item.opinions],
        "receipt_code": item.receipt_code, "created_at": timestamp(item.created_at),
        "submitted_at": timestamp(item.submitted_at), "supersedes": item.supersedes_id,
        "missing": services.missing_for_submit(item) if item.status == "draft" else [],
    }
