"""Forms of formal submissions, officers and API tokens. Every validator carries a translated message."""
from __future__ import annotations

import unicodedata

from flask_babel import format_decimal, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (DateField, EmailField, PasswordField, RadioField,
                     SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from consult.antibot import HumanCheck
from consult.clock import vn_today
from consult.form_checks import VisibleText, hidden_field, strip
from consult.submissions.officers import PASSWORD_MIN_LENGTH
from consult.submissions.services import OPINION_MAX_LENGTH

_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class VnDateField(DateField):
    """A date typed as yyyy-mm-dd (the browser's date input) or dd/mm/yyyy, with our message."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Please give the date as dd/mm/yyyy.")) from error


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class LetterForm(HumanCheck, FlaskForm):
    """The letter's details. All may stay empty while it is a draft; submitting checks them."""

    submission_id = hidden_field()
    letter_number = StringField(
        _l("Letter number (số hiệu)"), filters=[strip],
        validators=[Length(max=64, message=_l("A letter number can be at most 64 characters long."))])
    letter_date = VnDateField(
        _l("Date of the letter"), format=_DATE_FORMATS,
        validators=[Optional()],
    )
    signer_name = StringField(
        _l("Signed by (full name)"), filters=[strip],
        validators=[Length(max=255, message=_l("A name can be at most 255 characters long."))])
    signer_title = StringField(
        _l("Signer's title"), filters=[strip],
        validators=[Length(max=255, message=_l("A title can be at most 255 characters long."))])
    answer = RadioField(
        _l("Your answer"), default="opinions",
        choices=[("opinions", _l("We have opinions on the draft (listed below)")),
                 ("no_comment", _l("We agree with the draft and have no further comment"))],
        validators=[InputRequired(message=_l("Please choose your answer."))],
    )

    def validate_letter_date(self, field) -> None:
        if field.data is not None and field.data > vn_today():
            raise ValidationError(_l("The letter's date cannot be in the future."))


class AttachmentForm(FlaskForm):
    submission_id = hidden_field()
    document = FileField(_l("Signed letter (PDF)"))


class OpinionForm(FlaskForm):
    """One opinion: on an article (optionally one clause) or on the draft as a whole."""

    submission_id = hidden_field()
    article = SelectField(_l("Article"), validate_choice=False, default="")
    clause = StringField(_l("Clause number (optional)"), filters=[strip],
                         validators=[Length(max=8, message=_l("Give only the clause's number, for example 2."))])
    body = TextAreaField(_l("Opinion"), filters=[strip],
                         validators=[DataRequired(message=_l("Please write the opinion.")), VisibleText()])

    def set_article_choices(self, choices: list[tuple[str, str]]) -> None:
        self.article.choices = [("", _l("The draft as a whole (general opinion)"))] + choices

    def validate_article(self, field) -> None:
        if field.data not in {value for value, _ in self.article.choices}:
            raise ValidationError(_l("Please choose an article of the draft from the list."))

    def validate_body(self, field) -> None:
        length = len(unicodedata.normalize("NFC", field.data or ""))
        if length > OPINION_MAX_LENGTH:
            raise ValidationError(_l(
                "An opinion can be at most %(max)s characters long; this one has %(length)s.",
                max=format_decimal(OPINION_MAX_LENGTH), length=format_decimal(length)))


class SubmitLetterForm(FlaskForm):
    submission_id = hidden_field()


class RosterImportForm(FlaskForm):
    """Bodies by organisation code, from a CSV file or pasted lines."""

    csv_file = FileField(_l("CSV file"))
    csv_text = TextAreaField(_l("Or paste the lines"), filters=[strip])
    deadline = VnDateField(_l("Deadline for the lines without one"), format=_DATE_FORMATS,
                         validators=[InputRequired(message=_l("Please give the deadline as dd/mm/yyyy."))])


class RosterGroupForm(FlaskForm):
    group = SelectField(_l("Add every organisation of this kind"), validate_choice=False)
    deadline = VnDateField(_l("Deadline"), format=_DATE_FORMATS,
                         validators=[InputRequired(message=_l("Please give the deadline as dd/mm/yyyy."))])


class RosterDeadlineForm(FlaskForm):
    """One body's deadline on the roster."""

    deadline = VnDateField(_l("New deadline"), format=_DATE_FORMATS,
                           validators=[InputRequired(message=_l("Please give the deadline as dd/mm/yyyy."))])


class OfficerForm(FlaskForm):
    """An officer's account, made at once (with a password) or by an e-mailed invitation."""

    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[DataRequired(message=_l("Please enter the officer's e-mail.")),
                                   Length(max=255, message=_l("An e-mail can be at most 255 characters long."))])
    name = StringField(_l("Full name"), filters=[strip],
                       validators=[Length(max=255, message=_l("A name can be at most 255 characters long."))])
    organisation = SelectField(_l("Organisation"), validate_choice=False,
                               validators=[InputRequired(message=_l("Please choose the officer's organisation."))])
    password = PasswordField(_l("Password (only to create the account at once)"))
    create = SubmitField(_l("Create the account"))
    invite = SubmitField(_l("Send an invitation by e-mail"))

    def validate_email(self, field) -> None:
        value = field.data or ""
        if "@" not in value or value.startswith("@") or "." not in value.rpartition("@")[2]:
            raise ValidationError(_l("Please give a valid e-mail address."))

    def validate_organisation(self, field) -> None:
        if field.data not in {value for value, _ in self.organisation.choices}:
            raise ValidationError(_l("Please choose the officer's organisation from the list."))

    def validate_password(self, field) -> None:
        if self.create.data and len(field.data or "") < PASSWORD_MIN_LENGTH:
            raise ValidationError(_l("A password needs at least %(min)s characters.", min=PASSWORD_MIN_LENGTH))


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip],
                       validators=[Length(max=255, message=_l("A name can be at most 255 characters long."))])
    password = PasswordField(_l("Choose a password"),
                             validators=[DataRequired(message=_l("Please choose a password.")),
                                         Length(min=PASSWORD_MIN_LENGTH, message=_l("A password needs at least 10 characters."))])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", message=_l("The two passwords are not the same."))])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ApiTokenForm(FlaskForm):
    organisation = SelectField(_l("Organisation"), validate_choice=False,
                               validators=[InputRequired(message=_l("Please choose the organisation."))])
    label = StringField(_l("Label (which system uses it)"), filters=[strip],
                        validators=[Length(max=255, message=_l("A label can be at most 255 characters long."))])
    scopes = MultiCheckboxField(_l("Scopes"), validate_choice=False)

    def validate_organisation(self, field) -> None:
        if field.data not in {value for value, _ in self.organisation.choices}:
            raise ValidationError(_l("Please choose the organisation from the list."))

    def validate_scopes(self, field) -> None:
        allowed = {value for value, _ in self.scopes.choices}
        if not field.data or not set(field.data) <= allowed:
            raise ValidationError(_l("Please choose at least one scope from the list."))
