"""The JSON API: system-to-system submissions and open data."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
