"""Dashboards for the drafting team: a thin layer over ``analysis`` tallies."""
from flask import Blueprint

bp = Blueprint("dashboards", __name__, url_prefix="/quan-tri/so-lieu", template_folder="templates")
