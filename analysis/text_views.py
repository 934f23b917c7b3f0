"""Pages that show the stored results of the open-text analysis."""
from flask import Blueprint

bp = Blueprint("textanalysis", __name__, url_prefix="/quan-tri/phan-tich", template_folder="templates",
               cli_group="analysis")
