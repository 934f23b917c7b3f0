"""The subscription form: an e-mail address, the agency (or all), and the anti-robot checks."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField
from wtforms.validators import DataRequired, Length, ValidationError

from consult.antibot import HumanCheck
from consult.form_checks import strip
from consult.subscriptions.services import InvalidEmail, clean_email


class SubscribeForm(HumanCheck, FlaskForm):
    email = EmailField(_l("Your e-mail address"), filters=[strip], validators=[
        DataRequired(message=_l("Please enter your e-mail address.")),
        Length(max=254, message=_l("An e-mail address can be at most 254 characters long.")),
    ])
    agency = SelectField(_l("Consultations of"), validate_choice=False, default="")

    def set_agencies(self, organisations) -> None:
        self.agency.choices = [("", _l("All agencies"))] + [(o.code, o.name) for o in organisations]

    def validate_email(self, field) -> None:
        try:
            clean_email(field.data)
        except InvalidEmail:
            raise ValidationError(_l("Please give a valid e-mail address, such as ten@example.vn.")) from None

    def validate_agency(self, field) -> None:
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Please choose an agency from the list."))
