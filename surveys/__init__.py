"""Surveys: questionnaires for citizens and for ministries and provinces."""
from flask import Blueprint

blueprint = Blueprint("surveys", __name__, url_prefix="/khao-sat", template_folder="templates",
                      static_folder="static", cli_group="survey")

# Routes and commands register on import: answering (respondents), authoring (the drafting
# team) and `flask survey import`.
from surveys import views_respond, views_author, cli  # noqa: E402,F401
