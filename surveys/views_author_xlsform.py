"""Questionnaire import (XLSForm or LimeSurvey .lss: upload → report page) and XLSForm export
(download) for the drafting team."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import scoping
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES
from consult.extensions import db
from surveys import blueprint
from surveys.author_forms import ImportForm, consultation_choices
from surveys.views_author import ADMIN, _consultations, _render, _survey
from surveys.importing import MAX_BYTES, import_survey_file
from surveys.xlsform import XLSFormError, export_xlsform, last_import_report
from surveys.xlsform.report import OUTCOMES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.route(f"{ADMIN}/nhap-xlsform", methods=["GET", "POST"])
@role_required(*DRAFTER_ROLES)
def author_import():
    form = ImportForm()
    form.consultation_id.choices = consultation_choices(_consultations(), scoping.sees_all())
    failed = None
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form has expired; please choose the file again."), "error")
        else:
            upload = form.workbook.data
            if upload is None or not getattr(upload, "filename", ""):
                form.workbook.errors = [_("Please choose an XLSForm file to import.")]
            else:
                survey, failed = _import(upload, form.consultation_id.data)
                if survey is not None:
                    return redirect(url_for("surveys.author_import_report", survey_id=survey.id))
        return _render("import.html", 422, form=form, report=failed, outcomes=OUTCOMES,
                       max_mb=MAX_BYTES // (1024 * 1024))
    return _render("import.html", form=form, report=None, outcomes=OUTCOMES,
                   max_mb=MAX_BYTES // (1024 * 1024))


def _import(upload, consultation_id):
    """(survey, None) on success, (None, report) when the workbook has errors."""
    consultation = scoping.team_consultation_or_404(consultation_id) if consultation_id else None
    data = upload.read(MAX_BYTES + 1)
    try:
        survey, _report = import_survey_file(upload.filename, data, consultation=consultation,
                                             actor=current_user)
    except XLSFormError as error:
        db.session.rollback()
        return None, error.report
    db.session.commit()
    flash(_("The XLSForm was imported as a draft survey. Read the report, then check the questions."), "success")
    return survey, None


@blueprint.get(f"{ADMIN}/<int:survey_id>/bao-cao-nhap")
@role_required(*DRAFTER_ROLES)
def author_import_report(survey_id: int):
    survey = _survey(survey_id)
    report = last_import_report(survey)
    if report is None:
        abort(404)
    return _render("import_report.html", survey=survey, report=report, outcomes=OUTCOMES)


@blueprint.get(f"{ADMIN}/<int:survey_id>/xlsform")
@role_required(*DRAFTER_ROLES)
def author_export(survey_id: int):
    survey = _survey(survey_id)
    filename = f"{survey.slug}.xlsx"
    return Response(export_xlsform(survey), mimetype=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
