"""``flask roster …``: import the roster from CSV and print the reminder list."""
from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from consult.extensions import db
from consult.models import Consultation
from consult.submissions import bp, roster


def _consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation called {slug!r}.")
    return consultation


@bp.cli.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--deadline", required=True, help="Deadline for lines without one: dd/mm/yyyy.")
def import_command(slug: str, path: Path, deadline: str) -> None:
    """Add the bodies listed in a CSV file (columns code[,deadline]) to a consultation's roster."""
    day = roster.parse_day(deadline)
    if day is None:
        raise click.ClickException("The deadline must be a date as dd/mm/yyyy.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException("The file must be UTF-8.") from error
    report = roster.import_csv(_consultation(slug), text, roster.end_of_vn_day(day))
    db.session.commit()
    click.echo(f"{report.added} added, {report.updated} updated, {len(report.problems)} skipped.")
    for line, code, problem in report.problems:
        click.echo(f"  line {line}: {code or '(empty)'}: {problem}")


@bp.cli.command("overdue")
@click.argument("slug")
def overdue_command(slug: str) -> None:
    """List the bodies that have not answered and whose deadline has passed."""
    for row in roster.roster_rows(_consultation(slug)):
        if row.overdue:
            click.echo(f"{row.organisation.code}\t{row.organisation.name}\t{row.days_left}")
