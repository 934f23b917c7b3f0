"""Vietnamese first: locale choice, number and date formats, and the catalog commands."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

from consult.extensions import babel

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
BABEL_CFG = TRANSLATIONS / "babel.cfg"
POT_FILE = TRANSLATIONS / "messages.pot"


class counted(int):  # noqa: N801 - used like int()
    """A count for ``ngettext`` that chooses the plural form as the number it is and prints as
    the reader writes numbers: ``ngettext("%(num)s opinion", "%(num)s opinions", counted(1200))``
    gives "1.200 ý kiến", where Flask-Babel alone would print "1200"."""

    def __str__(self) -> str:
        return format_decimal(int(self))


def select_locale() -> str:
    """``?lang=`` (remembered in the session), then the session, then ``vi``.

    The browser's Accept-Language is not followed: this is a Vietnamese portal, and a phone set
    to English (common in Vietnam) should not hide the Vietnamese interface. English is one
    click away on every page."""
    if not has_request_context():  # the command line speaks Vietnamese too
        return "vi"
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return "vi"


def init_app(app: Flask) -> None:
    compile_catalogs(quiet=True)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        vn_date=lambda value: format_date(value, "dd/MM/yyyy") if value else "",
        vn_datetime=lambda value: format_datetime(value, "HH:mm dd/MM/yyyy") if value else "",
        vn_time=lambda value: format_time(value, "HH:mm") if value else "",
        vn_number=lambda value: format_decimal(value),
    )
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.cli.add_command(translate)


def compile_catalogs(quiet: bool = False) -> None:
    """Write each ``.mo`` from its ``.po`` when missing or older, so a fresh clone just runs."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        try:
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
        except OSError:
            if not quiet:
                raise


@click.group()
def translate() -> None:
    """Extract, update and compile the translation catalogs."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)


@translate.command()
def extract() -> None:
    """Collect messages from consult/, surveys/ and analysis/ into messages.pot."""
    _pybabel("extract", "-F", str(BABEL_CFG), "-k", "_l", "-k", "lazy_gettext",
             "--no-location", "--sort-output", "-o", str(POT_FILE), str(ROOT))


@translate.command()
def update() -> None:
    """Extract, then merge new messages into every catalog."""
    extract.callback()
    _pybabel("update", "-i", str(POT_FILE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")


@translate.command(name="compile")
def compile_command() -> None:
    """Compile every catalog to .mo."""
    compile_catalogs()


@translate.command()
def missing() -> None:
    """List messages with no Vietnamese translation."""
    for msgid in untranslated("vi"):
        click.echo(msgid)


def untranslated(locale: str) -> list[str]:
    """Message ids of the catalog that have no translation (or only a fuzzy one)."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    return [
        str(message.id)
        for message in catalog
        if message.id and (not _translated(message.string) or message.fuzzy)
    ]


def _translated(string) -> bool:
    if isinstance(string, (list, tuple)):
        return all(string)
    return bool(string)
