"""Factories for formal-submission tests, built through the same services the app uses."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from consult.api import tokens
from consult.extensions import db
from consult.models import Consultation, Organisation, User, utcnow
from consult.submissions import officers, roster
from consult.submissions.demo import sample_letter_pdf
from tests.factories import make_consultation

PASSWORD = "mat-khau-dai-123"
PDF = sample_letter_pdf("Cong van so 12/BTC-PC")


def make_organisation(code: str = "BTC", kind: str = "ministry", name: str | None = None) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if organisation is None:
        organisation = Organisation(code=code, kind=kind, name=name or f"Cơ quan {code}", short_name=code)
        db.session.add(organisation)
        db.session.commit()
    return organisation


def on_roster(consultation: Consultation, *codes: str, days: int = 20) -> list[Organisation]:
    """Put these bodies (made if needed) on the roster with a deadline ``days`` from now."""
    organisations = [make_organisation(code) for code in codes]
    for organisation in organisations:
        roster.add_to_roster(consultation, organisation, utcnow() + timedelta(days=days))
    db.session.commit()
    return organisations


def make_officer(organisation: Organisation, email: str | None = None) -> User:
    user = officers.create_officer(email or f"canbo.{organisation.code.lower()}@example.vn",
                                   "Cán bộ", organisation, PASSWORD, None)
    db.session.commit()
    return user


def make_token(organisation: Organisation, scopes=("read", "submissions:write")) -> str:
    _token, raw = tokens.create_token(organisation, list(scopes), "test", None)
    db.session.commit()
    return raw


def setup_body(code: str = "BTC"):
    """A consultation with ``code`` on its roster and an officer of that body."""
    consultation = make_consultation()
    (organisation,) = on_roster(consultation, code)
    return consultation, organisation, make_officer(organisation)
