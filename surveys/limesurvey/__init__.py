"""LimeSurvey import: a survey structure file (``.lss``) becomes a draft survey with a report.

Many agencies already hold their questionnaires in LimeSurvey.  ``read_lss(filename, data)``
reads the file safely (``document``), maps groups to pages and question types to our kinds
(``mapping``), conditions to show-ifs where they can be said (``logic``), and returns the same
``SurveyPlan`` and ``ImportReport`` as the XLSForm import, so ``surveys.importing`` stores both
alike.  It raises ``XLSFormError`` (the import's error, whatever the format) with the report.
"""
from __future__ import annotations

import logging

from surveys.limesurvey.document import LssError, read_document
from surveys.limesurvey.mapping import LssMapper
from surveys.xlsform.mapping import SurveyPlan
from surveys.xlsform.report import ImportReport, XLSFormError

log = logging.getLogger(__name__)
MAX_BYTES = 5 * 1024 * 1024


def read_lss(filename: str, data: bytes) -> tuple[SurveyPlan, ImportReport]:
    """Check and map the file without touching the database; raises ``XLSFormError``."""
    report = ImportReport(filename=filename or "")
    if not data:
        _fail(report, "empty_file")
    if len(data) > MAX_BYTES:
        _fail(report, "too_large", limit=MAX_BYTES // (1024 * 1024))
    try:
        document = read_document(data)
    except LssError as error:
        _fail(report, error.code, **error.params)
    try:
        plan = LssMapper(document, report).plan()
    except Exception as error:  # a file shaped in a way the mapping did not foresee
        log.exception("LimeSurvey mapping failed for %s", filename)
        _fail(report, "unexpected", detail=type(error).__name__)
    if not plan.questions():
        _fail(report, "no_questions_lss")
    return plan, report


def _fail(report: ImportReport, code: str, **params) -> None:
    report.error(code, sheet="", **params)
    raise XLSFormError(report)
