"""The JSON API: system-to-system submissions and open data."""
from flask import Blueprint, current_app, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map

from consult.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site form can use them

from consult.api import problems  # noqa: E402

problems.init_blueprint(bp)

_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"]


@bp.route("/", defaults={"rest": ""}, methods=_ANY_METHOD)
@bp.route("/<path:rest>", methods=_ANY_METHOD)
def fallback(rest: str):
    """Unknown API addresses and methods: 404 and 405 as problem documents, not HTML pages.

    Routing errors happen before a blueprint is chosen, so the blueprint's error handlers
    would not see them; this rule, the least specific under /api, catches them instead.
    """
    allowed = _allowed_methods(request.path)
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed))
    raise NotFound()


def _allowed_methods(path: str) -> set[str]:
    rules = [rule.empty() for rule in current_app.url_map.iter_rules()
             if rule.endpoint.startswith("api.") and rule.endpoint != "api.fallback"]
    return set(Map(rules).bind("localhost").allowed_methods(path))


from consult.api import views, views_submissions  # noqa: E402,F401
