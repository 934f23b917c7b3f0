"""Formal submissions (văn bản góp ý) from ministries, provinces and organisations."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

bp = Blueprint("submissions", __name__, url_prefix="/co-quan", cli_group="roster")

from consult.submissions import models  # noqa: E402,F401  (tables for db.create_all)
from consult.submissions import cli, views_officer, views_team  # noqa: E402,F401
from consult.submissions.demo import load_demo_submissions  # noqa: E402
from consult.navigation import add_admin_link, add_demo_loader  # noqa: E402

add_admin_link("submissions.team_index", _l("Consulted bodies"), roles=("admin", "drafter"))
add_admin_link("submissions.team_officers", _l("Officers"), roles=("admin", "drafter"), platform_wide=True)
add_admin_link("submissions.team_api_tokens", _l("API tokens"), roles=("admin", "drafter"), platform_wide=True)
add_demo_loader(load_demo_submissions)


@bp.context_processor
def _labels() -> dict:
    from consult.domain import ORGANISATION_KINDS
    from consult.submissions.messages import ROSTER_STATUS_LABELS, SUBMISSION_STATUS_LABELS

    return {"ROSTER_LABELS": ROSTER_STATUS_LABELS, "SUBMISSION_LABELS": SUBMISSION_STATUS_LABELS,
            "ORGANISATION_KINDS": ORGANISATION_KINDS}
