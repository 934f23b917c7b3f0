"""E-mail subscriptions to new consultations (double opt-in, one-click unsubscribe)."""
from flask import Blueprint

bp = Blueprint("subscriptions", __name__, cli_group="subscriptions")

from consult.subscriptions import models  # noqa: E402,F401  (tables for db.create_all)
from consult.subscriptions import cli, views  # noqa: E402,F401
from consult.subscriptions.services import notify_new, send_due  # noqa: E402,F401
