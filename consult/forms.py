"""Forms of the consult package. Every validator carries a translated message."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import format_decimal, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, PasswordField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from consult.antibot import HumanCheck
from consult.config import COMMENT_MAX_LENGTH
from consult.data import sorted_provinces
from consult.domain import RESPONDENT_TYPES
from consult.form_checks import VisibleText, hidden_field, strip

_PHONE = re.compile(r"^\+?[0-9][0-9 .-]{7,14}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CommentForm(HumanCheck, FlaskForm):
    """One opinion on an article (optionally one clause or point) or on the whole draft."""

    body = TextAreaField(
        _l("Your opinion"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Please write your opinion before sending.")),
            VisibleText(),
        ],
    )
    def validate_body(self, field) -> None:
        """Count characters as people see them: NFD input must not count its marks twice."""
        if len(unicodedata.normalize("NFC", field.data or "")) > COMMENT_MAX_LENGTH:
            raise ValidationError(_l(
                "An opinion can be at most %(max)s characters long; yours has %(length)s.",
                max=format_decimal(COMMENT_MAX_LENGTH),
                length=format_decimal(len(unicodedata.normalize("NFC", field.data))),
            ))

    provision = SelectField(_l("Clause or point (optional)"), validate_choice=False, default="")
    form_key = hidden_field()

    def set_provision_choices(self, choices: list[tuple[str, str]]) -> None:
        self.provision.choices = [("", _l("The whole article"))] + choices
        self.provision.validators = [
            AnyOf([value for value, _ in self.provision.choices],
                  message=_l("Please choose a clause of this article from the list.")),
        ]


def province_choices(map_key: str = "2008") -> list[tuple[str, str]]:
    """Provinces of one map in Vietnamese alphabetical order (Đà Nẵng after the D's, not
    after Yên Bái)."""
    return sorted_provinces(map_key)


class ProfileForm(HumanCheck, FlaskForm):
    """Who is sending the list of opinions, and their consent to data processing."""

    respondent_type = SelectField(
        _l("You are"), validate_choice=False,
        validators=[
            InputRequired(message=_l("Please say who you are.")),
            AnyOf(list(RESPONDENT_TYPES), message=_l("Please choose who you are from the list.")),
        ],
    )
    province = SelectField(
        _l("Province or city"), validate_choice=False,
        validators=[
            InputRequired(message=_l("Please choose your province or city.")),
        ],
    )
    name = StringField(_l("Full name (optional)"), filters=[strip],
                       validators=[Length(max=255, message=_l("A name can be at most 255 characters long."))])
    contact = StringField(_l("E-mail or phone (optional)"), filters=[strip],
                          validators=[Length(max=255, message=_l("This can be at most 255 characters long."))])
    consent = BooleanField(
        _l("I agree that my opinions and the details above are processed for this consultation."),
        validators=[DataRequired(message=_l("Please agree to the processing of your data, or we cannot receive your opinions."))],
    )
    token = hidden_field()

    def __init__(self, *args, province_map: str = "2008", **kwargs):
        super().__init__(*args, **kwargs)
        self.respondent_type.choices = [("", _l("— choose —"))] + list(RESPONDENT_TYPES.items())
        provinces = province_choices(province_map)
        self.province.choices = [("", _l("— choose —"))] + provinces
        self.province.validators = list(self.province.validators) + [
            AnyOf([code for code, _ in provinces],
                  message=_l("Please choose your province or city from the list.")),
        ]

    def validate_contact(self, field) -> None:
        value = field.data or ""
        if value and not (_EMAIL.match(value) or _PHONE.match(value)):
            raise ValidationError(_l("Please give a valid e-mail address or phone number, or leave it empty."))


class ReceiptLookupForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(_l("Receipt code"), filters=[strip],
                       validators=[DataRequired(message=_l("Please enter your receipt code.")),
                                   Length(max=40, message=_l("A receipt code looks like GY-7K3M-9QXD-A2BC-4EFG."))])


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[DataRequired(message=_l("Please enter your e-mail.")),
                                   ])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(message=_l("Please enter your password."))])


class ModerationForm(FlaskForm):
    action = hidden_field(validators=[AnyOf(["publish", "reject", "hide"],
                                           message=_l("Unknown moderation action."))])
    reason = TextAreaField(_l("Reason"), filters=[strip],
                           validators=[Length(max=2000, message=_l("A reason can be at most 2.000 characters long.")),
                                       VisibleText()])

    def validate_reason(self, field) -> None:
        if self.action.data in ("reject", "hide") and not field.data:
            raise ValidationError(_l("Please give a reason for rejecting or hiding a comment."))


class DraftUploadForm(FlaskForm):
    document = FileField(_l("Draft text (.txt or .docx)"))


class ConfirmMatchesForm(FlaskForm):
    """Only the CSRF token: the article numbers typed per row are read by ``versions.parse_targets``,
    one field per article of the older version."""


class TeamMemberForm(FlaskForm):
    """A drafter or moderator of one drafting agency, made by a platform administrator."""

    organisation = SelectField(_l("Drafting agency"), validate_choice=False,
                               validators=[InputRequired(message=_l("Please choose the drafting agency."))])
    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[DataRequired(message=_l("Please enter the member's e-mail.")),
                                   Length(max=255, message=_l("An e-mail can be at most 255 characters long."))])
    name = StringField(_l("Full name"), filters=[strip],
                       validators=[Length(max=255, message=_l("A name can be at most 255 characters long."))])
    role = SelectField(_l("Role"), validate_choice=False,
                       validators=[InputRequired(message=_l("Please choose a role."))])

    def validate_email(self, field) -> None:
        if not _EMAIL.match(field.data or "") or "\x00" in (field.data or ""):
            raise ValidationError(_l("Please give a valid e-mail address."))

    def validate_organisation(self, field) -> None:
        if field.data not in {value for value, _label in self.organisation.choices}:
            raise ValidationError(_l("Please choose the drafting agency from the list."))

    def validate_role(self, field) -> None:
        if field.data not in {value for value, _label in self.role.choices}:
            raise ValidationError(_l("Please choose a role from the list."))


class MinimumPeriodForm(FlaskForm):
    """A drafting agency's own shortest consultation period, in days (empty: the platform's)."""

    #: The longest minimum that makes sense: a year.
    MAX_DAYS = 365

    organisation = SelectField(_l("Drafting agency"), validate_choice=False,
                               validators=[InputRequired(message=_l("Please choose the drafting agency."))])
    days = StringField(_l("Minimum consultation period (days)"), filters=[strip])

    def validate_organisation(self, field) -> None:
        if field.data not in {value for value, _label in self.organisation.choices}:
            raise ValidationError(_l("Please choose the drafting agency from the list."))

    def validate_days(self, field) -> None:
        value = field.data or ""
        if value and not (value.isascii() and value.isdigit() and len(value) <= 3
                          and int(value) <= self.MAX_DAYS):
            raise ValidationError(_l("Please enter a whole number of days from 0 to 365, or leave it "
                                     "empty to use the platform's minimum."))

    def chosen_days(self) -> int | None:
        return int(self.days.data) if self.days.data else None


class ActionForm(FlaskForm):
    """A button that needs only the CSRF token (deactivate, reactivate)."""
