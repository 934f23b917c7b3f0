"""XLSForm import and export: the format KoboToolbox, ODK and SurveyCTO authors already use.

``import_xlsform(filename, data)`` reads an ``.xlsx``, ``.xlsm``, ``.xls`` or ``.csv`` XLSForm through
pyxform, maps it onto a new draft survey and returns it with an ``ImportReport`` that lists, per
row, what was imported, what was changed and what could not be represented.  On any error it
raises ``XLSFormError`` whose report lists every problem with its row; nothing is stored then.
``export_xlsform(survey)`` writes any survey back to an ``.xlsx`` workbook that imports again
into an equivalent survey.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from consult import audit
from consult.extensions import db
from consult.models import AuditEvent, Consultation, User
from surveys.models import Survey
from surveys.xlsform.export import export_xlsform
from surveys.xlsform.mapping import Mapper, SurveyPlan
from surveys.xlsform.reading import convert, read_workbook
from surveys.xlsform.repair import precheck
from surveys.xlsform.report import MESSAGES, ImportReport, ReportItem, XLSFormError

__all__ = ["ImportReport", "MESSAGES", "ReportItem", "SurveyPlan", "XLSFormError",
           "export_xlsform", "import_xlsform", "last_import_report", "read_xlsform"]

IMPORT_ACTION = "survey.import_xlsform"
log = logging.getLogger(__name__)


def read_xlsform(filename: str, data: bytes) -> tuple[SurveyPlan, ImportReport]:
    """Check and map the workbook without touching the database; raises ``XLSFormError``."""
    report = ImportReport(filename=filename or "")
    workbook = read_workbook(filename, data, report)
    precheck(workbook, report)
    if report.errors:
        raise XLSFormError(report)
    form = convert(workbook, report, warnings=[])
    try:
        plan = Mapper(form, workbook, report).plan()
    except Exception as error:  # a workbook shaped in a way the mapping did not foresee
        log.exception("XLSForm mapping failed for %s", filename)
        report.error("unexpected", sheet="", detail=type(error).__name__)
        raise XLSFormError(report) from None
    if report.errors:
        raise XLSFormError(report)
    if not plan.questions():
        report.error("no_questions", sheet="")
        raise XLSFormError(report)
    return plan, report


def import_xlsform(filename: str, data: bytes, *, consultation: Consultation | None = None,
                   actor: User | None = None) -> tuple[Survey, ImportReport]:
    """A new draft survey from the workbook, in the current transaction (the caller commits).

    Everything is checked before the first row is added, so an ``XLSFormError`` leaves the
    session untouched.
    """
    from surveys.xlsform.apply import create_from_plan

    plan, report = read_xlsform(filename, data)
    survey = create_from_plan(plan, report, consultation=consultation, actor=actor)
    audit.record(actor, IMPORT_ACTION, survey, report=report.as_dict())
    return survey, report


def last_import_report(survey) -> ImportReport | None:
    """The report of the import that made ``survey``, kept in its audit event."""
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == IMPORT_ACTION,
                                 AuditEvent.object_type == "survey",
                                 AuditEvent.object_id == survey.id)
        .order_by(AuditEvent.id.desc()).limit(1))
    return ImportReport.from_dict(event.detail.get("report", {})) if event else None
