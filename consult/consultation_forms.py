"""Forms of the drafting team's consultation pages. The checks themselves are in
``consult.consultations``, whose messages are shown at the field they concern."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from consult.domain import AUDIENCES, DOCUMENT_KINDS
from consult.form_checks import strip


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConsultationForm(FlaskForm):
    """Create or edit a consultation; dates and times are Vietnam time."""

    title = TextAreaField(_l("Title"), filters=[strip])
    document_kind = SelectField(_l("Kind of document"), validate_choice=False)
    agency_id = SelectField(_l("Drafting agency"), validate_choice=False)
    summary = TextAreaField(_l("Summary"), filters=[strip])
    opens_on = StringField(_l("Opens on (day)"), filters=[strip], render_kw={"type": "date"})
    opens_time = StringField(_l("at (Vietnam time)"), filters=[strip], default="08:00",
                             render_kw={"type": "time"})
    closes_on = StringField(_l("Closes on (day)"), filters=[strip], render_kw={"type": "date"})
    closes_time = StringField(_l("at (Vietnam time)"), filters=[strip], default="17:00",
                              render_kw={"type": "time"})
    audiences = CheckboxesField(_l("Who is consulted"), validate_choice=False,
                                default=["citizens", "bodies"])
    slug = StringField(_l("Address (slug)"), filters=[strip])
    short_period_reason = TextAreaField(_l("Reason for a period shorter than the minimum"), filters=[strip])

    def __init__(self, *args, agencies: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.document_kind.choices = list(DOCUMENT_KINDS.items())
        self.agency_id.choices = [("", _l("— choose —"))] + list(agencies)
        self.audiences.choices = list(AUDIENCES.items())


class LifecycleForm(FlaskForm):
    """A step in the consultation's life: its reason, and for a new closing time the day and time."""

    reason = TextAreaField(_l("Reason (shown to the public)"), filters=[strip])
    requested_by = StringField(_l("Requested by (optional)"), filters=[strip])
    closes_on = StringField(_l("New closing day"), filters=[strip], render_kw={"type": "date"})
    closes_time = StringField(_l("at (Vietnam time)"), filters=[strip], default="17:00",
                              render_kw={"type": "time"})
