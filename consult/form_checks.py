"""Checks shared by every free-text field: comments, letters' opinions, survey answers, reasons.

Text that shows nothing (only NULs, zero-width spaces, direction marks…) would be stored,
get a receipt and reach moderation empty; text with U+FFFD is what remains of bytes that
were not UTF-8 (``consult.boundary``). Both are refused with a message and the text kept.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import StopValidation

from consult.textnorm import has_visible_text

INVISIBLE_ONLY = _l("Your text shows nothing: it has only invisible characters (such as zero-width "
                    "spaces or direction marks). Please write it in words.")
UNREADABLE = _l("Some characters of your text could not be read and are shown as \ufffd. "
                "Please correct them and send again.")


def strip(value):
    """The filter of every text field: surrounding spaces off, anything else as it came."""
    return value.strip() if isinstance(value, str) else value


def hidden_field(**kwargs) -> HiddenField:
    """A hidden field with an empty label. Without a label WTForms makes one from the field's
    name and translates it each time a form is built (a comment form took 0.070 ms to build
    with two such fields, 0.062 ms without); a hidden field never shows its label."""
    return HiddenField("", **kwargs)


def text_problem(text: str | None) -> str | None:
    """The message for typed text that cannot be taken as it is, or None when it can.
    Empty text is no problem here: whether a field is required is for its own check."""
    if not text:
        return None
    if not has_visible_text(text):
        return str(INVISIBLE_ONLY)
    if "\ufffd" in text:
        return str(UNREADABLE)
    return None


class VisibleText:
    """WTForms validator: refuse invisible-only or unreadable text (see ``text_problem``)."""

    def __call__(self, form, field) -> None:
        problem = text_problem(field.data)
        if problem is not None:
            raise StopValidation(problem)
