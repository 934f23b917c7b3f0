"""The drafting team's page of e-mail reminders (what was sent), and ``flask reminders send-due``."""
from __future__ import annotations

import click
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from consult import reminders, scoping
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES
from consult.navigation import add_admin_link

bp = Blueprint("reminders", __name__, url_prefix="/quan-tri/nhac-nho")

add_admin_link("reminders.index", _l("Reminders"), roles=DRAFTER_ROLES)


class SendForm(FlaskForm):
    """Send today's due reminders now (only the CSRF token)."""


@bp.get("/")
@role_required(*DRAFTER_ROLES)
def index():
    """The reminders sent, newest first, and what is due today: an agency's team sees only those
    about its own consultations."""
    days = tuple(current_app.config.get("REMINDER_DAYS") or ())
    agency = scoping.agency_of(current_user)
    return render_template("reminders/index.html", log=reminders.sent_log(agency_id=agency),
                           due=reminders.due(days, agency_id=agency),
                           days=days, form=SendForm(), kinds=_kinds())


def _kinds() -> dict:
    return {reminders.ROSTER: _("Letter (roster)"), reminders.SURVEY: _("Survey invitation")}


@bp.post("/gui")
@role_required(*DRAFTER_ROLES)
def send():
    """Start today's round in the background (an agency's team: its own consultations' only);
    what was already sent today is not sent again."""
    if not SendForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("reminders.index"))
    reminders.start(request.url_root, scoping.agency_of(current_user))
    flash(_("The reminders due today are being sent; reload the page to see them."), "success")
    return redirect(url_for("reminders.index"))


@bp.cli.command("send-due")
@click.option("--base-url", default=None, help="Start of the links in the message (default: http://HOST:PORT/).")
def send_due_command(base_url: str | None):
    """Send today's due reminders (run daily from cron); retries failed messages."""
    config = current_app.config
    base_url = base_url or f"http://{config.get('HOST', '127.0.0.1')}:{config.get('PORT', 5000)}/"
    done = reminders.with_retries(base_url, config.get("REMINDERS_MAIL_RETRY_WAITS", (60, 300, 900)))
    click.echo(f"sent {done.sent}, failed {done.failed}, already sent today or taken by another process "
               f"{done.skipped}")
    if done.failed:
        raise SystemExit(1)
