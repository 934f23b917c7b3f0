"""Respondents answer surveys: open link, invitations, pages, save and resume."""
from surveys import blueprint  # noqa: F401
