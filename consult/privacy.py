"""Retention of personal data: names and contacts go once a consultation has long been closed.

The opinions stay; what identifies the person who gave them goes. ``RETENTION_DAYS_AFTER_CLOSE``
(environment ``GOPY_RETENTION_DAYS_AFTER_CLOSE``, default ``DEFAULT_RETENTION_DAYS``; ``0``
erases at the close itself; ``off`` keeps everything) counts from the consultation's
``closes_at``. Then ``purge_consultation`` erases:

- the name and contact of every citizen's sending (``Contribution``); the respondent type
  and province stay, they are needed for the tallies and identify no one;
- whatever the other packages register with ``register_eraser``: the surveys erase the
  answers to questions marked personal (``Question.parameters["personal"]``);

and sends ``personal_data_erased``, on which ``analysis.erasure`` deletes the prepared export
files and stored analysis results built while the data was there. The erase-by-receipt page
(``consult.comments.erase_personal_data``) sends the same signal.

Formal submissions keep the organisation, the letter's number, date and signer: they are an
agency's official act, part of the record the synthesis report answers, not a citizen's data.

It runs from ``flask privacy purge [--dry-run]`` and, with Redis, from the RQ worker's
maintenance once an hour (``consult.worker``). See docs/privacy.md.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from blinker import Namespace
from sqlalchemy import func, or_, select, update

from consult import audit
from consult.extensions import db
from consult.models import Consultation, Contribution, utcnow

#: Days after a consultation closes before names and contacts are erased (documented default).
DEFAULT_RETENTION_DAYS = 180

_signals = Namespace()
#: Sent after personal data of a consultation was erased (in the same transaction):
#: ``send(None, consultation_id=…, reason="retention" | "receipt")``.
personal_data_erased = _signals.signal("personal-data-erased")

#: ``eraser(consultation_id, dry_run) -> {what: count}``, registered by other packages.
_erasers: list[Callable[[int, bool], dict[str, int]]] = []


def register_eraser(eraser: Callable[[int, bool], dict[str, int]]) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


@dataclass
class PurgeReport:
    consultation_id: int
    slug: str
    closed_at: datetime
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def erased(self) -> int:
        return sum(self.counts.values())

    def as_log(self) -> dict:
        return {"consultation_id": self.consultation_id, "dry_run": self.dry_run, **self.counts}


def retention_days(config) -> int | None:
    """The configured retention in days; None when retention is switched off."""
    value = config.get("RETENTION_DAYS_AFTER_CLOSE", DEFAULT_RETENTION_DAYS)
    if value is None or str(value).strip().lower() in ("", "off", "none"):
        return None
    days = int(value)
    if days < 0:
        raise ValueError("RETENTION_DAYS_AFTER_CLOSE must be 0 or more")
    return days


def expired_consultations(days: int | None, now: datetime | None = None) -> list[Consultation]:
    """Consultations past their retention at ``now``: closed at least their own
    ``retention_days`` before it, else the platform's ``days`` (None: the platform's retention
    is off, so only consultations with their own retention expire)."""
    now = now or utcnow()
    closed = db.session.scalars(select(Consultation).where(Consultation.closes_at <= now)
                                .order_by(Consultation.id))
    expired = []
    for consultation in closed:
        own = consultation.retention_days if consultation.retention_days is not None else days
        if own is not None and consultation.closes_at <= now - timedelta(days=own):
            expired.append(consultation)
    return expired


def purge_expired(config=None, *, dry_run: bool = False, now: datetime | None = None) -> list[PurgeReport]:
    """Erase (or, dry run, count) the personal data of every consultation past retention.

    Returns one report per consultation that had something to erase. The caller commits."""
    from flask import current_app

    days = retention_days(config if config is not None else current_app.config)
    reports = [purge_consultation(c, dry_run=dry_run) for c in expired_consultations(days, now)]
    return [report for report in reports if report.erased]


def purge_consultation(consultation: Consultation, *, dry_run: bool = False) -> PurgeReport:
    """Erase the names and contacts of one consultation's respondents; opinions stay."""
    report = PurgeReport(consultation.id, consultation.slug, consultation.closes_at, dry_run)
    report.counts["contributions"] = _erase_contributions(consultation.id, dry_run)
    for eraser in _erasers:
        report.counts.update(eraser(consultation.id, dry_run))
    if report.erased and not dry_run:
        audit.record(None, "privacy.retention_purge", consultation, **report.counts)
        personal_data_erased.send(None, consultation_id=consultation.id, reason="retention")
    return report


def _erase_contributions(consultation_id: int, dry_run: bool) -> int:
    holding = (Contribution.consultation_id == consultation_id,
               or_(Contribution.name != "", Contribution.contact != ""))
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(Contribution).where(*holding)) or 0
    result = db.session.execute(update(Contribution).where(*holding).values(name="", contact="")
                                .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def receipt_erased(contribution: Contribution) -> None:
    """A citizen erased their name and contact by receipt: reach the derived files too."""
    personal_data_erased.send(None, consultation_id=contribution.consultation_id, reason="receipt")
