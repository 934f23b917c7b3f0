"""The dossier's words: kinds of document and why a file was refused."""
from __future__ import annotations

from flask_babel import format_decimal, gettext as _, lazy_gettext as _l

#: Kinds of document published with a draft, in the order the public page lists them
#: (Luật Ban hành văn bản quy phạm pháp luật: hồ sơ dự thảo).
DOCUMENT_KINDS = {
    "submission": _l("Submission (tờ trình)"),
    "impact_assessment": _l("Impact assessment report"),
    "summary_report": _l("Summary report on the law's implementation"),
    "comparison_table": _l("Comparison table"),
    "explanatory_notes": _l("Explanatory notes"),
    "opinion_summary": _l("Summary of the opinions received"),
    "other": _l("Other document"),
}


def size_text(size: int) -> str:
    """A file's size as people read it: "12 KB", "1,5 MB" (in Vietnamese number format)."""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1), format="#,##0.#"))


def megabytes(limit: int) -> str:
    return format_decimal(limit / (1024 * 1024), format="#,##0.#")


def upload_problem(code: str, limit: int) -> str:
    """Why a file cannot go into the dossier, in words."""
    messages = {
        "missing": lambda: _("Choose the file to upload (PDF or Word .docx)."),
        "empty": lambda: _("The file is empty (0 bytes). Choose the document itself, as a PDF or Word (.docx) file."),
        "too_large": lambda: _("The file is larger than the %(size)s MB allowed. Compress the PDF or split the document, then try again.", size=megabytes(limit)),
        "not_pdf": lambda: _("This file is not a PDF or Word document, whatever its name says. Save it as PDF or .docx and try again."),
        "wrong_type": lambda: _("This file is not a PDF or Word document, whatever its name says. Save it as PDF or .docx and try again."),
        "damaged": lambda: _("This PDF is damaged and cannot be opened. Save it again as PDF and try again."),
        "encrypted": lambda: _("This PDF is protected by a password. Upload a copy without a password: the public must be able to open it."),
        "no_pages": lambda: _("This PDF has no page."),
        "legacy_word": lambda: _("This is an old Word file (.doc) or a password-protected one. Open it in Word and save it as .docx (Word document) or PDF, then try again."),
        "macros": lambda: _("This Word file contains macros (.docm), which are not accepted. Save it as a plain Word document (.docx) or PDF."),
        "damaged_docx": lambda: _("This Word file is damaged and cannot be opened. Save it again as .docx or PDF and try again."),
    }
    return messages.get(code, messages["wrong_type"])()
