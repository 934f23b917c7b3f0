"""Forms of the survey authoring pages. Every validator carries a translated message.

Forms only parse and check the shape of what was typed; the rules that need the survey (unique
names, logic referring to existing questions, dates in order) live in ``surveys.authoring``,
whose ``AuthoringError`` the view puts back on the named field.
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from consult.domain import ORGANISATION_KINDS
from consult.form_checks import strip
from surveys.authoring import QuestionFields, SurveyFields, texts
from surveys.kinds import KIND_LABELS, parse_decimal
from surveys.models import AUDIENCES

AUDIENCE_LABELS = {
    "open": _l("Anyone with the link (citizens)"),
    "invited": _l("Invited organisations only"),
    "both": _l("Both: open link and invited organisations"),
}
PROFILE_FIELDS = {"": _l("No"), "respondent_type": _l("Respondent type"),
                  "province_code": _l("Province")}
CHOICE_SOURCE_LABELS = {"": _l("The options below"),
                        "provinces_2025": _l("The 34 provinces and cities (from 1 July 2025)"),
                        "provinces": _l("The 63 provinces and cities (until 30 June 2025)")}
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AuthorForm(FlaskForm):
    """Replaces WTForms' English parse errors (a bad number or date) with translated ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if field.process_errors and isinstance(field, DateTimeLocalField):
                field.process_errors = [_l("Please give a date and time such as 31/05/2024 17:00.")]
            elif field.process_errors and isinstance(field, IntegerField):
                field.process_errors = [_l("Please give a whole number.")]


class SurveyForm(AuthorForm):
    title_vi = StringField(_l("Title in Vietnamese"), filters=[strip], validators=[
        DataRequired(message=_l("Please give the survey a title in Vietnamese.")),
        Length(max=300, message=_l("At most %(max)d characters."))])
    title_en = StringField(_l("Title in English (optional)"), filters=[strip], validators=[
        Length(max=300, message=_l("At most %(max)d characters."))])
    introduction_vi = TextAreaField(_l("Introduction in Vietnamese"), filters=[strip])
    introduction_en = TextAreaField(_l("Introduction in English (optional)"), filters=[strip])
    consultation_id = SelectField(_l("Consultation"), coerce=_optional_int, validate_choice=False)
    audience = SelectField(_l("Who may answer"), choices=list(AUDIENCE_LABELS.items()), validators=[
        InputRequired(message=_l("Please choose who may answer."))])
    opens_at = DateTimeLocalField(_l("Opens at (Vietnam time, optional)"), format=_DATETIME_FORMATS,
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at (Vietnam time, optional)"), format=_DATETIME_FORMATS,
                                   validators=[Optional()])
    anonymous = BooleanField(_l("Anonymous: ask nothing about who answers"))
    one_response_per_invitation = BooleanField(_l("One response per invited organisation, editable until closing"), default=True)
    resume_days = IntegerField(_l("Days an unfinished answer can be resumed"), default=30, validators=[
        InputRequired(message=_l("Please give a number of days.")),
        NumberRange(min=1, max=365, message=_l("Between %(min)s and %(max)s days."))])

    def validate_closes_at(self, field) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))

    def set_consultations(self, consultations, allow_none: bool = True) -> None:
        self.consultation_id.choices = consultation_choices(consultations, allow_none)

    def validate_consultation_id(self, field) -> None:
        check_chosen_consultation(field)

    def to_fields(self) -> SurveyFields:
        return SurveyFields(
            title=texts(self.title_vi.data, self.title_en.data),
            introduction=texts(self.introduction_vi.data, self.introduction_en.data),
            audience=self.audience.data if self.audience.data in AUDIENCES else "",
            opens_at=self.opens_at.data, closes_at=self.closes_at.data,
            consultation_id=self.consultation_id.data,
            settings={"anonymous": bool(self.anonymous.data),
                      "one_response_per_invitation": bool(self.one_response_per_invitation.data),
                      "resume_days": self.resume_days.data})

    def fill_from(self, survey, utc_to_vn) -> None:
        """Show the stored survey (on GET)."""
        self.title_vi.data, self.title_en.data = (survey.title or {}).get("vi"), (survey.title or {}).get("en")
        self.introduction_vi.data = (survey.introduction or {}).get("vi")
        self.introduction_en.data = (survey.introduction or {}).get("en")
        self.consultation_id.data, self.audience.data = survey.consultation_id, survey.audience
        self.opens_at.data, self.closes_at.data = utc_to_vn(survey.opens_at), utc_to_vn(survey.closes_at)
        self.anonymous.data = bool(survey.setting("anonymous"))
        self.one_response_per_invitation.data = bool(survey.setting("one_response_per_invitation"))
        self.resume_days.data = survey.setting("resume_days")


class PageForm(AuthorForm):
    title_vi = StringField(_l("Page title in Vietnamese (optional)"), filters=[strip], validators=[
        Length(max=300, message=_l("At most %(max)d characters."))])
    title_en = StringField(_l("Page title in English (optional)"), filters=[strip], validators=[
        Length(max=300, message=_l("At most %(max)d characters."))])
    relevant = TextAreaField(_l("Show this page only if (optional)"), filters=[strip])


class QuestionForm(AuthorForm):
    """A question and the parameters of every kind; the service keeps those its kind uses."""

    kind = SelectField(_l("Kind of question"), choices=list(KIND_LABELS.items()),
                       validate_choice=False)
    name = StringField(_l("Name (used in logic as ${name})"), filters=[strip], validators=[
        DataRequired(message=_l("Please give the question a short name, for example: tuoi."))])
    label_vi = TextAreaField(_l("Question in Vietnamese"), filters=[strip], validators=[
        DataRequired(message=_l("Please write the question in Vietnamese."))])
    label_en = TextAreaField(_l("Question in English (optional)"), filters=[strip])
    hint_vi = StringField(_l("Hint in Vietnamese (optional)"), filters=[strip])
    hint_en = StringField(_l("Hint in English (optional)"), filters=[strip])
    required = BooleanField(_l("An answer is required"))
    personal = BooleanField(_l("The answer identifies the respondent (a name, a telephone number, a document): "
                               "erased when the consultation's retention period ends"))
    relevant = TextAreaField(_l("Show only if (optional)"), filters=[strip])
    constraint = TextAreaField(_l("Accept the answer only if (optional)"), filters=[strip])
    constraint_message_vi = StringField(_l("Message when the answer is not accepted, in Vietnamese"), filters=[strip])
    constraint_message_en = StringField(_l("Message when the answer is not accepted, in English"), filters=[strip])
    provision_id = SelectField(_l("Pin to an article of the draft (optional)"), coerce=_optional_int,
                               validate_choice=False)
    minimum = StringField(_l("Smallest value (number or date YYYY-MM-DD)"), filters=[strip])
    maximum = StringField(_l("Largest value (number or date YYYY-MM-DD)"), filters=[strip])
    min_label_vi = StringField(_l("Label of the lowest point (Vietnamese)"), filters=[strip])
    min_label_en = StringField(_l("Label of the lowest point (English)"), filters=[strip])
    max_label_vi = StringField(_l("Label of the highest point (Vietnamese)"), filters=[strip])
    max_label_en = StringField(_l("Label of the highest point (English)"), filters=[strip])
    min_picks = IntegerField(_l("Fewest options to pick"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Between %(min)s and %(max)s."))])
    max_picks = IntegerField(_l("Most options to pick"), validators=[
        Optional(), NumberRange(min=1, max=100, message=_l("Between %(min)s and %(max)s."))])
    max_length = IntegerField(_l("Most characters"), validators=[
        Optional(), NumberRange(min=1, max=20000, message=_l("Between %(min)s and %(max)s."))])
    max_mb = IntegerField(_l("Largest file in MB"), validators=[
        Optional(), NumberRange(min=1, max=20, message=_l("Between %(min)s and %(max)s."))])
    choice_source = SelectField(_l("Options come from"), choices=list(CHOICE_SOURCE_LABELS.items()),
                                validate_choice=False)
    profile_field = SelectField(_l("The answer also fills the respondent's profile"),
                                choices=list(PROFILE_FIELDS.items()), validate_choice=False)
    rows = TextAreaField(_l("Rows of the matrix, one per line: name | Vietnamese | English"), filters=[strip])

    def set_articles(self, articles, heading) -> None:
        self.provision_id.choices = [("", _l("Not pinned"))] + [(a.id, heading(a)) for a in articles]

    def validate_kind(self, field) -> None:
        if field.data not in KIND_LABELS:
            raise ValidationError(_l("Please choose a kind of question from the list."))

    def validate_minimum(self, field) -> None:
        if field.data and _bound(field.data) is None:
            raise ValidationError(_l("Please give a number (such as 10 or 2,5) or a date (YYYY-MM-DD)."))

    validate_maximum = validate_minimum

    def validate_rows(self, field) -> None:
        if self.kind.data == "matrix":
            rows = parse_rows(field.data or "")
            if rows is None:
                raise ValidationError(_l("Write each row as: name | Vietnamese | English, with a name of letters, digits and _ only, different on each line."))
            if not rows:
                raise ValidationError(_l("A matrix needs at least one row."))

    def to_fields(self) -> QuestionFields:
        parameters = {
            "min": _bound(self.minimum.data), "max": _bound(self.maximum.data),
            "min_label": texts(self.min_label_vi.data, self.min_label_en.data),
            "max_label": texts(self.max_label_vi.data, self.max_label_en.data),
            "min_picks": self.min_picks.data, "max_picks": self.max_picks.data,
            "max_length": self.max_length.data, "max_mb": self.max_mb.data,
            "choice_source": self.choice_source.data or None,
            "profile_field": self.profile_field.data or None,
            "rows": parse_rows(self.rows.data or "") if self.kind.data == "matrix" else None,
            "personal": True if self.personal.data else None,
        }
        return QuestionFields(
            name=self.name.data or "", kind=self.kind.data, label=texts(self.label_vi.data, self.label_en.data),
            hint=texts(self.hint_vi.data, self.hint_en.data), required=bool(self.required.data),
            relevant=self.relevant.data or "", constraint=self.constraint.data or "",
            constraint_message=texts(self.constraint_message_vi.data, self.constraint_message_en.data),
            parameters=parameters, provision_id=self.provision_id.data)

    def fill_from(self, question) -> None:
        def lang(value, code):
            return (value or {}).get(code) if isinstance(value, dict) else None

        p = question.parameters or {}
        self.kind.data, self.name.data = question.kind, question.name
        self.label_vi.data, self.label_en.data = lang(question.label, "vi"), lang(question.label, "en")
        self.hint_vi.data, self.hint_en.data = lang(question.hint, "vi"), lang(question.hint, "en")
        self.required.data, self.relevant.data = question.required, question.relevant
        self.constraint.data = question.constraint
        self.constraint_message_vi.data = lang(question.constraint_message, "vi")
        self.constraint_message_en.data = lang(question.constraint_message, "en")
        self.provision_id.data = question.provision_id
        self.minimum.data = _text(p.get("min"))
        self.maximum.data = _text(p.get("max"))
        for end in ("min_label", "max_label"):
            self[f"{end}_vi"].data, self[f"{end}_en"].data = lang(p.get(end), "vi"), lang(p.get(end), "en")
        for name in ("min_picks", "max_picks", "max_length", "max_mb"):
            self[name].data = p.get(name)
        self.choice_source.data = p.get("choice_source") or ""
        self.profile_field.data = p.get("profile_field") or ""
        self.personal.data = bool(p.get("personal"))
        self.rows.data = "\n".join(" | ".join([r.get("name", ""), lang(r.get("label"), "vi") or "",
                                               lang(r.get("label"), "en") or ""]).rstrip(" |")
                                   for r in p.get("rows") or [])


def _bound(text: str | None):
    """A number, or an ISO date kept as text; None when it is neither."""
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            date.fromisoformat(text)
            return text
        except ValueError:
            return None
    number = parse_decimal(text)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def _text(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def parse_rows(text: str) -> list[dict] | None:
    """Matrix rows from ``name | Vietnamese | English`` lines; None when a line is bad."""
    rows, seen = [], set()
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        name = parts[0]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", name) or name in seen:
            return None
        seen.add(name)
        rows.append({"name": name, "label": texts(parts[1] if len(parts) > 1 else name,
                                                   parts[2] if len(parts) > 2 else "")})
    return rows


class ChoiceForm(AuthorForm):
    name = StringField(_l("Value (stored, used in logic)"), filters=[strip], validators=[
        DataRequired(message=_l("Please give the option a value, for example: co."))])
    label_vi = StringField(_l("Option in Vietnamese"), filters=[strip], validators=[
        DataRequired(message=_l("Please write the option in Vietnamese."))])
    label_en = StringField(_l("Option in English (optional)"), filters=[strip])
    is_other = BooleanField(_l("“Other, please specify”: asks for a text"))


class ActionForm(FlaskForm):
    """Buttons that only need CSRF: move, delete, publish."""


class ImportForm(FlaskForm):
    workbook = FileField(_l("Questionnaire file: XLSForm (.xlsx, .xlsm, .xls, .csv) or LimeSurvey (.lss)"),
                         render_kw={"accept": ".xlsx,.xlsm,.xls,.csv,.lss"})
    consultation_id = SelectField(_l("Consultation"), coerce=_optional_int, validate_choice=False)

    def validate_consultation_id(self, field) -> None:
        check_chosen_consultation(field)


def consultation_choices(consultations, allow_none: bool = True) -> list:
    """The consultations a survey may be attached to; "None" only for those who see all
    (a survey of no consultation is out of every agency's sight: ``consult.scoping``)."""
    return ([("", _l("None"))] if allow_none else []) + [(c.id, c.title) for c in consultations]


def check_chosen_consultation(field) -> None:
    """Only a consultation the page offered (the user's own): not a typed id of another's."""
    offered = {value if value != "" else None for value, _label in field.choices or []}
    if field.data not in offered:
        raise ValidationError(_l("Please choose a consultation from the list."))


class InviteForm(FlaskForm):
    kinds = CheckboxList(_l("Every organisation of these kinds"),
                         choices=list(ORGANISATION_KINDS.items()), validate_choice=False)
    organisations = CheckboxList(_l("Or these organisations"), coerce=int, validate_choice=False)
    roster = BooleanField(_l("Every body on the consultation's roster"))

    def validate_organisations(self, field) -> None:
        if not (self.kinds.data or field.data or self.roster.data):
            raise ValidationError(_l("Please choose at least one kind of organisation or one organisation."))
