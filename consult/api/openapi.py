"""The OpenAPI 3 document served at /api/openapi.json, written by hand to match the routes.

``tests/submissions/test_api.py`` checks that every /api route is here and nothing else is,
and schemathesis checks that every response conforms to it.
"""
from __future__ import annotations

from consult.api.access import DEFAULT_PER_PAGE, MAX_PER_PAGE
from consult.api.payload import JSON_MAX_BYTES
from consult.submissions.services import MAX_OPINIONS, OPINION_MAX_LENGTH

_NON_BLANK = r"\S"
_MAX_ID = 2_147_483_647


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _problem(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _json(description: str, schema: dict, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _page_of(item: str) -> dict:
    return {"allOf": [_ref("Page"), {"type": "object", "required": ["items"],
                                     "properties": {"items": {"type": "array", "items": _ref(item)}}}]}


_LINK_HEADER = {"Link": {"description": "first, last, next and prev pages (RFC 8288)",
                         "schema": {"type": "string"}}}
_SLUG = {"name": "slug", "in": "path", "required": True,
         "schema": {"type": "string", "minLength": 1, "maxLength": 120}, "example": "luat-hop-tac-xa-sua-doi"}
_SUBMISSION_ID = {"name": "submission_id", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 1, "maximum": _MAX_ID}}
_PAGE = [
    {"name": "page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}},
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
]
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": ("Any unique string (a UUID): sent again with the same body within 24 hours, the "
                    "request creates nothing and gets the first answer back, with "
                    "'Idempotent-Replayed: true'; with another body it is refused with 422."),
}
_TOO_MANY = {"description": "Too many requests for this token; Retry-After gives the seconds to wait",
             "headers": {"Retry-After": {"schema": {"type": "integer"}}},
             "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_BEARER = [{"bearerAuth": []}]
_AUTH_ERRORS = {"401": _problem("No token, or the token is not valid"),
                "403": _problem("The token lacks the scope, or the submission is another organisation's")}


def _schemas() -> dict:
    string = {"type": "string"}
    return {
        "Problem": {
            "type": "object", "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": string, "title": string, "status": {"type": "integer"}, "detail": string,
                "instance": string,
                "errors": {"type": "array", "items": {
                    "type": "object", "required": ["pointer", "detail"],
                    "properties": {"pointer": string, "detail": string}}},
            },
        },
        "Page": {
            "type": "object", "required": ["items", "page", "per_page", "total", "next", "prev"],
            "properties": {"items": {"type": "array"}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "total": {"type": "integer"},
                           "next": _nullable(string), "prev": _nullable(string)},
        },
        "Consultation": {
            "type": "object",
            "required": ["slug", "title", "opens_at", "closes_at", "is_open", "current_version"],
            "properties": {
                "slug": string, "title": string, "summary": string, "agency": string,
                "opens_at": {"type": "string", "format": "date-time"},
                "closes_at": {"type": "string", "format": "date-time"},
                "is_open": {"type": "boolean"}, "current_version": _nullable({"type": "integer"}),
                "links": {"type": "object", "additionalProperties": string},
            },
        },
        "Provision": {
            "type": "object", "required": ["anchor", "kind", "number", "title", "text", "children"],
            "properties": {
                "anchor": string,
                "kind": {"type": "string", "enum": ["part", "chapter", "section", "article", "clause", "point"]},
                "number": string, "title": string, "text": string,
                "children": {"type": "array", "items": _ref("Provision")},
            },
        },
        "ProvisionTree": {
            "type": "object", "required": ["consultation", "version", "provisions"],
            "properties": {"consultation": string, "version": {"type": "integer"}, "title": string,
                           "provisions": {"type": "array", "items": _ref("Provision")}},
        },
        "Comment": {
            "type": "object", "required": ["id", "article", "clause", "body", "created_at"],
            "properties": {
                "id": {"type": "integer"}, "article": _nullable(string), "clause": _nullable(string),
                "provision_anchor": _nullable(string), "body": string,
                "respondent_type": _nullable(string), "province_code": _nullable(string),
                "created_at": {"type": "string", "format": "date-time"},
            },
        },
        "Stats": {
            "type": "object",
            "required": ["consultation", "version", "published_comments", "general_comments",
                         "by_article", "by_respondent_type"],
            "properties": {
                "consultation": string, "version": {"type": "integer"},
                "published_comments": {"type": "integer"}, "general_comments": {"type": "integer"},
                "by_article": {"type": "array", "items": {
                    "type": "object", "required": ["article", "anchor", "comments"],
                    "properties": {"article": string, "anchor": string, "title": string,
                                   "comments": {"type": "integer"}}}},
                "by_respondent_type": {"type": "array", "items": {
                    "type": "object", "required": ["respondent_type", "comments"],
                    "properties": {"respondent_type": string, "comments": {"type": "integer"}}}},
            },
        },
        "OpinionInput": {
            "type": "object", "required": ["body"], "additionalProperties": False,
            "properties": {
                "article": _nullable({"type": "string", "maxLength": 16,
                                      "description": "Article number, e.g. \"12\"; null or absent for a general opinion"}),
                "clause": _nullable({"type": "string", "maxLength": 16,
                                     "description": "Clause number of that article, e.g. \"2\""}),
                "body": {"type": "string", "minLength": 1, "maxLength": OPINION_MAX_LENGTH,
                         "pattern": _NON_BLANK},
            },
        },
        "SubmissionInput": {
            "type": "object", "additionalProperties": False,
            "required": ["letter_number", "letter_date", "signer_name", "signer_title"],
            "properties": {
                "letter_number": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": _NON_BLANK,
                                  "example": "1234/BTC-PC"},
                "letter_date": {"type": "string", "format": "date",
                                "description": "Not in the future (Vietnam time)"},
                "signer_name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": _NON_BLANK},
                "signer_title": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": _NON_BLANK},
                "no_comment": {"type": "boolean", "default": False,
                               "description": "\"Nhất trí với dự thảo, không có ý kiến thêm\": then no opinions"},
                "opinions": {"type": "array", "maxItems": MAX_OPINIONS, "items": _ref("OpinionInput"),
                             "description": "At least one unless no_comment is true"},
            },
        },
        "Opinion": {
            "type": "object", "required": ["id", "article", "clause", "provision_anchor", "body"],
            "properties": {"id": {"type": "integer"}, "article": _nullable(string),
                           "clause": _nullable(string), "provision_anchor": _nullable(string),
                           "body": string},
        },
        "Submission": {
            "type": "object",
            "required": ["id", "consultation", "organisation", "status", "letter_number", "letter_date",
                         "signer_name", "signer_title", "no_comment", "attachment", "opinions",
                         "receipt_code", "created_at", "submitted_at", "supersedes", "missing"],
            "properties": {
                "id": {"type": "integer"}, "consultation": string,
                "organisation": {"type": "object", "required": ["code", "name"],
                                 "properties": {"code": string, "name": string}},
                "status": {"type": "string", "enum": ["draft", "submitted", "superseded"]},
                "letter_number": string, "letter_date": _nullable({"type": "string", "format": "date"}),
                "signer_name": string, "signer_title": string, "no_comment": {"type": "boolean"},
                "attachment": _nullable({"type": "object", "required": ["filename", "size", "pages", "sha256"],
                                         "properties": {"filename": string, "size": {"type": "integer"},
                                                        "pages": {"type": "integer"}, "sha256": string}}),
                "opinions": {"type": "array", "items": _ref("Opinion")},
                "receipt_code": _nullable(string),
                "created_at": {"type": "string", "format": "date-time"},
                "submitted_at": _nullable({"type": "string", "format": "date-time"}),
                "supersedes": _nullable({"type": "integer"}),
                "missing": {"type": "array", "items": string,
                            "description": "What a draft still lacks before it can be submitted"},
            },
        },
    }


def _paths() -> dict:
    not_found = _problem("No such consultation")
    bad_page = _problem("Invalid page parameters")
    return {
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This document",
            "responses": {"200": _json("The OpenAPI document", {"type": "object"})}}},
        "/v1/consultations": {"get": {
            "operationId": "listConsultations", "summary": "Published consultations",
            "parameters": _PAGE,
            "responses": {"200": _json("A page of consultations", _page_of("Consultation"), _LINK_HEADER),
                          "400": bad_page}}},
        "/v1/consultations/{slug}": {"get": {
            "operationId": "getConsultation", "summary": "One consultation", "parameters": [_SLUG],
            "responses": {"200": _json("The consultation", _ref("Consultation")), "404": not_found}}},
        "/v1/consultations/{slug}/provisions": {"get": {
            "operationId": "getProvisions", "summary": "The structure of the draft being consulted on",
            "parameters": [_SLUG],
            "responses": {"200": _json("Parts, chapters, sections, articles, clauses, points", _ref("ProvisionTree")),
                          "404": not_found}}},
        "/v1/consultations/{slug}/comments": {"get": {
            "operationId": "listComments", "summary": "Published comments of citizens and organisations",
            "parameters": [_SLUG, *_PAGE, {"name": "article", "in": "query", "required": False,
                                           "schema": {"type": "string", "maxLength": 16},
                                           "description": "Only comments on this article (number)"}],
            "responses": {"200": _json("A page of comments", _page_of("Comment"), _LINK_HEADER),
                          "400": bad_page, "404": not_found}}},
        "/v1/consultations/{slug}/stats": {"get": {
            "operationId": "getStats", "summary": "Published comments per article and per respondent type",
            "parameters": [_SLUG],
            "responses": {"200": _json("Counts", _ref("Stats")), "404": not_found}}},
        "/v1/consultations/{slug}/submissions": {"post": {
            "operationId": "createSubmission", "security": _BEARER,
            "summary": "Start the organisation's formal submission (scope submissions:write)",
            "description": ("Creates a draft with the letter's details and opinions. Attach the signed "
                            "PDF with PUT …/attachment, then POST …/submit. Body at most "
                            f"{JSON_MAX_BYTES} bytes."),
            "parameters": [_SLUG, _IDEMPOTENCY_KEY],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _ref("SubmissionInput")}}},
            "responses": {"201": _json("The draft submission (or, with a known Idempotency-Key, "
                                       "the first answer replayed)", _ref("Submission"),
                                       {"Location": {"schema": {"type": "string"}},
                                        "Idempotent-Replayed": {"schema": {"type": "string"}}}),
                          "400": _problem("Malformed JSON, or an invalid Idempotency-Key"), **_AUTH_ERRORS,
                          "404": not_found,
                          "409": _problem("A draft exists already, the consultation is archived "
                                          "(consultation-archived), or a request with this "
                                          "Idempotency-Key is still in progress"),
                          "413": _problem("Body too large"), "415": _problem("Not JSON"),
                          "422": _problem("Invalid fields, listed in errors; or the Idempotency-Key "
                                          "was used with another body")}}},
        "/v1/submissions": {"get": {
            "operationId": "listSubmissions", "security": _BEARER,
            "summary": "The organisation's submissions, newest first (scope read)", "parameters": _PAGE,
            "responses": {"200": _json("A page of submissions", _page_of("Submission"), _LINK_HEADER),
                          "400": bad_page, **_AUTH_ERRORS}}},
        "/v1/submissions/{submission_id}": {
            "get": {"operationId": "getSubmission", "security": _BEARER,
                    "summary": "One of the organisation's submissions (scope read)",
                    "parameters": [_SUBMISSION_ID],
                    "responses": {"200": _json("The submission", _ref("Submission")), **_AUTH_ERRORS,
                                  "404": _problem("No such submission")}},
            "delete": {"operationId": "deleteSubmission", "security": _BEARER,
                       "summary": "Discard a draft (scope submissions:write)",
                       "parameters": [_SUBMISSION_ID],
                       "responses": {"204": {"description": "Discarded"}, **_AUTH_ERRORS,
                                     "404": _problem("No such submission"),
                                     "409": _problem("Already submitted: locked")}}},
        "/v1/submissions/{submission_id}/attachment": {"put": {
            "operationId": "putAttachment", "security": _BEARER,
            "summary": "Attach the signed letter as PDF (scope submissions:write)",
            "description": "The raw PDF as the body; an optional Content-Disposition filename is kept.",
            "parameters": [_SUBMISSION_ID],
            "requestBody": {"required": True, "content": {"application/pdf": {
                "schema": {"type": "string", "format": "binary"}}}},
            "responses": {"200": _json("The submission with its attachment", _ref("Submission")),
                          **_AUTH_ERRORS, "404": _problem("No such submission"),
                          "409": _problem("Already submitted: locked; or the consultation is archived"),
                          "413": _problem("File too large"), "415": _problem("Not application/pdf"),
                          "422": _problem("Not a readable PDF")}}},
        "/v1/submissions/{submission_id}/submit": {"post": {
            "operationId": "submitSubmission", "security": _BEARER,
            "summary": "Submit the draft: it is locked and gets a receipt code (scope submissions:write)",
            "description": "A letter submitted earlier by the same organisation is superseded and kept.",
            "parameters": [_SUBMISSION_ID],
            "responses": {"200": _json("The submitted letter with its receipt_code", _ref("Submission")),
                          **_AUTH_ERRORS, "404": _problem("No such submission"),
                          "409": _problem("Already submitted, the consultation is archived, or incomplete: "
                                          "what is missing is listed in errors")}}},
    }


def _with_rate_limits(paths: dict) -> dict:
    """Every API address is rate limited per token (per IP without one)."""
    for item in paths.values():
        for operation in item.values():
            operation["responses"]["429"] = _TOO_MANY
    return paths


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Góp ý dự thảo API", "version": "1.0.0",
            "description": ("Open data on draft laws under consultation, and formal submissions by "
                            "consulted organisations. Errors are application/problem+json (RFC 9457)."),
        },
        "servers": [{"url": "/api"}],
        "paths": _with_rate_limits(_paths()),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A per-organisation token made by the drafting team; scopes: read, submissions:write"}},
        },
    }
