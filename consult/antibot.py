"""Cheap checks that a public form was filled by a person: a honeypot and a minimum fill time.

Add ``HumanCheck`` first among a form's bases (``class CommentForm(HumanCheck, FlaskForm)``) and
``{{ human_check(form) }}`` (from ``_antibot.html``) inside the form's template. The form then
carries two more fields:

- ``website``, hidden from people (off screen, out of the tab order, ``aria-hidden``), which
  form-filling robots fill in;
- ``form_started``, the time the form was shown, signed with the secret key so it cannot be
  forged; a form sent back sooner than ``ANTIBOT_MIN_SECONDS`` (2 s by default) was not typed.

A form that fails either check is refused like any invalid form, with one neutral message and
everything that was typed kept; the trap is emptied and the clock restarted, so a person who
tripped it (an autofill, a very quick click) succeeds by sending again. Nothing is lost.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, TimestampSigner
from wtforms import StringField

from consult.form_checks import hidden_field

DEFAULT_MIN_SECONDS = 2.0
#: A form's signed start time is good for a day: a bot cannot reuse one stamp forever, and a
#: person whose stamp expired is told neutrally, keeps the text and succeeds on sending again.
MAX_FORM_AGE = 24 * 3600
_SALT = "gopy.antibot.form-started"


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=_SALT)


def stamp() -> str:
    """A signed "the form was shown now"."""
    return _signer().sign(b"form").decode("ascii")


def seconds_since(value: str | None) -> float | None:
    """Seconds since ``stamp()`` made ``value``; None when it is missing or forged."""
    if not value:
        return None
    try:
        _payload, signed_at = _signer().unsign(value.encode("ascii", "replace"), max_age=MAX_FORM_AGE,
                                              return_timestamp=True)
    except (BadSignature, ValueError):
        return None
    return (datetime.now(timezone.utc) - signed_at).total_seconds()


def started_at(value: str | None) -> datetime | None:
    """When the form carrying the stamp ``value`` was shown (naive UTC); None when missing or
    forged. Tells an opinion typed before the closing time and sent just after it."""
    elapsed = seconds_since(value)
    if elapsed is None:
        return None
    return datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=elapsed)


def min_seconds() -> float:
    return float(current_app.config.get("ANTIBOT_MIN_SECONDS", DEFAULT_MIN_SECONDS))


def looks_automated(honeypot: str | None, started: str | None) -> bool:
    """True when the trap is filled, or the form came back too fast (or without its stamp)."""
    if honeypot:
        return True
    minimum = min_seconds()
    if minimum <= 0:
        return False
    elapsed = seconds_since(started)
    return elapsed is None or elapsed < minimum


class HumanCheck:
    """Form mixin: the honeypot and the signed start time, checked by ``validate``."""

    website = StringField(_l("Leave this field empty"))
    form_started = hidden_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.form_started.data:
            self.form_started.data = stamp()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if looks_automated(self.website.data, self.form_started.data):
            self.form_errors.append(_l("We could not accept this form just now. Your text is kept: "
                                       "please check it and send it again."))
            self.website.data = ""
            self.form_started.data = stamp()
            return False
        return valid
