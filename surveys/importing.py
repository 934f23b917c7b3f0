"""Import a questionnaire file, whatever tool made it: XLSForm (KoboToolbox, ODK, SurveyCTO)
or a LimeSurvey structure file.

``read_survey_file`` checks and maps the file (nothing stored); ``import_survey_file`` stores it
as a new draft survey and keeps the report in the import's audit event, read back by
``surveys.xlsform.last_import_report``.  The upload page and ``flask survey import`` call these.
"""
from __future__ import annotations

from pathlib import PurePath

from consult import audit
from consult.models import Consultation, User
from surveys.models import Survey
from surveys.xlsform import IMPORT_ACTION, read_xlsform
from surveys.xlsform.mapping import SurveyPlan
from surveys.xlsform.reading import EXTENSIONS, MAX_BYTES
from surveys.xlsform.report import ImportReport

LIMESURVEY_EXTENSIONS = (".lss",)
ACCEPTED = EXTENSIONS + LIMESURVEY_EXTENSIONS

__all__ = ["ACCEPTED", "MAX_BYTES", "import_survey_file", "read_survey_file"]


def read_survey_file(filename: str, data: bytes) -> tuple[SurveyPlan, ImportReport]:
    """The plan and report of the file; raises ``XLSFormError`` with the report."""
    if PurePath(filename or "").suffix.lower() in LIMESURVEY_EXTENSIONS:
        from surveys.limesurvey import read_lss

        return read_lss(filename, data)
    return read_xlsform(filename, data)


def import_survey_file(filename: str, data: bytes, *, consultation: Consultation | None = None,
                       actor: User | None = None) -> tuple[Survey, ImportReport]:
    """A new draft survey, in the current transaction (the caller commits)."""
    from surveys.xlsform.apply import create_from_plan

    plan, report = read_survey_file(filename, data)
    survey = create_from_plan(plan, report, consultation=consultation, actor=actor)
    audit.record(actor, IMPORT_ACTION, survey, report=report.as_dict())
    return survey, report
