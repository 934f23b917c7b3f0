"""The synthesis report in Word as an administrative document (Nghị định 30/2020/NĐ-CP): the
letterhead, the number and place-date lines, page numbers, fonts and column widths, read back."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from flask_babel import force_locale

from consult import decisions, synthesis, synthesis_docx
from consult.extensions import db
from tests.consult.decision_factories import comment, drafter, letter, organisation
from tests.factories import make_consultation


@pytest.fixture()
def consultation(app):
    made = make_consultation()
    made.agency = "Bộ Kế hoạch và Đầu tư"
    finance = letter(made, organisation("BTC", name="Bộ Tài chính"), [("dieu-3", "Đề nghị bỏ khoản 2.")],
                     number="123/BTC-PC")
    decisions.decide(finance.opinions, "explained", "Giữ nguyên để bảo đảm tính thống nhất.", drafter())
    comment(made, "dieu-4", "Bổ sung quyền của thành viên.")
    db.session.commit()
    return made


def word(consultation, made_at: datetime | None = None) -> Document:
    with force_locale("vi"):
        report = synthesis.build_report(consultation)
        if made_at is not None:
            report.made_at = made_at
        return Document(io.BytesIO(synthesis_docx.to_docx(report)))


def cell_lines(cell) -> list[str]:
    return [paragraph.text for paragraph in cell.paragraphs]


def test_the_letterhead_sets_the_body_beside_the_national_motto(consultation):
    document = word(consultation, datetime(2026, 3, 5, 3, 0))
    letterhead = document.tables[0]
    body, nation = letterhead.rows[0].cells
    assert cell_lines(body) == ["BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "BAN SOẠN THẢO", "", "Số: ……/BC-……"]
    assert cell_lines(nation) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
                                  "Hà Nội, ngày 05 tháng 3 năm 2026"]
    assert body.paragraphs[1].runs[0].bold and not body.paragraphs[0].runs[0].bold
    motto, dated = nation.paragraphs[1].runs[0], nation.paragraphs[3].runs[0]
    assert motto.bold and motto.underline and dated.italic
    # The short rule under the issuing body is its own paragraph's bottom border.
    assert body.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:val")) == "single"
    borders = letterhead._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"} and len(borders) == 6
    assert letterhead.style is None or letterhead.style.name != "Table Grid"


@pytest.mark.parametrize("made_at, expected", [
    (datetime(2026, 2, 13, 18, 0), "ngày 14 tháng 02 năm 2026"),  # 01:00 on the 14th in Hà Nội
    (datetime(2026, 12, 1, 3, 0), "ngày 01 tháng 12 năm 2026"),
    (datetime(2026, 10, 25, 3, 0), "ngày 25 tháng 10 năm 2026"),
])
def test_the_date_has_a_zero_before_days_under_ten_and_months_one_and_two(consultation, made_at, expected):
    nation = word(consultation, made_at).tables[0].rows[0].cells[1]
    assert nation.paragraphs[3].text == f"Hà Nội, {expected}"


def test_number_issuer_and_place_come_from_the_settings(app, consultation):
    app.config.update(REPORT_NUMBER=" 125/BC-BKHĐT ", REPORT_ISSUER="Tổ biên tập", REPORT_PLACE="Đà Nẵng")
    body, nation = word(consultation).tables[0].rows[0].cells
    assert cell_lines(body)[1:] == ["TỔ BIÊN TẬP", "", "Số: 125/BC-BKHĐT"]
    assert nation.paragraphs[3].text.startswith("Đà Nẵng, ngày ")


def test_columns_are_sized_to_what_they_hold_in_every_row(consultation):
    table = word(consultation).tables[1]
    grid = [column.width for column in table.columns]
    number, provision, source, content, answer = grid
    assert number == min(grid) and {content, answer} == set(sorted(grid)[-2:])
    assert number < provision < content and number < source < answer
    assert abs(sum(grid) - Cm(synthesis_docx.TEXT_WIDTH_CM)) < Cm(0.05)
    for row in table.rows:
        assert [cell.width for cell in row.cells] == grid
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows[1:])
    assert len(table.rows) == 3 and "Đề nghị bỏ khoản 2." in table.rows[1].cells[3].text


def test_pages_are_numbered_in_the_header_from_page_two(consultation):
    section = word(consultation).sections[0]
    header = section.header._element.xml
    assert "w:instrText" in header and " PAGE " in header and 'w:fldCharType="begin"' in header
    assert section.different_first_page_header_footer
    assert " PAGE " not in section.first_page_header._element.xml
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15


def test_the_report_ends_with_recipients_beside_the_signing_authority(consultation):
    recipients, signer = word(consultation).tables[-1].rows[0].cells
    assert cell_lines(recipients) == ["Nơi nhận:", "- Lưu: VT, Ban soạn thảo."]
    assert recipients.paragraphs[0].runs[0].font.size.pt == 12 and recipients.paragraphs[1].runs[0].font.size.pt == 11
    assert cell_lines(signer) == ["TM. BAN SOẠN THẢO", "", "", "", ""] and signer.paragraphs[0].runs[0].bold


def test_every_run_is_in_times_new_roman_13_to_14(consultation):
    document = word(consultation)
    normal = document.styles["Normal"]
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(qn(f"w:{name}")) for name in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Times New Roman"}
    assert normal.font.size.pt == 13
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    runs += [run for table in document.tables[:-1] for row in table.rows for cell in row.cells
             for paragraph in cell.paragraphs for run in paragraph.runs]  # the recipients block: 11-12
    assert runs and all(run.font.name in (None, "Times New Roman") for run in runs)
    assert {run.font.size.pt for run in runs if run.font.size is not None} <= {13, 14}
