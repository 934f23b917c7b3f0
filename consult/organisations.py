"""Consulted bodies over time: the reference lists of both maps, mergers and renamings.

Vietnam's ministries were reorganised on 1 March 2025 (Resolution 176/2025/QH15) and its
provinces on 1 July 2025 (Resolution 202/2025/QH15). A body that stops existing keeps its
row, its letters and its name as it was, and points at its successor; a consultation offers
the bodies in force on its reference day (``Consultation.reference_day``).
"""
from __future__ import annotations

from datetime import date, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from consult import audit
from consult.data import (ORGANISATION_MAPS, PROVINCE_MAPS, load_organisations, load_provinces)
from consult.extensions import db
from consult.models import Organisation, User

MINISTRIES_CHANGED = ORGANISATION_MAPS["2025"]
PROVINCES_CHANGED = PROVINCE_MAPS["2025"]


class MergeRefused(Exception):
    """The merger would make a cycle or merge a body into itself."""


def load_reference_bodies() -> None:
    """Create the bodies of both maps that the database does not hold yet (by code)."""
    known = {o.code: o for o in db.session.scalars(select(Organisation))}
    _load_ministries(known)
    _load_provincial_committees(known)
    db.session.flush()


def _add(known: dict, code: str, **fields) -> Organisation:
    if code not in known:
        known[code] = Organisation(code=code, **fields)
        db.session.add(known[code])
    return known[code]


def _load_ministries(known: dict) -> None:
    new_rows = load_organisations("2025")
    new_codes = {row["code"] for row in new_rows}
    for row in load_organisations("2008"):
        _add(known, row["code"], kind=row["kind"], name=row["name"], short_name=row["short_name"],
             in_force_until=None if row["code"] in new_codes else MINISTRIES_CHANGED - timedelta(days=1))
    for row in new_rows:
        body = _add(known, row["code"], kind=row["kind"], name=row["name"],
                    short_name=row["short_name"], in_force_from=MINISTRIES_CHANGED)
        for old_code in row["formed_from"].split():
            old = known.get(old_code)
            if old is not None and old is not body and old.successor is None:
                old.successor = body


def _committee_name(row: dict) -> str:
    prefix = "Ủy ban nhân dân thành phố" if row["kind"] == "city" else "Ủy ban nhân dân tỉnh"
    return f"{prefix} {row['name']}"


def _load_provincial_committees(known: dict) -> None:
    """One People's Committee per unit; a unit of 2025 formed from one unit of 2008 with the
    same code is the same body (renamed if its name changed), one formed by a merger is new
    (code ``UBND-15-2025``) and the units it was formed from end on 30 June 2025."""
    old_rows = {row["code"]: row for row in load_provinces("2008")}
    last_old_day = PROVINCES_CHANGED - timedelta(days=1)
    for row in old_rows.values():
        _add(known, f"UBND-{row['code']}", kind="province", name=_committee_name(row),
             short_name=row["name"], province_code=row["code"])
    for row in load_provinces("2025"):
        sources = row["formed_from"].split()
        if sources == [row["code"]]:
            body = known[f"UBND-{row['code']}"]
            if body.name != _committee_name(row) and not body.former_names:
                _rename(body, _committee_name(row), PROVINCES_CHANGED, short_name=row["name"])
            continue
        body = _add(known, f"UBND-{row['code']}-2025", kind="province", name=_committee_name(row),
                    short_name=row["name"], province_code=row["code"], in_force_from=PROVINCES_CHANGED)
        for old_code in sources:
            old = known[f"UBND-{old_code}"]
            if old.successor is None:
                old.successor, old.in_force_until = body, last_old_day


def _rename(body: Organisation, name: str, day: date, short_name: str | None = None) -> None:
    body.former_names = [*(body.former_names or []),
                         {"name": body.name, "short_name": body.short_name,
                          "until": (day - timedelta(days=1)).isoformat()}]
    body.name = name
    if short_name is not None:
        body.short_name = short_name


def name_on(body: Organisation, day: date | None) -> str:
    """The body's name as it was on ``day`` (its current name when None or later)."""
    if day is not None:
        for former in body.former_names or []:
            if day <= date.fromisoformat(former["until"]):
                return former["name"]
    return body.name


def rename(body: Organisation, name: str, day: date, actor: User | None,
           short_name: str | None = None) -> None:
    """Give ``body`` a new name from ``day``; the old one stays for what came before."""
    old = body.name
    _rename(body, name, day, short_name)
    audit.record(actor, "organisation.rename", body, old_name=old, new_name=name, day=day.isoformat())


def merge(source: Organisation, target: Organisation, day: date, actor: User | None) -> None:
    """``source`` ends the day before ``day`` and ``target`` takes over its work. Its letters,
    officers' history and roster entries stay its own: a report on a past consultation still
    names the body that wrote."""
    chain, seen = target, set()
    while chain is not None and chain.id not in seen:
        if chain.id == source.id:
            raise MergeRefused(source.code)
        seen.add(chain.id)
        chain = chain.successor
    source.successor = target
    source.in_force_until = day - timedelta(days=1)
    audit.record(actor, "organisation.merge", source, into=target.code, day=day.isoformat())


def successor_in_force(body: Organisation, day: date | None) -> Organisation:
    """Follow mergers until a body that exists on ``day``."""
    seen = set()
    while not body.in_force_on(day) and body.successor is not None and body.id not in seen:
        seen.add(body.id)
        body = body.successor
    return body


organisation_group = AppGroup("organisation", help="Consulted bodies: rename, merge.")


def _find(code: str) -> Organisation:
    body = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if body is None:
        raise click.ClickException(f"No organisation with code {code}")
    return body


@organisation_group.command("rename")
@click.argument("code")
@click.argument("name")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="First day of the new name (YYYY-MM-DD).")
def rename_command(code: str, name: str, day) -> None:
    rename(_find(code), name, day.date(), None)
    db.session.commit()
    click.echo(f"{code}: {name} from {day.date():%d/%m/%Y}")


@organisation_group.command("merge")
@click.argument("source")
@click.argument("target")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="First day the target body does the work (YYYY-MM-DD).")
def merge_command(source: str, target: str, day) -> None:
    try:
        merge(_find(source), _find(target), day.date(), None)
    except MergeRefused:
        raise click.ClickException(f"{target} already merged into {source}: that would be a cycle")
    db.session.commit()
    click.echo(f"{source} merged into {target} from {day.date():%d/%m/%Y}")
