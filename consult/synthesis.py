"""The synthesis report: Bản tổng hợp, giải trình, tiếp thu ý kiến góp ý.

The official table the drafting ministry attaches to the draft it sends on: per article, in
draft order (general opinions first), who said what and how the drafting team answered
(tiếp thu, giải trình …), with the counts of opinions received by audience above it.

``build_report`` turns the decisions into plain data in the current locale; the report is
an official Vietnamese document, so callers build it under ``force_locale("vi")`` (see
``report_in_vietnamese``). ``to_xlsx`` here and ``consult.synthesis_docx.to_docx`` write it as
the files offices use.
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, format_decimal, gettext as _, ngettext
from sqlalchemy import select

from consult import decisions
from consult.clock import vn_today
from consult.i18n import counted
from consult.lazy import lazy_module
from consult.decisions import Opinion
from consult.domain import DECISION_OUTCOMES, RESPONDENT_TYPES
from consult.extensions import db
from consult.models import Consultation, Organisation, utcnow
from consult.submissions.models import RosterEntry, Submission
from consult.templating import citation

#: The Word and Excel writers load with the first download, not in every web worker.
xlsxwriter = lazy_module("xlsxwriter")

#: The language of the official document, whatever the reader's interface language.
REPORT_LOCALE = "vi"
#: Audiences counted in the report's header, in the order it names them.
AUDIENCES = ("ministries", "provinces", "organisations", "citizens")
_AUDIENCE_OF_KIND = {"ministry": "ministries", "ministerial_agency": "ministries",
                     "government_agency": "ministries", "province": "provinces"}


@dataclass
class ReportRow:
    """One row of the table: the opinions answered together (or identical ones still open)."""

    number: int
    provisions: str
    sources: str
    content: str
    #: An outcome of ``DECISION_OUTCOMES``; None while undecided ("Chưa xử lý").
    outcome: str | None
    answer_label: str
    reason: str
    opinions: int
    #: The provision's wording in the new version, as the decision quotes it ("" for none).
    new_wording: str = ""

    @property
    def new_wording_text(self) -> str:
        """The new wording under its heading ("Nội dung sửa đổi: …"), or ""."""
        return f"{_('New wording')}:\n{self.new_wording}" if self.new_wording else ""

    @property
    def answer(self) -> str:
        """The last column as one text: the outcome's label, the reason, then the new wording."""
        return "\n".join(part for part in (self.answer_label, self.reason, self.new_wording_text) if part)


@dataclass
class SynthesisReport:
    consultation_slug: str
    title: str
    subtitle: str
    agency: str
    #: audience (``AUDIENCES``) → opinions received
    received: dict[str, int]
    letters: int
    #: "Body (CV số …)" of each letter in force that agreed without comment
    no_comment: list[str]
    undecided: int
    #: The unit under the agency that issues the report ("Ban soạn thảo"), as the letterhead names it.
    issuer: str = ""
    #: The document number ("125/BC-BKHĐT"); empty: left to fill in at registration.
    number: str = ""
    #: Where it is issued, for the place-date line ("Hà Nội").
    place: str = ""
    rows: list[ReportRow] = field(default_factory=list)
    #: bodies' audience → (bodies on the roster with a letter in force, bodies on the roster)
    roster: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Of ``received``: open-text survey answers on an article (counted there by who answered).
    surveyed: int = 0
    made_at: datetime = field(default_factory=utcnow)

    @property
    def total(self) -> int:
        return sum(self.received.values())

    @property
    def complete(self) -> bool:
        return self.undecided == 0


def report_in_vietnamese(consultation: Consultation) -> SynthesisReport:
    with force_locale(REPORT_LOCALE):
        return build_report(consultation)


def build_report(consultation: Consultation) -> SynthesisReport:
    """The report's data in the current locale. Reads only; never changes a decision."""
    groups = decisions.opinions_by_article(consultation)
    opinions = [opinion for group in groups for opinion in group.opinions]
    in_force = _letters_in_force(consultation)
    draft = consultation.draft
    report = SynthesisReport(
        consultation_slug=consultation.slug,
        title=_("SYNTHESIS OF THE OPINIONS RECEIVED, THE EXPLANATIONS AND WHAT WAS ACCEPTED"),
        subtitle=_("on the draft %(title)s", title=_draft_name(draft.title if draft else consultation.title)),
        agency=consultation.agency, received=received_by_audience(opinions), letters=len(in_force),
        no_comment=[letter_source(letter) for letter in in_force if letter.no_comment],
        undecided=sum(1 for opinion in opinions if opinion.decision is None),
        surveyed=sum(1 for opinion in opinions if opinion.is_survey), **_letterhead())
    report.rows = [_row(number, members) for number, members in enumerate(_row_members(opinions), start=1)]
    report.roster = roster_answers(consultation, {letter.organisation_id for letter in in_force})
    return report


def _letterhead() -> dict[str, str]:
    """Who issues the report, its number and place, from the settings (docs/operations.md)."""
    config = current_app.config
    return {"issuer": (config.get("REPORT_ISSUER") or "").strip() or _("Drafting committee"),
            "number": (config.get("REPORT_NUMBER") or "").strip(),
            "place": (config.get("REPORT_PLACE") or "").strip() or _("Hanoi")}


def roster_answers(consultation: Consultation, answered_ids: set[int]) -> dict[str, tuple[int, int]]:
    """Per audience of bodies, how many on the roster answered (a letter in force, "no comment"
    included) out of how many were asked: the first thing a report to the Government states."""
    counts: dict[str, list[int]] = {}
    rows = db.session.execute(
        select(RosterEntry.organisation_id, Organisation.kind)
        .join(Organisation, Organisation.id == RosterEntry.organisation_id)
        .where(RosterEntry.consultation_id == consultation.id)).all()
    for organisation_id, kind in rows:
        tally = counts.setdefault(_AUDIENCE_OF_KIND.get(kind, "organisations"), [0, 0])
        tally[0] += organisation_id in answered_ids
        tally[1] += 1
    return {audience: tuple(counts[audience]) for audience in AUDIENCES if audience in counts}


def _draft_name(title: str) -> str:
    """"Dự thảo Luật X" → "Luật X": the subtitle already says "đối với dự thảo"."""
    title = unicodedata.normalize("NFC", title)
    return re.sub(r"^\s*dự thảo\s+", "", title, flags=re.IGNORECASE) or title


def _letters_in_force(consultation: Consultation) -> list[Submission]:
    return db.session.scalars(
        select(Submission).join(Organisation, Organisation.id == Submission.organisation_id)
        .where(Submission.consultation_id == consultation.id, Submission.status == decisions.IN_FORCE)
        .order_by(Submission.submitted_at, Submission.id)).all()


def received_by_audience(opinions: list[Opinion]) -> dict[str, int]:
    """Opinions per audience: a letter's and an invited organisation's survey answer by the
    body's kind, every other comment and survey answer as a citizen's."""
    counts = dict.fromkeys(AUDIENCES, 0)
    for opinion in opinions:
        if opinion.organisation is not None:
            counts[_AUDIENCE_OF_KIND.get(opinion.organisation.kind, "organisations")] += 1
        else:
            counts["citizens"] += 1
    return counts


def _row_members(opinions: list[Opinion]) -> list[list[Opinion]]:
    """Opinions answered by one decision make one row, placed where its first opinion stands;
    undecided identical opinions on one article make one row."""
    rows: dict[tuple, list[Opinion]] = {}
    for opinion in opinions:
        if opinion.decision is not None:
            key = ("decided", opinion.decision.id)
        else:
            key = ("undecided", opinion.anchor, opinion.body_normalized)
        rows.setdefault(key, []).append(opinion)
    return list(rows.values())


def _row(number: int, opinions: list[Opinion]) -> ReportRow:
    decision = opinions[0].decision
    return ReportRow(
        number=number, provisions=provisions_text(opinions), sources=sources_text(opinions),
        content=content_text(opinions), outcome=decision.outcome if decision else None,
        answer_label=str(DECISION_OUTCOMES[decision.outcome]) if decision else _("Not yet decided"),
        reason=decision.reason if decision else "", opinions=len(opinions),
        new_wording=(decision.new_wording or "") if decision else "")


def provisions_text(opinions: list[Opinion]) -> str:
    """The provisions cited, once each: "Khoản 1 Điều 26; Điều 26", or "Góp ý chung"."""
    cited = [_cited(o) if o.provision is not None else _("General opinions") for o in opinions]
    return "; ".join(dict.fromkeys(cited))


def _cited(opinion: Opinion) -> str:
    """The provision in force it landed on; an article removed since says from which version."""
    if opinion.carried == "removed":
        return _("%(citation)s of version %(number)s (removed since)", citation=citation(opinion.provision),
                 number=opinion.provision.version.number)
    return citation(opinion.provision)


def letter_source(letter: Submission) -> str:
    name = letter.organisation.name
    if not letter.letter_number:
        return name
    return _("%(organisation)s (letter no. %(number)s)", organisation=name, number=letter.letter_number)


def sources_text(opinions: list[Opinion]) -> str:
    """Who said it: each body with its letter, then citizens counted by respondent type,
    never a citizen's name: "Bộ Tài chính (CV số 123/BTC-PC); 37 ý kiến (Người dân)"."""
    letters = dict.fromkeys(o.submission for o in opinions if o.is_letter)
    parts = [letter_source(letter) for letter in letters]
    # Organisations invited to a survey answer under their name, like their letters.
    surveyed = dict.fromkeys(o.organisation for o in opinions if o.is_survey and o.organisation is not None)
    parts += [_("%(name)s (survey)", name=organisation.name) for organisation in surveyed]
    by_type = Counter(o.respondent_type for o in opinions
                      if not o.is_letter and not (o.is_survey and o.organisation is not None))
    for key in [*RESPONDENT_TYPES, *sorted(k for k in by_type if k not in RESPONDENT_TYPES and k)]:
        if by_type.get(key):
            parts.append(_people(by_type[key], RESPONDENT_TYPES.get(key, key)))
    if by_type.get(None):
        parts.append(_people(by_type[None], _("respondent type not given")))
    return "; ".join(parts)


def _people(count: int, who) -> str:
    return ngettext("%(num)s opinion (%(who)s)", "%(num)s opinions (%(who)s)", counted(count), who=str(who))


def content_text(opinions: list[Opinion]) -> str:
    """The texts as written, each distinct one once, with "(× N)" for identical copies."""
    texts: dict[str, list] = {}
    for opinion in opinions:
        # composed (NFC): a text typed decomposed shows broken in Word's fonts
        texts.setdefault(opinion.body_normalized, [unicodedata.normalize("NFC", opinion.body), 0])[1] += 1
    shown = [f"{body} (× {format_decimal(count)})" if count > 1 else body for body, count in texts.values()]
    if len(shown) == 1:
        return shown[0]
    return "\n".join(f"- {text}" for text in shown)


def report_filename(consultation: Consultation, extension: str, now: datetime | None = None) -> str:
    """ASCII only, as every browser and mail client keeps it: bao-cao-tong-hop-<slug>-<yyyymmdd>."""
    folded = unicodedata.normalize("NFD", consultation.slug.lower().replace("đ", "d"))
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(c for c in folded if not unicodedata.combining(c)))
    slug = slug.strip("-") or str(consultation.id)
    return f"bao-cao-tong-hop-{slug}-{vn_today(now):%Y%m%d}.{extension}"


# --- files ------------------------------------------------------------------------------------

#: Vietnamese official documents (Nghị định 30/2020/NĐ-CP) use Times New Roman, 13 to 14 pt.
FONT = "Times New Roman"
FONT_POINTS = 13


def column_headings() -> list[str]:
    return [_("Item no."), _("Article, clause"), _("Bodies, organisations and people who commented"),
            _("Content of the opinion"), _("Accepted, partly accepted or explained")]


def summary_lines(report: SynthesisReport) -> list[str]:
    """The header's counts in sentences, the warning about undecided opinions last."""
    received = {key: format_decimal(value) for key, value in report.received.items()}
    lines = [_("Opinions received: %(total)s, of which ministries and government agencies: "
               "%(ministries)s; provinces: %(provinces)s; other organisations: %(organisations)s; "
               "citizens, cooperatives and businesses: %(citizens)s.",
               total=format_decimal(report.total), **received),
             _("Letters received: %(num)s.", num=format_decimal(report.letters))]
    if report.surveyed:
        lines.append(_("Of the opinions received, answers to survey questions on the draft's articles: %(num)s.",
                       num=format_decimal(report.surveyed)))
    if report.roster:
        labels = {"ministries": _("ministries and government agencies"), "provinces": _("provinces"),
                  "organisations": _("other organisations")}
        parts = [f"{labels[audience]} {format_decimal(answered)}/{format_decimal(asked)}"
                 for audience, (answered, asked) in report.roster.items()]
        lines.append(_("Bodies consulted that answered: %(parts)s.", parts="; ".join(parts)))
    if report.no_comment:
        lines.append(_("Bodies that agreed without comment (%(num)s): %(names)s.",
                       num=len(report.no_comment), names="; ".join(report.no_comment)))
    else:
        lines.append(_("Bodies that agreed without comment: none."))
    if report.complete:
        lines.append(_("Every opinion has been decided."))
    else:
        lines.append(_("Opinions not yet decided: %(num)s. This synthesis is not complete.",
                       num=format_decimal(report.undecided)))
    return lines


#: Excel holds at most 32,767 characters in a cell; about this many fit a line of the merged rows.
EXCEL_CELL_LIMIT = 32_767
MERGED_LINE_CHARACTERS = 140


def excel_cell(text: str) -> str:
    """``text`` as one Excel cell: over the limit it is cut, and says where the rest is."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    note = _("… (cut: the whole text is in the Word file)")
    return text[:EXCEL_CELL_LIMIT - len(note) - 1] + " " + note


def to_xlsx(report: SynthesisReport) -> bytes:
    """The report as Excel: the same table, wrapped text, printed landscape with its heading row."""
    out = io.BytesIO()
    # Opinions are text as people wrote it: "=…" must not become a formula, nor "http…" a link.
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Synthesis")[:31])
    base = {"font_name": FONT, "font_size": 12, "text_wrap": True, "valign": "top"}
    title = workbook.add_format({**base, "bold": True, "align": "center", "font_size": 13})
    text = workbook.add_format(base)
    head = workbook.add_format({**base, "bold": True, "align": "center", "border": 1, "bg_color": "#E7EEF7"})
    cell = workbook.add_format({**base, "border": 1})
    for column, width in enumerate((6, 16, 30, 60, 45)):
        sheet.set_column(column, column, width)
    top = [report.title, report.subtitle]
    for row, line in enumerate(top):
        sheet.merge_range(row, 0, row, 4, line, title)
    for row, line in enumerate(summary_lines(report), start=len(top)):
        sheet.merge_range(row, 0, row, 4, line, text)
        sheet.set_row(row, 16 * (1 + len(line) // MERGED_LINE_CHARACTERS))  # merged cells do not grow
    header_row = len(top) + len(summary_lines(report)) + 1
    sheet.write_row(header_row, 0, column_headings(), head)
    for offset, row in enumerate(report.rows, start=1):
        sheet.write_number(header_row + offset, 0, row.number, cell)
        for column, value in enumerate([row.provisions, row.sources, row.content, row.answer], start=1):
            sheet.write_string(header_row + offset, column, excel_cell(value), cell)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    workbook.close()
    return out.getvalue()
