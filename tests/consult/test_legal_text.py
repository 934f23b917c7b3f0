"""Tests for consult.legal_text: reading uploads and parsing Vietnamese draft laws."""
import codecs
import io
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest

from consult.legal_text import (
    DraftParseError,
    ParseResult,
    UnreadableDocument,
    parse_legal_text,
    read_document,
)

FIXTURES = Path(__file__).parent / "fixtures" / "legal"


def lines(*rows: str) -> str:
    return "\n".join(rows)


def nodes(result: ParseResult, kind: str | None = None):
    return [node for node, _parent, _depth in result.walk() if kind in (None, node.kind)]


def by_anchor(result: ParseResult, anchor: str):
    return next(node for node in nodes(result) if node.anchor == anchor)


def warning_codes(result: ParseResult):
    return [(warning.code, warning.line) for warning in result.warnings]


# --- cleaning --------------------------------------------------------------------------------

def test_crlf_and_odd_spaces_are_cleaned_and_line_numbers_kept():
    text = "QUỐC HỘI\r\n\r\nĐiều\u00a01.\u00a0\u00a0Phạm vi\u2003điều chỉnh\r\n1.\u00a0Luật này\tquy định\r\n"
    result = parse_legal_text(text)
    article = by_anchor(result, "dieu-1")
    assert (article.title, article.line) == ("Phạm vi điều chỉnh", 3)
    clause = article.children[0]
    assert (clause.text, clause.line) == ("Luật này quy định", 4)


def test_old_mac_line_endings_count_as_lines():
    result = parse_legal_text("Căn cứ Hiến pháp;\rĐiều 1. Một\rNội dung.")
    assert by_anchor(result, "dieu-1").line == 2
    assert by_anchor(result, "dieu-1").text == "Nội dung."


def test_nfd_input_is_composed():
    text = unicodedata.normalize("NFD", lines("Chương I", "QUY ĐỊNH CHUNG", "Điều 1. Phạm vi điều chỉnh",
                                              "đ) Điểm lẻ"))
    result = parse_legal_text(text)
    assert by_anchor(result, "chuong-i").title == "QUY ĐỊNH CHUNG"
    assert by_anchor(result, "dieu-1").title == "Phạm vi điều chỉnh"
    assert by_anchor(result, "dieu-1-diem-dd").text == "Điểm lẻ"


def test_eth_lookalike_is_read_as_d_with_stroke():
    text = lines("\u00d0iều 1. Thành viên", "a) Cá nhân;", "\u00f0) Tổ chức kinh tế khác.")
    result = parse_legal_text(text)
    article = by_anchor(result, "dieu-1")
    assert [child.number for child in article.children] == ["a", "đ"]
    assert by_anchor(result, "dieu-1-diem-dd").text == "Tổ chức kinh tế khác."


def test_zero_width_characters_are_removed():
    result = parse_legal_text("\ufeffĐi\u200bều 3. Vốn\u200b góp")
    assert by_anchor(result, "dieu-3").title == "Vốn góp"


# --- parts, chapters, sections ---------------------------------------------------------------

@pytest.mark.parametrize("heading, following, number, title, anchor", [
    ("Phần thứ nhất", "NHỮNG QUY ĐỊNH CHUNG", "1", "NHỮNG QUY ĐỊNH CHUNG", "phan-1"),
    ("PHẦN THỨ HAI. TỔ CHỨC", "", "2", "TỔ CHỨC", "phan-2"),
    ("Phần thứ mười một: KHÁC", "", "11", "KHÁC", "phan-11"),
    ("Phần I", "QUY ĐỊNH CHUNG", "I", "QUY ĐỊNH CHUNG", "phan-i"),
    ("Phần 1 - Quy định chung", "", "1", "Quy định chung", "phan-1"),
])
def test_part_headings(heading, following, number, title, anchor):
    result = parse_legal_text(lines(heading, following, "Điều 1. Phạm vi"))
    part = result.provisions[0]
    assert (part.kind, part.number, part.title, part.anchor) == ("part", number, title, anchor)
    assert part.children[0].anchor == "dieu-1"


@pytest.mark.parametrize("heading, following, number, title, anchor", [
    ("Chương I", "QUY ĐỊNH CHUNG", "I", "QUY ĐỊNH CHUNG", "chuong-i"),
    ("CHƯƠNG II", "THÀNH VIÊN", "II", "THÀNH VIÊN", "chuong-ii"),
    ("Chương 1:", "Quy định chung", "1", "Quy định chung", "chuong-1"),
    ("Chương I.", "", "I", "", "chuong-i"),
    ("Chương III - TỔ CHỨC QUẢN TRỊ", "", "III", "TỔ CHỨC QUẢN TRỊ", "chuong-iii"),
    ("Chương IV. Giải thể", "", "IV", "Giải thể", "chuong-iv"),
    ("Chương 2 QUẢN LÝ NHÀ NƯỚC", "", "2", "QUẢN LÝ NHÀ NƯỚC", "chuong-2"),
])
def test_chapter_headings(heading, following, number, title, anchor):
    result = parse_legal_text(lines(heading, following, "Điều 1. Phạm vi", "Nội dung."))
    chapter = result.provisions[0]
    assert (chapter.kind, chapter.number, chapter.title, chapter.anchor) == ("chapter", number, title, anchor)
    assert chapter.text == ""
    assert "text_outside_article" not in [warning.code for warning in result.warnings]


def test_chapter_title_on_next_line_after_blank_lines_and_wrapped():
    result = parse_legal_text(lines("Chương I", "", "NHỮNG QUY ĐỊNH", "CHUNG", "", "Điều 1. Phạm vi", "Nội dung."))
    assert by_anchor(result, "chuong-i").title == "NHỮNG QUY ĐỊNH CHUNG"
    assert result.warnings == []


def test_chapter_without_title_followed_by_article():
    result = parse_legal_text(lines("Chương I", "Điều 1. Phạm vi", "Nội dung."))
    chapter = by_anchor(result, "chuong-i")
    assert chapter.title == "" and chapter.children[0].title == "Phạm vi"


def test_sentence_starting_with_chuong_or_dieu_stays_text():
    text = lines("Điều 1. Dẫn chiếu", "Chương II của Luật này áp dụng cho tổ hợp tác.",
                 "Điều 5 của Luật này không áp dụng.", "Mục 2 nêu trên được bãi bỏ.")
    result = parse_legal_text(text)
    assert result.counts["chapter"] == 0 and result.counts["section"] == 0
    assert result.counts["article"] == 1
    assert by_anchor(result, "dieu-1").text.count("\n") == 2


def test_sections_anchor_includes_chapter_and_restart_per_chapter():
    text = lines("Chương I", "CHUNG", "Mục 1. VỐN", "Điều 1. Góp vốn", "x", "MỤC 2", "QUỸ", "Điều 2. Quỹ", "x",
                 "Chương II", "QUẢN TRỊ", "Mục 1: Đại hội", "Điều 3. Đại hội", "x")
    result = parse_legal_text(text)
    sections = nodes(result, "section")
    assert [(s.anchor, s.title) for s in sections] == [
        ("chuong-i-muc-1", "VỐN"), ("chuong-i-muc-2", "QUỸ"), ("chuong-ii-muc-1", "Đại hội")]
    assert [a.anchor for a in sections[1].children] == ["dieu-2"]
    assert result.warnings == []


@pytest.mark.parametrize("line", ["Mục tiêu của Luật là hỗ trợ hợp tác xã.", "Mục đích hoạt động.",
                                  "Mục lục", "MỤC TIÊU CHUNG"])
def test_muc_without_number_is_text(line):
    result = parse_legal_text(lines("Điều 1. Mục tiêu", line))
    assert result.counts["section"] == 0
    assert by_anchor(result, "dieu-1").text == line


# --- articles, clauses, points ---------------------------------------------------------------

@pytest.mark.parametrize("heading, number, title, anchor", [
    ("Điều 5. Góp vốn", "5", "Góp vốn", "dieu-5"),
    ("Điều 5.", "5", "", "dieu-5"),
    ("Điều 5", "5", "", "dieu-5"),
    ("Điều 12a. Hợp tác xã tạo việc làm", "12a", "Hợp tác xã tạo việc làm", "dieu-12a"),
    ("Điều 7: Thành viên", "7", "Thành viên", "dieu-7"),
    ("ĐIỀU 8. ĐẠI HỘI THÀNH VIÊN", "8", "ĐẠI HỘI THÀNH VIÊN", "dieu-8"),
    ("Điều 9 - Quỹ chung", "9", "Quỹ chung", "dieu-9"),
])
def test_article_headings(heading, number, title, anchor):
    result = parse_legal_text(lines(heading, "Nội dung điều."))
    article = result.provisions[0]
    assert (article.kind, article.number, article.title, article.anchor) == ("article", number, title, anchor)
    assert article.text == "Nội dung điều."


def test_clauses_points_and_continuations():
    text = lines(
        "Điều 1. Quyền của thành viên",
        "Thành viên có các quyền sau đây:",
        "1. Được hưởng lợi từ giao dịch nội bộ;",
        "2. Được biểu quyết:",
        "a) Tại Đại hội thành viên;",
        "b) Khi lấy ý kiến bằng văn bản,",
        "kể cả bằng phương tiện điện tử;",
        "3. Được ra khỏi hợp tác xã",
        "theo điều lệ.",
    )
    result = parse_legal_text(text)
    article = by_anchor(result, "dieu-1")
    assert article.text == "Thành viên có các quyền sau đây:"
    assert [c.anchor for c in article.children] == ["dieu-1-khoan-1", "dieu-1-khoan-2", "dieu-1-khoan-3"]
    clause = by_anchor(result, "dieu-1-khoan-2")
    assert (clause.number, clause.title, clause.text) == ("2", "", "Được biểu quyết:")
    assert [p.anchor for p in clause.children] == ["dieu-1-khoan-2-diem-a", "dieu-1-khoan-2-diem-b"]
    assert by_anchor(result, "dieu-1-khoan-2-diem-b").text == (
        "Khi lấy ý kiến bằng văn bản,\nkể cả bằng phương tiện điện tử;")
    assert by_anchor(result, "dieu-1-khoan-3").text == "Được ra khỏi hợp tác xã\ntheo điều lệ."
    assert result.warnings == []


def test_points_directly_under_article_with_all_vietnamese_letters():
    letters = "a b c d đ e g h i k l m n o p q r s t u v x y".split()
    text = lines("Điều 1. Hành vi bị cấm", "Nghiêm cấm:", *[f"{letter}) Hành vi {letter};" for letter in letters])
    result = parse_legal_text(text)
    points = by_anchor(result, "dieu-1").children
    assert [p.number for p in points] == letters
    assert points[4].anchor == "dieu-1-diem-dd"
    assert result.counts["point"] == 23 and result.warnings == []


def test_letters_outside_the_vietnamese_alphabet_are_not_points():
    result = parse_legal_text(lines("Điều 1. Thử", "a) Một;", "f) không phải điểm", "A) cũng không"))
    point = by_anchor(result, "dieu-1-diem-a")
    assert point.text == "Một;\nf) không phải điểm\nA) cũng không"


def test_decimal_numbers_are_not_clauses():
    result = parse_legal_text(lines("Điều 1. Mức vốn", "1.500.000 đồng là mức tối thiểu."))
    assert result.counts["clause"] == 0
    assert by_anchor(result, "dieu-1").text == "1.500.000 đồng là mức tối thiểu."


def test_clause_after_point_closes_the_point():
    result = parse_legal_text(lines("Điều 1. Thử", "1. Một:", "a) điểm;", "2. Hai."))
    assert [c.anchor for c in by_anchor(result, "dieu-1").children] == ["dieu-1-khoan-1", "dieu-1-khoan-2"]


def test_numbered_lines_are_clauses_only_inside_articles():
    text = lines("LUẬT HỢP TÁC XÃ", "1. Ngày 01/7/2023 Chính phủ trình dự án Luật.",
                 "Chương I", "QUY ĐỊNH CHUNG", "2. Ngày 01/8/2023 lấy ý kiến.", "Điều 1. Phạm vi", "x")
    result = parse_legal_text(text)
    assert "1. Ngày 01/7/2023" in result.preamble
    assert result.counts["clause"] == 0
    chapter = by_anchor(result, "chuong-i")
    assert chapter.text == "2. Ngày 01/8/2023 lấy ý kiến."
    assert warning_codes(result) == [("text_outside_article", 5)]
    assert result.warnings[0].params["kind"] == "chapter"


# --- preamble, title, closing ----------------------------------------------------------------

def test_preamble_and_title_spread_over_two_lines():
    text = lines("QUỐC HỘI", "Luật số: /2024/QH15", "", "DỰ THẢO", "", "LUẬT", "HỢP TÁC XÃ", "",
                 "Căn cứ Hiến pháp;", "Quốc hội ban hành Luật Hợp tác xã.", "", "Điều 1. Phạm vi")
    result = parse_legal_text(text)
    assert result.title == "LUẬT HỢP TÁC XÃ"
    assert result.preamble == ("QUỐC HỘI\nLuật số: /2024/QH15\nDỰ THẢO\nLUẬT\nHỢP TÁC XÃ\n"
                               "Căn cứ Hiến pháp;\nQuốc hội ban hành Luật Hợp tác xã.")


@pytest.mark.parametrize("preamble, title", [
    (["CHÍNH PHỦ", "NGHỊ ĐỊNH QUY ĐỊNH CHI TIẾT LUẬT HỢP TÁC XÃ"], "NGHỊ ĐỊNH QUY ĐỊNH CHI TIẾT LUẬT HỢP TÁC XÃ"),
    (["DỰ THẢO LUẬT HỢP TÁC XÃ (SỬA ĐỔI)"], "DỰ THẢO LUẬT HỢP TÁC XÃ (SỬA ĐỔI)"),
    (["Luật hợp tác xã mẫu", "Căn cứ Hiến pháp;"], ""),
    ([], ""),
])
def test_title_guess(preamble, title):
    assert parse_legal_text(lines(*preamble, "Điều 1. Phạm vi")).title == title


def test_closing_block_is_kept_apart_from_last_article():
    text = lines(
        "Điều 9. Hiệu lực thi hành",
        "Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2030.",
        "Chủ tịch Hội đồng quản trị hợp tác xã báo cáo việc thi hành.",
        "",
        "Luật này được Quốc hội khóa XV, kỳ họp thứ … thông qua ngày … tháng … năm ….",
        "",
        "CHỦ TỊCH QUỐC HỘI",
        "",
        "Nguyễn Văn Mẫu",
    )
    result = parse_legal_text(text)
    assert by_anchor(result, "dieu-9").text == (
        "Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2030.\n"
        "Chủ tịch Hội đồng quản trị hợp tác xã báo cáo việc thi hành.")
    assert result.closing.splitlines() == [
        "Luật này được Quốc hội khóa XV, kỳ họp thứ … thông qua ngày … tháng … năm ….",
        "CHỦ TỊCH QUỐC HỘI", "Nguyễn Văn Mẫu"]


@pytest.mark.parametrize("first_closing_line", [
    "TM. CHÍNH PHỦ", "KT. BỘ TRƯỞNG", "Nơi nhận:", "THỦ TƯỚNG", "Hà Nội, ngày 20 tháng 6 năm 2030"])
def test_other_closing_markers(first_closing_line):
    text = lines("Điều 3. Trách nhiệm thi hành", "1. Các bộ tổ chức thi hành.", first_closing_line,
                 "PHẠM THỊ MẪU")
    result = parse_legal_text(text)
    assert by_anchor(result, "dieu-3-khoan-1").text == "Các bộ tổ chức thi hành."
    assert result.closing == f"{first_closing_line}\nPHẠM THỊ MẪU"


def test_closing_markers_before_the_last_article_do_not_cut_the_text():
    text = lines("Điều 1. Một", "Nơi nhận: hồ sơ gửi Ủy ban nhân dân cấp xã.", "Điều 2. Hai", "Nội dung.")
    result = parse_legal_text(text)
    assert by_anchor(result, "dieu-1").text == "Nơi nhận: hồ sơ gửi Ủy ban nhân dân cấp xã."
    assert result.closing == ""


# --- warnings --------------------------------------------------------------------------------

def test_article_gap_and_suffix_articles():
    text = lines("Điều 4. Bốn", "x.", "Điều 5. Năm", "x.", "Điều 5a. Năm a", "x.", "Điều 5b. Năm b", "x.",
                 "Điều 8. Tám", "x.")
    result = parse_legal_text(text)
    assert len(result.warnings) == 2
    first, second = result.warnings
    assert (first.code, first.line) == ("numbering_gap", 1)
    assert first.params["expected"] == "1" and first.params["found"] == "4"
    assert (second.code, second.line) == ("numbering_gap", 9)
    assert {k: second.params[k] for k in ("kind", "expected", "found")} == {
        "kind": "article", "expected": "6", "found": "8"}


def test_suffix_article_without_its_base_is_a_gap():
    result = parse_legal_text(lines("Điều 1. Một", "x.", "Điều 2a. Hai a", "x."))
    assert warning_codes(result) == [("numbering_gap", 3)]


def test_chapter_numbers_compared_as_integers():
    text = lines("Chương IV", "A", "Điều 1. x", "y", "Chương V", "B", "Điều 2. x", "y",
                 "Chương VII", "C", "Điều 3. x", "y", "Chương VII", "D", "Điều 4. x", "y")
    result = parse_legal_text(text)
    assert [(w.code, w.line, w.params["expected"], w.params["found"]) for w in result.warnings] == [
        ("numbering_gap", 1, "I", "IV"), ("numbering_gap", 9, "VI", "VII"),
        ("numbering_repeat", 13, "VIII", "VII")]
    assert [c.anchor for c in nodes(result, "chapter")] == ["chuong-iv", "chuong-v", "chuong-vii", "chuong-vii-2"]


def test_clause_numbering_restarts_per_article_and_gaps_are_reported():
    text = lines("Điều 1. Một", "1. a", "2. b", "Điều 2. Hai", "1. a", "3. c", "3. c lần nữa")
    result = parse_legal_text(text)
    assert warning_codes(result) == [("numbering_gap", 6), ("numbering_repeat", 7)]
    assert result.warnings[0].params["within"] == "dieu-2"
    assert [c.anchor for c in by_anchor(result, "dieu-2").children] == [
        "dieu-2-khoan-1", "dieu-2-khoan-3", "dieu-2-khoan-3-2"]


def test_point_gaps_follow_the_vietnamese_order():
    text = lines("Điều 1. Một", "1. x", "a) a", "b) b", "c) c", "d) d", "e) e", "2. y", "a) a", "c) c")
    result = parse_legal_text(text)
    assert [(w.code, w.line, w.params["expected"], w.params["found"]) for w in result.warnings] == [
        ("numbering_gap", 7, "đ", "e"), ("numbering_gap", 10, "b", "c")]


def test_empty_article_warning():
    result = parse_legal_text(lines("Điều 1. Một", "", "Điều 2. Hai", "Nội dung.", "Điều 3. Ba", "1. x"))
    assert [(w.code, w.line, w.params["number"]) for w in result.warnings] == [("empty_article", 1, "1")]


def test_text_outside_article_but_titles_are_not_warned():
    text = lines("Chương I", "QUY ĐỊNH CHUNG", "Chương này nói về phạm vi.", "Điều 1. Phạm vi", "x")
    result = parse_legal_text(text)
    assert warning_codes(result) == [("text_outside_article", 3)]
    assert by_anchor(result, "chuong-i").title == "QUY ĐỊNH CHUNG"


# --- tree, counts, errors --------------------------------------------------------------------

def test_walk_gives_document_order_with_parent_and_depth():
    text = lines("Phần thứ nhất", "CHUNG", "Chương I", "A", "Mục 1", "B", "Điều 1. x", "1. y", "a) z")
    result = parse_legal_text(text)
    walked = [(node.anchor, parent.anchor if parent else None, depth) for node, parent, depth in result.walk()]
    assert walked == [
        ("phan-1", None, 0), ("chuong-i", "phan-1", 1), ("chuong-i-muc-1", "chuong-i", 2),
        ("dieu-1", "chuong-i-muc-1", 3), ("dieu-1-khoan-1", "dieu-1", 4),
        ("dieu-1-khoan-1-diem-a", "dieu-1-khoan-1", 5)]
    assert result.counts == {kind: 1 for kind in ("part", "chapter", "section", "article", "clause", "point")}


def test_text_without_articles_is_refused():
    with pytest.raises(DraftParseError) as caught:
        parse_legal_text(lines("Chương I", "QUY ĐỊNH CHUNG", "1. Một khoản lạc."))
    assert caught.value.code == "no_articles"
    with pytest.raises(DraftParseError):
        parse_legal_text("")


def test_sample_law_fixture_parses_cleanly():
    result = parse_legal_text((FIXTURES / "luat_htx_mau.txt").read_text(encoding="utf-8"))
    assert result.warnings == []
    assert result.counts == {"part": 0, "chapter": 3, "section": 2, "article": 10, "clause": 13, "point": 8}
    assert result.title == "LUẬT HỢP TÁC XÃ (SỬA ĐỔI)"
    assert result.preamble.endswith("Quốc hội ban hành Luật Hợp tác xã (sửa đổi).")
    assert result.closing.splitlines()[1:] == ["CHỦ TỊCH QUỐC HỘI", "Trần Văn Mẫu"]
    assert [c.title for c in nodes(result, "chapter")] == ["NHỮNG QUY ĐỊNH CHUNG", "THÀNH VIÊN", "TỔ CHỨC QUẢN TRỊ"]
    assert by_anchor(result, "chuong-ii-muc-1").title == "VỐN GÓP"
    assert by_anchor(result, "dieu-3-khoan-2").text.endswith("\nkhông phụ thuộc số vốn đã góp.")
    assert by_anchor(result, "dieu-10-khoan-2").text.endswith("có hiệu lực./.")
    assert by_anchor(result, "dieu-9").text.startswith("Chủ tịch Hội đồng quản trị")
    anchors = [node.anchor for node in nodes(result)]
    assert len(anchors) == len(set(anchors)) and all(a.isascii() and a == a.lower() for a in anchors)


# --- reading uploads -------------------------------------------------------------------------

SAMPLE = "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về hợp tác xã."


@pytest.mark.parametrize("data", [
    SAMPLE.encode("utf-8"),
    codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
    SAMPLE.encode("utf-16"),
    codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
])
def test_read_text_encodings(data):
    assert read_document("du-thao.TXT", data) == SAMPLE


@pytest.mark.parametrize("filename, data, code", [
    ("a.txt", b"", "empty"),
    ("a.txt", b" \n\t\r\n", "empty"),
    ("a.txt", "  \n".encode("utf-16"), "empty"),
    ("a.txt", b"\xd0i\xd2u 1. Ph\xb9m vi", "bad_encoding"),  # TCVN3-style bytes
    ("a.txt", SAMPLE.encode("utf-16-le"), "bad_encoding"),
    ("a.txt", b"abc\x00\x01\x02def", "bad_encoding"),
    ("a.txt", b"\x01\x02\x03\x04\x05 text", "bad_encoding"),
    ("a.pdf", SAMPLE.encode("utf-8"), "unsupported_type"),
    ("a", SAMPLE.encode("utf-8"), "unsupported_type"),
    ("a.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "unsupported_type"),
    ("a.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "unsupported_type"),
    ("a.docx", SAMPLE.encode("utf-8"), "corrupt_docx"),
    ("a.docx", b"PK\x03\x04 broken archive", "corrupt_docx"),
])
def test_read_errors(filename, data, code):
    with pytest.raises(UnreadableDocument) as caught:
        read_document(filename, data)
    assert caught.value.code == code


def make_docx(tmp_path, paragraphs, table_rows=(), after=()) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for row, values in zip(table.rows, table_rows):
            for cell, value in zip(row.cells, values):
                cell.text = value
    for text in after:
        document.add_paragraph(text)
    path = tmp_path / "du-thao.docx"
    document.save(path)
    return path.read_bytes()


def test_read_docx_paragraphs_and_tables_in_order(tmp_path):
    """A table inside an article stays a table: one ``| cell | cell |`` line per row."""
    data = make_docx(tmp_path, ["LUẬT HỢP TÁC XÃ", "Điều 1. Phạm vi"],
                     table_rows=[["Loại", "Mức"], ["Vốn góp", "20%"]], after=["Điều 2. Thành viên", "1. Cá nhân."])
    text = read_document("du-thao.docx", data)
    assert text.splitlines() == ["LUẬT HỢP TÁC XÃ", "Điều 1. Phạm vi", "| Loại | Mức |", "| Vốn góp | 20% |",
                                 "Điều 2. Thành viên", "1. Cá nhân."]
    result = parse_legal_text(text)
    assert result.title == "LUẬT HỢP TÁC XÃ"
    assert by_anchor(result, "dieu-1").text == "| Loại | Mức |\n| Vốn góp | 20% |"
    assert by_anchor(result, "dieu-2-khoan-1").text == "Cá nhân."


def test_tables_before_the_first_article_are_read_cell_by_cell(tmp_path):
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "QUỐC HỘI"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    document.add_paragraph("Điều 1. Phạm vi")
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 1).text = "CHỦ TỊCH QUỐC HỘI"
    buffer = io.BytesIO()
    document.save(buffer)
    lines = read_document("a.docx", buffer.getvalue()).splitlines()
    assert lines == ["QUỐC HỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Điều 1. Phạm vi", "", "CHỦ TỊCH QUỐC HỘI"]


def test_merged_table_cells_are_read_once(tmp_path):
    document = docx.Document()
    document.add_paragraph("Điều 1. Bảng")
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "Ô gộp"
    table.cell(0, 2).text = "Ô cuối"
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_document("a.docx", buffer.getvalue()).splitlines() == ["Điều 1. Bảng", "| Ô gộp | Ô cuối |"]


def test_docx_is_recognised_by_content_not_name(tmp_path):
    data = make_docx(tmp_path, ["Điều 1. Phạm vi"])
    assert read_document("ban-sao.txt", data) == "Điều 1. Phạm vi"


def test_empty_docx_is_empty(tmp_path):
    with pytest.raises(UnreadableDocument) as caught:
        read_document("a.docx", make_docx(tmp_path, ["", "   "]))
    assert caught.value.code == "empty"


def test_other_zip_packages_and_damaged_docx(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office/>")
    with pytest.raises(UnreadableDocument) as caught:
        read_document("a.docx", buffer.getvalue())
    assert caught.value.code == "unsupported_type"

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not really word")
    with pytest.raises(UnreadableDocument) as caught:
        read_document("a.docx", buffer.getvalue())
    assert caught.value.code == "corrupt_docx"

    truncated = make_docx(tmp_path, ["Điều 1. Phạm vi"])[:400]
    with pytest.raises(UnreadableDocument) as caught:
        read_document("a.docx", truncated)
    assert caught.value.code == "corrupt_docx"
