"""Template filters and globals that turn domain objects into Vietnamese text."""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from consult.domain import (COMMENT_STATUSES, CONSULTATION_STATES, DOCUMENT_KINDS, PROVISION_KINDS,
                            RESPONDENT_TYPES, province_names)
from consult.i18n import counted
from consult.models import Provision
from consult.navigation import ADMIN_LINKS, PUBLIC_LINKS
from consult import fragments, versions
from consult.legal_text import TABLE_ROW


def citation(provision: Provision) -> str:
    """How Vietnamese legal texts cite a provision: "điểm a khoản 2 Điều 12"."""
    parts = []
    node = provision
    while node is not None and node.kind in ("point", "clause", "article"):
        if node.kind == "point":
            parts.append(_("point %(number)s", number=node.number))
        elif node.kind == "clause":
            parts.append(_("clause %(number)s", number=node.number))
        else:
            parts.append(_("Article %(number)s", number=node.number))
        node = node.parent
    if not parts:
        return f"{PROVISION_KINDS.get(provision.kind, '')} {provision.number}".strip()
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def parse_warning(warning: dict) -> str:
    """A parse-report warning in words, with its line number."""
    params = warning.get("params", {})
    kind = PROVISION_KINDS.get(params.get("kind", ""), params.get("kind", ""))
    messages = {
        "numbering_gap": lambda: _("Line %(line)s: numbering gap in %(kind)s: expected %(expected)s, found %(found)s.",
                                   line=warning["line"], kind=kind, expected=params.get("expected", "?"),
                                   found=params.get("found", "?")),
        "numbering_repeat": lambda: _("Line %(line)s: %(kind)s %(found)s appears twice.",
                                      line=warning["line"], kind=kind, found=params.get("found", "?")),
        "empty_article": lambda: _("Line %(line)s: the article has no text.", line=warning["line"]),
        "text_outside_article": lambda: _("Line %(line)s: text outside any article.", line=warning["line"]),
    }
    message = messages.get(warning.get("code"))
    return message() if message else _("Line %(line)s: %(code)s", line=warning.get("line"), code=warning.get("code"))


def province_name(code: str | None, consultation=None) -> str:
    """A stored province code in words, read on the consultation's map (15 is Yên Bái on the
    63-province map, Lào Cai on the 34-unit map of 1 July 2025); "" when unknown."""
    if not code:
        return ""
    map_key = consultation.province_map if consultation is not None else "2008"
    return province_names(map_key).get(code, "")


def text_blocks(text: str) -> list[tuple[str, object]]:
    """A provision's text as ``("line", text)`` and ``("table", rows)`` blocks, in order.

    Tables from Word drafts are stored one row a line as ``| cell | cell |``.
    """
    blocks: list[tuple[str, object]] = []
    for line in (text or "").split("\n"):
        if TABLE_ROW.match(line):
            row = [cell.strip() for cell in line[1:-1].split("|")]
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(row)
            else:
                blocks.append(("table", [row]))
        else:
            blocks.append(("line", line))
    return blocks


def rfc3339(moment) -> str:
    """A naive-UTC moment as Atom writes dates: "2026-12-05T08:40:00Z"."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def init_app(app: Flask) -> None:
    from consult.finding import time_left

    app.add_template_filter(citation)
    app.add_template_filter(rfc3339)
    app.add_template_filter(counted)
    app.add_template_filter(text_blocks)
    app.add_template_filter(versions.previous_version, "previous_version")
    app.add_template_filter(versions.is_confirmed, "matches_confirmed")
    app.add_template_filter(parse_warning)
    fragments.init_app(app)  # kept(): rendered pieces of published versions

    app.jinja_env.globals.update(
        RESPONDENT_TYPES=RESPONDENT_TYPES, COMMENT_STATUSES=COMMENT_STATUSES,
        PROVISION_KINDS=PROVISION_KINDS, province_names=province_names(), ADMIN_LINKS=ADMIN_LINKS,
        PUBLIC_LINKS=PUBLIC_LINKS, province_name=province_name, DOCUMENT_KINDS=DOCUMENT_KINDS,
        CONSULTATION_STATES=CONSULTATION_STATES, time_left=time_left,
    )
