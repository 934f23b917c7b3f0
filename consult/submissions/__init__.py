"""Formal submissions (văn bản góp ý) from ministries, provinces and organisations."""
from flask import Blueprint

bp = Blueprint("submissions", __name__, url_prefix="/co-quan", cli_group="roster")
