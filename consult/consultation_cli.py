"""``flask consultation create|edit|list|min-days``: run consultations from the command line.

Times are Vietnam time, written ``2027-03-01 08:00`` (or ``01/03/2027 08:00``); agencies are
given by their organisation code (``flask organisation list``)."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from consult import consultations as service
from consult.domain import AUDIENCES, DOCUMENT_KINDS
from consult.extensions import db
from consult.models import Consultation, Organisation

consultation_group = AppGroup("consultation", help="Consultations: create, edit, list.")


def _moment(text: str) -> datetime:
    day_text, _, clock_text = (text or "").strip().partition(" ")
    day, clock = service.parse_day(day_text), service.parse_clock(clock_text or "00:00")
    if day is None or clock is None:
        raise click.BadParameter(f"{text!r} is not a day and time such as 2027-03-01 08:00")
    return service.from_vietnam(day, clock)


def _agency_id(code: str | None) -> int | None:
    if code is None:
        return None
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        raise click.ClickException(f"No organisation with the code {code!r}.")
    return organisation.id


def _consultation(slug: str) -> Consultation:
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"No consultation called {slug!r}.")
    return consultation


def _save(action) -> Consultation:
    try:
        consultation = action()
    except service.ConsultationError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}") from error
    db.session.commit()
    return consultation


_KIND = click.Choice(list(DOCUMENT_KINDS))
_AUDIENCE = click.Choice(list(AUDIENCES))


@consultation_group.command("create")
@click.option("--title", required=True)
@click.option("--kind", "document_kind", type=_KIND, required=True)
@click.option("--agency", required=True, help="The drafting agency's organisation code.")
@click.option("--opens", required=True, help="Vietnam time: 2027-03-01 08:00")
@click.option("--closes", required=True, help="Vietnam time: 2027-04-30 17:00")
@click.option("--summary", default="")
@click.option("--audience", "audiences", type=_AUDIENCE, multiple=True, default=("citizens", "bodies"),
              show_default=True)
@click.option("--slug", default="", help="Default: made from the title.")
@click.option("--short-period-reason", default="", help="Keeps a period shorter than the agency's minimum.")
def create(title, document_kind, agency, opens, closes, summary, audiences, slug, short_period_reason):
    """Create a consultation (not yet visible) with an empty draft."""
    fields = service.ConsultationFields(
        title=title, document_kind=document_kind, agency_id=_agency_id(agency), opens_at=_moment(opens),
        closes_at=_moment(closes), slug=slug or service.suggest_slug(title), summary=summary,
        audiences=list(audiences), short_period_reason=short_period_reason)
    consultation = _save(lambda: service.create(fields))
    click.echo(f"Created {consultation.slug} (id {consultation.id}); import its text with "
               f"`flask draft import FILE --consultation {consultation.slug}`.")


@consultation_group.command("edit")
@click.argument("slug")
@click.option("--title")
@click.option("--kind", "document_kind", type=_KIND)
@click.option("--agency")
@click.option("--opens")
@click.option("--closes")
@click.option("--summary")
@click.option("--audience", "audiences", type=_AUDIENCE, multiple=True)
@click.option("--new-slug")
@click.option("--short-period-reason", default="")
def edit(slug, title, document_kind, agency, opens, closes, summary, audiences, new_slug, short_period_reason):
    """Change what is given of a consultation; the rest stays."""
    consultation = _consultation(slug)
    fields = service.fields_of(consultation)
    for name, value in (("title", title), ("document_kind", document_kind), ("summary", summary),
                        ("slug", new_slug), ("agency_id", _agency_id(agency)),
                        ("opens_at", _moment(opens) if opens else None),
                        ("closes_at", _moment(closes) if closes else None),
                        ("audiences", list(audiences) if audiences else None)):
        if value is not None:
            setattr(fields, name, value)
    fields.short_period_reason = short_period_reason
    _save(lambda: service.update(consultation, fields) or consultation)
    click.echo(f"Saved {fields.slug}.")


@consultation_group.command("list")
def list_consultations():
    """Every consultation: slug, state, kind, agency, closing time (Vietnam)."""
    for consultation in service.listing():
        closes = service.to_vietnam(consultation.closes_at).strftime("%Y-%m-%d %H:%M")
        agency = consultation.agency_organisation.code if consultation.agency_organisation else "-"
        click.echo(f"{consultation.slug}\t{consultation.state()}\t{consultation.document_kind}\t"
                   f"{agency}\t{closes}")


@consultation_group.command("min-days")
@click.argument("code")
@click.argument("days", type=click.IntRange(min=0), required=False)
def min_days(code, days):
    """Show, or set, the shortest consultation period the agency CODE runs (days)."""
    organisation = db.session.get(Organisation, _agency_id(code))
    if days is not None:
        service.set_minimum_days(organisation, days)
        db.session.commit()
    click.echo(f"{organisation.code}: {service.minimum_days(organisation)} days")
