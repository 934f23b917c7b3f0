"""The comparison table (bảng so sánh) as Word: old text | new text | notes, words marked.

Deleted words are struck through in the old column, inserted words bold in the new one, so the
table reads like the dossier's printed comparison. Landscape A4, Times New Roman, the heading
row repeated on every page.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from flask_babel import gettext as _

from consult.domain import MATCH_KINDS
from consult.matching import diff_tokens
from consult.versions import ComparisonRow

FONT = "Times New Roman"
WIDTHS = (Cm(11.5), Cm(11.5), Cm(4.7))


def comparison_docx(title: str, headings: tuple[str, str], rows: list[ComparisonRow]) -> bytes:
    document = Document()
    _page_setup(document)
    heading = document.add_paragraph()
    heading.alignment = 1
    run = heading.add_run(title)
    run.bold = True
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, (*headings, _("Notes"))):
        cell.paragraphs[0].add_run(text).bold = True
    _repeat_as_header(table.rows[0])
    _set_widths(table, table.rows[0])
    for row in rows:
        cells = _set_widths(table, table.add_row())
        _marked_text(cells[0], row, "old")
        _marked_text(cells[1], row, "new")
        cells[2].paragraphs[0].add_run(note(row))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_widths(table, table_row) -> list[_Cell]:
    """The row's cells, sized. Built from the row's own XML: ``_Row.cells`` walks the whole table
    each time, which makes a 200-article table take seconds."""
    cells = [_Cell(tc, table) for tc in table_row._tr.tc_lst]
    for cell, width in zip(cells, WIDTHS):
        cell.width = width
    return cells


def note(row: ComparisonRow) -> str:
    """The notes column: what happened to the article, and its old number when it changed."""
    text = str(MATCH_KINDS.get(row.kind, row.kind))
    if row.old is not None and row.new is not None and row.old.number != row.new.number:
        text += " " + _("(was Article %(number)s)", number=row.old.number)
    return text


def _heading_line(provision) -> str:
    line = _("Article %(number)s.", number=provision.number)
    return f"{line} {provision.title}".strip()


def _marked_text(cell, row: ComparisonRow, side: str) -> None:
    provision = row.old if side == "old" else row.new
    if provision is None:
        return
    cell.paragraphs[0].add_run(_heading_line(provision)).bold = True
    paragraph = cell.add_paragraph()
    skip = "insert" if side == "old" else "delete"
    for op, text in diff_tokens(row.old_text, row.new_text):
        if op == skip:
            continue
        for index, line in enumerate(text.split("\n")):
            if index:
                paragraph = cell.add_paragraph()
            if line:
                run = paragraph.add_run(line + " ")
                run.font.strike = op == "delete"
                run.bold = op == "insert"


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
