"""Operator commands: ``flask backup``, ``flask restore``, ``flask privacy purge``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from consult import backup as backups, privacy
from consult.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(privacy_group)


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(destination: Path) -> None:
    """Write the database, uploads, exports and secret key into one .tar.gz archive."""
    try:
        manifest = backups.create_backup(current_app._get_current_object(), destination)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {destination}: {len(manifest['members'])} members, "
               f"{manifest['database']['backend']} at revision {manifest['alembic_revision']}.")
    click.echo("It holds personal data and the secret key: keep it encrypted.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and folders that already hold data.")
def restore_command(source: Path, force: bool) -> None:
    """Restore an archive made by `flask backup` into this (empty) database and instance."""
    try:
        report = backups.restore_backup(current_app._get_current_object(), source, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {report.database} at revision {report.revision} and {report.files} files.")


privacy_group = AppGroup("privacy", help="Personal data: retention.")


@privacy_group.command("retention")
@click.argument("slug")
@click.argument("days")
def retention_command(slug: str, days: str) -> None:
    """Set a consultation's own retention: DAYS after it closes, or "default" for the platform's."""
    from sqlalchemy import select

    from consult import audit
    from consult.models import Consultation

    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation {slug!r}.")
    if days.strip().lower() == "default":
        value = None
    elif days.strip().isdigit():
        value = int(days)
    else:
        raise click.BadParameter("a number of days (0 or more) or 'default'", param_hint="DAYS")
    consultation.retention_days = value
    audit.record(None, "privacy.retention_set", consultation, days=value)
    db.session.commit()
    click.echo(f"{slug}: {'the platform retention' if value is None else f'{value} days after close'}.")


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
def purge_command(dry_run: bool) -> None:
    """Erase names and contacts of consultations closed longer than the retention period."""
    from analysis import erasure

    days = privacy.retention_days(current_app.config)
    if days is None:
        click.echo("Retention is off (RETENTION_DAYS_AFTER_CLOSE), except for consultations with "
                   "their own retention_days.")
    reports = privacy.purge_expired(dry_run=dry_run)
    orphans = erasure.orphan_export_files()
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        for path in orphans:
            path.unlink(missing_ok=True)
    verb = "would erase" if dry_run else "erased"
    for report in reports:
        details = ", ".join(f"{key} {value}" for key, value in report.counts.items())
        click.echo(f"{report.slug} (closed {report.closed_at:%Y-%m-%d}): {verb} {details}")
    rule = f"Retention {days} days after close" if days is not None else "Own retentions only"
    click.echo(f"{rule}: {len(reports)} consultation(s); "
               f"{len(orphans)} unlisted export file(s) {'found' if dry_run else 'deleted'}.")
