"""Words for the codes the services report, shared by the pages and the API."""
from __future__ import annotations

from flask_babel import format_decimal, gettext as _, lazy_gettext as _l

from consult.submissions.attachments import PDF_MAX_BYTES

#: A body's answer on the roster.
ROSTER_STATUS_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft in preparation"),
    "submitted": _l("Submitted"),
    "no_comment": _l("Submitted: no comment"),
}

#: A letter's state.
SUBMISSION_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("In force"),
    "superseded": _l("Superseded by a later letter"),
}


def megabytes(limit: int) -> str:
    return format_decimal(limit / (1024 * 1024), format="#,##0.#")


def attachment_problem(code: str, limit: int = PDF_MAX_BYTES) -> str:
    """Why a file cannot be the signed letter, in words."""
    messages = {
        "empty": lambda: _("The file is empty. Choose the scanned or signed letter as a PDF file."),
        "too_large": lambda: _("The file is larger than the %(size)s MB allowed. Scan the letter at a lower resolution or compress the PDF, then try again.", size=megabytes(limit)),
        "not_pdf": lambda: _("This file is not a PDF, whatever its name says. Save or scan the signed letter as PDF and try again."),
        "damaged": lambda: _("This PDF is damaged and cannot be opened. Save it again as PDF and try again."),
        "encrypted": lambda: _("This PDF is protected by a password. Send a copy without a password."),
        "no_pages": lambda: _("This PDF has no page."),
        "missing": lambda: _("Please choose the PDF file of the signed letter."),
    }
    return messages.get(code, messages["damaged"])()


def submit_problem(code: str) -> str:
    """What a letter still lacks before it can be submitted."""
    messages = {
        "letter_number": lambda: _("Give the letter's number (số hiệu)."),
        "letter_date": lambda: _("Give the letter's date."),
        "signer_name": lambda: _("Give the name of the person who signed the letter."),
        "signer_title": lambda: _("Give the title of the person who signed the letter."),
        "attachment": lambda: _("Attach the signed letter as a PDF file."),
        "opinions": lambda: _("Add at least one opinion, or answer that you agree with the draft and have no further comment."),
        "no_comment_with_opinions": lambda: _("You answered that you have no further comment but the letter holds opinions: remove them or change the answer."),
    }
    return messages[code]()


def import_problem(code: str) -> str:
    messages = {
        "unknown_code": lambda: _("no organisation has this code"),
        "missing_code": lambda: _("the code is missing"),
        "bad_deadline": lambda: _("the deadline is not a date (dd/mm/yyyy)"),
        "duplicate": lambda: _("the code appears twice in the file"),
    }
    return messages[code]()
