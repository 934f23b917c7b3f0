"""``flask survey import FILE [--check] [--consultation SLUG] [--lang vi|en]``.

The same import and the same report as the upload page: ``--check`` prints the report and
stores nothing; otherwise a draft survey is created, attached to the demo consultation or to
``--consultation``.  The exit status is 1 when the file cannot be imported.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from consult.demo import DEMO_SLUG
from consult.extensions import db
from consult.models import Consultation
from surveys import blueprint
from surveys.importing import MAX_BYTES, import_survey_file, read_survey_file
from surveys.xlsform.report import OUTCOME_LABELS, OUTCOMES, ImportReport, XLSFormError


@blueprint.cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only print the report; store nothing.")
@click.option("--consultation", "slug", default=DEMO_SLUG, show_default=True,
              help="The consultation the new survey is attached to.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the report.")
def import_command(path: Path, check: bool, slug: str, lang: str) -> None:
    """Import an XLSForm (.xlsx, .xlsm, .xls, .csv) or a LimeSurvey file (.lss) as a draft survey."""
    with current_app.test_request_context(f"/?lang={lang}"):
        data = _read(path)
        try:
            if check:
                _plan, report = read_survey_file(path.name, data)
            else:
                report = _store(path.name, data, slug)
        except XLSFormError as error:
            db.session.rollback()
            echo_report(error.report)
            raise click.ClickException(_("The file was not imported.")) from None
        echo_report(report)


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_BYTES + 1)


def _store(filename: str, data: bytes, slug: str) -> ImportReport:
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(_("No consultation with the address “%(slug)s”.", slug=slug))
    survey, report = import_survey_file(filename, data, consultation=consultation)
    db.session.commit()
    click.echo(_("Imported as the draft survey “%(title)s” (number %(id)s).",
                 title=survey.title_in("vi"), id=survey.id))
    return report


def echo_report(report: ImportReport) -> None:
    """The report as the upload page shows it: counts per outcome, then one line per item."""
    counts = [f"{OUTCOME_LABELS[outcome]}: {report.count(outcome)}" for outcome in OUTCOMES
              if report.count(outcome)]
    click.echo(" · ".join(counts))
    for item in report.sorted_items():
        where = _("Sheet “%(sheet)s”, row %(row)s:", sheet=item.sheet, row=item.row) if item.row else ""
        name = f"[{item.name}] " if item.name else ""
        click.echo(f"{OUTCOME_LABELS[item.outcome]}\t{where} {name}{item.text()}".replace("\t ", "\t"))
