"""Forms of the dossier's team page. The file itself is read and checked by the view."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from consult.dossier.messages import DOCUMENT_KINDS
from consult.form_checks import VisibleText, hidden_field, strip

TITLE_MAX = 500
REASON_MAX = 2000


class UploadForm(FlaskForm):
    kind = SelectField(_l("Kind of document"), validate_choice=False,
                       validators=[AnyOf(list(DOCUMENT_KINDS), message=_l("Choose the kind of document."))])
    title = StringField(_l("Title"), filters=[strip], validators=[
        Length(max=TITLE_MAX, message=_l("A title can be at most 500 characters long."))])
    document = FileField(_l("File (PDF or Word .docx)"))
    #: One-time key of this form as drawn: a double click or a resend finds the first upload.
    form_key = hidden_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(DOCUMENT_KINDS.items())
        if not self.form_key.data:
            self.form_key.data = secrets.token_urlsafe(18)

    def validate_title(self, field) -> None:
        if field.data:
            VisibleText()(self, field)


class ReplaceForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        Length(max=TITLE_MAX, message=_l("A title can be at most 500 characters long."))])
    document = FileField(_l("New version (PDF or Word .docx)"))
    #: One-time key of this form as drawn (one per document on the page): a double click or
    #: a resend finds the version the first sending published instead of being told "stale".
    form_key = hidden_field()

    def validate_title(self, field) -> None:
        if field.data:
            VisibleText()(self, field)


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing it (shown to the public)"), filters=[strip],
                           validators=[DataRequired(message=_l("Give the reason for withdrawing the document.")),
                                       Length(max=REASON_MAX, message=_l("A reason can be at most 2.000 characters long.")),
                                       VisibleText()])
