"""Word drafts as drafters make them: automatic numbering, tables, tracked changes, footnotes."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest

from consult import drafts
from consult.demo import demo_draft_text
from consult.legal_text import parse_legal_text, read_draft
from consult.word_draft import format_number
from tests.consult.word_builders import (
    NS, add_footnotes, level_xml, number_paragraph, numbered_docx, numbering_xml, paragraph_from_xml,
    set_numbering, to_bytes,
)

FIXTURES = Path(__file__).parent / "fixtures"


def tree(text: str) -> list[tuple]:
    result = parse_legal_text(text)
    return [(node.kind, node.number, node.title, node.text, node.anchor, depth)
            for node, _parent, depth in result.walk()]


@pytest.mark.parametrize("style", ["multilevel", "restarted", "separate"])
def test_numbered_docx_gives_the_same_tree_as_the_typed_text(style):
    typed = demo_draft_text()
    data = numbered_docx(typed, style)
    source = read_draft("du-thao.docx", data)
    assert "Điều 12." not in data.decode("latin-1")  # the numbers really are not in the file's text
    assert tree(source.text) == tree(typed)
    result = parse_legal_text(source.text)
    report = drafts.parse_report(result, source)
    assert report["counts"] == parse_legal_text(typed).counts
    assert report["warnings"] == drafts.parse_report(parse_legal_text(typed))["warnings"]
    for kind in ("chapter", "section", "article", "clause", "point"):
        assert report["numbering"][kind] == report["counts"][kind] > 0


def test_vietnamese_point_letters_and_roman_chapters():
    source = read_draft("a.docx", numbered_docx(demo_draft_text()))
    lines = source.text.splitlines()
    assert "đ) Tạo điều kiện tham gia các chương trình mục tiêu, chương trình phát triển kinh tế - xã hội;" in lines
    assert "e) Thành lập mới, tổ chức lại và củng cố tổ chức, bộ máy;" in lines
    assert "Chương VIII." in lines


@pytest.mark.parametrize("value,fmt,label", [
    (1, "decimal", "1"), (5, "lowerLetter", "đ"), (6, "lowerLetter", "e"), (7, "lowerLetter", "g"),
    (5, "upperLetter", "Đ"), (24, "lowerLetter", "aa"), (4, "upperRoman", "IV"), (9, "lowerRoman", "ix"),
    (3, "decimalZero", "03"), (2, "bullet", None), (2, "none", ""),
])
def test_number_formats(value, fmt, label):
    assert format_number(value, fmt) == label


def list_document(levels: list[str], nums: dict, paragraphs: list[tuple[str, int | None, int]]) -> bytes:
    """One abstract list (id 1) with ``levels``; paragraphs as (text, numId or None, ilvl)."""
    document = docx.Document()
    for text, num_id, ilvl in paragraphs:
        paragraph = document.add_paragraph(text)
        if num_id is not None:
            number_paragraph(paragraph, num_id, ilvl)
    set_numbering(document, numbering_xml({1: levels}, nums))
    return to_bytes(document)


def test_start_values_overrides_and_shared_counters():
    levels = [level_xml(0, "decimal", "Điều %1.", start=10), level_xml(1, "decimal", "%2.")]
    data = list_document(levels, {1: (1, {}), 2: (1, {}), 3: (1, {1: 4})}, [
        ("Phạm vi", 1, 0), ("Một", 1, 1), ("Hai", 1, 1),
        ("Đối tượng", 2, 0),  # another instance of the same list continues its count
        ("Ba", 2, 1),  # a deeper level restarts after a higher one
        ("Bốn", 3, 1),  # an instance with startOverride restarts there
        ("Năm", 3, 1),
    ])
    assert read_draft("a.docx", data).text.splitlines() == [
        "Điều 10. Phạm vi", "1. Một", "2. Hai", "Điều 11. Đối tượng", "1. Ba", "4. Bốn", "5. Năm"]


def test_level_text_with_several_levels_and_never_restarting_levels():
    levels = [level_xml(0, "upperRoman", "Chương %1"), level_xml(1, "decimal", "Điều %2.", restart=0),
              level_xml(2, "decimal", "%2.%3.")]
    data = list_document(levels, {1: (1, {})}, [
        ("", 1, 0), ("A", 1, 1), ("x", 1, 2), ("y", 1, 2), ("", 1, 0), ("B", 1, 1), ("z", 1, 2),
        ("không đánh số", None, 0)])
    assert read_draft("a.docx", data).text.splitlines() == [
        "Chương I", "Điều 1. A", "1.1. x", "1.2. y", "Chương II", "Điều 2. B", "2.1. z", "không đánh số"]


def test_numbering_carried_by_a_paragraph_style():
    document = docx.Document()
    styles = document.styles.element
    styles.append(docx.oxml.parse_xml(
        f'<w:style {NS} w:type="paragraph" w:styleId="Dieu"><w:name w:val="Điều"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'))
    styles.append(docx.oxml.parse_xml(
        f'<w:style {NS} w:type="paragraph" w:styleId="DieuDam"><w:name w:val="Điều đậm"/>'
        '<w:basedOn w:val="Dieu"/></w:style>'))
    for text, style_id in (("Phạm vi", "Dieu"), ("Đối tượng", "DieuDam")):
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(docx.oxml.parse_xml(f'<w:pStyle {NS} w:val="{style_id}"/>'))
    set_numbering(document, numbering_xml({1: [level_xml(0, "decimal", "Điều %1.")]}, {1: (1, {})}))
    source = read_draft("a.docx", to_bytes(document))
    assert source.text.splitlines() == ["Điều 1. Phạm vi", "Điều 2. Đối tượng"]
    assert source.numbered_lines == {1, 2}


def test_tracked_changes_are_accepted_and_counted():
    document = docx.Document()
    document.add_paragraph("Điều 1. Phạm vi")
    paragraph_from_xml(document, '<w:r><w:t xml:space="preserve">Luật này quy định </w:t></w:r>'
                       '<w:del w:id="1" w:author="A"><w:r><w:delText>việc thành lập </w:delText></w:r></w:del>'
                       '<w:ins w:id="2" w:author="A"><w:r><w:t>về tổ chức</w:t></w:r></w:ins>'
                       '<w:r><w:t>.</w:t></w:r>')
    deleted = paragraph_from_xml(document, '<w:pPr><w:rPr><w:del w:id="3" w:author="A"/></w:rPr></w:pPr>'
                                 '<w:del w:id="4" w:author="A"><w:r><w:delText>Khoản bỏ</w:delText></w:r></w:del>')
    number_paragraph(type("P", (), {"_p": deleted})(), 1, 0)
    document.add_paragraph("Khoản giữ")
    number_paragraph(document.paragraphs[-1], 1, 0)
    set_numbering(document, numbering_xml({1: [level_xml(0, "decimal", "%1.")]}, {1: (1, {})}))
    source = read_draft("a.docx", to_bytes(document))
    assert [line for line in source.text.splitlines() if line] == [
        "Điều 1. Phạm vi", "Luật này quy định về tổ chức.", "1. Khoản giữ"]
    assert source.notes["insertions"] == 1 and source.notes["deletions"] == 2


def test_footnotes_are_kept_after_their_paragraph():
    document = docx.Document()
    document.add_paragraph("Điều 1. Phạm vi")
    paragraph_from_xml(document, '<w:r><w:t>Theo Luật Doanh nghiệp</w:t></w:r>'
                       '<w:r><w:footnoteReference w:id="7"/></w:r><w:r><w:t>.</w:t></w:r>')
    add_footnotes(document, {7: "Luật số 59/2020/QH14."})
    source = read_draft("a.docx", to_bytes(document))
    assert source.text.splitlines()[1:] == ["Theo Luật Doanh nghiệp[1].", "[1] Luật số 59/2020/QH14."]
    assert source.notes["footnotes"] == 1
    article = parse_legal_text(source.text).provisions[0]
    assert article.text == "Theo Luật Doanh nghiệp[1].\n[1] Luật số 59/2020/QH14."


def test_a_table_in_a_clause_stays_in_the_clause():
    document = docx.Document()
    for line in ("Điều 1. Mức góp vốn", "1. Mức góp như sau:"):
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, (("Loại", "Mức | tối đa"), ("Thành viên", "20%"))):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("2. Điều lệ quy định khác.")
    source = read_draft("a.docx", to_bytes(document))
    clause = parse_legal_text(source.text).provisions[0].children[0]
    assert clause.text == "Mức góp như sau:\n| Loại | Mức ¦ tối đa |\n| Thành viên | 20% |"
    assert source.notes["tables"] == 1


def test_plain_text_has_no_word_report():
    source = read_draft("a.txt", "Điều 1. Phạm vi\n1. Một.".encode())
    assert "numbering" not in drafts.parse_report(parse_legal_text(source.text), source)


@pytest.mark.parametrize("name", ["demo_draft_libreoffice.docx", "demo_draft_numbered_libreoffice.docx"])
def test_drafts_saved_by_libreoffice(name):
    """Our demo text saved by LibreOffice Writer: typed, and numbered then re-saved (see fixtures/README)."""
    source = read_draft(name, (FIXTURES / name).read_bytes())
    assert tree(source.text) == tree(demo_draft_text())
    if "numbered" in name:  # every Chương, Mục, Điều, khoản and điểm number was drawn by numbering
        assert len(source.numbered_lines) == sum(parse_legal_text(demo_draft_text()).counts.values())
