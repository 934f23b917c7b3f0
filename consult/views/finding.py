"""Finding consultations: the list of all with filters and search, and the Atom feed."""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request
from flask_babel import lazy_gettext as _l

from consult import finding
from consult.domain import CONSULTATION_STATES, DOCUMENT_KINDS
from consult.models import utcnow
from consult.navigation import PUBLIC_LINKS, NavLink

bp = Blueprint("finding", __name__)

if all(link.endpoint != "finding.consultations" for link in PUBLIC_LINKS):  # first in the header
    PUBLIC_LINKS.insert(0, NavLink("finding.consultations", _l("Consultations"), frozenset()))


@bp.get("/tham-van")
def consultations():
    """Every published consultation, filtered and searched by a plain GET form, 20 a page."""
    page = finding.list_page(finding.Filters.from_args(request.args))
    states = {key: CONSULTATION_STATES[key] for key in finding.LISTED_STATES}
    return render_template("finding/list.html", page=page, now=utcnow(), states=states, kinds=DOCUMENT_KINDS)


@bp.get("/tham-van/atom.xml")
def feed():
    """Atom 1.0: new consultations and those closing soon, of one agency with ``?co-quan=CODE``."""
    agency = str(request.args.get("co-quan", ""))[:32]
    entries = finding.feed_entries(agency)
    updated = max((entry.updated for entry in entries), default=None)
    body = render_template("finding/atom.xml", entries=entries, agency=agency, now=utcnow(),
                           updated=updated, host=request.host.partition(":")[0] or "localhost")
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    response.cache_control.max_age = 300
    response.cache_control.public = True
    return response
