"""Erasure reaches what was derived from the erased data: prepared exports and stored results.

When ``consult.privacy.personal_data_erased`` is sent for a consultation (retention purge or a
citizen's erasure by receipt), every prepared Excel export of its opinions and of its surveys'
responses is deleted, row and file: they were built while the names, contacts or personal
answers were still there. The drafting team prepares a new one in a click. Stored text
analyses of questions marked personal are deleted too (their representative answers quote
the respondents). Analyses of opinions stay: opinions are kept, and no analysis holds a name
or a contact. The RQ jobs' own results hold only row ids.

The files go after the transaction commits; a rollback keeps rows and files together.
The export and analysis modules are imported on use: connecting the receiver at start must not
load the Excel and pandas code into every web worker.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import delete, event, or_, select
from sqlalchemy.orm import Session

from consult import privacy
from consult.extensions import db

log = logging.getLogger(__name__)
_DOOMED = "analysis.erasure.doomed"


def derived_exports(consultation_id: int) -> list:
    """The exports (``ExportFile``) of the consultation's opinions and of its surveys' responses."""
    from analysis.export_jobs import ExportFile
    from surveys.models import Survey

    survey_ids = select(Survey.id).where(Survey.consultation_id == consultation_id)
    return list(db.session.scalars(select(ExportFile).where(or_(
        (ExportFile.kind == "comments") & (ExportFile.consultation_id == consultation_id),
        (ExportFile.kind == "responses") & ExportFile.survey_id.in_(survey_ids)))))


def forget_derived(consultation_id: int) -> dict[str, int]:
    """Delete the consultation's exports (files after commit) and personal questions' analyses."""
    from analysis import results
    from surveys.privacy import personal_question_ids

    exports = derived_exports(consultation_id)
    for row in exports:
        _delete_after_commit(row.file_name)
        db.session.delete(row)
    question_ids = personal_question_ids(consultation_id)
    analyses = 0
    if question_ids:
        analyses = db.session.execute(
            delete(results.TextAnalysis).where(results.TextAnalysis.scope == "question",
                                               results.TextAnalysis.scope_id.in_(question_ids))
            .execution_options(synchronize_session=False)).rowcount or 0
    counts = {"exports": len(exports), "analyses": analyses}
    log.info("derived personal data removed", extra={"consultation_id": consultation_id, **counts})
    return counts


@privacy.personal_data_erased.connect
def _on_erased(_sender, consultation_id: int, **_details) -> None:
    forget_derived(consultation_id)


def orphan_export_files() -> list[Path]:
    """Files in the exports folder that no export row names (a build cut off, a race with an
    erasure): nothing can serve them, so nothing should keep them."""
    from analysis import export_jobs

    folder = export_jobs.export_dir()
    if not folder.is_dir():
        return []
    named = set(db.session.scalars(select(export_jobs.ExportFile.file_name)))
    return [path for path in folder.iterdir()
            if path.is_file() and path.name not in named and not path.name.endswith(".part")]


def _delete_after_commit(file_name: str) -> None:
    from analysis import export_jobs

    if file_name:
        db.session.info.setdefault(_DOOMED, []).append(export_jobs.export_dir() / os.path.basename(file_name))


@event.listens_for(Session, "after_commit")
def _unlink_doomed(session: Session) -> None:
    for path in session.info.pop(_DOOMED, []):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.warning("export file not deleted: %s", path.name)


@event.listens_for(Session, "after_rollback")
def _keep_doomed(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_DOOMED, None)
