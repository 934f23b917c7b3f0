"""Command-line tools: start the platform, import drafts, manage users."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from consult import auth, demo, drafts, ops_cli, teams
from consult.extensions import db
from consult.legal_text import DraftParseError, UnreadableDocument, read_draft, \
    parse_legal_text
from consult.models import Consultation
from consult.consultation_cli import consultation_group
from consult.organisations import organisation_group


def init_app(app: Flask) -> None:
    app.cli.add_command(start)
    app.cli.add_command(demo_group)
    app.cli.add_command(draft_group)
    app.cli.add_command(user_group)
    app.cli.add_command(team_group)
    app.cli.add_command(organisation_group)
    app.cli.add_command(consultation_group)
    ops_cli.init_app(app)


def prepare_database() -> str | None:
    """Apply migrations; load the demo into an empty database. Returns a new admin password."""
    from flask_migrate import upgrade  # Alembic: not loaded by a web worker

    upgrade()
    if demo.is_empty():
        return demo.load_demo(current_app.config.get("ADMIN_PASSWORD"))
    return None


@click.command()
@click.option("--host", help="Address to listen on (default: GOPY_HOST or HOST, else 127.0.0.1).")
@click.option("--port", type=int, help="Port (default: GOPY_PORT or PORT, else 5000).")
def start(host: str | None, port: int | None) -> None:
    """Migrate, load the demo on an empty database, and serve the platform."""
    from waitress import serve

    host, port = host or current_app.config["HOST"], port or current_app.config["PORT"]

    password = prepare_database()
    if password:
        click.echo(f"Drafting-team admin: {demo.DEMO_ADMIN_EMAIL} / password: {password}")
        click.echo("This password is printed only once; set ADMIN_PASSWORD to choose it.")
    click.echo(f"Góp ý dự thảo is running: open http://{host}:{port}/")
    serve(current_app._get_current_object(), host=host, port=port, threads=8)


demo_group = AppGroup("demo", help="The demo consultation.")


@demo_group.command("load")
def demo_load() -> None:
    """Migrate and load the demo consultation into an empty database."""
    password = prepare_database()
    if password:
        click.echo(f"Drafting-team admin: {demo.DEMO_ADMIN_EMAIL} / password: {password}")
    else:
        click.echo("The database already holds a consultation; nothing loaded.")


draft_group = AppGroup("draft", help="Draft laws and their versions.")


@draft_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", "slug", default=demo.DEMO_SLUG, show_default=True)
@click.option("--publish", is_flag=True, help="Publish the new version at once.")
@click.option("--check", is_flag=True, help="Only print the parse report; store nothing.")
def draft_import(path: Path, slug: str, publish: bool, check: bool) -> None:
    """Import a draft law (.txt or .docx) as the next version of a consultation's draft."""
    try:
        source = read_draft(path.name, path.read_bytes())
        if check:
            _echo_report(drafts.parse_report(parse_legal_text(source.text), source))
            return
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        if consultation is None or consultation.draft is None:
            raise click.ClickException(f"No consultation with a draft called {slug!r}.")
        version = drafts.create_version(consultation.draft, source, path.name)
    except UnreadableDocument as error:
        raise click.ClickException(f"Cannot read {path.name}: {error.code}") from error
    except DraftParseError as error:
        raise click.ClickException(f"No article found in {path.name}: {error.code}") from error
    if publish:
        drafts.publish_version(version)
    db.session.commit()
    click.echo(f"Imported version {version.number} of {slug}.")
    _echo_report(version.parse_report)


def _echo_report(report: dict) -> None:
    for kind, count in report["counts"].items():
        numbered = report.get("numbering", {}).get(kind)
        click.echo(f"  {kind}: {count}" + (f" ({numbered} numbered by Word)" if numbered else ""))
    for warning in report["warnings"]:
        click.echo(f"  warning line {warning['line']}: {warning['code']} {warning['params']}")


team_group = AppGroup("team", help="Drafting agencies' teams (drafters and moderators of one agency).")


@team_group.command("add-member")
@click.option("--agency", "code", required=True, help="Code of the agency's organisation, e.g. BKHDT.")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(teams.AGENCY_ROLES), default="drafter", show_default=True)
@click.option("--name", default="")
def team_add_member(code: str, email: str, role: str, name: str) -> None:
    """Create a drafter or moderator who sees only the agency's consultations; prints the
    one-time password to hand over."""
    organisation = teams.find_organisation(code)
    if organisation is None:
        raise click.ClickException(f"No organisation with the code {code!r}.")
    try:
        _user, password = teams.add_member(organisation, email, name, role, actor=None)
    except teams.EmailTaken as error:
        raise click.ClickException(f"{email} already has an account.") from error
    db.session.commit()
    click.echo(f"Created {role} {email.strip().lower()} of {organisation.code}. Password (shown once): {password}")


@team_group.command("list")
def team_list() -> None:
    """Every agency's drafters and moderators."""
    for user in teams.agency_members():
        click.echo(f"{user.organisation.code}\t{user.role}\t{user.email}\t{'active' if user.active else 'deactivated'}")


user_group = AppGroup("user", help="Drafting-team accounts.")


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "drafter", "moderator"]), default="moderator")
@click.option("--name", default="")
@click.password_option()
def user_create(email: str, role: str, name: str, password: str) -> None:
    """Create a drafting-team account."""
    if auth.find_user(email):
        raise click.ClickException(f"{email} already has an account.")
    auth.create_user(email, password, role, name=name)
    db.session.commit()
    click.echo(f"Created {role} {email}.")
