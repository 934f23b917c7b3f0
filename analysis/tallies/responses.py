"""Responses as a wide table, one row per response, read in chunks for exports.

The table has the respondent's profile first, then one column per question — or per option
for multiple choice and rankings (the chosen mark or the rank), per row for a matrix, plus an
"other, specify" column where a question has that option. Rows come ``CHUNK`` responses at a
time (keyset pagination on ``Response.id``), each chunk's answers pivoted with pandas, so an
export of a million answers holds a few thousand in memory at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.tallies.filters import ResponseFilters, responses_where
from analysis.tallies.sql import rows_frame
from consult.clock import VIETNAM_OFFSET
from analysis.tallies.structure import CHOICE_FAMILIES, QuestionInfo, SurveyInfo, load_survey, nfc
from consult.data import province_names
from consult.lazy import lazy_module
from consult.models import Organisation
from surveys.models import Answer, Invitation, Response

pd = lazy_module("pandas")

CHUNK = 2000
ANSWER_COLUMNS = ["response_id", "question_id", "choice_id", "row_name", "value_text", "value_number",
                  "value_date", "rank", "other_text"]
PROFILE_KEYS = ["receipt_code", "submitted_at", "respondent_type", "province", "organisation", "audience"]


#: Headers and phrases in English, for the CLI, the benchmark and tests; the web layer passes
#: its own ``words`` with the Vietnamese translations.
ENGLISH_WORDS = {
    "receipt_code": "Receipt code", "submitted_at": "Submitted at", "respondent_type": "Respondent type",
    "province": "Province", "organisation": "Organisation", "audience": "Answered through",
    "open": "Open link", "invited": "Invitation", "deleted_option": "%(name)s (deleted option)",
    "other_text": "other (specified)", "comment_id": "No.", "sent_at": "Sent at", "status": "Status",
    "article_number": "Article", "article_title": "Article title", "provision": "Provision",
    "body": "Opinion", "comments_sheet": "Opinions", "responses_sheet": "Responses", "tally_sheet": "Tallies",
    "respondents": "Respondents", "answered": "Answered", "skipped": "Skipped", "not_shown": "Not shown",
    "mean": "Mean", "median": "Median", "min": "Minimum", "max": "Maximum", "n": "Answers",
    "option": "Option", "count": "Count", "share": "Share", "mean_rank": "Average rank", "group": "Group",
    "counts": "Counts", "shares": "Shares", "statistics": "Statistics",
}


def english_words(key: str) -> str:
    return ENGLISH_WORDS.get(key, key)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    #: ``text``, ``number``, ``date`` or ``datetime``: how a writer formats the cells.
    type: str = "text"


def question_columns(question: QuestionInfo, extra_options: list[str], words: Callable[[str], str]) -> list[tuple]:
    """(question_id, subkey, Column) for one question; ``extra_options`` are stored option
    names no longer in the survey (deleted options), which keep a column of their own."""
    family, label = question.family, question.label
    qid = question.id
    if family in ("multiple", "ranking"):
        kind = "number"
        options = [(name, option_label) for name, option_label, _, _ in question.choices.values()]
        options += list((question.builtin or {}).items())
        options += [(name, str(words("deleted_option")) % {"name": name}) for name in extra_options]
        columns = [(qid, name, Column(f"q{qid}:{name}", f"{label}: {option_label}", kind))
                   for name, option_label in options]
    elif family == "matrix":
        columns = [(qid, row, Column(f"q{qid}:{row}", f"{label}: {row_label}"))
                   for row, row_label in question.rows.items()]
    else:
        kind = {"scale": "number", "number": "number", "date": "date"}.get(family, "text")
        columns = [(qid, "", Column(f"q{qid}", label, kind))]
    if any(is_other for *_, is_other in question.choices.values()):
        columns.append((qid, "__other__", Column(f"q{qid}:other", f"{label}: {words('other_text')}")))
    return columns


def deleted_options(session: Session, survey: SurveyInfo) -> dict[int, list[str]]:
    """Stored option names with no current option, per multiple-choice or ranking question."""
    ids = [q.id for q in survey.by_family("multiple", "ranking")]
    if not ids:
        return {}
    rows = session.execute(select(Answer.question_id, Answer.value_text)
                           .where(Answer.question_id.in_(ids), Answer.choice_id.is_(None),
                                  Answer.value_text.is_not(None))
                           .group_by(Answer.question_id, Answer.value_text)).all()
    result: dict[int, list[str]] = {}
    for question_id, name in rows:
        question = survey.question(question_id)
        known = {n for n, *_ in question.choices.values()} | set(question.builtin or {})
        if nfc(name) not in known and nfc(name) not in result.get(question_id, []):
            result.setdefault(question_id, []).append(nfc(name))
    return result


class ResponseTable:
    """Header and chunked rows of a survey's responses; see the module docstring."""

    def __init__(self, session: Session, survey_id: int, filters: ResponseFilters | None = None,
                 words: Callable[[str], str] = english_words, labels: dict | None = None, locale: str = "vi",
                 chunk_size: int = CHUNK):
        """``words(key)`` gives the translated header or phrase for a key (see PROFILE_KEYS,
        ``deleted_option`` with ``%(name)s``, ``other_text``, ``open``, ``invited``);
        ``labels`` maps stored keys to labels: ``{"respondent_type": {...}}``."""
        self.session, self.filters, self.chunk_size = session, filters, chunk_size
        self.words, self.labels = words, labels or {}
        self.survey = load_survey(session, survey_id, locale)
        extra = deleted_options(session, self.survey) if self.survey else {}
        self._lookup = [spec for q in (self.survey.questions if self.survey else [])
                        for spec in question_columns(q, extra.get(q.id, []), words)]
        self.columns = ([Column("receipt_code", words("receipt_code")),
                         Column("submitted_at", words("submitted_at"), "datetime")]
                        + [Column(key, words(key)) for key in PROFILE_KEYS[2:]]
                        + [column for *_, column in self._lookup])
        self._positions = pd.DataFrame([(qid, sub, i) for i, (qid, sub, _) in enumerate(self._lookup)],
                                       columns=["question_id", "subkey", "position"])
        self._option_labels = self._choice_label_frame()
        self._question_ids = [q.id for q in self.survey.questions] if self.survey else []
        self._provinces = province_names(self.survey.province_map if self.survey else "2008")

    def _choice_label_frame(self) -> pd.DataFrame:
        rows = []
        for q in self.survey.questions if self.survey else []:
            if q.family in CHOICE_FAMILIES:
                rows += [(q.id, name, label) for name, label, _, _ in q.choices.values()]
                rows += [(q.id, code, label) for code, label in (q.builtin or {}).items()]
        return pd.DataFrame(rows, columns=["question_id", "value_text", "label"])

    @property
    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def count(self) -> int:
        if self.survey is None:
            return 0
        return self.session.scalar(select(func.count()).select_from(Response)
                                   .where(responses_where(self.survey.id, self.filters)))

    def rows(self) -> Iterator[list]:
        """Every response's row, in response order, ``chunk_size`` responses per query."""
        if self.survey is None:
            return
        last_id = 0
        while True:
            profiles = self._profiles(last_id)
            if not profiles:
                return
            last_id = profiles[-1][0]
            yield from self._chunk_rows(profiles)

    def _profiles(self, after_id: int) -> list[tuple]:
        return self.session.connection().execute(
            select(Response.id, Response.receipt_code, Response.submitted_at, Response.respondent_type,
                   Response.province_code, Organisation.name, Response.invitation_id)
            .outerjoin(Invitation, Invitation.id == Response.invitation_id)
            .outerjoin(Organisation, Organisation.id == Invitation.organisation_id)
            .where(responses_where(self.survey.id, self.filters), Response.id > after_id)
            .order_by(Response.id).limit(self.chunk_size)).all()

    def _chunk_rows(self, profiles: list[tuple]) -> Iterator[list]:
        ids = [row[0] for row in profiles]
        answers = rows_frame(self.session, select(
            Answer.response_id, Answer.question_id, Answer.choice_id, Answer.row_name, Answer.value_text,
            Answer.value_number, Answer.value_date, Answer.rank, Answer.other_text)
            .where(Answer.response_id.in_(ids), Answer.question_id.in_(self._question_ids),
                   Answer.has_value()), ANSWER_COLUMNS)
        wide = self._wide(answers, ids)
        types = self.labels.get("respondent_type", {})
        for profile, cells in zip(profiles, wide):
            _, receipt, submitted, respondent_type, province, organisation, invitation_id = profile
            yield [receipt, submitted + VIETNAM_OFFSET if isinstance(submitted, datetime) else submitted,
                   types.get(respondent_type, respondent_type) if respondent_type else None,
                   self._provinces.get(province, province) if province else None, organisation,
                   self.words("invited" if invitation_id else "open"), *cells]

    def _wide(self, answers: pd.DataFrame, ids: list[int]) -> list[list]:
        """Pivot one chunk's answers to a row of cells per response (None where empty)."""
        width = len(self._lookup)
        if answers.empty or not width:
            return [[None] * width for _ in ids]
        families = {q.id: q.family for q in self.survey.questions}
        answers["value_text"] = answers["value_text"].astype(object).str.normalize("NFC")
        labelled = answers.merge(self._option_labels, on=["question_id", "value_text"], how="left")
        family = labelled["question_id"].map(families)
        labelled["label"] = labelled["label"].fillna(labelled["value_text"])
        parts = [
            _part(labelled, family.isin(["single"]).to_numpy(), "", "label"),
            _part(labelled, family.isin(["multiple"]).to_numpy(), "value_text", None, constant=1),
            _part(labelled, family.isin(["ranking"]).to_numpy(), "value_text", "rank"),
            _part(labelled, family.isin(["matrix"]).to_numpy(), "row_name", "label"),
            _part(labelled, family.isin(["scale", "number"]).to_numpy(), "", "value_number"),
            _part(labelled, family.isin(["date"]).to_numpy(), "", "value_date"),
            _part(labelled, family.isin(["text", "file"]).to_numpy(), "", "value_text"),
            _part(labelled, labelled["other_text"].notna().to_numpy(), "__other__", "other_text"),
        ]
        long = pd.concat(parts, ignore_index=True).merge(self._positions, on=["question_id", "subkey"])
        long = long.drop_duplicates(["response_id", "position"])
        table = long.pivot(index="response_id", columns="position", values="value")
        table = table.reindex(index=ids, columns=range(width)).astype(object)
        return table.where(table.notna(), None).to_numpy().tolist()


def _part(frame: pd.DataFrame, mask, subkey: str, value: str | None, constant=None) -> pd.DataFrame:
    """(response_id, question_id, subkey, value) for the rows of ``frame`` under ``mask``."""
    rows = frame[mask]
    return pd.DataFrame({
        "response_id": rows["response_id"].to_numpy(), "question_id": rows["question_id"].to_numpy(),
        "subkey": rows[subkey].to_numpy() if subkey in rows else [subkey] * len(rows),
        "value": [constant] * len(rows) if value is None else rows[value].to_numpy(dtype=object),
    })
