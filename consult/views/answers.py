"""Answering the public: the team publishes its answers, anyone reads them, citizens are told."""
from __future__ import annotations

import click
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from consult import answer_mail, answers, scoping
from consult.auth import role_required
from consult.domain import DRAFTER_ROLES
from consult.extensions import db
from consult.models import Consultation

bp = Blueprint("answers", __name__)


class PublishForm(FlaskForm):
    """Only the CSRF token: publishing takes no other input."""


def _consultation(slug: str) -> Consultation | None:
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


@bp.get("/du-thao/<slug>/tiep-thu-giai-trinh")
def public_page(slug: str):
    consultation = _consultation(slug)
    if consultation is None or not consultation.published or not answers.is_published(consultation):
        abort(404)
    return render_template("public/answers.html", consultation=consultation,
                           articles=answers.public_answers(consultation))


@bp.post("/quan-tri/xu-ly/<slug>/cong-bo")
@role_required(*DRAFTER_ROLES)
def publish(slug: str):
    consultation = scoping.team_consultation_or_404(slug)
    if not PublishForm().validate():
        flash(_("The form has expired; please try again."), "error")
    elif answers.publish(consultation, current_user):
        db.session.commit()
        answer_mail.start(consultation.id, request.url_root)
        flash(_("The answers are published. Citizens who left an e-mail address are being told."), "success")
    else:
        flash(_("The answers were already published."), "info")
    return redirect(url_for("decisions.consultation", slug=slug))


@bp.cli.command("notify")
@click.argument("slug")
@click.option("--base-url", default=None, help="Start of the links in the message (default: http://HOST:PORT/).")
def notify_command(slug: str, base_url: str | None):
    """Send the owed "answers published" messages of a consultation now (retries failed ones)."""
    consultation = _consultation(slug)
    if consultation is None:
        raise click.ClickException(f"No consultation {slug!r}.")
    if not answers.is_published(consultation):
        raise click.ClickException("Its answers are not published yet.")
    config = current_app.config
    base_url = base_url or f"http://{config.get('HOST', '127.0.0.1')}:{config.get('PORT', 5000)}/"
    done = answer_mail.notify(consultation.id, base_url)
    click.echo(f"sent {done.sent}, failed {done.failed}, taken by another process {done.skipped}")
    if done.failed:
        raise SystemExit(1)
