"""Respondents answer surveys: open link, invitations, pages, save and resume."""
from surveys import blueprint  # noqa: F401
from surveys import models  # noqa: F401  (the tables exist whenever the package is imported)
