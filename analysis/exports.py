"""Exports for the drafting team: responses, comments, tallies and cross-tabs as CSV and XLSX.

- CSV is UTF-8 with a byte-order mark, so Excel opens Vietnamese text correctly; it is
  produced as a generator of byte chunks that a web response can stream. Numbers use a
  decimal point, dates ``dd/mm/yyyy``, times ``dd/mm/yyyy HH:MM`` (Vietnam time).
- XLSX is written by ``xlsxwriter`` in ``constant_memory`` mode (each row goes to disk as it is
  written) into a temporary file, then streamed by ``stream_file``, which deletes it. The
  response and comment workbooks can also be written to a given path (``write_responses_xlsx``,
  ``write_comments_xlsx``): ``analysis.export_jobs`` builds large ones outside the request and
  keeps them, served by ``stream_stored_file``, which does not delete.

Rows come from chunked queries (``ResponseTable``, ``comment_rows``), so memory stays flat
whatever the number of answers. Headers and labels are given by the caller (``words`` and
``labels``), so this module imports no Flask and no translation machinery.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date, datetime
from typing import Callable, Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.crosstab import CrossTab
from analysis.overview import UNSENT, article_of_provisions
from analysis.tallies.responses import ENGLISH_WORDS, Column, ResponseTable, english_words  # noqa: F401
from consult.clock import VIETNAM_OFFSET
from analysis.tallies.summaries import QuestionSummary
from consult.data import province_names
from consult.lazy import lazy_module
from consult.models import Comment, Consultation, Contribution, Provision
from consult.spreadsheet import csv_text

xlsxwriter = lazy_module("xlsxwriter")

BOM = "\ufeff"
CSV_BATCH = 500
COMMENT_CHUNK = 2000
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- cells -----------------------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as CSV text: empty for None, 3 not 3.0, Vietnamese day order for dates."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def csv_cell(value) -> str:
    """``cell_text``, with text a spreadsheet would run as a formula kept as text; numbers
    (negative ones too) are not text and stay numbers."""
    return csv_text(value) if isinstance(value, str) else cell_text(value)


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 CSV with BOM, ``CSV_BATCH`` rows per yielded chunk; no cell runs as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([csv_cell(str(title)) for title in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % CSV_BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------

def sheet_name(text: str, taken: set[str] | None = None) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, unique."""
    name = "".join(" " if c in "[]:*?/\\" else c for c in text).strip()[:31] or "Sheet"
    taken = taken if taken is not None else set()
    base, number = name, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[:31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


class XlsxWriter:
    """A workbook written row by row into a temporary file (``constant_memory``)."""

    def __init__(self, constant_memory: bool = True, path: str | os.PathLike | None = None):
        """Write to ``path``, or to a new temporary file when none is given."""
        if path is None:
            handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="gopy-export-")
            os.close(handle)
        self.path = str(path)
        self.book = xlsxwriter.Workbook(self.path, {"constant_memory": constant_memory,
                                                    "strings_to_numbers": False, "strings_to_formulas": False,
                                                    "strings_to_urls": False, "remove_timezone": True,
                                                    "default_date_format": "dd/mm/yyyy"})
        self.bold = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.day = self.book.add_format({"num_format": "dd/mm/yyyy"})
        self.moment = self.book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        self.percent = self.book.add_format({"num_format": "0.0%"})
        self.decimal = self.book.add_format({"num_format": "0.00"})
        self._names: set[str] = set()

    def sheet(self, title: str):
        return self.book.add_worksheet(sheet_name(title, self._names))

    def write_table(self, sheet, header: list[str], rows: Iterable[list], start_row: int = 0,
                    types: list[str] | None = None, widths: list[int] | None = None) -> int:
        """Header in bold then rows; returns the next free row."""
        sheet.write_row(start_row, 0, header, self.bold)
        for column, width in enumerate(widths or [18] * len(header)):
            sheet.set_column(column, column, width)
        row_number = start_row
        special = [(i, kind) for i, kind in enumerate(types or []) if kind in ("datetime", "share", "decimal")]
        for row_number, row in enumerate(rows, start=start_row + 1):
            # write_row types each cell itself (dates get the workbook's day format);
            # only times and percentages need their own format.
            sheet.write_row(row_number, 0, row)
            for column, kind in special:
                if column < len(row) and row[column] is not None:
                    self.write_cell(sheet, row_number, column, row[column], kind)
        return row_number + 1

    def write_cell(self, sheet, row: int, column: int, value, kind: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, datetime):
            sheet.write_datetime(row, column, value, self.moment)
        elif isinstance(value, date):
            sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), self.day)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, (int, float)):
            if value != value:  # NaN: nothing to show
                return
            sheet.write_number(row, column, value, self.percent if kind == "share" else
                               self.decimal if kind == "decimal" else None)
        else:
            sheet.write_string(row, column, str(value))

    def close(self) -> str:
        self.book.close()
        return self.path


def stream_file(path: str, block: int = 64 * 1024) -> Iterator[bytes]:
    """The file's bytes in blocks; the file is deleted when done (or when abandoned)."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(block):
                yield chunk
    finally:
        os.unlink(path)


def stream_stored_file(path: str | os.PathLike, block: int = 64 * 1024) -> Iterator[bytes]:
    """A kept file's bytes in blocks; the file stays.

    The file is opened now, not when the first block is asked for, so a missing file raises
    ``FileNotFoundError`` in the caller (a view can answer with a message), and a file deleted
    while it is being sent is still read to the end."""
    handle = open(path, "rb")
    return _blocks(handle, block)


def _blocks(handle, block: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(block):
            yield chunk


# --- responses -------------------------------------------------------------------------------

def responses_csv(table: ResponseTable) -> Iterator[bytes]:
    return csv_chunks(table.header, table.rows())


def responses_xlsx(table: ResponseTable, sheet_title: str) -> str:
    """Write the responses workbook; returns its temporary path (stream it with ``stream_file``)."""
    writer = XlsxWriter()
    _responses_sheet(writer, table, sheet_title)
    return writer.close()


def write_responses_xlsx(table: ResponseTable, sheet_title: str, path: str | os.PathLike) -> int:
    """Write the responses workbook at ``path``; returns the number of responses written."""
    writer = XlsxWriter(path=path)
    count = _responses_sheet(writer, table, sheet_title)
    writer.close()
    return count


def _responses_sheet(writer: XlsxWriter, table: ResponseTable, sheet_title: str) -> int:
    sheet = writer.sheet(sheet_title)
    sheet.freeze_panes(1, 1)
    next_row = writer.write_table(sheet, table.header, table.rows(), types=[c.type for c in table.columns],
                                  widths=[16, 17, 18, 18, 28, 14] + [24] * (len(table.columns) - 6))
    return next_row - 1


# --- comments (citizens' opinions) -------------------------------------------------------------

#: No receipt code: it is the sender's only key to their name and contact (``/bien-nhan``), so
#: it stays out of files that staff download and pass around; ``comment_id`` identifies a row.
COMMENT_KEYS = ["comment_id", "sent_at", "status", "article_number", "article_title",
                "provision", "respondent_type", "province", "body"]


def comment_columns(words: Callable[[str], str]) -> list[Column]:
    kinds = {"comment_id": "number", "sent_at": "datetime"}
    return [Column(key, words(key), kinds.get(key, "text")) for key in COMMENT_KEYS]


def comment_rows(session: Session, consultation_id: int, labels: dict | None = None,
                 statuses: Iterable[str] | None = None, chunk_size: int = COMMENT_CHUNK) -> Iterator[list]:
    """Sent comments, oldest first, with their article; ``COMMENT_CHUNK`` per query."""
    labels = labels or {}
    outline = article_of_provisions(session, consultation_id).set_index("provision_id")
    articles = {pid: (row["number"], row["title"]) for pid, row in outline.iterrows()}
    anchors = _provision_anchors(session, list(articles))
    provinces = province_names(session.get(Consultation, consultation_id).province_map)
    types, status_labels = labels.get("respondent_type", {}), labels.get("status", {})
    query = (select(Comment.id, Contribution.submitted_at, Comment.created_at,
                    Comment.status, Comment.provision_id, Contribution.respondent_type,
                    Contribution.province_code, Comment.body)
             .join(Contribution, Contribution.id == Comment.contribution_id)
             .where(Comment.consultation_id == consultation_id, Comment.status != UNSENT))
    if statuses:
        query = query.where(Comment.status.in_(list(statuses)))
    last_id = 0
    while True:
        chunk = session.execute(query.where(Comment.id > last_id).order_by(Comment.id).limit(chunk_size)).all()
        if not chunk:
            return
        last_id = chunk[-1][0]
        for cid, submitted, created, status, provision_id, rtype, province, body in chunk:
            number, title = articles.get(provision_id, (None, None))
            yield [cid, (submitted or created) + VIETNAM_OFFSET, status_labels.get(status, status),
                   number, title, anchors.get(provision_id), types.get(rtype, rtype) if rtype else None,
                   provinces.get(province, province) if province else None, body]


def count_comments(session: Session, consultation_id: int, statuses: Iterable[str] | None = None) -> int:
    """How many rows ``comment_rows`` gives."""
    query = select(func.count(Comment.id)).where(Comment.consultation_id == consultation_id,
                                                 Comment.status != UNSENT)
    if statuses:
        query = query.where(Comment.status.in_(list(statuses)))
    return session.scalar(query)


def _provision_anchors(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Provision.id, Provision.anchor).where(Provision.id.in_(ids))).all())


def comments_csv(session: Session, consultation_id: int, words, labels=None, statuses=None) -> Iterator[bytes]:
    header = [c.header for c in comment_columns(words)]
    return csv_chunks(header, comment_rows(session, consultation_id, labels, statuses))


def comments_xlsx(session: Session, consultation_id: int, words, labels=None, statuses=None) -> str:
    """Write the comments workbook; returns its temporary path (stream it with ``stream_file``)."""
    writer = XlsxWriter()
    _comments_sheet(writer, session, consultation_id, words, labels, statuses)
    return writer.close()


def write_comments_xlsx(session: Session, consultation_id: int, words, path: str | os.PathLike,
                        labels=None, statuses=None) -> int:
    """Write the comments workbook at ``path``; returns the number of comments written."""
    writer = XlsxWriter(path=path)
    count = _comments_sheet(writer, session, consultation_id, words, labels, statuses)
    writer.close()
    return count


def _comments_sheet(writer: XlsxWriter, session: Session, consultation_id: int, words, labels,
                    statuses) -> int:
    sheet = writer.sheet(words("comments_sheet"))
    sheet.freeze_panes(1, 0)
    columns = comment_columns(words)
    next_row = writer.write_table(sheet, [c.header for c in columns],
                                  comment_rows(session, consultation_id, labels, statuses),
                                  types=[c.type for c in columns], widths=[8, 17, 14, 8, 30, 20, 18, 18, 80])
    return next_row - 1


# --- tallies and cross-tabs ----------------------------------------------------------------------

def tallies_xlsx(summaries: list[QuestionSummary], words, title: str) -> str:
    """Every question's table on one sheet, one block per question, then a sheet per matrix."""
    writer = XlsxWriter(constant_memory=False)
    sheet = writer.sheet(words("tally_sheet"))
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 4, 14)
    sheet.write_string(0, 0, title, writer.bold)
    row = 2
    for summary in summaries:
        row = _summary_block(writer, sheet, summary, words, row) + 1
    for summary in summaries:
        if summary.matrix is not None:
            matrix = writer.sheet(summary.question.label)
            header = [summary.question.label, *summary.matrix.columns]
            rows = [[index, *map(int, values)] for index, values in zip(summary.matrix.index,
                                                                         summary.matrix.to_numpy())]
            writer.write_table(matrix, header, rows, widths=[40] + [14] * len(summary.matrix.columns))
    return writer.close()


def _summary_block(writer: XlsxWriter, sheet, summary: QuestionSummary, words, row: int) -> int:
    sheet.write_string(row, 0, summary.question.label, writer.bold)
    facts = [("respondents", summary.respondents), ("answered", summary.answered),
             ("skipped", summary.skipped), ("not_shown", summary.not_shown)]
    for key, value in facts:
        row += 1
        sheet.write_string(row, 0, words(key))
        sheet.write_number(row, 1, value)
    for key in ("mean", "median", "min", "max"):
        value = (summary.stats or {}).get(key)
        if value is not None:
            row += 1
            sheet.write_string(row, 0, words(key))
            writer.write_cell(sheet, row, 1, value, "decimal")
    table = summary.table
    if not table.empty and "count" in table:
        header = [words("option"), words("count"), words("share")]
        columns = ["label", "count", "share"]
        if "mean_rank" in table:
            header.append(words("mean_rank"))
            columns.append("mean_rank")
        rows = [[_py(v) for v in values] for values in table[columns].to_numpy()]
        row = writer.write_table(sheet, header, rows, start_row=row + 2,
                                 types=[None, None, "share", "decimal"], widths=[48, 14, 14, 14])
    return row + 1


def crosstab_xlsx(table: CrossTab, words, group_label: Callable, title: str) -> str:
    """Counts, shares (and statistics or average ranks) of a cross-tab, a sheet each."""
    writer = XlsxWriter(constant_memory=False)
    blocks = [("counts", table.counts, None), ("shares", table.shares, "share"),
              ("statistics", table.stats, "decimal"), ("mean_rank", table.mean_rank, "decimal")]
    for key, frame, kind in blocks:
        if frame is None or frame.empty:
            continue
        sheet = writer.sheet(words(key))
        sheet.write_string(0, 0, title, writer.bold)
        header = [words("group"), words("respondents"), words("answered"),
                  *[words(c) if key == "statistics" else str(c) for c in frame.columns]]
        rows = [[group_label(group), int(table.respondents[group]), int(table.answered[group]),
                 *[_py(v) for v in values]] for group, values in zip(frame.index, frame.to_numpy())]
        writer.write_table(sheet, header, rows, start_row=2,
                           types=[None, None, None] + [kind] * len(frame.columns),
                           widths=[28, 12, 12] + [16] * len(frame.columns))
    return writer.close()


def _py(value):
    """numpy scalars to plain Python for the writer; NaN to None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
