"""Forms of the answering pages. The answers themselves are read by each question kind
(``surveys.kinds``), since a page's fields depend on the survey; these forms carry the CSRF
token, the one-time keys and the resume code."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from consult.antibot import HumanCheck
from consult.form_checks import hidden_field, strip

#: The buttons of a survey page (``name="action"``): what to do after saving.
PAGE_ACTIONS = ("next", "back", "leave")


class StartForm(HumanCheck, FlaskForm):
    """The "Start" button: its one-time key makes a replayed start find the same response."""

    form_key = hidden_field()

    def ensure_key(self) -> None:
        if not self.form_key.data:
            self.form_key.data = secrets.token_urlsafe(18)


class PageForm(FlaskForm):
    """One page of questions: CSRF, and the names of the questions the respondent saw."""

    shown = hidden_field()

    def shown_names(self) -> set[str] | None:
        """The questions shown when the page was drawn (JavaScript keeps it current)."""
        if self.shown.data is None:
            return None
        return set(self.shown.data.split())


class SubmitForm(FlaskForm):
    """The review page's "Submit" button."""


class ResumeForm(FlaskForm):
    code = StringField(
        _l("Resume code"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Please enter the code you were given, for example 7KQ2M-9XH4P.")),
            Length(max=40, message=_l("A resume code has 10 letters and digits.")),
        ],
    )
