"""The dossier (hồ sơ dự thảo): documents published with a draft — tờ trình, impact
assessment, summary report, comparison table, explanatory notes — uploaded by the drafting
team as PDF or Word, listed and downloadable on the consultation's public page."""
from flask import Blueprint

bp = Blueprint("dossier", __name__)

from consult.dossier import models  # noqa: E402,F401  (tables for db.create_all)
from consult.dossier import views  # noqa: E402,F401
from consult.dossier.demo import load_demo_dossier  # noqa: E402
from consult.boundary import allow_large_body  # noqa: E402
from consult.navigation import add_demo_loader  # noqa: E402


def _body_limit(config) -> int:
    from consult.dossier.services import BODY_MARGIN, DOSSIER_MAX_BYTES

    return int(config.get("DOSSIER_MAX_BYTES") or DOSSIER_MAX_BYTES) + BODY_MARGIN


for _endpoint in ("dossier.upload", "dossier.replace"):
    allow_large_body(_endpoint, _body_limit)
add_demo_loader(load_demo_dossier)


@bp.app_template_global("public_dossier")
def public_dossier(consultation):
    """The documents the public page lists: current versions with their history; withdrawn
    ones are listed with their reason but without a link."""
    from consult.dossier import services

    return services.entries(consultation)


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    from consult.dossier.messages import size_text

    return size_text(size)


@bp.app_context_processor
def _kinds() -> dict:
    from consult.dossier.messages import DOCUMENT_KINDS

    return {"DOSSIER_KINDS": DOCUMENT_KINDS}
