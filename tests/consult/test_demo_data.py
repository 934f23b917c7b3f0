"""Checks on the reference data and the demo consultation in consult/data."""

import re
import unicodedata

import pytest

from consult.data import (
    demo_draft_text,
    load_demo_comments,
    load_organisations,
    load_provinces,
)

REGIONS = {
    "Đồng bằng sông Hồng",
    "Trung du và miền núi phía Bắc",
    "Bắc Trung Bộ và Duyên hải miền Trung",
    "Tây Nguyên",
    "Đông Nam Bộ",
    "Đồng bằng sông Cửu Long",
}

#: A tone mark on the second vowel of an open "oa", "oe" or "uy" syllable is
#: the new placement ("hoà", "thuỷ"); the data files use the traditional one
#: ("hòa", "thủy"). "quý" is the same in both styles, hence the (?<!q).
NEW_STYLE_TONE = re.compile(
    r"(?:o[àáảãạ]|o[èéẻẽẹ]|(?<!q)u[ỳýỷỹỵ])(?![^\W\d_])", re.IGNORECASE
)


ARTICLE_LINE = re.compile(r"^Điều (\d+)\. \S", re.MULTILINE)
CHAPTER_LINE = re.compile(r"^Chương ([IVXLC]+)(\. (.+))?$", re.MULTILINE)
SECTION_LINE = re.compile(r"^Mục (\d+)\. \S", re.MULTILINE)
POINT_LINE = re.compile(r"^([a-zđ])\) \S", re.MULTILINE)
CLAUSE_LINE = re.compile(r"^(\d+)\. \S", re.MULTILINE)
RESPONDENT_TYPES = {"citizen", "coop_member", "cooperative", "enterprise", "organisation", "other"}


def is_nfc(text):
    return unicodedata.is_normalized("NFC", text)


# --- provinces -------------------------------------------------------------


@pytest.fixture(scope="module")
def provinces():
    return load_provinces()


def test_there_are_63_provinces_with_unique_two_digit_codes(provinces):
    codes = [row["code"] for row in provinces]
    assert len(provinces) == 63
    assert len(set(codes)) == 63
    assert all(re.fullmatch(r"\d\d", code) for code in codes)
    assert codes == sorted(codes)
    assert codes[0] == "01" and codes[-1] == "96"


def test_province_names_are_unique_nfc_and_without_prefix(provinces):
    names = [row["name"] for row in provinces]
    assert len(set(names)) == 63
    assert all(is_nfc(name) for name in names)
    assert not any(name.startswith(("Thành phố", "Tỉnh")) for name in names)


def test_province_names_use_traditional_tone_placement(provinces):
    names = {row["name"] for row in provinces}
    assert {"Hòa Bình", "Khánh Hòa", "Thanh Hóa"} <= names
    assert not any(NEW_STYLE_TONE.search(name) for name in names)


def test_the_five_centrally_run_cities(provinces):
    cities = {row["name"] for row in provinces if row["kind"] == "city"}
    assert cities == {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
    assert {row["kind"] for row in provinces} == {"city", "province"}


def test_every_province_has_a_known_region(provinces):
    assert {row["region"] for row in provinces} == REGIONS
    by_name = {row["name"]: row for row in provinces}
    assert by_name["Quảng Ninh"]["region"] == "Đồng bằng sông Hồng"
    assert by_name["Lâm Đồng"]["region"] == "Tây Nguyên"
    assert by_name["Bà Rịa - Vũng Tàu"]["code"] == "77"


# --- organisations ---------------------------------------------------------


@pytest.fixture(scope="module")
def organisations():
    return load_organisations()


def test_18_ministries_and_4_ministerial_agencies(organisations):
    kinds = [row["kind"] for row in organisations]
    assert kinds.count("ministry") == 18
    assert kinds.count("ministerial_agency") == 4
    assert set(kinds) <= {"ministry", "ministerial_agency", "government_agency", "association"}
    assert kinds.count("government_agency") >= 1
    assert kinds.count("association") >= 5


def test_organisation_codes_are_unique_ascii(organisations):
    codes = [row["code"] for row in organisations]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", code) for code in codes)


def test_organisations_have_nfc_names_and_the_drafting_ministry(organisations):
    assert all(row["name"] and row["short_name"] for row in organisations)
    assert all(is_nfc(row["name"] + row["short_name"]) for row in organisations)
    by_code = {row["code"]: row for row in organisations}
    assert by_code["BKHDT"]["name"] == "Bộ Kế hoạch và Đầu tư"
    assert by_code["LMHTX"]["kind"] == "association"
    assert by_code["BVHTTDL"]["name"] == "Bộ Văn hóa, Thể thao và Du lịch"


# --- demo draft ------------------------------------------------------------


@pytest.fixture(scope="module")
def draft():
    return demo_draft_text()


def article_numbers(text):
    return [int(number) for number in ARTICLE_LINE.findall(text)]


def test_draft_has_at_least_30_consecutive_articles(draft):
    numbers = article_numbers(draft)
    assert len(numbers) >= 30
    assert numbers == list(range(1, len(numbers) + 1))


def test_draft_has_at_least_6_chapters_in_both_heading_styles(draft):
    lines = draft.splitlines()
    chapters = CHAPTER_LINE.findall(draft)
    assert len(chapters) >= 6
    titled_inline = [numeral for numeral, suffix, _ in chapters if suffix]
    titled_below = [numeral for numeral, suffix, _ in chapters if not suffix]
    assert titled_inline and titled_below
    for numeral in titled_below:
        index = lines.index(f"Chương {numeral}")
        title = lines[index + 1]
        assert title and title == title.upper()


def test_draft_has_sections_points_and_a_mischievous_muc_tieu_line(draft):
    assert SECTION_LINE.findall(draft) == ["1", "2"]
    assert "đ" in POINT_LINE.findall(draft)
    assert re.search(r"^Mục tiêu ", draft, re.MULTILINE)


def test_draft_preamble_and_closing_block(draft):
    lines = [line.strip() for line in draft.splitlines() if line.strip()]
    head = lines[:12]
    assert head[0] == "QUỐC HỘI"
    assert "LUẬT HỢP TÁC XÃ (SỬA ĐỔI)" in head
    assert "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;" in head
    assert "Quốc hội ban hành Luật Hợp tác xã (sửa đổi)." in head
    assert lines[-3].startswith("Luật này được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XV")
    assert lines[-2] == "CHỦ TỊCH QUỐC HỘI"


def test_draft_is_nfc_traditional_and_of_demo_size(draft):
    assert is_nfc(draft)
    assert not NEW_STYLE_TONE.search(draft)
    assert 40_000 <= len(draft.encode("utf-8")) <= 70_000


# --- demo comments ---------------------------------------------------------


def clause_counts(text):
    """Map each article number to how many numbered clauses its body has."""
    parts = ARTICLE_LINE.split(text)
    # split() gives [preamble, number, body, number, body, ...]
    return {int(number): len(CLAUSE_LINE.findall(body)) for number, body in zip(parts[1::2], parts[2::2])}


@pytest.fixture(scope="module")
def comments():
    return load_demo_comments()


def test_about_sixty_comments_mostly_published(comments):
    statuses = [comment["status"] for comment in comments]
    assert 50 <= len(comments) <= 80
    assert set(statuses) == {"published", "pending"}
    assert 5 <= statuses.count("pending") <= 15


def test_every_comment_points_at_an_existing_article_and_clause(comments, draft):
    clauses = clause_counts(draft)
    for comment in comments:
        assert comment["article"] in clauses, comment
        if comment["clause"] is not None:
            assert 1 <= comment["clause"] <= clauses[comment["article"]], comment


def test_every_comment_has_a_known_province_and_respondent_type(comments, provinces):
    codes = {row["code"] for row in provinces}
    for comment in comments:
        assert comment["province_code"] in codes, comment
        assert comment["respondent_type"] in RESPONDENT_TYPES, comment
        assert comment["body"].strip() and is_nfc(comment["body"]), comment


def test_comments_are_varied_in_the_ways_the_pipeline_must_handle(comments):
    bodies = [comment["body"] for comment in comments]
    assert "Đồng ý." in bodies
    assert any(body == body.upper() and len(body) > 40 for body in bodies)
    assert any(NEW_STYLE_TONE.search(body + comment["name"]) for body, comment in zip(bodies, comments))
    assert any(re.search(r"\bhòa\b|\bhóa\b", body, re.IGNORECASE) for body in bodies)
    assert {comment["respondent_type"] for comment in comments} == RESPONDENT_TYPES
    assert any(comment["name"] for comment in comments)
    assert any(not comment["name"] for comment in comments)


def test_a_small_campaign_is_planted_on_one_article(comments):
    campaign = [c for c in comments if "mức trần 30%" in c["body"].casefold()]
    assert len(campaign) == 5
    assert {c["article"] for c in campaign} == {26}
    assert len({c["body"] for c in campaign}) == 5
