"""The synthesis report in Word, laid out as an administrative document (Nghị định 30/2020/NĐ-CP).

Landscape A4 with the decree's margins. At the top, side by side in a borderless table: the
issuing body (the drafting agency, then the drafting committee in bold over a short rule) with
the document number under it, and the national name and motto (*Quốc hiệu, Tiêu ngữ*, the motto
underlined) with the place and date in italics under it. Then the title, the counts, and the
table, its columns sized to what they hold and its heading row repeated on every page. Page
numbers are centred in the top margin from page 2 on, as the decree places them. Times New
Roman throughout. python-docx and lxml load with the first download, not in every web worker.
"""
from __future__ import annotations

import io

from flask_babel import gettext as _

from consult.clock import vn_today
from consult.synthesis import FONT, FONT_POINTS, SynthesisReport, column_headings, summary_lines

#: Margins in millimetres (Nghị định 30/2020, Phụ lục I: top and bottom 20–25, left 30–35, right 15–20).
MARGINS_MM = {"top_margin": 20, "bottom_margin": 20, "left_margin": 30, "right_margin": 15}
#: The width text may take on landscape A4 inside those margins.
TEXT_WIDTH_CM = 29.7 - 3.0 - 1.5
#: Item no. | article, clause | who | the opinion | the answer: the texts get the room, the
#: number only what "STT" in bold needs. They add up to ``TEXT_WIDTH_CM``.
COLUMN_WIDTHS_CM = (1.4, 3.3, 4.6, 8.6, 7.3)
#: The letterhead: issuing body | national name and motto.
LETTERHEAD_WIDTHS_CM = (10.0, TEXT_WIDTH_CM - 10.0)
#: The short rule under the issuing body, about a third of the name's line.
BODY_RULE_CM = 2.5
#: Printed where the number is given at registration, when ``REPORT_NUMBER`` is not set.
NUMBER_TO_FILL = "……/BC-……"


def to_docx(report: SynthesisReport) -> bytes:
    from docx import Document

    document = Document()
    _page_setup(document)
    _page_numbers(document.sections[0])
    _letterhead(document, report)
    _title(document, report)
    _opinions_table(document, report)
    _sign_off(document, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- page -------------------------------------------------------------------------------------

def _page_setup(document) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side, millimetres in MARGINS_MM.items():
        setattr(section, side, Mm(millimetres))
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(FONT_POINTS)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_after = Pt(3)


def _page_numbers(section) -> None:
    """A PAGE field centred in the header; the first page shows none (its header stays empty)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE")


def _field(paragraph, instruction: str) -> None:
    """A Word field (begin, instruction, separate, value shown until updated, end)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(tag: str, text: str | None = None, kind: str | None = None) -> None:
        element = OxmlElement(tag)
        if kind:
            element.set(qn("w:fldCharType"), kind)
        if text is not None:
            element.set(qn("xml:space"), "preserve")
            element.text = text
        paragraph.add_run()._r.append(element)

    run_with("w:fldChar", kind="begin")
    run_with("w:instrText", f" {instruction} ")
    run_with("w:fldChar", kind="separate")
    run_with("w:t", "1")
    run_with("w:fldChar", kind="end")


# --- letterhead -------------------------------------------------------------------------------

def place_date(report: SynthesisReport) -> str:
    """"Hà Nội, ngày 05 tháng 3 năm 2026": the decree writes a 0 before days under 10 and
    before months 1 and 2 only."""
    day = vn_today(report.made_at)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("%(place)s, day %(day)s month %(month)s year %(year)s", place=report.place,
             day=f"{day.day:02d}", month=month, year=day.year)


def number_line(report: SynthesisReport) -> str:
    return _("No.: %(number)s", number=report.number or NUMBER_TO_FILL)


def _letterhead(document, report: SynthesisReport) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = _sized_table(document, 1, LETTERHEAD_WIDTHS_CM)
    _no_borders(table)
    body, nation = table.rows[0].cells
    centre = WD_ALIGN_PARAGRAPH.CENTER
    first = body.paragraphs[0]
    if report.agency:
        _write(first, report.agency.upper(), size=13)
        first = body.add_paragraph()
    _write(first, report.issuer.upper(), bold=True, size=13)
    _rule(body.add_paragraph(), LETTERHEAD_WIDTHS_CM[0], BODY_RULE_CM)
    _write(body.add_paragraph(), number_line(report), size=13)
    _write(nation.paragraphs[0], _("SOCIALIST REPUBLIC OF VIET NAM"), bold=True, size=13)
    _write(nation.add_paragraph(), _("Independence - Freedom - Happiness"), bold=True, underline=True, size=14)
    nation.add_paragraph()
    _write(nation.add_paragraph(), place_date(report), italic=True, size=14)
    for cell in (body, nation):
        for paragraph in cell.paragraphs:
            paragraph.alignment = centre
            if paragraph.paragraph_format.space_after is None:
                paragraph.paragraph_format.space_after = 0


def _rule(paragraph, column_cm: float, length_cm: float) -> None:
    """A short horizontal line centred in the column: the paragraph's bottom border, indented."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    indent = Cm((column_cm - length_cm) / 2 - 0.2)  # less the cell's own margins
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.line_spacing = Pt(4)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_borders(table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _title(document, report: SynthesisReport) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(6)
    for text in (report.title, report.subtitle):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _write(paragraph, text, bold=True, size=14)
    lines = summary_lines(report)
    for index, line in enumerate(lines):
        # The last line says whether opinions are still undecided: made to stand out when so.
        _write(document.add_paragraph(), line, bold=index == len(lines) - 1 and not report.complete)


def _sign_off(document, report: SynthesisReport) -> None:
    """*Nơi nhận* (12 pt bold italic, the list 11 pt) left; the authority signing for the
    issuing body (bold capitals) right, with room for the signature and the signer's name."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document.add_paragraph()
    table = _sized_table(document, 1, LETTERHEAD_WIDTHS_CM)
    _no_borders(table)
    recipients, signer = table.rows[0].cells
    _write(recipients.paragraphs[0], _("Recipients:"), bold=True, italic=True, size=12)
    _write(recipients.add_paragraph(), _("- Filed: Archives, %(issuer)s.", issuer=report.issuer), size=11)
    _write(signer.paragraphs[0], _("ON BEHALF OF %(issuer)s", issuer=report.issuer.upper()), bold=True, size=13)
    for _line in range(4):  # the signature, then the signer's name written by hand or typed in
        signer.add_paragraph()
    for paragraph in signer.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


# --- the table --------------------------------------------------------------------------------

def _opinions_table(document, report: SynthesisReport) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.table import _Cell

    table = _sized_table(document, 1, COLUMN_WIDTHS_CM)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, column_headings()):
        _fill(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_as_header(table.rows[0])
    for row in report.rows:
        # Cells from the row's own XML: ``_Row.cells`` walks the whole table, quadratic in rows.
        # New rows take their cells' widths from the table's grid.
        added = table.add_row()
        _keep_together(added)
        cells = [_Cell(tc, table) for tc in added._tr.tc_lst]
        _fill(cells[0], str(row.number), align=WD_ALIGN_PARAGRAPH.CENTER)
        for cell, text in zip(cells[1:4], (row.provisions, row.sources, row.content)):
            _fill(cell, text)
        _fill(cells[4], row.answer_label, bold=True)
        for line in row.reason.split("\n") if row.reason else []:
            cells[4].add_paragraph(line)
        if row.new_wording:
            cells[4].add_paragraph().add_run(_("New wording") + ":").italic = True
            for line in row.new_wording.split("\n"):
                cells[4].add_paragraph(line)


def _sized_table(document, rows: int, widths_cm: tuple[float, ...]):
    """A table of fixed layout whose grid, and so every row added later, has ``widths_cm``:
    Word reads the cells' widths, LibreOffice the grid's, so both are set."""
    from docx.shared import Cm

    table = document.add_table(rows=rows, cols=len(widths_cm))
    table.autofit = False
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)
    return table


def _write(paragraph, text: str, bold: bool = False, italic: bool = False, underline: bool = False,
           size: float | None = None):
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size is not None:
        run.font.size = Pt(size)
    return run


def _fill(cell, text: str, bold: bool = False, align=None) -> None:
    """Write ``text`` into an empty cell, one paragraph per line."""
    lines = text.split("\n") if text else [""]
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        if bold:  # only when needed: a run property costs a search of the run's XML
            run.bold = True
        if align is not None:
            paragraph.alignment = align


def _keep_together(row) -> None:
    """A row is not split over two pages unless it is taller than a page."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_as_header(row) -> None:
    """Mark the row as the table's heading, repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)
