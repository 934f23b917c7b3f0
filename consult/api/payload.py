"""Reading and checking JSON request bodies: size, content type, syntax, then each field."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from flask import request
from flask_babel import gettext as _

from consult.api.problems import ApiProblem
from consult.boundary import storable_json
from consult.form_checks import text_problem
from consult.clock import vn_today
from consult.submissions.services import MAX_OPINIONS, OPINION_MAX_LENGTH

#: Largest JSON body, in bytes. A letter of 200 long opinions fits; the PDF goes apart.
JSON_MAX_BYTES = 4 * 1024 * 1024


def json_body(limit: int = JSON_MAX_BYTES) -> object:
    """The parsed JSON body, or a problem: 415 wrong type, 413 too large, 400 malformed."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiProblem(415, "unsupported-media-type", _("Unsupported media type"),
                         _("Send the body as JSON with 'Content-Type: application/json'."))
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise _too_large(limit)
    try:
        return storable_json(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ApiProblem(400, "malformed-json", _("Malformed JSON"),
                         _("The body is not valid UTF-8 JSON: %(reason)s", reason=_short(error))) from error


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(413, "payload-too-large", _("Payload too large"),
                      _("The JSON body may be at most %(size)s bytes.", size=limit))


def _short(error: Exception) -> str:
    return str(error)[:200] if not isinstance(error, RecursionError) else "nested too deeply"


@dataclass
class OpinionInput:
    article: str | None
    clause: str | None
    body: str


@dataclass
class SubmissionInput:
    letter_number: str
    letter_date: date
    signer_name: str
    signer_title: str
    no_comment: bool
    opinions: list[OpinionInput] = field(default_factory=list)


_LETTER_FIELDS = {"letter_number": 64, "signer_name": 255, "signer_title": 255}
_ALLOWED = set(_LETTER_FIELDS) | {"letter_date", "no_comment", "opinions"}


def submission_input(body: object) -> SubmissionInput:
    """Check a new submission's body; a 422 problem lists every field error at once."""
    errors: list[dict] = []
    if not isinstance(body, dict):
        raise _invalid([{"pointer": "", "detail": _("The body must be a JSON object.")}])
    for name in sorted(set(body) - _ALLOWED):
        errors.append({"pointer": f"/{_escape(name)}", "detail": _("Unknown field.")})
    values = {name: _text(body, name, limit, errors) for name, limit in _LETTER_FIELDS.items()}
    letter_date = _date(body, errors)
    no_comment = body.get("no_comment", False)
    if not isinstance(no_comment, bool):
        errors.append({"pointer": "/no_comment", "detail": _("Must be true or false.")})
        no_comment = False
    opinions = _opinions(body.get("opinions", []), errors)
    if not errors and no_comment and opinions:
        errors.append({"pointer": "/opinions", "detail": _("A letter with no_comment holds no opinions.")})
    if not errors and not no_comment and not opinions:
        errors.append({"pointer": "/opinions", "detail": _("Give at least one opinion, or no_comment: true.")})
    if errors:
        raise _invalid(errors)
    return SubmissionInput(letter_date=letter_date, no_comment=no_comment, opinions=opinions, **values)


def _invalid(errors: list[dict]) -> ApiProblem:
    return ApiProblem(422, "validation-error", _("Invalid submission"),
                      _("Some fields are missing or not valid; see errors."), errors=errors)


def _escape(name: str) -> str:
    return str(name).replace("~", "~0").replace("/", "~1")[:100]


def _text(body: dict, name: str, limit: int, errors: list, required: bool = True) -> str:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append({"pointer": f"/{name}", "detail": _("This field is required.")})
        return ""
    if not isinstance(value, str):
        errors.append({"pointer": f"/{name}", "detail": _("Must be a string.")})
        return ""
    if len(value) > limit:
        errors.append({"pointer": f"/{name}", "detail": _("At most %(max)s characters.", max=limit)})
    problem = text_problem(value.strip())
    if problem is not None:
        errors.append({"pointer": f"/{name}", "detail": problem})
    return value.strip()


def _date(body: dict, errors: list) -> date | None:
    value = body.get("letter_date")
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        errors.append({"pointer": "/letter_date", "detail": _("Required, as a date YYYY-MM-DD.")})
    elif parsed > vn_today():
        errors.append({"pointer": "/letter_date", "detail": _("The letter's date cannot be in the future.")})
        parsed = None
    return parsed


def _opinions(raw: object, errors: list) -> list[OpinionInput]:
    if not isinstance(raw, list):
        errors.append({"pointer": "/opinions", "detail": _("Must be a list.")})
        return []
    if len(raw) > MAX_OPINIONS:
        errors.append({"pointer": "/opinions", "detail": _("At most %(max)s opinions.", max=MAX_OPINIONS)})
        return []
    result = []
    for index, item in enumerate(raw):
        pointer = f"/opinions/{index}"
        if not isinstance(item, dict):
            errors.append({"pointer": pointer, "detail": _("Must be an object.")})
            continue
        for name in sorted(set(item) - {"article", "clause", "body"}):
            errors.append({"pointer": f"{pointer}/{_escape(name)}", "detail": _("Unknown field.")})
        local: list[dict] = []
        body = _text(item, "body", OPINION_MAX_LENGTH, local)
        article = _optional_code(item, "article", local)
        clause = _optional_code(item, "clause", local)
        if clause and not article:
            local.append({"pointer": "/clause", "detail": _("A clause needs its article.")})
        errors.extend({"pointer": pointer + e["pointer"], "detail": e["detail"]} for e in local)
        result.append(OpinionInput(article=article, clause=clause, body=body))
    return result


def _optional_code(item: dict, name: str, errors: list) -> str | None:
    value = item.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 16:
        errors.append({"pointer": f"/{name}", "detail": _("Must be a short string such as \"12\".")})
        return None
    return value.strip() or None
