"""The roster: which bodies must answer a consultation, by when, and who has answered.

Pure module (no Flask): the web pages, the API, the CLI and the demo share it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import case, func, select

from consult import audit
from consult.clock import VIETNAM_OFFSET, vn_date
from consult.extensions import db
from consult.models import Consultation, Organisation, Provision, User, utcnow
from consult.submissions.models import RosterEntry, Submission, SubmissionOpinion

#: A body's answer, as the roster shows it.
ROSTER_STATUSES = ("not_started", "draft", "submitted", "no_comment")

#: Kinds of organisation offered when the drafting team adds a whole group at once.
ROSTER_GROUPS = ("ministry", "ministerial_agency", "government_agency", "province", "association")


def end_of_vn_day(day: date) -> datetime:
    """23:59:59 Vietnam time on ``day``, as naive UTC: deadlines are whole Vietnam days."""
    return datetime.combine(day, time(23, 59, 59)) - VIETNAM_OFFSET


def days_left(deadline: datetime, now: datetime | None = None) -> int:
    """Whole Vietnam calendar days from today to the deadline's day (negative when past)."""
    return (vn_date(deadline) - vn_date(now or utcnow())).days


@dataclass
class RosterRow:
    entry: RosterEntry
    status: str
    current: Submission | None
    draft: Submission | None
    days_left: int
    overdue: bool

    @property
    def organisation(self) -> Organisation:
        return self.entry.organisation


def add_to_roster(consultation: Consultation, organisation: Organisation,
                  deadline: datetime) -> tuple[RosterEntry, bool]:
    """Put a body on the roster, or move its deadline. Returns ``(entry, created)``."""
    entry = find_entry(consultation, organisation.id)
    if entry is not None:
        entry.deadline = deadline
        return entry, False
    entry = RosterEntry(consultation=consultation, organisation=organisation, deadline=deadline)
    db.session.add(entry)
    return entry, True


def add_group(consultation: Consultation, kind: str, deadline: datetime,
              exclude_codes: frozenset[str] = frozenset()) -> int:
    """Put every organisation of one kind that exists on the consultation's reference day on
    the roster; returns how many were added."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.kind == kind,
                                   Organisation.in_force_clause(consultation.reference_day))
        .order_by(Organisation.code)
    ).all()
    added = 0
    for organisation in organisations:
        if organisation.code not in exclude_codes:
            added += add_to_roster(consultation, organisation, deadline)[1]
    return added


def find_entry(consultation: Consultation, organisation_id: int | None) -> RosterEntry | None:
    if organisation_id is None:
        return None
    return db.session.scalar(select(RosterEntry).where(
        RosterEntry.consultation_id == consultation.id,
        RosterEntry.organisation_id == organisation_id))


class BodyHasLetters(Exception):
    """The body has a letter (submitted or in preparation): it stays on the roster."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


def set_deadline(entry: RosterEntry, deadline: datetime, actor: User | None) -> bool:
    """Move one body's deadline; False when it is already that (a replayed form)."""
    if entry.deadline == deadline:
        return False
    previous = entry.deadline
    entry.deadline = deadline
    audit.record(actor, "roster.deadline", entry, organisation=entry.organisation.code,
                 consultation=entry.consultation.slug, previous=vn_date(previous).isoformat(),
                 deadline=vn_date(deadline).isoformat())
    return True


def letter_count(entry: RosterEntry) -> int:
    """How many letters, submitted or in preparation, the body has for this consultation."""
    return db.session.scalar(select(func.count(Submission.id)).where(
        Submission.consultation_id == entry.consultation_id,
        Submission.organisation_id == entry.organisation_id)) or 0


def remove_from_roster(entry: RosterEntry, actor: User | None) -> None:
    """Take a body off the roster; refused (``BodyHasLetters``) once it has any letter,
    because its letters are official records tied to its place on the roster."""
    count = letter_count(entry)
    if count:
        raise BodyHasLetters(count)
    audit.record(actor, "roster.remove", entry, organisation=entry.organisation.code,
                 consultation=entry.consultation.slug, deadline=vn_date(entry.deadline).isoformat())
    db.session.delete(entry)


def consultations_for(organisation_id: int) -> list[RosterEntry]:
    """The roster entries of one body, soonest deadline first."""
    return db.session.scalars(
        select(RosterEntry).where(RosterEntry.organisation_id == organisation_id)
        .order_by(RosterEntry.deadline)
    ).all()


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    #: (line number, code as written, problem): problem is ``unknown_code``, ``missing_code``,
    #: ``bad_deadline`` or ``duplicate``.
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def import_csv(consultation: Consultation, text: str, default_deadline: datetime) -> ImportReport:
    """Add bodies from CSV by organisation code.

    Columns: ``code`` (required) and ``deadline`` (optional, ``dd/mm/yyyy`` or
    ``yyyy-mm-dd``, a Vietnam day; empty takes ``default_deadline``). A file without a
    header row is read as one code per line. Lines with problems are reported and skipped;
    the others are imported.
    """
    report = ImportReport()
    organisations = {o.code.upper(): o for o in db.session.scalars(select(Organisation))}
    seen: set[str] = set()
    for line, code, deadline_text in _csv_rows(text):
        problem, deadline = _check_row(code, deadline_text, organisations, seen, default_deadline)
        if problem:
            report.problems.append((line, code, problem))
            continue
        seen.add(code.upper())
        _, created = add_to_roster(consultation, organisations[code.upper()], deadline)
        if created:
            report.added += 1
        else:
            report.updated += 1
    return report


def _csv_rows(text: str):
    """(line number, code, deadline text) for every non-empty data line."""
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "code" in header:
        code_at = header.index("code")
        deadline_at = header.index("deadline") if "deadline" in header else None
        data, first_line = rows[1:], 2
    else:
        code_at, deadline_at, data, first_line = 0, 1, rows, 1
    for offset, row in enumerate(data):
        if not any(cell.strip() for cell in row):
            continue
        code = row[code_at].strip() if len(row) > code_at else ""
        deadline = row[deadline_at].strip() if deadline_at is not None and len(row) > deadline_at else ""
        yield first_line + offset, code, deadline


def _check_row(code, deadline_text, organisations, seen, default_deadline):
    if not code:
        return "missing_code", None
    if code.upper() not in organisations:
        return "unknown_code", None
    if code.upper() in seen:
        return "duplicate", None
    if not deadline_text:
        return None, default_deadline
    day = parse_day(deadline_text)
    if day is None:
        return "bad_deadline", None
    return None, end_of_vn_day(day)


def parse_day(text: str) -> date | None:
    """``dd/mm/yyyy`` (as Vietnamese write dates) or ISO ``yyyy-mm-dd``."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def roster_rows(consultation: Consultation, now: datetime | None = None) -> list[RosterRow]:
    """Every body on the roster with its answer: ministries, agencies, provinces, associations."""
    now = now or utcnow()
    entries = db.session.scalars(
        select(RosterEntry).join(Organisation)
        .where(RosterEntry.consultation_id == consultation.id)
        .order_by(_kind_order(), Organisation.code)
    ).all()
    live = db.session.scalars(select(Submission).where(
        Submission.consultation_id == consultation.id,
        Submission.status.in_(("draft", "submitted")))).all()
    drafts = {s.organisation_id: s for s in live if s.status == "draft"}
    current = {s.organisation_id: s for s in live if s.status == "submitted"}
    return [_row(entry, current.get(entry.organisation_id), drafts.get(entry.organisation_id), now)
            for entry in entries]


def _kind_order():
    return case({kind: index for index, kind in enumerate(ROSTER_GROUPS)},
                value=Organisation.kind, else_=len(ROSTER_GROUPS))


def _row(entry: RosterEntry, current: Submission | None, draft: Submission | None,
         now: datetime) -> RosterRow:
    if current is not None:
        status = "no_comment" if current.no_comment else "submitted"
    else:
        status = "draft" if draft is not None else "not_started"
    answered = current is not None
    return RosterRow(entry=entry, status=status, current=current, draft=draft,
                     days_left=days_left(entry.deadline, now),
                     overdue=not answered and now > entry.deadline)


def status_counts(rows: list[RosterRow]) -> dict[str, int]:
    counts = dict.fromkeys(ROSTER_STATUSES, 0)
    for row in rows:
        counts[row.status] += 1
    counts["overdue"] = sum(row.overdue for row in rows)
    return counts


def reminder_csv(rows: list[RosterRow], headers: list[str], status_labels: dict) -> str:
    """The roster as CSV for reminder letters: UTF-8 with a BOM so Excel reads Vietnamese.

    ``headers`` are the column titles in the reader's language (9 of them), in the order
    code, name, kind, status, deadline, days left, overdue, letter number, submitted at.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        current = row.current
        writer.writerow([_cell(value) for value in [
            row.organisation.code, row.organisation.name, row.organisation.kind,
            status_labels.get(row.status, row.status),
            vn_date(row.entry.deadline).strftime("%d/%m/%Y"), row.days_left,
            "x" if row.overdue else "",
            current.letter_number if current else "",
            (current.submitted_at + VIETNAM_OFFSET).strftime("%d/%m/%Y %H:%M") if current else "",
        ]])
    return out.getvalue()


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @) is quoted to stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def opinions_by_article(consultation: Consultation) -> list[tuple[Provision | None, list]]:
    """Opinions of the letters in force, grouped by article in document order.

    Returns ``[(article Provision or None for general opinions, [SubmissionOpinion, …]), …]``,
    general opinions first.
    """
    rows = db.session.execute(
        select(SubmissionOpinion, Provision.position)
        .join(Submission, Submission.id == SubmissionOpinion.submission_id)
        .outerjoin(Provision, Provision.id == SubmissionOpinion.article_id)
        .where(Submission.consultation_id == consultation.id, Submission.status == "submitted")
        .order_by(Provision.position.is_not(None), Provision.position, SubmissionOpinion.id)
    ).all()
    groups: list[tuple[Provision | None, list]] = []
    for opinion, _position in rows:
        if not groups or groups[-1][0] is not opinion.article:
            groups.append((opinion.article, []))
        groups[-1][1].append(opinion)
    return groups
